import { specMaker, type CommandSpec } from './table.js';
import type { KeyWaiter, Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';
import { parseBlockTimeout } from './timeout-arg.js';
import { globMatch } from './glob.js';
import { parseScanCursor, parseScanOptions, replyScan } from './generic.js';
import { MAX_REPEATED_DRAWS } from './reply.js';
import { sampleInPlace } from './random.js';
import {
  Ev,
  LLONG_MAX,
  SetValue,
  ZSetValue,
  formatPackedScore,
  formatScore,
  parseRangeScore,
  parseScore,
  type LexBound,
  type LexRange,
  type ScoreRange,
  type KeyEvent,
} from '@brook/storage';

/** zset-max-listpack-entries and -value, read at each write as Redis does. */
export interface PackLimits {
  entries: number;
  value: number;
}

export function packLimits(c: Session): PackLimits {
  const config = c.server.config;
  return { entries: config.int('zset-max-listpack-entries'), value: config.int('zset-max-listpack-value') };
}

/** The sorted set at `key` for a read (undefined when absent); writes WRONGTYPE and returns null for another type. */
export function readZset(c: Session, key: string): ZSetValue | undefined | null {
  const v = c.db.read(key);
  if (v === undefined || v instanceof ZSetValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** The same for a write (no read statistics, as lookupKeyWrite). */
export function writeZset(c: Session, key: string): ZSetValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined || v instanceof ZSetValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** Signals a change made in place, deleting the key when the sorted set became empty. */
function afterRemove(c: Session, key: string, z: ZSetValue, ev: KeyEvent): void {
  if (z.size === 0) c.db.delete(key, ev);
  else c.db.modified(key, ev);
}

/** A score reply: a RESP3 double, a RESP2 bulk string, "%.17g" either way (addReplyDouble). */
function replyScore(c: Session, score: number): void {
  c.w.double(formatScore(score));
}

/** One entry of a range reply: RESP3 nests [member, score] pairs, RESP2 flattens them. */
function replyEntry(c: Session, member: string, score: number, withScores: boolean): void {
  if (!withScores) return c.w.bulk(member);
  if (c.w.proto === 3) c.w.array(2);
  c.w.bulk(member);
  replyScore(c, score);
}

/** The array header for `n` entries of a range reply. */
function replyEntriesHeader(c: Session, n: number, withScores: boolean): void {
  c.w.array(withScores && c.w.proto === 2 ? n * 2 : n);
}

/** Parses a ZRANGEBYSCORE bound pair ("(" = exclusive), as zslParseRange; null when invalid. */
function parseScoreRange(min: string, max: string): ScoreRange | null {
  const minEx = min.startsWith('(');
  const maxEx = max.startsWith('(');
  const lo = parseRangeScore(minEx ? min.slice(1) : min);
  const hi = parseRangeScore(maxEx ? max.slice(1) : max);
  if (lo === null || hi === null) return null;
  return { min: lo, minEx, max: hi, maxEx };
}

/** Parses a ZRANGEBYLEX bound: "-", "+", "[value" or "(value" (zslParseLexRangeItem). */
function parseLexBound(s: string): LexBound | null {
  if (s === '-') return { inf: -1, value: '', ex: false };
  if (s === '+') return { inf: 1, value: '', ex: false };
  const c = s.charCodeAt(0);
  if (c === 40 /* ( */ || c === 91 /* [ */) return { inf: 0, value: s.slice(1), ex: c === 40 };
  return null;
}

function parseLexRange(min: string, max: string): LexRange | null {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  return lo === null || hi === null ? null : { min: lo, max: hi };
}

/** A C long argument (getLongFromObjectOrReply): null when not an integer. */
function parseLong(s: string): number | null {
  const v = parseInt64(s);
  return v === null ? null : Number(v);
}

// ---- ZADD, ZINCRBY, ZREM ----------------------------------------------------------------------------

const ZADD_NX = 1;
const ZADD_XX = 2;
const ZADD_GT = 4;
const ZADD_LT = 8;
const ZADD_CH = 16;
const ZADD_INCR = 32;

const ZADD_FLAGS: Record<string, number> = { NX: ZADD_NX, XX: ZADD_XX, GT: ZADD_GT, LT: ZADD_LT, CH: ZADD_CH, INCR: ZADD_INCR };

/** ZADD and ZINCRBY (zaddGenericCommand): `flags` preset, options parsed from `from`. */
function zaddGeneric(c: Session, argv: string[], from: number, preset: number): void {
  let flags = preset;
  let i = from;
  for (; i < argv.length; i++) {
    const f = argv[i].length <= 4 ? ZADD_FLAGS[argv[i].toUpperCase()] : undefined;
    if (f === undefined) break;
    flags |= f;
  }
  const pairs = argv.length - i;
  if (pairs === 0 || pairs % 2 !== 0) return c.w.error(Err.syntax);
  const nx = (flags & ZADD_NX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  if (nx && (flags & ZADD_XX) !== 0) return c.w.error(Err.zaddXxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return c.w.error(Err.zaddGtLtNx);
  if (incr && pairs > 2) return c.w.error(Err.zaddIncrPair);
  const scores: number[] = [];
  for (let j = i; j < argv.length; j += 2) {
    const s = parseScore(argv[j]);
    if (s === null) return c.w.error(Err.notFloat);
    scores.push(s);
  }
  const key = argv[1];
  let z = writeZset(c, key);
  if (z === null) return;
  const limits = packLimits(c);
  let created = false;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  if (z === undefined && (flags & ZADD_XX) === 0) {
    z = new ZSetValue();
    created = true;
  }
  if (z !== undefined) {
    for (let j = 0; j < scores.length; j++) {
      const member = argv[i + 2 * j + 1];
      let score = scores[j];
      const cur = z.score(member);
      if (cur === undefined) {
        if ((flags & ZADD_XX) !== 0) continue;
        z.add(member, score, limits.entries, limits.value, cur);
        added++;
      } else {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (Number.isNaN(score)) {
            if (added + updated > 0) signalAdd(c, key, z, created, Ev.zincr);
            return c.w.error(Err.zaddNaN);
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        if (score !== cur) {
          z.add(member, score, limits.entries, limits.value, cur);
          updated++;
        }
      }
      result = score;
      processed++;
    }
  }
  if (added + updated > 0) signalAdd(c, key, z as ZSetValue, created, incr ? Ev.zincr : Ev.zadd);
  if (!incr) return c.w.integer((flags & ZADD_CH) !== 0 ? added + updated : added);
  if (processed > 0) replyScore(c, result);
  else c.w.nil();
}

function signalAdd(c: Session, key: string, z: ZSetValue, created: boolean, ev: KeyEvent): void {
  if (created) c.db.set(key, z, false, ev);
  else c.db.modified(key, ev);
}

function zrem(c: Session, argv: string[]): void {
  const key = argv[1];
  const z = writeZset(c, key);
  if (z === null) return;
  let removed = 0;
  if (z !== undefined) {
    for (let i = 2; i < argv.length && z.size > 0; i++) if (z.remove(argv[i])) removed++;
    if (removed > 0) afterRemove(c, key, z, Ev.zrem);
  }
  c.w.integer(removed);
}

// ---- reads of one sorted set ------------------------------------------------------------------------

function zcard(c: Session, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z !== null) c.w.integer(z === undefined ? 0 : z.size);
}

function zscore(c: Session, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  const s = z?.score(argv[2]);
  if (s === undefined) c.w.nil();
  else replyScore(c, s);
}

function zmscore(c: Session, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(argv[i]);
    if (s === undefined) c.w.nil();
    else replyScore(c, s);
  }
}

function zrankGeneric(c: Session, argv: string[], reverse: boolean): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  const rank = z?.rank(argv[2]);
  if (rank === undefined) return c.w.nil();
  c.w.integer(reverse ? (z as ZSetValue).size - 1 - rank : rank);
}

function zcount(c: Session, argv: string[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) return c.w.error(Err.minMaxNotFloat);
  const z = readZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined) return c.w.integer(0);
  const [from, to] = z.rankRangeByScore(range);
  c.w.integer(to - from);
}

function zlexcount(c: Session, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) return c.w.error(Err.minMaxNotLex);
  const z = readZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined) return c.w.integer(0);
  const [from, to] = z.rankRangeByLex(range);
  c.w.integer(to - from);
}

function zscan(c: Session, argv: string[]): void {
  let cursor = parseScanCursor(argv[2]);
  if (cursor === null) return c.w.error(Err.invalidCursor);
  const z = readZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined) return replyScan(c.w, 0, []);
  const opts = parseScanOptions(argv, 3, false);
  if (typeof opts === 'string') return c.w.error(opts);
  const items: string[] = [];
  const format = z.encoding === 'listpack' ? formatPackedScore : formatScore;
  const pattern = opts.pattern;
  cursor = z.scan(cursor, opts.count, (m, s) => {
    if (pattern === null || globMatch(pattern, m)) items.push(m, format(s));
  });
  replyScan(c.w, cursor, items);
}

// ---- ZRANGE and its legacy forms, ZRANGESTORE -------------------------------------------------------

type RangeType = 'auto' | 'rank' | 'score' | 'lex';

/**
 * zrangeGenericCommand: the key at argv[at], its min and max after it, then options. `dst` is the
 * ZRANGESTORE destination (no WITHSCORES there). `type` and `reverse` come preset by the legacy
 * commands (which then refuse BYSCORE/BYLEX/REV as syntax errors).
 */
function zrangeGeneric(c: Session, argv: string[], at: number, dst: string | null, preset: RangeType, presetReverse: boolean | null): void {
  let type = preset;
  let reverse = presetReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const arg = argv[j];
    if (dst === null && is(arg, 'WITHSCORES')) withScores = true;
    else if (is(arg, 'LIMIT') && argv.length - j - 1 >= 2) {
      const o = parseLong(argv[j + 1]);
      const l = parseLong(argv[j + 2]);
      if (o === null || l === null) return c.w.error(Err.notInteger);
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === null && is(arg, 'REV')) reverse = true;
    else if (type === 'auto' && is(arg, 'BYLEX')) type = 'lex';
    else if (type === 'auto' && is(arg, 'BYSCORE')) type = 'score';
    else return c.w.error(Err.syntax);
  }
  reverse ??= false;
  if (type === 'auto') type = 'rank';
  if (limit !== -1 && type === 'rank') return c.w.error(Err.zrangeLimitByRank);
  if (withScores && type === 'lex') return c.w.error(Err.zrangeWithScoresByLex);
  // BYSCORE/BYLEX with REV take the range as max, min.
  const swap = reverse && type !== 'rank';
  const minArg = argv[swap ? at + 2 : at + 1];
  const maxArg = argv[swap ? at + 1 : at + 2];
  let select: (z: ZSetValue) => [number, number, boolean];
  if (type === 'rank') {
    const start = parseLong(minArg);
    const end = parseLong(maxArg);
    if (start === null || end === null) return c.w.error(Err.notInteger);
    select = (z) => rankSlice(z.size, start, end, reverse);
  } else if (type === 'score') {
    const range = parseScoreRange(minArg, maxArg);
    if (range === null) return c.w.error(Err.minMaxNotFloat);
    select = (z) => limitSlice(z.rankRangeByScore(range), offset, limit, reverse);
  } else {
    const range = parseLexRange(minArg, maxArg);
    if (range === null) return c.w.error(Err.minMaxNotLex);
    select = (z) => limitSlice(z.rankRangeByLex(range), offset, limit, reverse);
  }
  const z = readZset(c, argv[at]);
  if (z === null) return;
  const [from, to, rev] = z === undefined ? [0, 0, false] : select(z);
  if (dst !== null) {
    const result = new ZSetValue();
    const limits = packLimits(c);
    z?.range(from, to, rev, (m, s) => result.add(m, s, limits.entries, limits.value));
    return storeResult(c, dst, result, Ev.zrangestore);
  }
  replyEntriesHeader(c, to - from, withScores);
  z?.range(from, to, rev, (m, s) => replyEntry(c, m, s, withScores));
}

/** Ranks [from, to) of a ZRANGE by index (negative indexes count from the end), and the walk direction. */
function rankSlice(size: number, start: number, end: number, reverse: boolean): [number, number, boolean] {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return [0, 0, false];
  if (end >= size) end = size - 1;
  // REV counts indexes from the highest score.
  return reverse ? [size - 1 - end, size - start, true] : [start, end + 1, false];
}

/**
 * The part of a score/lex rank range that LIMIT offset count selects, walking from the low end or
 * (REV) from the high end. A negative offset selects nothing and a negative count everything
 * after the offset, as Redis's loops do.
 */
function limitSlice([from, to]: [number, number], offset: number, limit: number, reverse: boolean): [number, number, boolean] {
  if (offset < 0 || offset >= to - from) return [0, 0, false];
  const n = limit < 0 ? to - from - offset : Math.min(limit, to - from - offset);
  return reverse ? [to - offset - n, to - offset, true] : [from + offset, from + offset + n, false];
}

/** Stores a computed sorted set at `dst` replacing any value, or deletes `dst` when empty; replies its size. */
function storeResult(c: Session, dst: string, z: ZSetValue, ev: KeyEvent): void {
  if (z.size === 0) c.db.delete(dst);
  else c.db.set(dst, z, false, ev);
  c.w.integer(z.size);
}

// ---- ZREMRANGEBY* -----------------------------------------------------------------------------------

function zremrangeGeneric(c: Session, argv: string[], type: 'rank' | 'score' | 'lex'): void {
  let select: (z: ZSetValue) => [number, number];
  if (type === 'rank') {
    const start = parseLong(argv[2]);
    const end = parseLong(argv[3]);
    if (start === null || end === null) return c.w.error(Err.notInteger);
    select = (z) => {
      const [from, to] = rankSlice(z.size, start, end, false);
      return [from, to];
    };
  } else if (type === 'score') {
    const range = parseScoreRange(argv[2], argv[3]);
    if (range === null) return c.w.error(Err.minMaxNotFloat);
    select = (z) => z.rankRangeByScore(range);
  } else {
    const range = parseLexRange(argv[2], argv[3]);
    if (range === null) return c.w.error(Err.minMaxNotLex);
    select = (z) => z.rankRangeByLex(range);
  }
  const key = argv[1];
  const z = writeZset(c, key);
  if (z === null) return;
  if (z === undefined) return c.w.integer(0);
  const [from, to] = select(z);
  const removed = z.removeRange(from, to);
  if (removed > 0)
    afterRemove(c, key, z, type === 'rank' ? Ev.zremrangebyrank : type === 'score' ? Ev.zremrangebyscore : Ev.zremrangebylex);
  c.w.integer(removed);
}

// ---- ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP -------------------------------------------

/** How a pop replies (genericZpopCommand's emitkey/use_nested_array). */
const PopReply = {
  /** ZPOPMIN/ZPOPMAX: flat [member, score, ...] (RESP3 with COUNT: [[member, score], ...]). */
  plain: 0,
  /** BZPOPMIN/BZPOPMAX: [key, member, score]. */
  withKey: 1,
  /** ZMPOP/BZMPOP: [key, [[member, score], ...]]. */
  nested: 2,
} as const;
type PopReply = (typeof PopReply)[keyof typeof PopReply];

/**
 * Pops up to `count` entries from the low (min) or high end of the non-empty sorted set at `key`,
 * replying in `shape`, deleting the key when emptied, and putting ZPOPMIN/ZPOPMAX into the change
 * feed (with the count when `feedCount`), which is how Redis replicates every form of pop.
 */
function popFrom(
  c: Session,
  key: string,
  z: ZSetValue,
  min: boolean,
  count: number,
  shape: PopReply,
  nestedPlain: boolean,
  feedCount: boolean,
): void {
  const n = Math.min(count, z.size);
  const from = min ? 0 : z.size - n;
  if (shape === PopReply.plain) c.w.array(nestedPlain ? n : n * 2);
  else if (shape === PopReply.withKey) {
    c.w.array(n * 2 + 1);
    c.w.bulk(key);
  } else {
    c.w.array(2);
    c.w.bulk(key);
    c.w.array(n);
  }
  const nested = shape === PopReply.nested || nestedPlain;
  z.range(from, from + n, !min, (m, s) => {
    if (nested) c.w.array(2);
    c.w.bulk(m);
    replyScore(c, s);
  });
  z.removeRange(from, from + n);
  afterRemove(c, key, z, min ? Ev.zpopmin : Ev.zpopmax);
  const name = min ? 'ZPOPMIN' : 'ZPOPMAX';
  // The argv for the change feed is built only when a feed listens (not on the hot path).
  if (c.ks.feed.active) propagate(c, feedCount ? [name, key, String(count)] : [name, key]);
  else c.propagated = true;
}

function zpopMinMax(c: Session, argv: string[], min: boolean): void {
  if (argv.length > 3) return c.w.error(Err.syntax);
  let count = -1;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null || n < 0) return c.w.error(Err.notPositive);
    count = Number(n);
  }
  const key = argv[1];
  const z = writeZset(c, key);
  if (z === null) return;
  if (count === 0 || z === undefined) return c.w.array(0);
  const nested = c.w.proto === 3 && count !== -1;
  popFrom(c, key, z, min, count === -1 ? 1 : count, PopReply.plain, nested, count !== -1);
}

/** ZMPOP/BZMPOP arguments after numkeys: the keys, MIN|MAX and COUNT; or the error text. */
function parseMpop(argv: string[], numkeysAt: number): { keys: string[]; min: boolean; count: number } | string {
  const numkeys = parseInt64(argv[numkeysAt]);
  if (numkeys === null || numkeys < 1 || numkeys > LLONG_MAX) return Err.numkeysNotPositive;
  const whereAt = numkeysAt + Number(numkeys) + 1;
  if (whereAt >= argv.length) return Err.syntax;
  const where = argv[whereAt];
  if (!is(where, 'MIN') && !is(where, 'MAX')) return Err.syntax;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]);
      if (n === null || n < 1) return Err.countNotPositive;
      count = Number(n);
    } else return Err.syntax;
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), min: is(where, 'MIN'), count: count === -1 ? 1 : count };
}

/** The first key of `keys` holding a sorted set, as [key, set]; undefined when none; null after WRONGTYPE. */
function firstNonEmpty(c: Session, keys: readonly string[]): [string, ZSetValue] | undefined | null {
  for (const key of keys) {
    const z = writeZset(c, key);
    if (z === null) return null;
    if (z !== undefined) return [key, z];
  }
  return undefined;
}

function zmpop(c: Session, argv: string[]): void {
  const args = parseMpop(argv, 1);
  if (typeof args === 'string') return c.w.error(args);
  const found = firstNonEmpty(c, args.keys);
  if (found === null) return;
  if (found === undefined) return c.w.nilArray();
  popFrom(c, found[0], found[1], args.min, args.count, PopReply.nested, false, true);
}

/**
 * BZPOPMIN/BZPOPMAX/BZMPOP: pops at once when a key holds entries, else blocks on the keys; a
 * key that becomes a sorted set serves the first waiter, replying as the immediate pop would.
 */
function blockingPop(c: Session, keys: readonly string[], timeoutArg: string, min: boolean, count: number, shape: PopReply): void {
  const timeout = parseBlockTimeout(timeoutArg);
  if (typeof timeout === 'string') return c.w.error(timeout);
  const feedCount = shape === PopReply.nested;
  const found = firstNonEmpty(c, keys);
  if (found === null) return;
  if (found !== undefined) return popFrom(c, found[0], found[1], min, count, shape, false, feedCount);
  const waiter: KeyWaiter = {
    serve: (s, key) => {
      const z = s.db.get(key);
      if (!(z instanceof ZSetValue)) return false;
      popFrom(s, key, z, min, count, shape, false, feedCount);
      return true;
    },
    timeout: (s) => s.w.nilArray(),
  };
  c.server.block(c, keys, timeout, waiter);
}

function bzpopMinMax(c: Session, argv: string[], min: boolean): void {
  blockingPop(c, argv.slice(1, -1), argv[argv.length - 1], min, 1, PopReply.withKey);
}

function bzmpop(c: Session, argv: string[]): void {
  const args = parseMpop(argv, 2);
  if (typeof args === 'string') return c.w.error(args);
  blockingPop(c, args.keys, argv[1], args.min, args.count, PopReply.nested);
}

// ---- ZRANDMEMBER ------------------------------------------------------------------------------------

function zrandmember(c: Session, argv: string[]): void {
  if (argv.length === 2) {
    const z = readZset(c, argv[1]);
    if (z === null) return;
    if (z === undefined) return c.w.nil();
    return c.w.bulk(entryAt(z, Math.floor(Math.random() * z.size))[0]);
  }
  const l = parseInt64(argv[2]);
  if (l === null) return c.w.error(Err.notInteger);
  if (BigInt(l) < -LLONG_MAX) return c.w.error(Err.longOutOfRange);
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHSCORES'))) return c.w.error(Err.syntax);
  const withScores = argv.length === 4;
  if (withScores && (BigInt(l) < -LLONG_MAX / 2n || BigInt(l) > LLONG_MAX / 2n)) return c.w.error(Err.outOfRange);
  if (l < -MAX_REPEATED_DRAWS) return c.w.error(Err.outOfRange);
  const z = readZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined || l === 0) return c.w.array(0);
  const count = Math.abs(Number(l));
  if (l < 0 || count === 1) {
    // A listpack is read once (each by-rank read would walk it); a skiplist seeks each rank in O(log n).
    const members: string[] = [];
    const scores: number[] = [];
    if (z.encoding === 'listpack') {
      z.forEach((m, s) => {
        members.push(m);
        scores.push(s);
      });
    }
    replyEntriesHeader(c, count, withScores);
    for (let i = 0; i < count; i++) {
      const rank = Math.floor(Math.random() * z.size);
      if (members.length > 0) replyEntry(c, members[rank], scores[rank], withScores);
      else {
        const [m, s] = entryAt(z, rank);
        replyEntry(c, m, s, withScores);
      }
    }
    return;
  }
  if (count >= z.size) {
    // The whole set, highest score first (Redis 7.0 replies it as a reversed range).
    replyEntriesHeader(c, z.size, withScores);
    z.range(0, z.size, true, (m, s) => replyEntry(c, m, s, withScores));
    return;
  }
  replyEntriesHeader(c, count, withScores);
  for (const rank of distinctRanks(z.size, count)) {
    const [m, s] = entryAt(z, rank);
    replyEntry(c, m, s, withScores);
  }
}

function entryAt(z: ZSetValue, rank: number): [string, number] {
  let entry: [string, number] = ['', 0];
  z.range(rank, rank + 1, false, (m, s) => (entry = [m, s]));
  return entry;
}

/** `count` (< size) distinct ranks at random: a partial shuffle when many are wanted, else draws until enough differ. */
function distinctRanks(size: number, count: number): number[] {
  if (count * 3 > size)
    return sampleInPlace(
      Array.from({ length: size }, (_, i) => i),
      count,
    );
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  return [...picked];
}

// ---- ZUNION, ZINTER, ZDIFF (+STORE), ZINTERCARD -----------------------------------------------------

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input of a set operation: a sorted set, or a set whose members all score 1. */
interface Source {
  value: ZSetValue | SetValue | undefined;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.value === undefined ? 0 : s.value.size;
}

function sourceScore(s: Source, member: string): number | undefined {
  if (s.value instanceof ZSetValue) return s.value.score(member);
  return s.value?.has(member) === true ? 1 : undefined;
}

function sourceForEach(s: Source, visit: (member: string, score: number) => void): void {
  if (s.value instanceof ZSetValue) s.value.forEach(visit);
  else if (s.value !== undefined) for (const m of s.value.members()) visit(m, 1);
}

/** zunionInterAggregate: a NaN sum (inf + -inf) becomes 0. */
function aggregate(how: Aggregate, acc: number, value: number): number {
  if (how === 'sum') {
    const sum = acc + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  return how === 'min' ? (value < acc ? value : acc) : value > acc ? value : acc;
}

/** A weighted score; weight 0 times an infinite score (NaN) counts as 0. */
function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

/**
 * zunionInterDiffGenericCommand: numkeys at argv[numkeysAt], its keys, then WEIGHTS/AGGREGATE/
 * WITHSCORES (or LIMIT for ZINTERCARD). Stores at `dst`, replies the cardinality, or the entries.
 */
function setOperation(c: Session, argv: string[], numkeysAt: number, op: SetOp, dst: string | null, cardOnly: boolean): void {
  const setnum = parseLong(argv[numkeysAt]);
  if (setnum === null) return c.w.error(Err.notInteger);
  if (setnum < 1) return c.w.error(Err.atLeastOneKey(argv[0].toLowerCase()));
  if (setnum > argv.length - numkeysAt - 1) return c.w.error(Err.syntax);
  const sources: Source[] = [];
  let j = numkeysAt + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = c.db.read(argv[j]);
    if (v !== undefined && !(v instanceof ZSetValue) && !(v instanceof SetValue)) return c.w.error(Err.wrongType);
    sources.push({ value: v, weight: 1 });
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const arg = argv[j];
    if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && is(arg, 'WEIGHTS')) {
      j++;
      for (const s of sources) {
        const w = parseScore(argv[j++]);
        if (w === null) return c.w.error(Err.weightNotFloat);
        s.weight = w;
      }
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && is(arg, 'AGGREGATE')) {
      const a = argv[j + 1].toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') return c.w.error(Err.syntax);
      how = a;
      j += 2;
    } else if (dst === null && !cardOnly && is(arg, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && is(arg, 'LIMIT')) {
      const l = parseInt64(argv[j + 1]);
      if (l === null || l < 0) return c.w.error(Err.limitNegative);
      limit = l > Number.MAX_SAFE_INTEGER ? 0 : Number(l);
      j += 2;
    } else return c.w.error(Err.syntax);
  }
  // Intersections and unions walk the smallest input first (zuiCompareByCardinality).
  if (op !== 'diff') sources.sort((a, b) => sourceSize(a) - sourceSize(b));
  // Redis computes into a skiplist and packs only what it stores: a reply keeps -0 scores.
  const limits = dst === null ? { entries: 0, value: 0 } : packLimits(c);
  const result = new ZSetValue();
  if (op === 'inter') {
    const [first, ...rest] = sources;
    let cardinality = 0;
    if (sourceSize(first) > 0) {
      // Collected first: the smallest input may also be one of the others (the same key twice).
      const entries: [string, number][] = [];
      sourceForEach(first, (m, s) => entries.push([m, s]));
      for (const [member, score] of entries) {
        let acc = weighted(score, first.weight);
        let inAll = true;
        for (const other of rest) {
          const s = sourceScore(other, member);
          if (s === undefined) {
            inAll = false;
            break;
          }
          acc = aggregate(how, acc, s * other.weight);
        }
        if (!inAll) continue;
        if (cardOnly) {
          if (++cardinality === limit) break;
        } else result.add(member, acc, limits.entries, limits.value);
      }
    }
    if (cardOnly) return c.w.integer(cardinality);
  } else if (op === 'union') {
    const acc = new Map<string, number>();
    for (const source of sources) {
      sourceForEach(source, (m, s) => {
        const v = weighted(s, source.weight);
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? v : aggregate(how, cur, v));
      });
    }
    for (const [m, s] of acc) result.add(m, s, limits.entries, limits.value);
  } else {
    const [first, ...rest] = sources;
    sourceForEach(first, (m, s) => {
      if (!rest.some((r) => sourceScore(r, m) !== undefined)) result.add(m, s, limits.entries, limits.value);
    });
  }
  if (dst !== null) return storeResult(c, dst, result, op === 'inter' ? Ev.zinterstore : op === 'union' ? Ev.zunionstore : Ev.zdiffstore);
  replyEntriesHeader(c, result.size, withScores);
  result.forEach((m, s) => replyEntry(c, m, s, withScores));
}

// ---- the table -------------------------------------------------------------------------------------

const cmd = specMaker('sorted-set');

const zsetCommands: CommandSpec[] = [
  cmd(
    'zadd',
    -4,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Add one or more members to a sorted set, or update its score if it already exists',
    '1.2.0',
    'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    (c, argv) => zaddGeneric(c, argv, 2, 0),
  ),
  cmd(
    'zincrby',
    4,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Increment the score of a member in a sorted set',
    '1.2.0',
    'O(log(N)) where N is the number of elements in the sorted set.',
    (c, argv) => zaddGeneric(c, argv, 2, ZADD_INCR),
  ),
  cmd(
    'zrem',
    -3,
    ['write', 'fast'],
    [1, 1, 1],
    'Remove one or more members from a sorted set',
    '1.2.0',
    'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    zrem,
  ),
  cmd('zcard', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the number of members in a sorted set', '1.2.0', 'O(1)', zcard),
  cmd(
    'zscore',
    3,
    ['readonly', 'fast'],
    [1, 1, 1],
    'Get the score associated with the given member in a sorted set',
    '1.2.0',
    'O(1)',
    zscore,
  ),
  cmd(
    'zmscore',
    -3,
    ['readonly', 'fast'],
    [1, 1, 1],
    'Get the score associated with the given members in a sorted set',
    '6.2.0',
    'O(N) where N is the number of members being requested.',
    zmscore,
  ),
  cmd('zrank', 3, ['readonly', 'fast'], [1, 1, 1], 'Determine the index of a member in a sorted set', '2.0.0', 'O(log(N))', (c, argv) =>
    zrankGeneric(c, argv, false),
  ),
  cmd(
    'zrevrank',
    3,
    ['readonly', 'fast'],
    [1, 1, 1],
    'Determine the index of a member in a sorted set, with scores ordered from high to low',
    '2.0.0',
    'O(log(N))',
    (c, argv) => zrankGeneric(c, argv, true),
  ),
  cmd(
    'zcount',
    4,
    ['readonly', 'fast'],
    [1, 1, 1],
    'Count the members in a sorted set with scores within the given values',
    '2.0.0',
    'O(log(N)) with N being the number of elements in the sorted set.',
    zcount,
  ),
  cmd(
    'zlexcount',
    4,
    ['readonly', 'fast'],
    [1, 1, 1],
    'Count the number of members in a sorted set between a given lexicographical range',
    '2.8.9',
    'O(log(N)) with N being the number of elements in the sorted set.',
    zlexcount,
  ),
  cmd(
    'zrange',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of members in a sorted set',
    '1.2.0',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    (c, argv) => zrangeGeneric(c, argv, 1, null, 'auto', null),
  ),
  cmd(
    'zrangestore',
    -5,
    ['write', 'denyoom'],
    [1, 2, 1],
    'Store a range of members from sorted set into another key',
    '6.2.0',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    (c, argv) => zrangeGeneric(c, argv, 2, argv[1], 'auto', null),
  ),
  cmd(
    'zrangebyscore',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of members in a sorted set, by score',
    '1.0.5',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', false),
  ),
  cmd(
    'zrevrangebyscore',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of members in a sorted set, by score, with scores ordered from high to low',
    '2.2.0',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', true),
  ),
  cmd(
    'zrangebylex',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of members in a sorted set, by lexicographical range',
    '2.8.9',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', false),
  ),
  cmd(
    'zrevrangebylex',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.',
    '2.8.9',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).',
    (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', true),
  ),
  cmd(
    'zrevrange',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of members in a sorted set, by index, with scores ordered from high to low',
    '1.2.0',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    (c, argv) => zrangeGeneric(c, argv, 1, null, 'rank', true),
  ),
  cmd(
    'zremrangebyrank',
    4,
    ['write'],
    [1, 1, 1],
    'Remove all members in a sorted set within the given indexes',
    '2.0.0',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    (c, argv) => zremrangeGeneric(c, argv, 'rank'),
  ),
  cmd(
    'zremrangebyscore',
    4,
    ['write'],
    [1, 1, 1],
    'Remove all members in a sorted set within the given scores',
    '1.2.0',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    (c, argv) => zremrangeGeneric(c, argv, 'score'),
  ),
  cmd(
    'zremrangebylex',
    4,
    ['write'],
    [1, 1, 1],
    'Remove all members in a sorted set between the given lexicographical range',
    '2.8.9',
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    (c, argv) => zremrangeGeneric(c, argv, 'lex'),
  ),
  cmd(
    'zpopmin',
    -2,
    ['write', 'fast'],
    [1, 1, 1],
    'Remove and return members with the lowest scores in a sorted set',
    '5.0.0',
    'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    (c, argv) => zpopMinMax(c, argv, true),
  ),
  cmd(
    'zpopmax',
    -2,
    ['write', 'fast'],
    [1, 1, 1],
    'Remove and return members with the highest scores in a sorted set',
    '5.0.0',
    'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    (c, argv) => zpopMinMax(c, argv, false),
  ),
  cmd(
    'zmpop',
    -4,
    ['write'],
    [0, 0, 0],
    'Remove and return members with scores in a sorted set',
    '7.0.0',
    'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    zmpop,
  ),
  cmd(
    'bzpopmin',
    -3,
    ['write', 'noscript', 'blocking', 'fast'],
    [1, -2, 1],
    'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
    '5.0.0',
    'O(log(N)) with N being the number of elements in the sorted set.',
    (c, argv) => bzpopMinMax(c, argv, true),
  ),
  cmd(
    'bzpopmax',
    -3,
    ['write', 'noscript', 'blocking', 'fast'],
    [1, -2, 1],
    'Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
    '5.0.0',
    'O(log(N)) with N being the number of elements in the sorted set.',
    (c, argv) => bzpopMinMax(c, argv, false),
  ),
  cmd(
    'bzmpop',
    -5,
    ['write', 'blocking'],
    [0, 0, 0],
    'Remove and return members with scores in a sorted set or block until one is available',
    '7.0.0',
    'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    bzmpop,
  ),
  cmd(
    'zrandmember',
    -2,
    ['readonly'],
    [1, 1, 1],
    'Get one or multiple random elements from a sorted set',
    '6.2.0',
    'O(N) where N is the number of elements returned',
    zrandmember,
  ),
  cmd(
    'zunion',
    -3,
    ['readonly'],
    [0, 0, 0],
    'Add multiple sorted sets',
    '6.2.0',
    'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    (c, argv) => setOperation(c, argv, 1, 'union', null, false),
  ),
  cmd(
    'zunionstore',
    -4,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Add multiple sorted sets and store the resulting sorted set in a new key',
    '2.0.0',
    'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    (c, argv) => setOperation(c, argv, 2, 'union', argv[1], false),
  ),
  cmd(
    'zinter',
    -3,
    ['readonly'],
    [0, 0, 0],
    'Intersect multiple sorted sets',
    '6.2.0',
    'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
    (c, argv) => setOperation(c, argv, 1, 'inter', null, false),
  ),
  cmd(
    'zinterstore',
    -4,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Intersect multiple sorted sets and store the resulting sorted set in a new key',
    '2.0.0',
    'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
    (c, argv) => setOperation(c, argv, 2, 'inter', argv[1], false),
  ),
  cmd(
    'zintercard',
    -3,
    ['readonly'],
    [0, 0, 0],
    'Intersect multiple sorted sets and return the cardinality of the result',
    '7.0.0',
    'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    (c, argv) => setOperation(c, argv, 1, 'inter', null, true),
  ),
  cmd(
    'zdiff',
    -3,
    ['readonly'],
    [0, 0, 0],
    'Subtract multiple sorted sets',
    '6.2.0',
    'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
    (c, argv) => setOperation(c, argv, 1, 'diff', null, false),
  ),
  cmd(
    'zdiffstore',
    -4,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Subtract multiple sorted sets and store the resulting sorted set in a new key',
    '6.2.0',
    'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
    (c, argv) => setOperation(c, argv, 2, 'diff', argv[1], false),
  ),
  cmd(
    'zscan',
    -3,
    ['readonly'],
    [1, 1, 1],
    'Incrementally iterate sorted sets elements and associated scores',
    '2.8.0',
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    zscan,
  ),
];

/** The sorted-set type (t_zset.c). */
export const zsetFamily: CommandFamily = { name: 'zset', commands: zsetCommands };
