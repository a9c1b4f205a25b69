import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import { Err } from './errors.js';
import { replyString } from './reply.js';
import { propagate } from './propagate.js';
import { is, parseInt64 } from './args.js';
import { parseExpireTime } from './expire-arg.js';
import type { CommandFamily } from './family.js';
import {
  Ev,
  addInt64,
  addLongDouble,
  encodeString,
  formatLongDouble,
  isStringValue,
  lcs,
  lcsTableBytes,
  longDoubleFromInt,
  MutableString,
  negateInt64,
  parseLongDouble,
  stringBytes,
  stringLength,
  stringToInt64,
  stringToLongDouble,
  type Database,
  type Int64,
  type KeyEvent,
  type StringValue,
  type Value,
} from '@brook/storage';

// ---- shared with bitmap.ts ---------------------------------------------------------------------

/** proto-max-bulk-len in bytes: the largest string APPEND/SETRANGE/SETBIT may build. */
export function maxStringBytes(c: Session): number {
  return c.server.config.int('proto-max-bulk-len');
}

/**
 * A string value as a MutableString to edit in place, with room for `size` bytes: the value
 * itself, or for int and embstr values a raw copy made with that room so it is copied once
 * (Redis's dbUnshareStringValue). Not stored yet: storeEdited does that once the edit is done.
 */
export function editableString(v: StringValue, size: number): MutableString {
  return v instanceof MutableString ? v : new MutableString(stringBytes(v), size);
}

/**
 * Stores the result of an in-place edit of the key's value `old` (undefined: the key was absent),
 * keeping the TTL, and signals the change once: after the edit, so whoever the signal wakes (WATCH,
 * blocked clients, keyspace events) sees the new value.
 */
export function storeEdited(db: Database, key: string, old: Value | undefined, s: MutableString, ev?: KeyEvent): void {
  if (old === s) db.modified(key, ev);
  else db.set(key, s, true, ev);
}

/**
 * The first index of a range given with Redis's negative-index rules within a string of `len`
 * units, or -1 when the range is empty; rangeEnd gives its last. `emptyIfBothNegative` is
 * GETRANGE/BITCOUNT's early exit for start > end when both are negative (BITPOS lacks it), done
 * on the exact int64 arguments so values beyond 2^53 order correctly.
 */
export function rangeStart(start: Int64, end: Int64, len: number, emptyIfBothNegative: boolean): number {
  if (emptyIfBothNegative && start < 0 && end < 0 && start > end) return -1;
  const s = fromEnd(start, len);
  return s <= rangeEnd(end, len) && len !== 0 ? s : -1;
}

/** The last index of a range (see rangeStart), clamped to the string. */
export function rangeEnd(end: Int64, len: number): number {
  return Math.min(fromEnd(end, len), len - 1);
}

/** An index counted from the end when negative, clamped at 0. */
function fromEnd(i: Int64, len: number): number {
  const n = Number(i);
  return n < 0 ? Math.max(0, len + n) : n;
}

/**
 * An option keyword as Redis compares it (strcasecmp or char tests on a C string): upper-cased,
 * and cut at the first NUL byte, so "NX\0junk" is NX there too.
 */
export function keyword(arg: string): string {
  const nul = arg.indexOf('\0');
  return (nul < 0 ? arg : arg.slice(0, nul)).toUpperCase();
}

/** Looks a key up for a read; writes WRONGTYPE and returns null for non-strings. */
export function readString(c: Session, key: string): StringValue | undefined | null {
  const v = c.db.read(key);
  if (v === undefined || isStringValue(v)) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** Redis's getGenericCommand: replies with the value (or nil); false after a WRONGTYPE reply. */
function replyGet(c: Session, key: string): boolean {
  const v = readString(c, key);
  if (v === null) return false;
  if (v === undefined) c.w.nil();
  else replyString(c.w, v);
  return true;
}

// ---- GET, GETDEL, GETSET -------------------------------------------------------------------------

function get(c: Session, argv: string[]): void {
  replyGet(c, argv[1]);
}

function getdel(c: Session, argv: string[]): void {
  const key = argv[1];
  if (!replyGet(c, key)) return;
  // Propagated as the DEL that happened.
  if (c.db.delete(key)) propagate(c, ['DEL', key]);
}

function getset(c: Session, argv: string[]): void {
  const key = argv[1];
  if (!replyGet(c, key)) return;
  c.db.set(key, encodeString(argv[2]), false, Ev.set);
  propagate(c, ['SET', key, argv[2]]);
}

// ---- SET family and GETEX: Redis's parseExtendedStringArgumentsOrReply ---------------------------

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;
/**
 * parseStringOptions returns one number, so it allocates nothing and keeps no state between
 * calls: the flags below OPTIONS_SPAN, the index in argv of the expire value times OPTIONS_SPAN.
 */
const OPTIONS_SPAN = 1024;

/**
 * Parses SET's options (from argv[3]) or GETEX's (from argv[2]) with Redis's exact acceptance
 * rules: an expire option may repeat itself (the last wins) but not mix with another; the
 * expire value is validated only after every option parsed. Returns the flags and the expire
 * value's index (see OPTIONS_SPAN; split them with optionFlags/expireValue), or -1 after a syntax
 * error reply.
 */
function parseStringOptions(c: Session, argv: string[], forSet: boolean): number {
  let flags = 0;
  let expireIndex = 0;
  const n = argv.length;
  for (let j = forSet ? 3 : 2; j < n; j++) {
    const opt = keyword(argv[j]);
    const hasNext = j + 1 < n;
    if (forSet && opt === 'NX' && !(flags & XX)) flags |= NX;
    else if (forSet && opt === 'XX' && !(flags & NX)) flags |= XX;
    else if (forSet && opt === 'GET') flags |= GET;
    else if (forSet && opt === 'KEEPTTL' && !(flags & ANY_EXPIRE)) flags |= KEEPTTL;
    else if (!forSet && opt === 'PERSIST' && !(flags & ANY_EXPIRE)) flags |= PERSIST;
    else {
      const f = hasNext && !(flags & (KEEPTTL | PERSIST)) ? expireOption(opt, flags) : 0;
      if (f === 0) {
        c.w.error(Err.syntax);
        return -1;
      }
      flags = (flags & ~ANY_EXPIRE) | f;
      expireIndex = ++j;
    }
  }
  return flags + expireIndex * OPTIONS_SPAN;
}

function optionFlags(parsed: number): number {
  return parsed % OPTIONS_SPAN;
}

/** The expire value argument a parse found, or null. */
function expireValue(argv: string[], parsed: number): string | null {
  return optionFlags(parsed) & ANY_EXPIRE ? argv[Math.floor(parsed / OPTIONS_SPAN)] : null;
}

/** The flag of an expire option when no different expire option was given before, else 0. */
function expireOption(opt: string, flags: number): number {
  const f = opt === 'EX' ? EX : opt === 'PX' ? PX : opt === 'EXAT' ? EXAT : opt === 'PXAT' ? PXAT : 0;
  return f !== 0 && (flags & ANY_EXPIRE & ~f) === 0 ? f : 0;
}

/** An expire option's value as an absolute time in ms (exact; see parseExpireTime), or the error text. */
function expireAt(c: Session, arg: string, flags: number, cmd: string): number | bigint | string {
  return parseExpireTime(arg, (flags & (EX | EXAT)) !== 0, flags & (EX | PX) ? c.ks.now : 0, true, cmd);
}

function set(c: Session, argv: string[]): void {
  const key = argv[1];
  if (argv.length === 3) {
    c.db.set(key, encodeString(argv[2]), false, Ev.set);
    c.w.ok();
    return;
  }
  const parsed = parseStringOptions(c, argv, true);
  if (parsed < 0) return;
  setGeneric(c, key, argv[2], optionFlags(parsed), expireValue(argv, parsed), 'set', argv);
}

/**
 * Redis's setGenericCommand. `intReply` selects SETNX's integer replies. With an expiry the
 * write propagates as SET key value PXAT <ms>; with GET alone, as the SET argv minus GET.
 */
function setGeneric(
  c: Session,
  key: string,
  value: string,
  flags: number,
  expireArg: string | null,
  cmd: string,
  argv: string[] | null,
  intReply = false,
): void {
  const db = c.db;
  let at: number | bigint | string = 0;
  if (expireArg !== null) {
    at = expireAt(c, expireArg, flags, cmd);
    if (typeof at === 'string') return c.w.error(at);
  }
  if (flags & GET && !replyGet(c, key)) return;
  if (flags & (NX | XX)) {
    const found = db.get(key) !== undefined;
    if ((flags & NX && found) || (flags & XX && !found)) {
      if (intReply) c.w.integer(0);
      else if (!(flags & GET)) c.w.nil();
      return;
    }
  }
  db.set(key, encodeString(value), (flags & KEEPTTL) !== 0, Ev.set);
  if (expireArg !== null) {
    db.setExpire(key, at);
    propagate(c, ['SET', key, value, 'PXAT', String(at)]);
  } else if (flags & GET && argv !== null) {
    propagate(c, withoutGet(argv));
  }
  if (intReply) c.w.integer(1);
  else if (!(flags & GET)) c.w.ok();
}

/** SET's argv without its GET options (Redis replicates SET ... GET as the plain SET). */
function withoutGet(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) if (i < 3 || keyword(argv[i]) !== 'GET') out.push(argv[i]);
  return out;
}

function setnx(c: Session, argv: string[]): void {
  setGeneric(c, argv[1], argv[2], NX, null, 'setnx', null, true);
}

function setex(c: Session, argv: string[]): void {
  setGeneric(c, argv[1], argv[3], EX, argv[2], 'setex', null);
}

function psetex(c: Session, argv: string[]): void {
  setGeneric(c, argv[1], argv[3], PX, argv[2], 'psetex', null);
}

function getex(c: Session, argv: string[]): void {
  const parsed = parseStringOptions(c, argv, false);
  if (parsed < 0) return;
  const flags = optionFlags(parsed);
  const expire = expireValue(argv, parsed);
  const key = argv[1];
  const v = readString(c, key);
  if (v === null) return;
  if (v === undefined) return c.w.nil();
  const db = c.db;
  let at: number | bigint | string = 0;
  if (expire !== null) {
    at = expireAt(c, expire, flags, 'getex');
    if (typeof at === 'string') return c.w.error(at);
  }
  replyString(c.w, v);
  // GETEX never replicates as itself: it becomes DEL, PEXPIREAT or PERSIST.
  if (flags & (EXAT | PXAT) && at <= c.ks.now) {
    db.delete(key);
    propagate(c, ['DEL', key]);
  } else if (expire !== null) {
    db.setExpire(key, at);
    propagate(c, ['PEXPIREAT', key, String(at)]);
  } else if (flags & PERSIST && db.persist(key)) {
    propagate(c, ['PERSIST', key]);
  }
}

// ---- MSET, MSETNX, MGET ----------------------------------------------------------------------------

function msetGeneric(c: Session, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) return c.w.error(Err.wrongArgs(argv[0].toLowerCase()));
  const db = c.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.get(argv[j]) !== undefined) return c.w.integer(0);
    }
  }
  for (let j = 1; j < argv.length; j += 2) db.set(argv[j], encodeString(argv[j + 1]), false, Ev.set);
  if (nx) c.w.integer(1);
  else c.w.ok();
}

function mset(c: Session, argv: string[]): void {
  msetGeneric(c, argv, false);
}

function msetnx(c: Session, argv: string[]): void {
  msetGeneric(c, argv, true);
}

function mget(c: Session, argv: string[]): void {
  const db = c.db;
  const w = c.w;
  w.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const v = db.read(argv[j]);
    // Keys of other types read as nil here rather than failing the whole reply.
    if (v === undefined || !isStringValue(v)) w.nil();
    else replyString(w, v);
  }
}

// ---- APPEND, STRLEN, GETRANGE, SETRANGE ------------------------------------------------------------

function append(c: Session, argv: string[]): void {
  const key = argv[1];
  const tail = argv[2];
  const db = c.db;
  const v = db.get(key);
  if (v === undefined) {
    db.set(key, encodeString(tail), false, Ev.append);
    return c.w.integer(tail.length);
  }
  if (!isStringValue(v)) return c.w.error(Err.wrongType);
  const total = stringLength(v) + tail.length;
  if (total > maxStringBytes(c)) return c.w.error(Err.stringTooLong);
  const s = editableString(v, total);
  s.append(tail);
  storeEdited(db, key, v, s, Ev.append);
  c.w.integer(total);
}

function strlen(c: Session, argv: string[]): void {
  const v = readString(c, argv[1]);
  if (v === null) return;
  c.w.integer(v === undefined ? 0 : stringLength(v));
}

function getrange(c: Session, argv: string[]): void {
  const start = parseInt64(argv[2]);
  const end = parseInt64(argv[3]);
  if (start === null || end === null) return c.w.error(Err.notInteger);
  const v = readString(c, argv[1]);
  if (v === null) return;
  if (v === undefined) return c.w.bulk('');
  const len = stringLength(v);
  const first = rangeStart(start, end, len, true);
  if (first < 0) return c.w.bulk('');
  const last = rangeEnd(end, len);
  if (v instanceof MutableString) c.w.bulkBuffer(v.buf.subarray(first, last + 1));
  else c.w.bulk(stringBytes(v).slice(first, last + 1));
}

function setrange(c: Session, argv: string[]): void {
  const key = argv[1];
  const value = argv[3];
  const offset = parseInt64(argv[2]);
  if (offset === null) return c.w.error(Err.notInteger);
  if (offset < 0) return c.w.error(Err.offsetOutOfRange);
  const db = c.db;
  const v = db.get(key);
  if (v !== undefined && !isStringValue(v)) return c.w.error(Err.wrongType);
  // Setting nothing changes nothing, not even creating the key.
  if (value.length === 0) return c.w.integer(v === undefined ? 0 : stringLength(v));
  const total = Number(offset) + value.length;
  if (total > maxStringBytes(c)) return c.w.error(Err.stringTooLong);
  const s = v === undefined ? MutableString.zeroed(total) : editableString(v, total);
  s.writeAt(Number(offset), value);
  storeEdited(db, key, v, s, Ev.setrange);
  c.w.integer(s.length);
}

// ---- INCR family -------------------------------------------------------------------------------------

/** Redis's incrDecrCommand: exact int64, TTL kept, the result stored int-encoded. */
function incrBy(c: Session, key: string, incr: Int64): void {
  const db = c.db;
  const v: Value | undefined = db.get(key);
  let cur: Int64 | null;
  if (v === undefined) cur = 0;
  else if (typeof v === 'number') cur = v;
  else if (!isStringValue(v)) return c.w.error(Err.wrongType);
  else cur = stringToInt64(v);
  if (cur === null) return c.w.error(Err.notInteger);
  const next = addInt64(cur, incr);
  if (next === null) return c.w.error(Err.overflow);
  db.set(key, next, true, Ev.incrby);
  c.w.integer(next);
}

function incr(c: Session, argv: string[]): void {
  incrBy(c, argv[1], 1);
}

function decr(c: Session, argv: string[]): void {
  incrBy(c, argv[1], -1);
}

function incrby(c: Session, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null) return c.w.error(Err.notInteger);
  incrBy(c, argv[1], n);
}

function decrby(c: Session, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null) return c.w.error(Err.notInteger);
  const neg = negateInt64(n);
  if (neg === null) return c.w.error(Err.decrementOverflow);
  incrBy(c, argv[1], neg);
}

/**
 * INCRBYFLOAT in 80-bit long double like Redis (see long-double.ts). The result is stored as
 * text (embstr/raw, never int, as createStringObjectFromLongDouble does), the TTL kept, and the
 * write propagated as SET key <result> KEEPTTL so replicas never redo float arithmetic.
 */
function incrbyfloat(c: Session, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const v = db.get(key);
  if (v !== undefined && !isStringValue(v)) return c.w.error(Err.wrongType);
  const cur = v === undefined ? longDoubleFromInt(0) : stringToLongDouble(v);
  const incr = cur === null ? null : parseLongDouble(argv[2]);
  if (cur === null || incr === null) return c.w.error(Err.notFloat);
  const sum = addLongDouble(cur, incr);
  if (sum === null) return c.w.error(Err.incrFloatNaN);
  const text = formatLongDouble(sum);
  db.set(key, text, true, Ev.incrbyfloat);
  c.w.bulk(text);
  propagate(c, ['SET', key, text, 'KEEPTTL']);
}

// ---- LCS ---------------------------------------------------------------------------------------------

function lcsCommand(c: Session, argv: string[]): void {
  const db = c.db;
  const va = db.read(argv[1]);
  const vb = db.read(argv[2]);
  if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) {
    return c.w.error(Err.lcsWrongType);
  }
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen: Int64 = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = keyword(argv[j]);
    if (opt === 'IDX') getIdx = true;
    else if (opt === 'LEN') getLen = true;
    else if (opt === 'WITHMATCHLEN') withMatchLen = true;
    else if (opt === 'MINMATCHLEN' && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]);
      if (n === null) return c.w.error(Err.notInteger);
      minMatchLen = n < 0 ? 0 : n;
    } else return c.w.error(Err.syntax);
  }
  if (getIdx && getLen) return c.w.error(Err.lcsIdxAndLen);
  // The size checks come before the bytes are read, so a value too large for them (or beyond
  // V8's string limit) is refused at once, with Redis's texts, and the O(n·m) work is bounded
  // by proto-max-bulk-len / 4 table cells as in Redis.
  const alen = va === undefined ? 0 : stringLength(va);
  const blen = vb === undefined ? 0 : stringLength(vb);
  if (alen >= 0xfffffffe || blen >= 0xfffffffe) return c.w.error(Err.lcsTooLong);
  if (lcsTableBytes(alen, blen) > maxStringBytes(c)) return c.w.error(Err.lcsTableTooBig);
  let r;
  try {
    const a = va === undefined ? '' : stringBytes(va);
    const b = vb === undefined ? '' : stringBytes(vb);
    r = lcs(a, b, !getLen && !getIdx, getIdx, Number(minMatchLen));
  } catch (e) {
    // The table (or a value's bytes as one string) could not be allocated: Redis's ztrymalloc failure.
    if (e instanceof RangeError) return c.w.error(Err.lcsNoMemory);
    throw e;
  }
  const w = c.w;
  if (getIdx) {
    w.map(2);
    w.bulk('matches');
    w.array(r.matches.length);
    for (const m of r.matches) {
      w.array(withMatchLen ? 3 : 2);
      w.array(2);
      w.integer(m.aStart);
      w.integer(m.aEnd);
      w.array(2);
      w.integer(m.bStart);
      w.integer(m.bEnd);
      if (withMatchLen) w.integer(m.length);
    }
    w.bulk('len');
    w.integer(r.length);
  } else if (getLen) {
    w.integer(r.length);
  } else {
    w.bulk(r.text);
  }
}

const RANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

// ---- table -------------------------------------------------------------------------------------------

/** Metadata as Redis 7.0's COMMAND INFO / COMMAND DOCS report it. */
/** SET's key flags (setGetKeys): read and written with GET, else only overwritten. */
function setKeyFlags(argv: readonly string[]): readonly string[] {
  for (let i = 3; i < argv.length; i++) if (is(argv[i], 'GET')) return ['RW', 'access', 'update'];
  return ['OW', 'update'];
}

export const stringCommands: CommandSpec[] = [
  {
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Get the value of a key',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: get,
  },
  {
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Set the string value of a key',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: set,
    keyFlags: setKeyFlags,
  },
  {
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Get the value of a key and optionally set its expiration',
    since: '6.2.0',
    complexity: 'O(1)',
    handler: getex,
  },
  {
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Get the value of a key and delete the key',
    since: '6.2.0',
    complexity: 'O(1)',
    handler: getdel,
  },
  {
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Set the string value of a key and return its old value',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: getset,
  },
  {
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, -1, 2],
    group: 'string',
    summary: 'Set multiple keys to multiple values',
    since: '1.0.1',
    complexity: 'O(N) where N is the number of keys to set.',
    handler: mset,
  },
  {
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, -1, 2],
    group: 'string',
    summary: 'Set multiple keys to multiple values, only if none of the keys exist',
    since: '1.0.1',
    complexity: 'O(N) where N is the number of keys to set.',
    handler: msetnx,
  },
  {
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: [1, -1, 1],
    group: 'string',
    summary: 'Get the values of all the given keys',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys to retrieve.',
    handler: mget,
  },
  {
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Set the value of a key, only if the key does not exist',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: setnx,
  },
  {
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Set the value and expiration of a key',
    since: '2.0.0',
    complexity: 'O(1)',
    handler: setex,
  },
  {
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Set the value and expiration in milliseconds of a key',
    since: '2.6.0',
    complexity: 'O(1)',
    handler: psetex,
  },
  {
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Append a value to a key',
    since: '2.0.0',
    complexity:
      'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    handler: append,
  },
  {
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Get the length of the value stored in a key',
    since: '2.2.0',
    complexity: 'O(1)',
    handler: strlen,
  },
  {
    name: 'getrange',
    arity: 4,
    flags: ['readonly'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Get a substring of the string stored at a key',
    since: '2.4.0',
    complexity: RANGE_COMPLEXITY,
    handler: getrange,
  },
  {
    name: 'substr',
    arity: 4,
    flags: ['readonly'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Get a substring of the string stored at a key',
    since: '1.0.0',
    complexity: RANGE_COMPLEXITY,
    handler: getrange,
  },
  {
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Overwrite part of a string at key starting at the specified offset',
    since: '2.2.0',
    complexity:
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    handler: setrange,
  },
  {
    name: 'incr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Increment the integer value of a key by one',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: incr,
  },
  {
    name: 'decr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Decrement the integer value of a key by one',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: decr,
  },
  {
    name: 'incrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Increment the integer value of a key by the given amount',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: incrby,
  },
  {
    name: 'decrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Decrement the integer value of a key by the given number',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: decrby,
  },
  {
    name: 'incrbyfloat',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    keys: [1, 1, 1],
    group: 'string',
    summary: 'Increment the float value of a key by the given amount',
    since: '2.6.0',
    complexity: 'O(1)',
    handler: incrbyfloat,
  },
  {
    name: 'lcs',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 2, 1],
    group: 'string',
    summary: 'Find longest common substring',
    since: '7.0.0',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    handler: lcsCommand,
  },
];

/** The string type (t_string.c). */
export const stringFamily: CommandFamily = { name: 'string', commands: stringCommands };
