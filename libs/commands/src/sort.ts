import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { Ev, HashObject, isStringValue, ListValue, SetValue, ZSetValue, type Int64 } from '@brook/storage';

/**
 * SORT and SORT_RO, as Redis 7.0's sort.c: the elements of a list, set or sorted set, ordered by
 * their own value or by the keys a BY pattern names (numeric by default, ALPHA for bytes), cut by
 * LIMIT, each replaced by the values its GET patterns name, replied or STOREd as a list.
 */

/** A BY or GET pattern, parsed once: `#` (the element itself), `prefix*suffix`, or with `->field`. */
interface Pattern {
  self: boolean;
  /** False when the pattern has no '*': Redis finds nothing for a constant key. */
  star: boolean;
  prefix: string;
  suffix: string;
  /** The hash field after the first "->" following the '*', when something follows it. */
  field: string | null;
}

function parsePattern(p: string): Pattern {
  const star = p.indexOf('*');
  if (p === '#' || star < 0) return { self: p === '#', star: false, prefix: '', suffix: '', field: null };
  const arrow = p.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < p.length;
  return {
    self: false,
    star: true,
    prefix: p.slice(0, star),
    suffix: p.slice(star + 1, hasField ? arrow : p.length),
    field: hasField ? p.slice(arrow + 2) : null,
  };
}

/**
 * Redis's lookupKeyByPattern: what the pattern names for `el` (a string key's value, or a hash
 * field's), or null when there is none or the key holds another type. A string held as an
 * integer comes back as its number, which SORT uses as the score without reading text.
 */
function lookupValue(c: Session, pat: Pattern, el: string): string | number | bigint | null {
  if (pat.self) return el;
  if (!pat.star) return null;
  const v = c.db.read(pat.prefix + el + pat.suffix);
  if (v === undefined) return null;
  if (pat.field !== null) return v instanceof HashObject ? (v.get(pat.field) ?? null) : null;
  if (!isStringValue(v)) return null;
  return typeof v === 'object' ? v.toString() : v;
}

/** lookupValue as the bytes a reply or a stored list carries. */
function lookup(c: Session, pat: Pattern, el: string): string | null {
  const v = lookupValue(c, pat, el);
  return v === null || typeof v === 'string' ? v : String(v);
}

function isCSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/** The smallest normal double: below it strtod reports ERANGE (underflow). */
const DBL_MIN = 2.2250738585072014e-308;

/**
 * The score SORT reads from a string with strtod, or null where Redis reports "can't be converted
 * into double": text left after the number (up to a NUL, where the C string ends), NaN, or a value
 * out of range (overflow, underflow). Leading C whitespace, hex floats and inf/infinity are read as
 * strtod reads them; no number at all (the empty string) is 0.
 */
export function strtodScore(s: string): number | null {
  const n = s.length;
  // The common case, a plain decimal integer that a double holds exactly: no text scanning below.
  if (n > 0 && n < 16) {
    const minus = s.charCodeAt(0) === 45 ? 1 : 0;
    let i = minus;
    let v = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n && n > minus) return minus ? -v : v;
  }
  let i = 0;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === '+' || s[i] === '-')) neg = s[i++] === '-';
  let value: number;
  let end: number;
  const rest = s.slice(i, i + 8).toLowerCase();
  if (rest.startsWith('inf')) {
    value = Infinity;
    end = i + (rest === 'infinity' ? 8 : 3);
  } else if (rest.startsWith('nan')) {
    return null;
  } else if (rest.startsWith('0x') && /^[0-9a-f]|^\.[0-9a-f]/i.test(s.slice(i + 2, i + 4))) {
    const m = /^([0-9a-f]*)(\.[0-9a-f]*)?(p[+-]?\d+)?/i.exec(s.slice(i + 2))!;
    const [text, whole, frac = '', exp = 'p0'] = m as unknown as [string, string, string | undefined, string | undefined];
    value = 0;
    for (const d of whole + frac.slice(1)) value = value * 16 + parseInt(d, 16);
    value *= 2 ** (Number(exp.slice(1)) - 4 * Math.max(frac.length - 1, 0));
    end = i + 2 + text.length;
  } else {
    const m = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/i.exec(s.slice(i));
    // No conversion: strtod's end pointer stays at the start of the string.
    if (m === null) return n === 0 || s.charCodeAt(0) === 0 ? 0 : null;
    value = Number(m[0]);
    if (value === Infinity || (value !== 0 && value < DBL_MIN) || (value === 0 && /[1-9]/.test(m[0].replace(/e.*$/i, '')))) return null;
    end = i + m[0].length;
  }
  if (end < n && s.charCodeAt(end) !== 0) return null;
  return neg ? -value : value;
}

/** Byte order (compareStringObjects): latin1 strings compare by their bytes, a prefix first. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: strcmp, which stops at the first NUL byte. */
function compareCString(a: string, b: string): number {
  const na = a.indexOf('\0');
  const nb = b.indexOf('\0');
  return compareBytes(na < 0 ? a : a.slice(0, na), nb < 0 ? b : b.slice(0, nb));
}

/**
 * What the elements are sorted by, in parallel arrays (one object per element would cost a
 * million allocations, and their collection, on a big SORT): the element, its numeric score, and
 * with ALPHA BY the value sorted by (null when the pattern names nothing).
 */
interface SortKeys {
  els: string[];
  scores: Float64Array;
  bys: (string | null)[] | null;
}

function sortGeneric(c: Session, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart: Int64 = 0;
  let limitCount: Int64 = -1;
  let storeKey: string | null = null;
  let sortBy: Pattern | null = null;
  let dontSort = false;
  const gets: Pattern[] = [];
  for (let j = 2; j < argv.length; j++) {
    const arg = argv[j];
    const left = argv.length - j - 1;
    if (is(arg, 'ASC')) desc = false;
    else if (is(arg, 'DESC')) desc = true;
    else if (is(arg, 'ALPHA')) alpha = true;
    else if (is(arg, 'LIMIT') && left >= 2) {
      const start = parseInt64(argv[j + 1]);
      const count = start === null ? null : parseInt64(argv[j + 2]);
      if (start === null || count === null) return c.w.error(Err.notInteger);
      limitStart = start;
      limitCount = count;
      j += 2;
    } else if (!readonly && is(arg, 'STORE') && left >= 1) storeKey = argv[++j];
    else if (is(arg, 'BY') && left >= 1) {
      // A BY pattern without '*' names one constant key for every element: nothing to sort by.
      sortBy = parsePattern(argv[++j]);
      dontSort = !sortBy.star;
    } else if (is(arg, 'GET') && left >= 1) gets.push(parsePattern(argv[++j]));
    else return c.w.error(Err.syntax);
  }

  const v = c.db.read(argv[1]);
  if (v !== undefined && !(v instanceof SetValue || v instanceof ListValue || v instanceof ZSetValue)) return c.w.error(Err.wrongType);
  // An unsorted set would come out in hash order, which STORE would make part of the data: Redis
  // sorts it ALPHA instead so the stored list is deterministic.
  if (dontSort && v instanceof SetValue && storeKey !== null) {
    dontSort = false;
    alpha = true;
    sortBy = null;
  }

  // Redis converts a listpack sorted set to a skiplist for good before sorting it.
  if (v instanceof ZSetValue) v.toSkiplist();
  const len = v === undefined ? 0 : v instanceof ListValue ? v.length : v.size;
  let start = clamp(limitStart, 0, len);
  const count = clamp(limitCount, -1, len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let elements: string[];
  if (v === undefined) elements = [];
  else if (v instanceof SetValue) elements = v.members();
  else if (!dontSort) {
    elements = [];
    if (v instanceof ListValue) elements = v.values();
    else v.forEach((m) => elements.push(m));
  } else {
    // Lists and sorted sets keep their own order when nothing is sorted: read just the LIMIT
    // range, from the tail for DESC, as Redis does.
    elements = [];
    if (end >= start) {
      const push = (m: string) => elements.push(m);
      if (v instanceof ListValue) {
        if (desc) v.range(len - 1 - end, len - 1 - start, true, push);
        else v.range(start, end, false, push);
      } else if (desc) v.range(len - 1 - end, len - start, true, push);
      else v.range(start, end + 1, false, push);
      end -= start;
      start = 0;
    }
  }

  const keys: SortKeys = { els: elements, scores: new Float64Array(alpha ? 0 : elements.length), bys: null };
  let order: ArrayLike<number>;
  if (dontSort) order = identity(elements.length);
  else {
    if (!readKeys(c, keys, sortBy, alpha)) return c.w.error(Err.sortScores);
    const cmp = comparator(keys, desc, alpha, storeKey !== null);
    // As Redis's pqsort: with BY and a LIMIT, only the range asked for needs its final order.
    if (sortBy !== null && (start !== 0 || end !== elements.length - 1)) order = sortRange(elements.length, cmp, start, end);
    else if (alpha) order = identity(elements.length).sort(cmp);
    else order = sortByScore(keys, desc);
  }

  const n = end - start + 1;
  const outputLen = gets.length === 0 ? n : gets.length * n;
  if (storeKey !== null) return store(c, storeKey, elements, order, start, end, gets, outputLen);
  const w = c.w;
  w.array(outputLen);
  for (let j = start; j <= end; j++) {
    const el = elements[order[j]];
    if (gets.length === 0) w.bulk(el);
    for (const g of gets) {
      const val = lookup(c, g, el);
      if (val === null) w.nil();
      else w.bulk(val);
    }
  }
}

/**
 * Fills in what each element sorts by: its BY value (one key lookup each, as Redis), read as a
 * score unless ALPHA. False when a value is not a number (Redis's "can't be converted" error).
 */
function readKeys(c: Session, keys: SortKeys, sortBy: Pattern | null, alpha: boolean): boolean {
  const { els, scores } = keys;
  if (alpha) {
    if (sortBy === null) return true;
    const bys = (keys.bys = new Array<string | null>(els.length));
    for (let i = 0; i < els.length; i++) {
      const byVal = lookupValue(c, sortBy, els[i]);
      bys[i] = byVal === null || typeof byVal === 'string' ? byVal : String(byVal);
    }
    return true;
  }
  let converted = true;
  for (let i = 0; i < els.length; i++) {
    const byVal = sortBy === null ? els[i] : lookupValue(c, sortBy, els[i]);
    // A pattern naming nothing sorts as 0; an integer-encoded value is cast to double as it is.
    if (byVal === null) continue;
    if (typeof byVal !== 'string') scores[i] = Number(byVal);
    else {
      const score = strtodScore(byVal);
      if (score === null) converted = false;
      else scores[i] = score;
    }
  }
  return converted;
}

/**
 * SORT ... STORE: the result as a list (a GET naming nothing stores ""), replacing the key and its
 * TTL; an empty result deletes the key instead. Replies the number of elements stored.
 */
function store(
  c: Session,
  key: string,
  els: string[],
  order: ArrayLike<number>,
  start: number,
  end: number,
  gets: Pattern[],
  outputLen: number,
): void {
  const db = c.db;
  if (outputLen === 0) {
    db.delete(key);
    return c.w.integer(0);
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const el = els[order[j]];
    if (gets.length === 0) out.push(el);
    for (const g of gets) out.push(lookup(c, g, el) ?? '');
  }
  const list = new ListValue();
  list.pushAll(out, 0, false);
  db.set(key, list, false, Ev.sortstore);
  // Redis counts one change per element stored; set() counted one.
  c.ks.dirty += outputLen - 1;
  c.w.integer(outputLen);
}

function identity(n: number): number[] {
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/**
 * The numeric order (score, then the element's bytes; reversed for DESC, as Redis negates its
 * comparison) without a comparator call per comparison: a stable radix sort of the scores' bits,
 * then only runs of equal scores compared as bytes.
 */
function sortByScore(keys: SortKeys, desc: boolean): Uint32Array {
  const { els, scores } = keys;
  const n = els.length;
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  const bits = new Uint32Array(2);
  const f = new Float64Array(bits.buffer);
  for (let i = 0; i < n; i++) {
    // -0 equals 0 for the comparison; the bits then order as unsigned integers: negatives flipped.
    f[0] = scores[i] === 0 ? 0 : scores[i];
    const h = bits[1];
    if (h >= 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~bits[0] >>> 0;
    } else {
      hi[i] = h | 0x80000000;
      lo[i] = bits[0];
    }
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Keys move with the order, so every pass reads in sequence; 8-bit digits keep the 256 write
  // positions in cache (16-bit ones measured slower for scattering over 65,536 of them).
  let order2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  const counts = new Uint32Array(RADIX);
  for (let bit = 0; bit < 64; bit += RADIX_BITS) {
    const key = bit < 32 ? lo : hi;
    const shift = bit & 31;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[i] >>> shift) & RADIX_MASK]++;
    // A digit every score shares (small integers' low bits) needs no pass.
    if (n === 0 || counts[(key[0] >>> shift) & RADIX_MASK] === n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const k = counts[d];
      counts[d] = sum;
      sum += k;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(key[i] >>> shift) & RADIX_MASK]++;
      order2[at] = order[i];
      hi2[at] = hi[i];
      lo2[at] = lo[i];
    }
    [order, order2, hi, hi2, lo, lo2] = [order2, order, hi2, hi, lo2, lo];
  }
  // Equal scores order by the elements' bytes.
  const byBytes = (a: number, b: number) => compareBytes(els[a], els[b]);
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && hi[j] === hi[i] && lo[j] === lo[i]) j++;
    if (j - i > 1) sortRun(order, i, j, byBytes);
    i = j;
  }
  return desc ? order.reverse() : order;
}

const RADIX_BITS = 8;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/** Sorts order[from..to) by `cmp`; a run already in order (often: equal elements) costs one pass. */
function sortRun(order: Uint32Array, from: number, to: number, cmp: (a: number, b: number) => number): void {
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) sorted = cmp(order[i - 1], order[i]) <= 0;
  if (sorted) return;
  const run = Array.from(order.subarray(from, to)).sort(cmp);
  order.set(run, from);
}

/**
 * An order whose positions start..end hold their sorted elements; the rest in no particular
 * order. A range near either end (LIMIT 0 10 of a million) costs O(n log k) through a heap of the
 * k elements on that side, instead of sorting them all.
 */
function sortRange(len: number, cmp: (a: number, b: number) => number, start: number, end: number): number[] {
  const order = identity(len);
  if (end < start) return order;
  const front = end + 1;
  const back = len - start;
  if (Math.min(front, back) * 8 > len) return order.sort(cmp);
  // The k elements first in `rank`, kept in a heap whose root is the last of them.
  const rank = front <= back ? cmp : (a: number, b: number) => cmp(b, a);
  const k = Math.min(front, back);
  const heap: number[] = [];
  for (let i = 0; i < len; i++) {
    if (heap.length < k) {
      heap.push(i);
      siftUp(heap, heap.length - 1, rank);
    } else if (rank(i, heap[0]) < 0) {
      heap[0] = i;
      siftDown(heap, rank);
    }
  }
  heap.sort(cmp);
  if (front <= back) for (let i = 0; i < k; i++) order[i] = heap[i];
  else for (let i = 0; i < k; i++) order[start + i] = heap[i];
  return order;
}

/** Max-heap (by `rank`) insertion. */
function siftUp(heap: number[], i: number, rank: (a: number, b: number) => number): void {
  const item = heap[i];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (rank(heap[parent], item) >= 0) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = item;
}

/** Max-heap (by `rank`) root replacement. */
function siftDown(heap: number[], rank: (a: number, b: number) => number): void {
  const n = heap.length;
  const item = heap[0];
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && rank(heap[child + 1], heap[child]) > 0) child++;
    if (rank(heap[child], item) <= 0) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = item;
}

/** Redis's sortCompare for the options in force, over element indices. */
function comparator(keys: SortKeys, desc: boolean, alpha: boolean, store: boolean): (a: number, b: number) => number {
  const { els, scores, bys } = keys;
  // STORE compares bytes (the result is data); a reply compares as strcoll does.
  const strings = store ? compareBytes : compareCString;
  let cmp: (a: number, b: number) => number;
  if (!alpha) cmp = (a, b) => (scores[a] > scores[b] ? 1 : scores[a] < scores[b] ? -1 : compareBytes(els[a], els[b]));
  else if (bys !== null)
    cmp = (a, b) => {
      const x = bys[a];
      const y = bys[b];
      return x === null || y === null ? (x === y ? 0 : x === null ? -1 : 1) : strings(x, y);
    };
  else cmp = (a, b) => strings(els[a], els[b]);
  return desc ? (a, b) => -cmp(a, b) : cmp;
}

/** min(max(x, lo), hi) on an int64 argument, as a number. */
function clamp(x: Int64, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : Number(x);
}

/**
 * Redis's sortGetKeys: the sorted key, and the last STORE's key, skipping the arguments of LIMIT,
 * GET and BY (SORT_RO has no STORE).
 */
function sortKeys(argv: readonly string[]): number[] {
  const keys = [1];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (is(a, 'LIMIT')) i += 2;
    else if (is(a, 'GET') || is(a, 'BY')) i += 1;
    else if (is(a, 'STORE') && i + 1 < argv.length) store = i + 1;
  }
  if (store >= 0) keys.push(store);
  return keys;
}

const sortCommands: CommandSpec[] = [
  {
    name: 'sort',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Sort the elements in a list, set or sorted set',
    since: '1.0.0',
    complexity:
      'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
    acl: ['set', 'sortedset', 'list', 'dangerous'],
    getKeys: sortKeys,
    // Key specs in COMMAND INFO's order: the sorted key (1), BY/GET patterns, STORE's destination.
    keySpecAt: (pos) => (pos === 1 ? 0 : 2),
    handler: (c, argv) => sortGeneric(c, argv, false),
  },
  {
    name: 'sort_ro',
    arity: -2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.',
    since: '7.0.0',
    complexity:
      'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
    acl: ['set', 'sortedset', 'list', 'dangerous'],
    getKeys: () => [1],
    handler: (c, argv) => sortGeneric(c, argv, true),
  },
];

export const sortFamily: CommandFamily = { name: 'sort', commands: sortCommands };
