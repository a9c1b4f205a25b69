import type { ReplyWriter } from '@brook/resp';
import {
  Ev,
  AddIdError,
  MAX_ID,
  MIN_ID,
  MissingSeq,
  STREAM_NODE_MAX_SIZE,
  StreamValue,
  TrimBy,
  decrId,
  explicitAddId,
  formatId,
  incrId,
  nextAutoId,
  pairsBytes,
  parseAddId,
  parseIntervalId,
  parseStreamId,
  type Int64,
  type StreamId,
  type StreamIterator,
} from '@brook/storage';
import { specMaker, type CommandSpec } from './table.js';
import type { KeyWaiter, Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';

// ---- shared with the consumer-group commands (stream-groups.ts) --------------------------------------

/** The stream at `key` for a read (undefined when absent); writes WRONGTYPE and returns null for another type. */
export function readStream(c: Session, key: string): StreamValue | undefined | null {
  const v = c.db.read(key);
  if (v === undefined || v instanceof StreamValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** The same for a write (lookupKeyWrite: no read statistics). */
export function writeStream(c: Session, key: string): StreamValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined || v instanceof StreamValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/**
 * An ID argument (streamParseIDOrReply, or streamParseStrictIDOrReply when `strict`: no `-`/`+`);
 * null after the "Invalid stream ID" reply.
 */
export function idArg(c: Session, arg: string, missing: MissingSeq = MissingSeq.Min, strict = true): StreamId | null {
  const id = parseStreamId(arg, missing, strict);
  if (id === null) c.w.error(Err.invalidStreamId);
  return id;
}

/** A C long long argument, exact (the stream counters); null after the error reply. */
export function int64Arg(c: Session, arg: string, error: string = Err.notInteger): Int64 | null {
  const v = parseInt64(arg);
  if (v === null) c.w.error(error);
  return v;
}

/** A C long long argument as a number (clamped beyond ±2^53, where no stream size tells the difference); null after the error reply. */
export function longLongArg(c: Session, arg: string, error: string = Err.notInteger): number | null {
  const v = int64Arg(c, arg, error);
  if (v === null || typeof v === 'number') return v;
  return v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
}

/** One entry as Redis replies it: [id, [field, value, ...]]. */
export function writeEntry(w: ReplyWriter, it: StreamIterator): void {
  w.array(2);
  w.bulk(formatId(it.id));
  w.array(it.pairs * 2);
  for (let i = 0; i < it.pairs; i++) {
    w.bulk(it.field(i));
    w.bulk(it.value(i));
  }
}

/** The live entries from..to (reversed: to down to from), at most `count` (0: all), as an array of entries. */
export function writeRange(w: ReplyWriter, s: StreamValue, from: StreamId, to: StreamId, count: number, reverse: boolean): void {
  // The writer has no deferred lengths: count first (headers only), then write.
  let n = 0;
  const counter = s.iterate(from, to, reverse);
  while ((count === 0 || n < count) && counter.next()) n++;
  w.array(n);
  const it = s.iterate(from, to, reverse);
  for (let i = 0; i < n; i++) {
    it.next();
    writeEntry(w, it);
  }
}

/** XREAD/XREADGROUP's keys: the first half of the arguments after STREAMS. */
export function xreadKeys(argv: readonly string[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (!is(argv[i], 'STREAMS')) continue;
    const n = (argv.length - i - 1) >>> 1;
    const keys: number[] = [];
    for (let k = 0; k < n; k++) keys.push(i + 1 + k);
    return keys;
  }
  return [];
}

function nodeMaxBytes(c: Session): number {
  return c.server.config.int('stream-node-max-bytes');
}

function nodeMaxEntries(c: Session): number {
  return c.server.config.int('stream-node-max-entries');
}

// ---- XADD / XTRIM --------------------------------------------------------------------------------

/** streamAddTrimArgs: what XADD and XTRIM parsed. */
interface AddTrimArgs {
  /** Index of the ID argument (XADD). */
  idPos: number;
  /** The explicit ID (null for `*`) and whether its seq was given (false for `ms-*`). */
  id: StreamId | null;
  seqGiven: boolean;
  noMkStream: boolean;
  by: TrimBy | null;
  maxLen: number;
  minId: StreamId;
  approx: boolean;
  limit: number;
  /** Index of the MAXLEN count / MINID id argument, rewritten for the change feed after a `~` trim. */
  trimArgPos: number;
}

/** streamParseAddOrTrimArgsOrReply; null after the error reply. */
function parseAddTrimArgs(c: Session, argv: string[], xadd: boolean): AddTrimArgs | null {
  const args: AddTrimArgs = {
    idPos: argv.length,
    id: null,
    seqGiven: true,
    noMkStream: false,
    by: null,
    maxLen: 0,
    minId: MIN_ID,
    approx: false,
    limit: 0,
    trimArgPos: 0,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    if ((is(opt, 'MAXLEN') || is(opt, 'MINID')) && moreArgs > 0) {
      if (args.by !== null) {
        c.w.error(Err.trimMaxlenMinid);
        return null;
      }
      const byLen = is(opt, 'MAXLEN');
      args.approx = false;
      const next = argv[i + 1];
      if (moreArgs >= 2 && next === '~') {
        args.approx = true;
        i++;
      } else if (moreArgs >= 2 && next === '=') i++;
      if (byLen) {
        const n = longLongArg(c, argv[i + 1]);
        if (n === null) return null;
        if (n < 0) {
          c.w.error(Err.trimMaxlenNegative);
          return null;
        }
        args.maxLen = n;
      } else {
        const id = idArg(c, argv[i + 1]);
        if (id === null) return null;
        args.minId = id;
      }
      i++;
      args.by = byLen ? TrimBy.MaxLen : TrimBy.MinId;
      args.trimArgPos = i;
    } else if (is(opt, 'LIMIT') && moreArgs > 0) {
      const n = longLongArg(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0) {
        c.w.error(Err.trimLimitNegative);
        return null;
      }
      args.limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && is(opt, 'NOMKSTREAM')) {
      args.noMkStream = true;
    } else if (xadd) {
      const parsed = parseAddId(opt);
      if (parsed === null) {
        c.w.error(Err.invalidStreamId);
        return null;
      }
      args.id = parsed.id;
      args.seqGiven = parsed.seqGiven;
      break;
    } else {
      c.w.error(Err.syntax);
      return null;
    }
  }
  args.idPos = i;
  if (args.limit !== 0 && args.by === null) {
    c.w.error(Err.trimLimitWithoutStrategy);
    return null;
  }
  if (!xadd && args.by === null) {
    c.w.error(Err.xtrimNoStrategy);
    return null;
  }
  if (limitGiven) {
    if (!args.approx) {
      c.w.error(Err.trimLimitWithoutApprox);
      return null;
    }
  } else if (args.approx) {
    // At most 100 nodes' worth of work per call, bounded on both sides as Redis does.
    let limit = 100 * nodeMaxEntries(c);
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
    args.limit = limit;
  } else args.limit = 0;
  return args;
}

/**
 * Trims after XADD or for XTRIM; returns the count removed. After a `~` trim `fed` (the change-feed
 * copy of argv, null when no feed listens) gets `=` and the effective bound (the resulting length, or the first ID left, deleted
 * or not), so a replay removes exactly the same entries (streamRewriteTrimArgument).
 */
function trim(s: StreamValue, args: AddTrimArgs, fed: string[] | null): number {
  const removed = s.trim(args.by as TrimBy, args.maxLen, args.minId, args.approx, args.limit);
  if (args.approx && fed !== null) {
    fed[args.trimArgPos - 1] = '=';
    fed[args.trimArgPos] = args.by === TrimBy.MaxLen ? String(s.length) : formatId(s.firstRawId());
  }
  return removed;
}

function xadd(c: Session, argv: string[]): void {
  const args = parseAddTrimArgs(c, argv, true);
  if (args === null) return;
  const fieldsAt = args.idPos + 1;
  const pairsArgs = argv.length - fieldsAt;
  if (pairsArgs < 2 || pairsArgs % 2 === 1) return c.w.error(Err.wrongArgs('xadd'));
  if (args.id !== null && args.seqGiven && args.id === MIN_ID) return c.w.error(Err.xaddIdZero);
  const key = argv[1];
  const existing = writeStream(c, key);
  if (existing === null) return;
  if (existing === undefined && args.noMkStream) return c.w.nil();
  const s = existing ?? new StreamValue();
  if (s.lastId === MAX_ID) return c.w.error(Err.xaddIdExhausted);
  let id: StreamId | AddIdError;
  if (args.id === null) {
    id = nextAutoId(s.lastId, Date.now());
    if (id <= s.lastId) id = AddIdError.NotGreater;
  } else id = explicitAddId(s.lastId, args.id, args.seqGiven);
  if (id === AddIdError.NotGreater) return c.w.error(Err.xaddIdNotGreater);
  const bytes = pairsBytes(argv, fieldsAt);
  if (id === AddIdError.SeqExhausted || bytes > STREAM_NODE_MAX_SIZE) return c.w.error(Err.xaddTooLarge);
  s.add(id, argv, fieldsAt, nodeMaxBytes(c), nodeMaxEntries(c), bytes);
  const idText = formatId(id);
  c.w.bulk(idText);
  const rewriteId = args.id === null || !args.seqGiven;
  if (args.by === null && !rewriteId) {
    if (existing === undefined) c.db.set(key, s, false, Ev.xadd);
    else c.db.modified(key, Ev.xadd);
    return;
  }
  // The rewritten copy is made only for a change feed that listens (the hot path has none).
  const fed = c.ks.feed.active ? argv.slice() : null;
  if (fed !== null && rewriteId) fed[args.idPos] = idText;
  const trimmed = args.by !== null ? trim(s, args, fed) : 0;
  if (existing === undefined) c.db.set(key, s, false, Ev.xadd);
  else c.db.modified(key, Ev.xadd);
  if (trimmed > 0) c.db.notify(Ev.xtrim, key);
  if (fed !== null) propagate(c, fed);
  else c.propagated = true;
}

function xtrim(c: Session, argv: string[]): void {
  const args = parseAddTrimArgs(c, argv, false);
  if (args === null) return;
  const s = writeStream(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return c.w.integer(0);
  const fed = argv.slice();
  const removed = trim(s, args, fed);
  if (removed === 0) {
    // Nothing changed: Redis neither signals nor propagates.
    c.propagated = true;
  } else {
    c.db.modified(argv[1], Ev.xtrim);
    if (args.approx) propagate(c, fed);
  }
  c.w.integer(removed);
}

// ---- XDEL / XSETID / XLEN ------------------------------------------------------------------------

function xdel(c: Session, argv: string[]): void {
  const s = writeStream(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return c.w.integer(0);
  const ids: StreamId[] = [];
  for (let i = 2; i < argv.length; i++) {
    const id = idArg(c, argv[i]);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  if (deleted === 0) c.propagated = true;
  else c.db.modified(argv[1], Ev.xdel);
  c.w.integer(deleted);
}

function xsetid(c: Session, argv: string[]): void {
  const id = idArg(c, argv[2]);
  if (id === null) return;
  let entriesAdded: Int64 = -1;
  let maxDeleted = MIN_ID;
  for (let i = 3; i < argv.length;) {
    const moreArgs = argv.length - 1 - i;
    if (is(argv[i], 'ENTRIESADDED') && moreArgs > 0) {
      const n = int64Arg(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0) return c.w.error(Err.xsetidEntriesAddedNegative);
      entriesAdded = n;
      i += 2;
    } else if (is(argv[i], 'MAXDELETEDID') && moreArgs > 0) {
      const d = idArg(c, argv[i + 1]);
      if (d === null) return;
      if (id < d) return c.w.error(Err.xsetidBelowMaxDeleted);
      maxDeleted = d;
      i += 2;
    } else return c.w.error(Err.syntax);
  }
  const s = writeStream(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return c.w.error(Err.noSuchKey);
  if (s.length > 0) {
    if (id < s.edgeId(true)) return c.w.error(Err.xsetidBelowTop);
    if (entriesAdded !== -1 && s.length > entriesAdded) return c.w.error(Err.xsetidEntriesAddedBelowLength);
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDeleted !== MIN_ID) s.maxDeletedId = maxDeleted;
  // Redis counts the change (so it is propagated) but does not signal the key (WATCH stays clean).
  c.ks.dirty++;
  c.db.notify(Ev.xsetid, argv[1]);
  c.w.ok();
}

function xlen(c: Session, argv: string[]): void {
  const s = readStream(c, argv[1]);
  if (s !== null) c.w.integer(s === undefined ? 0 : s.length);
}

// ---- XRANGE / XREVRANGE --------------------------------------------------------------------------

function xrange(c: Session, argv: string[], reverse: boolean): void {
  const start = parseIntervalId(reverse ? argv[3] : argv[2], MissingSeq.Min);
  if (start === null) return c.w.error(Err.invalidStreamId);
  let from: StreamId | null = start.id;
  if (start.exclusive && (from = incrId(from)) === null) return c.w.error(Err.streamIntervalStart);
  const end = parseIntervalId(reverse ? argv[2] : argv[3], MissingSeq.Max);
  if (end === null) return c.w.error(Err.invalidStreamId);
  let to: StreamId | null = end.id;
  if (end.exclusive && (to = decrId(to)) === null) return c.w.error(Err.streamIntervalEnd);
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = longLongArg(c, argv[++j]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
    } else return c.w.error(Err.syntax);
  }
  const s = readStream(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return c.w.array(0);
  if (count === 0) return c.w.nilArray();
  writeRange(c.w, s, from, to, count === -1 ? 0 : count, reverse);
}

// ---- XREAD ---------------------------------------------------------------------------------------

/** Entries a blocked XREAD without COUNT gets at most (XREAD_BLOCKED_DEFAULT_COUNT). */
export const BLOCKED_DEFAULT_COUNT = 1000;

/** XREAD's reply header for n streams: an array of [key, entries] pairs, in RESP3 a map key → entries. */
export function writeStreamsHeader(w: ReplyWriter, n: number): void {
  if (w.proto === 3) w.map(n);
  else w.array(n);
}

/** Whether XREAD has something to serve from `s` after `after`: a live entry above it. */
function hasAfter(s: StreamValue, after: StreamId): boolean {
  return s.length > 0 && s.lastId > after && s.edgeId(true) > after;
}

/** XREAD's reply for one stream: [key, entries] (in RESP3 a map entry key → entries). */
function writeStreamEntries(w: ReplyWriter, key: string, s: StreamValue, after: StreamId, count: number): void {
  if (w.proto === 2) w.array(2);
  w.bulk(key);
  // Redis ignores the overflow after the largest ID and reads from 0-0.
  writeRange(w, s, incrId(after) ?? MIN_ID, MAX_ID, count, false);
}

/** XREAD/XREADGROUP's options (xreadCommand's parsing loop). */
export interface ReadArgs {
  /** BLOCK ms; -1 without BLOCK, 0 forever. */
  timeout: number;
  /** COUNT; 0 for no limit. */
  count: number;
  /** Index of the first key after STREAMS. */
  streamsAt: number;
  /** XREADGROUP's GROUP group consumer (null for XREAD or when missing) and NOACK. */
  group: string | null;
  consumer: string | null;
  noAck: boolean;
}

/**
 * Parses XREAD's options, or XREADGROUP's when `readGroup` (GROUP and NOACK allowed); null after
 * the error reply. XREADGROUP's "Missing GROUP option" check is the caller's (it comes after).
 */
export function parseReadArgs(c: Session, argv: readonly string[], readGroup: boolean): ReadArgs | null {
  const args: ReadArgs = { timeout: -1, count: 0, streamsAt: 0, group: null, consumer: null, noAck: false };
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const o = argv[i];
    if (is(o, 'BLOCK') && moreArgs > 0) {
      const t = longLongArg(c, argv[++i], Err.timeoutNotInteger);
      if (t === null) return null;
      if (t < 0) {
        c.w.error(Err.timeoutNegative);
        return null;
      }
      args.timeout = t;
    } else if (is(o, 'COUNT') && moreArgs > 0) {
      const n = longLongArg(c, argv[++i]);
      if (n === null) return null;
      args.count = n < 0 ? 0 : n;
    } else if (is(o, 'STREAMS') && moreArgs > 0) {
      args.streamsAt = i + 1;
      if ((argv.length - args.streamsAt) % 2 !== 0) {
        c.w.error(Err.xreadUnbalanced);
        return null;
      }
      break;
    } else if (is(o, 'GROUP') && moreArgs >= 2) {
      if (!readGroup) {
        c.w.error(Err.xreadGroupOption);
        return null;
      }
      args.group = argv[i + 1];
      args.consumer = argv[i + 2];
      i += 2;
    } else if (is(o, 'NOACK')) {
      if (!readGroup) {
        c.w.error(Err.xreadNoackOption);
        return null;
      }
      args.noAck = true;
    } else {
      c.w.error(Err.syntax);
      return null;
    }
  }
  if (args.streamsAt === 0) {
    c.w.error(Err.syntax);
    return null;
  }
  return args;
}

function xread(c: Session, argv: string[]): void {
  const parsed = parseReadArgs(c, argv, false);
  if (parsed === null) return;
  const { timeout, count, streamsAt } = parsed;
  const n = (argv.length - streamsAt) / 2;
  const keys = argv.slice(streamsAt, streamsAt + n);
  const after: StreamId[] = [];
  for (let k = 0; k < n; k++) {
    const s = readStream(c, keys[k]);
    if (s === null) return;
    const arg = argv[streamsAt + n + k];
    if (arg === '$') {
      after.push(s === undefined ? MIN_ID : s.lastId);
      continue;
    }
    if (arg === '>') return c.w.error(Err.xreadGtId);
    const id = idArg(c, arg);
    if (id === null) return;
    after.push(id);
  }
  // Serve at once the streams with an entry after the ID (the writer has no deferred lengths: find them first).
  // Looked up as a read a second time, as Redis does (its hit/miss stats and keymiss events count both).
  let ready = 0;
  for (let k = 0; k < n; k++) {
    const s = c.db.read(keys[k]);
    if (s instanceof StreamValue && hasAfter(s, after[k])) ready++;
  }
  if (ready > 0) {
    writeStreamsHeader(c.w, ready);
    for (let k = 0; k < n; k++) {
      const s = c.db.peek(keys[k]);
      if (s instanceof StreamValue && hasAfter(s, after[k])) {
        writeStreamEntries(c.w, keys[k], s, after[k], count);
      }
    }
    return;
  }
  if (timeout === -1) return c.w.nilArray();
  // Blocked: per key the ID to read after (the first occurrence of a repeated key wins).
  const waitAfter = new Map<string, StreamId>();
  for (let k = 0; k < n; k++) if (!waitAfter.has(keys[k])) waitAfter.set(keys[k], after[k]);
  const blockedCount = count === 0 ? BLOCKED_DEFAULT_COUNT : count;
  const waiter: KeyWaiter = {
    serve(r, key) {
      const s = r.db.peek(key);
      const gt = waitAfter.get(key);
      if (!(s instanceof StreamValue) || gt === undefined || s.lastId <= gt) return false;
      writeStreamsHeader(r.w, 1);
      writeStreamEntries(r.w, key, s, gt, blockedCount);
      return true;
    },
    timeout: (r) => r.w.nilArray(),
  };
  c.server.block(c, [...waitAfter.keys()], timeout, waiter);
}

// ---- the table -----------------------------------------------------------------------------------

const cmd = specMaker('stream');

const streamCommands: CommandSpec[] = [
  cmd(
    'xadd',
    -5,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Appends a new entry to a stream',
    '5.0.0',
    'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    xadd,
  ),
  cmd('xlen', 2, ['readonly', 'fast'], [1, 1, 1], 'Return the number of entries in a stream', '5.0.0', 'O(1)', xlen),
  cmd(
    'xrange',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of elements in a stream, with IDs matching the specified IDs interval',
    '5.0.0',
    'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    (c, a) => xrange(c, a, false),
  ),
  cmd(
    'xrevrange',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE',
    '5.0.0',
    'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    (c, a) => xrange(c, a, true),
  ),
  cmd(
    'xdel',
    -3,
    ['write', 'fast'],
    [1, 1, 1],
    'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.',
    '5.0.0',
    'O(1) for each single item to delete in the stream, regardless of the stream size.',
    xdel,
  ),
  cmd(
    'xtrim',
    -4,
    ['write'],
    [1, 1, 1],
    "Trims the stream to (approximately if '~' is passed) a certain size",
    '5.0.0',
    'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    xtrim,
  ),
  cmd('xsetid', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'An internal command for replicating stream values', '5.0.0', 'O(1)', xsetid),
  cmd(
    'xread',
    -4,
    ['readonly', 'blocking'],
    [0, 0, 0],
    'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.',
    '5.0.0',
    'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
    xread,
    xreadKeys,
  ),
];

/** The stream type without consumer groups (t_stream.c; the groups are in stream-groups.ts). */
export const streamFamily: CommandFamily = { name: 'stream', commands: streamCommands };
