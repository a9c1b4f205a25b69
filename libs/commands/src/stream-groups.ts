/**
 * Stream consumer groups and XINFO (Redis's t_stream.c, second half): XGROUP, XREADGROUP (with
 * BLOCK on the shared key waits), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO. The stream itself and
 * XADD/XRANGE/XREAD... are in streams.ts; group state lives in
 * libs/storage/src/types/stream/consumer-group.ts.
 *
 * Change feed: as Redis, a read through a group is fed as its effects (one XCLAIM … FORCE JUSTID
 * LASTID per delivered entry, XGROUP SETID … ENTRIESREAD after a NOACK read, XGROUP CREATECONSUMER
 * for a consumer a NOACK read created), so AOF and replicas rebuild the group state exactly.
 */
import type { ReplyWriter } from '@brook/resp';
import {
  ConsumerGroups,
  ENTRIES_READ_UNKNOWN,
  MAX_ID,
  MIN_ID,
  MissingSeq,
  StreamValue,
  advanceGroup,
  decrId,
  formatId,
  groupLag,
  incrId,
  parseIntervalId,
  parseStreamId,
  type Consumer,
  type IdOrder,
  type ConsumerGroup,
  type PendingEntry,
  type StreamCounter,
  type StreamId,
} from '@brook/storage';
import { specMaker, type CommandSpec } from './table.js';
import type { KeyWaiter, Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';
import { helpSubcommand } from './reply.js';
import {
  BLOCKED_DEFAULT_COUNT,
  idArg,
  int64Arg,
  longLongArg,
  parseReadArgs,
  readStream,
  writeEntry,
  writeRange,
  writeStream,
  writeStreamsHeader,
  xreadKeys,
} from './streams.js';

// ---- shared helpers ------------------------------------------------------------------------------

/** The entry `id` of the stream as a reply; false (nothing written) when it is not there. */
function replyEntryById(w: ReplyWriter, s: StreamValue, id: StreamId): boolean {
  const it = s.iterate(id, id);
  if (!it.next()) return false;
  writeEntry(w, it);
  return true;
}

/** entries-read as XINFO shows it: null when unknown. */
function replyEntriesRead(w: ReplyWriter, g: ConsumerGroup): void {
  if (g.entriesRead === ENTRIES_READ_UNKNOWN) w.nil();
  else w.integer(g.entriesRead);
}

function replyLag(w: ReplyWriter, s: StreamValue, g: ConsumerGroup): void {
  const lag = groupLag(s, g);
  if (lag === null) w.nil();
  else w.integer(lag);
}

/** streamPropagateXCLAIM: the pending entry's state as an idempotent XCLAIM. */
function propagateClaim(c: Session, key: string, group: string, g: ConsumerGroup, id: string, e: PendingEntry): void {
  // Built only when the feed listens: a read of many entries would otherwise make one array per entry.
  if (!c.ks.feed.active) return;
  propagate(c, [
    'XCLAIM',
    key,
    group,
    e.consumer.name,
    '0',
    id,
    'TIME',
    String(e.deliveryTime),
    'RETRYCOUNT',
    String(e.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(g.lastId),
  ]);
}

/** streamPropagateGroupID: the group's last ID and read counter. */
function propagateGroupId(c: Session, key: string, group: string, g: ConsumerGroup): void {
  propagate(c, ['XGROUP', 'SETID', key, group, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

// ---- XGROUP --------------------------------------------------------------------------------------

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

/** What xgroupCommand resolves before its subcommand runs: the stream (undefined with MKSTREAM) and the group. */
interface XGroupTarget {
  s: StreamValue | undefined;
  g: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: StreamCounter;
}

/**
 * xgroupCommand's common part, in its order: CREATE/SETID options, the key's type, the key's and
 * (for SETID, CREATECONSUMER, DELCONSUMER) the group's existence. null after the error reply.
 */
function xgroupTarget(c: Session, argv: string[]): XGroupTarget | null {
  const sub = argv[1];
  const create = is(sub, 'CREATE');
  const setid = is(sub, 'SETID');
  let mkstream = false;
  let entriesRead: StreamCounter = ENTRIES_READ_UNKNOWN;
  for (let i = 5; i < argv.length;) {
    if (create && is(argv[i], 'MKSTREAM')) {
      mkstream = true;
      i++;
    } else if ((create || setid) && is(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
      const n = int64Arg(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0 && n !== ENTRIES_READ_UNKNOWN) {
        c.w.error(Err.entriesReadNegative);
        return null;
      }
      entriesRead = n;
      i += 2;
    } else {
      c.w.error(Err.subcommandSyntax(sub, argv[0]));
      return null;
    }
  }
  const s = writeStream(c, argv[2]);
  if (s === null) return null;
  const g = s?.groups?.get(argv[3]);
  if (!mkstream) {
    if (s === undefined) {
      c.w.error(Err.xgroupNoKey);
      return null;
    }
    if (g === undefined && !create && !is(sub, 'DESTROY')) {
      c.w.error(Err.noGroupForKey(argv[3], argv[2]));
      return null;
    }
  }
  return { s, g, mkstream, entriesRead };
}

function xgroupCreate(c: Session, argv: string[]): void {
  const t = xgroupTarget(c, argv);
  if (t === null) return;
  if (argv.length > 8) return c.w.error(Err.subcommandSyntax(argv[1], argv[0]));
  const key = argv[2];
  let id: StreamId | null;
  if (argv[4] === '$') id = t.s?.lastId ?? MIN_ID;
  else if ((id = idArg(c, argv[4])) === null) return;
  let s = t.s;
  if (s === undefined) {
    s = new StreamValue();
    c.db.set(key, s);
  }
  if ((s.groups ??= new ConsumerGroups()).create(argv[3], id, t.entriesRead) === null) return c.w.error(Err.busyGroup);
  c.db.modifiedGroups(key);
  c.w.ok();
}

function xgroupSetid(c: Session, argv: string[]): void {
  const t = xgroupTarget(c, argv);
  if (t === null) return;
  if (argv.length !== 5 && argv.length !== 7) return c.w.error(Err.subcommandSyntax(argv[1], argv[0]));
  const s = t.s!;
  const g = t.g!;
  let id: StreamId | null;
  if (argv[4] === '$') id = s.lastId;
  else if ((id = parseStreamId(argv[4])) === null) return c.w.error(Err.invalidStreamId);
  g.lastId = id;
  g.entriesRead = t.entriesRead;
  c.db.modifiedGroups(argv[2]);
  c.w.ok();
}

function xgroupDestroy(c: Session, argv: string[]): void {
  const t = xgroupTarget(c, argv);
  if (t === null) return;
  if (t.g === undefined) return c.w.integer(0);
  t.s!.groups!.delete(argv[3]);
  // Also wakes the clients blocked in XREADGROUP on this group: they get NOGROUP.
  c.db.modifiedGroups(argv[2]);
  c.w.integer(1);
}

function xgroupCreateConsumer(c: Session, argv: string[]): void {
  const t = xgroupTarget(c, argv);
  if (t === null) return;
  const created = t.g!.createConsumer(argv[4], Date.now()) !== null;
  if (created) c.db.modifiedGroups(argv[2]);
  c.w.integer(created ? 1 : 0);
}

function xgroupDelConsumer(c: Session, argv: string[]): void {
  const t = xgroupTarget(c, argv);
  if (t === null) return;
  const consumer = t.g!.consumer(argv[4]);
  if (consumer === undefined) return c.w.integer(0);
  const pending = t.g!.deleteConsumer(consumer);
  c.db.modifiedGroups(argv[2]);
  c.w.integer(pending);
}

// ---- XREADGROUP ----------------------------------------------------------------------------------

/** XREADGROUP's arguments once parsed and resolved. */
interface ReadGroupArgs {
  group: string;
  consumer: string;
  count: number;
  noack: boolean;
  /** Milliseconds, 0 = forever; -1 without BLOCK. */
  timeout: number;
  keys: string[];
  /** Per key: the ID after which to read history, or null for `>` (new entries). */
  after: (StreamId | null)[];
  groups: ConsumerGroup[];
}

/** xreadCommand's parsing for XREADGROUP, in its order of checks; null after the error reply. */
function parseReadGroup(c: Session, argv: string[]): ReadGroupArgs | null {
  const r = parseReadArgs(c, argv, true);
  if (r === null) return null;
  const { group, consumer, streamsAt } = r;
  if (group === null || consumer === null) {
    c.w.error(Err.xreadgroupNoGroup);
    return null;
  }
  const n = (argv.length - streamsAt) / 2;
  const keys = argv.slice(streamsAt, streamsAt + n);
  const after: (StreamId | null)[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = 0; i < n; i++) {
    const s = readStream(c, keys[i]);
    if (s === null) return null;
    const g = s?.groups?.get(group);
    if (g === undefined) {
      c.w.error(Err.noGroupReadGroup(keys[i], group));
      return null;
    }
    groups.push(g);
    const arg = argv[streamsAt + n + i];
    if (arg === '$') {
      c.w.error(Err.xreadgroupDollar);
      return null;
    }
    if (arg === '>') {
      after.push(null);
      continue;
    }
    const id = idArg(c, arg);
    if (id === null) return null;
    // The largest ID is how Redis marks `>` internally: given explicitly it means `>` too.
    after.push(id === MAX_ID ? null : id);
  }
  return { group, consumer, count: r.count, noack: r.noAck, timeout: r.timeout, keys, after, groups };
}

/**
 * Serves `consumer` of group `g` from stream `s` (streamReplyWithRange with a group): the entries
 * after the group's last ID up to `count` (0: all), each recorded as pending for the consumer
 * (unless NOACK) and fed as XCLAIM; the group advances. Writes the entries array.
 */
function deliverNew(c: Session, w: ReplyWriter, key: string, s: StreamValue, a: ReadGroupArgs, g: ConsumerGroup, count: number): void {
  const now = Date.now();
  const consumer = touchConsumer(c, key, a, g, now);
  const from = incrId(g.lastId) ?? MIN_ID;
  // The writer has no deferred lengths: count the entries first, then walk them again.
  let n = 0;
  const counter = s.iterate(from, MAX_ID);
  while ((count === 0 || n < count) && counter.next()) n++;
  w.array(n);
  let movedLastId = false;
  const feedActive = c.ks.feed.active;
  const it = s.iterate(from, MAX_ID);
  for (let i = 0; i < n && it.next(); i++) {
    const id = it.id;
    if (id > g.lastId) {
      advanceGroup(s, g, id);
      movedLastId = true;
    }
    writeEntry(w, it);
    if (!a.noack) {
      const e = g.deliver(id, consumer, now);
      if (feedActive) propagateClaim(c, key, a.group, g, formatId(id), e);
    }
  }
  if (a.noack && movedLastId) propagateGroupId(c, key, a.group, g);
  c.propagated = true;
  c.db.modifiedGroups(key);
}

/** The reading consumer, seen now; a NOACK read feeds the creation (no XCLAIM will create it). */
function touchConsumer(c: Session, key: string, a: ReadGroupArgs, g: ConsumerGroup, now: number) {
  const { consumer, created } = g.touchConsumer(a.consumer, now);
  if (created && a.noack) propagate(c, ['XGROUP', 'CREATECONSUMER', key, a.group, a.consumer]);
  return consumer;
}

/**
 * The consumer's own history after `after` (streamReplyWithRangeFromConsumerPEL): its pending
 * entries, each delivered once more; an entry deleted from the stream since shows as [id, nil].
 */
function deliverHistory(
  c: Session,
  w: ReplyWriter,
  key: string,
  s: StreamValue,
  a: ReadGroupArgs,
  g: ConsumerGroup,
  after: StreamId,
): void {
  const now = Date.now();
  const consumer = touchConsumer(c, key, a, g, now);
  const items: [StreamId, PendingEntry][] = [];
  consumer.pel.walk(incrId(after) ?? MIN_ID, MAX_ID, (id, e) => {
    items.push([id, e]);
    return a.count === 0 || items.length < a.count;
  });
  w.array(items.length);
  for (const [id, e] of items) {
    if (replyEntryById(w, s, id)) {
      e.deliveryTime = now;
      e.deliveryCount++;
    } else {
      w.array(2);
      w.bulk(formatId(id));
      w.nilArray();
    }
  }
  c.propagated = true;
  c.db.modifiedGroups(key);
}

/** The key/entries pair header of a served stream: a 2-array in RESP2, a map entry in RESP3. */
function replyStreamHeader(w: ReplyWriter, key: string): void {
  if (w.proto === 2) w.array(2);
  w.bulk(key);
}

function xreadgroup(c: Session, argv: string[]): void {
  const a = parseReadGroup(c, argv);
  if (a === null) return;
  c.propagated = true;
  // Which streams can be served now: history always, `>` when the stream has entries past the group.
  // (Redis looks every key up a second time here: one more read each in the keyspace statistics.)
  const served: number[] = [];
  for (let i = 0; i < a.keys.length; i++) {
    const s = c.db.read(a.keys[i]) as StreamValue;
    if (a.after[i] !== null || (s.length > 0 && s.edgeId(true) > a.groups[i].lastId)) served.push(i);
  }
  const w = c.w;
  if (served.length > 0) {
    writeStreamsHeader(w, served.length);
    for (const i of served) {
      const key = a.keys[i];
      const s = c.db.peek(key) as StreamValue;
      replyStreamHeader(w, key);
      const after = a.after[i];
      if (after === null) deliverNew(c, w, key, s, a, a.groups[i], a.count);
      else deliverHistory(c, w, key, s, a, a.groups[i], after);
    }
    return;
  }
  if (a.timeout === -1) return w.nilArray();
  c.server.block(c, a.keys, a.timeout, readGroupWaiter(a));
}

/**
 * A client blocked in XREADGROUP with `>` (serveClientsBlockedOnStreamKey): served once the
 * stream has entries past the group's last ID; the stream deleted or retyped, or the group
 * destroyed, ends the wait with Redis's errors.
 */
function readGroupWaiter(a: ReadGroupArgs): KeyWaiter {
  return {
    serve(s, key) {
      const v = s.db.peek(key);
      if (!(v instanceof StreamValue)) {
        s.w.error(Err.xreadgroupKeyDeleted);
        return true;
      }
      const g = v.groups?.get(a.group);
      if (g === undefined) {
        s.w.error(Err.xreadgroupGroupDestroyed);
        return true;
      }
      if (!(v.lastId > g.lastId)) return false;
      const w = s.w;
      writeStreamsHeader(w, 1);
      replyStreamHeader(w, key);
      deliverNew(s, w, key, v, a, g, a.count === 0 ? BLOCKED_DEFAULT_COUNT : a.count);
      return true;
    },
    timeout(s) {
      s.w.nilArray();
    },
  };
}

// ---- XACK, XPENDING --------------------------------------------------------------------------------

function xack(c: Session, argv: string[]): void {
  const key = argv[1];
  const s = readStream(c, key);
  if (s === null) return;
  const g = s?.groups?.get(argv[2]);
  if (g === undefined) return c.w.integer(0);
  // All IDs are parsed first: the reply cannot be an error once some were acknowledged.
  const ids: StreamId[] = [];
  for (let i = 3; i < argv.length; i++) {
    const id = idArg(c, argv[i]);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) if (g.ack(id)) acked++;
  if (acked > 0) c.db.modifiedGroups(key);
  c.w.integer(acked);
}

function xpending(c: Session, argv: string[]): void {
  const w = c.w;
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) return w.error(Err.syntax);
  let start = MIN_ID;
  let end = MAX_ID;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (!summary) {
    let at = 3;
    if (is(argv[3], 'IDLE')) {
      const idle = longLongArg(c, argv[4]);
      if (idle === null) return;
      minIdle = idle;
      if (argv.length < 8) return w.error(Err.syntax);
      at += 2;
    }
    const n = longLongArg(c, argv[at + 2]);
    if (n === null) return;
    count = Math.max(n, 0);
    const from = parseIntervalId(argv[at], MissingSeq.Min);
    if (from === null) return w.error(Err.invalidStreamId);
    start = from.id;
    if (from.exclusive) {
      const next = incrId(start);
      if (next === null) return w.error(Err.streamIntervalStart);
      start = next;
    }
    const to = parseIntervalId(argv[at + 1], MissingSeq.Max);
    if (to === null) return w.error(Err.invalidStreamId);
    end = to.id;
    if (to.exclusive) {
      const prev = decrId(end);
      if (prev === null) return w.error(Err.streamIntervalEnd);
      end = prev;
    }
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const s = readStream(c, argv[1]);
  if (s === null) return;
  const g = s?.groups?.get(argv[2]);
  if (g === undefined) return w.error(Err.noGroup(argv[1], argv[2]));

  if (summary) {
    w.array(4);
    w.integer(g.pel.size);
    if (g.pel.size === 0) {
      w.nil();
      w.nil();
      w.nilArray();
      return;
    }
    w.bulk(formatId(g.pel.first()!));
    w.bulk(formatId(g.pel.last()!));
    const owners = g.consumersInOrder().filter((x) => x.pel.size > 0);
    w.array(owners.length);
    for (const o of owners) {
      w.array(2);
      w.bulk(o.name);
      w.bulk(String(o.pel.size));
    }
    return;
  }
  let pel: IdOrder<PendingEntry> = g.pel;
  if (consumerName !== null) {
    const consumer = g.consumer(consumerName);
    if (consumer === undefined) return w.array(0);
    pel = consumer.pel;
  }
  const now = Date.now();
  const rows: [StreamId, PendingEntry][] = [];
  if (count > 0) {
    pel.walk(start, end, (id, e) => {
      if (minIdle !== 0 && now - e.deliveryTime < minIdle) return true;
      rows.push([id, e]);
      return rows.length < count;
    });
  }
  w.array(rows.length);
  for (const [id, e] of rows) {
    w.array(4);
    w.bulk(formatId(id));
    w.bulk(e.consumer.name);
    w.integer(Math.max(now - e.deliveryTime, 0));
    w.integer(e.deliveryCount);
  }
}

// ---- XCLAIM, XAUTOCLAIM ------------------------------------------------------------------------------

function xclaim(c: Session, argv: string[]): void {
  const w = c.w;
  const key = argv[1];
  const group = argv[2];
  const s = readStream(c, key);
  if (s === null) return;
  const g = s?.groups?.get(group);
  if (s === undefined || g === undefined) return w.error(Err.noGroup(key, group));
  let minIdle = longLongArg(c, argv[4], Err.xclaimMinIdle('XCLAIM'));
  if (minIdle === null) return;
  minIdle = Math.max(minIdle, 0);

  // The IDs run up to the first argument that is not one; options follow.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = parseStreamId(argv[j], MissingSeq.Min, true);
    if (id === null) break;
    ids.push(id);
  }
  const now = Date.now();
  let force = false;
  let justId = false;
  let deliveryTime = -1;
  let retryCount = -1;
  let lastId = MIN_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j];
    if (is(o, 'FORCE')) force = true;
    else if (is(o, 'JUSTID')) justId = true;
    else if (is(o, 'IDLE') && more > 0) {
      const v = longLongArg(c, argv[++j], Err.xclaimOption('IDLE'));
      if (v === null) return;
      deliveryTime = now - v;
    } else if (is(o, 'TIME') && more > 0) {
      const v = longLongArg(c, argv[++j], Err.xclaimOption('TIME'));
      if (v === null) return;
      deliveryTime = v;
    } else if (is(o, 'RETRYCOUNT') && more > 0) {
      const v = longLongArg(c, argv[++j], Err.xclaimOption('RETRYCOUNT'));
      if (v === null) return;
      retryCount = v;
    } else if (is(o, 'LASTID') && more > 0) {
      const v = idArg(c, argv[++j]);
      if (v === null) return;
      lastId = v;
    } else return w.error(Err.xclaimUnknownOption(o));
  }
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  // A delivery time in the future or before the epoch is taken as now (clients compute it from their own clock).
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;

  c.propagated = true;
  let changed = propagateLastId;
  let consumer: Consumer | null = null;
  const replies: StreamId[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const idArg = argv[5 + i];
    let e = g.pel.get(id);
    if (!s.has(id)) {
      // An entry deleted from the stream leaves the PEL here (fed first, as the XCLAIM that drops it on replay).
      if (e !== undefined) {
        propagateClaim(c, key, group, g, idArg, e);
        propagateLastId = false;
        g.ack(id);
        changed = true;
      }
      continue;
    }
    if (e === undefined) {
      if (!force) continue;
    } else if (minIdle !== 0 && now - e.deliveryTime < minIdle) continue;
    consumer ??= g.touchConsumer(argv[3], now).consumer;
    // FORCE on an entry nobody has pending creates it (streamCreateNACK: one delivery so far).
    if (e === undefined) e = g.addPending(id, consumer, now, 1);
    else g.transfer(id, e, consumer);
    e.deliveryTime = deliveryTime;
    if (retryCount >= 0) e.deliveryCount = retryCount;
    else if (!justId) e.deliveryCount++;
    replies.push(id);
    propagateClaim(c, key, group, g, idArg, e);
    propagateLastId = false;
    changed = true;
  }
  if (propagateLastId) propagateGroupId(c, key, group, g);
  if (changed) c.db.modifiedGroups(key);
  w.array(replies.length);
  for (const id of replies) {
    if (justId) w.bulk(formatId(id));
    else replyEntryById(w, s, id);
  }
}

/** XAUTOCLAIM's COUNT ceiling: LONG_MAX / max(sizeof(streamID) = 16, attempts factor 10). */
const AUTOCLAIM_MAX_COUNT = 576460752303423487n;
/**
 * Redis allocates COUNT stream IDs (16 bytes each) up front and fails beyond what the address
 * space can hold (2^47 bytes on x86-64 and arm64); Brook allocates only what it finds, and gives
 * the same error where Redis's allocation cannot succeed.
 */
const AUTOCLAIM_ALLOCATABLE = 2 ** 43;

function xautoclaim(c: Session, argv: string[]): void {
  const w = c.w;
  const key = argv[1];
  const group = argv[2];
  let minIdle = longLongArg(c, argv[4], Err.xclaimMinIdle('XAUTOCLAIM'));
  if (minIdle === null) return;
  minIdle = Math.max(minIdle, 0);
  const from = parseIntervalId(argv[5], MissingSeq.Min);
  if (from === null) return w.error(Err.invalidStreamId);
  let start = from.id;
  if (from.exclusive) {
    const next = incrId(start);
    if (next === null) return w.error(Err.streamIntervalStart);
    start = next;
  }
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'COUNT') && more > 0) {
      const v = parseInt64(argv[++j]);
      if (v === null || v < 1 || BigInt(v) > AUTOCLAIM_MAX_COUNT) return w.error(Err.autoclaimCount);
      count = Number(v);
    } else if (is(argv[j], 'JUSTID')) justId = true;
    else return w.error(Err.syntax);
  }
  const s = readStream(c, key);
  if (s === null) return;
  const g = s?.groups?.get(group);
  if (s === undefined || g === undefined) return w.error(Err.noGroup(key, group));
  if (count > AUTOCLAIM_ALLOCATABLE) return w.error(Err.autoclaimNoMemory);

  c.propagated = true;
  const now = Date.now();
  let attempts = count * 10;
  let consumer: Consumer | null = null;
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  let cursor = MIN_ID;
  g.pel.walk(start, MAX_ID, (id, e) => {
    if (attempts === 0 || count === 0) {
      cursor = id;
      return false;
    }
    attempts--;
    if (!s.has(id)) {
      propagateClaim(c, key, group, g, formatId(id), e);
      g.ack(id);
      deleted.push(id);
      count--;
      return true;
    }
    if (minIdle !== 0 && now - e.deliveryTime < minIdle) return true;
    consumer ??= g.touchConsumer(argv[3], now).consumer;
    g.transfer(id, e, consumer);
    e.deliveryTime = now;
    if (!justId) e.deliveryCount++;
    claimed.push(id);
    count--;
    propagateClaim(c, key, group, g, formatId(id), e);
    return true;
  });
  if (claimed.length > 0 || deleted.length > 0) c.db.modifiedGroups(key);
  w.array(3);
  w.bulk(formatId(cursor));
  w.array(claimed.length);
  for (const id of claimed) {
    if (justId) w.bulk(formatId(id));
    else replyEntryById(w, s, id);
  }
  w.array(deleted.length);
  for (const id of deleted) w.bulk(formatId(id));
}

// ---- XINFO ---------------------------------------------------------------------------------------------

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

/** The stream XINFO reports on; null after the error reply (no such key, wrong type). */
function xinfoStream(c: Session, key: string): StreamValue | null {
  const s = readStream(c, key);
  if (s === undefined) c.w.error(Err.noSuchKey);
  return s ?? null;
}

function xinfoConsumers(c: Session, argv: string[]): void {
  const s = xinfoStream(c, argv[2]);
  if (s === null) return;
  const g = s.groups?.get(argv[3]);
  if (g === undefined) return c.w.error(Err.noGroupForKey(argv[3], argv[2]));
  const w = c.w;
  const now = Date.now();
  const consumers = g.consumersInOrder();
  w.array(consumers.length);
  for (const x of consumers) {
    w.map(3);
    w.bulk('name');
    w.bulk(x.name);
    w.bulk('pending');
    w.integer(x.pel.size);
    w.bulk('idle');
    w.integer(Math.max(now - x.seenTime, 0));
  }
}

function xinfoGroups(c: Session, argv: string[]): void {
  const s = xinfoStream(c, argv[2]);
  if (s === null) return;
  const w = c.w;
  const groups = s.groups?.inOrder() ?? [];
  w.array(groups.length);
  for (const [name, g] of groups) {
    w.map(6);
    w.bulk('name');
    w.bulk(name);
    w.bulk('consumers');
    w.integer(g.consumerCount);
    w.bulk('pending');
    w.integer(g.pel.size);
    w.bulk('last-delivered-id');
    w.bulk(formatId(g.lastId));
    w.bulk('entries-read');
    replyEntriesRead(w, g);
    w.bulk('lag');
    replyLag(w, s, g);
  }
}

function xinfoStreamCommand(c: Session, argv: string[]): void {
  const s = xinfoStream(c, argv[2]);
  if (s === null) return;
  const w = c.w;
  const opts = argv.length - 3;
  let full = false;
  let count = 10;
  if (opts > 0) {
    if ((opts !== 1 && opts !== 3) || !is(argv[3], 'FULL') || (opts === 3 && !is(argv[4], 'COUNT'))) {
      return w.error(Err.subcommandSyntax(argv[1], argv[0]));
    }
    full = true;
    if (opts === 3) {
      const n = longLongArg(c, argv[5]);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
  }
  w.map(full ? 9 : 10);
  w.bulk('length');
  w.integer(s.length);
  // Redis's radix-tree-keys/-nodes count its rax of listpacks. Brook's blocks split where those
  // listpacks do, so the keys agree; its nodes are the blocks plus the index nodes over them
  // (README: known differences).
  w.bulk('radix-tree-keys');
  w.integer(s.blockCount);
  w.bulk('radix-tree-nodes');
  w.integer(s.blockCount + s.indexNodeCount);
  w.bulk('last-generated-id');
  w.bulk(formatId(s.lastId));
  w.bulk('max-deleted-entry-id');
  w.bulk(formatId(s.maxDeletedId));
  w.bulk('entries-added');
  w.integer(s.entriesAdded);
  w.bulk('recorded-first-entry-id');
  w.bulk(formatId(s.firstId));
  if (!full) {
    w.bulk('groups');
    w.integer(s.groups?.size ?? 0);
    w.bulk('first-entry');
    replyEdgeEntry(w, s, false);
    w.bulk('last-entry');
    replyEdgeEntry(w, s, true);
    return;
  }
  w.bulk('entries');
  writeRange(w, s, MIN_ID, MAX_ID, count, false);
  w.bulk('groups');
  const groups = s.groups?.inOrder() ?? [];
  w.array(groups.length);
  for (const [name, g] of groups) replyGroupFull(w, s, name, g, count);
}

/** The first or last entry, or a null. */
function replyEdgeEntry(w: ReplyWriter, s: StreamValue, last: boolean): void {
  if (s.length === 0 || !replyEntryById(w, s, s.edgeId(last))) w.nil();
}

/** One group of XINFO STREAM FULL: its counters, up to `count` PEL entries (0: all), its consumers. */
function replyGroupFull(w: ReplyWriter, s: StreamValue, name: string, g: ConsumerGroup, count: number): void {
  w.map(7);
  w.bulk('name');
  w.bulk(name);
  w.bulk('last-delivered-id');
  w.bulk(formatId(g.lastId));
  w.bulk('entries-read');
  replyEntriesRead(w, g);
  w.bulk('lag');
  replyLag(w, s, g);
  w.bulk('pel-count');
  w.integer(g.pel.size);
  w.bulk('pending');
  const pending = firstPending(g.pel, count);
  w.array(pending.length);
  for (const [id, e] of pending) {
    w.array(4);
    w.bulk(formatId(id));
    w.bulk(e.consumer.name);
    w.integer(e.deliveryTime);
    w.integer(e.deliveryCount);
  }
  w.bulk('consumers');
  const consumers = g.consumersInOrder();
  w.array(consumers.length);
  for (const x of consumers) {
    w.map(4);
    w.bulk('name');
    w.bulk(x.name);
    w.bulk('seen-time');
    w.integer(x.seenTime);
    w.bulk('pel-count');
    w.integer(x.pel.size);
    w.bulk('pending');
    const own = firstPending(x.pel, count);
    w.array(own.length);
    for (const [id, e] of own) {
      w.array(3);
      w.bulk(formatId(id));
      w.integer(e.deliveryTime);
      w.integer(e.deliveryCount);
    }
  }
}

function firstPending(pel: IdOrder<PendingEntry>, count: number): [StreamId, PendingEntry][] {
  const out: [StreamId, PendingEntry][] = [];
  if (pel.size === 0) return out;
  pel.walk(MIN_ID, MAX_ID, (id, e) => {
    out.push([id, e]);
    return count === 0 || out.length < count;
  });
  return out;
}

// ---- the command table -----------------------------------------------------------------------------

const cmd = specMaker('stream');

function sub(
  name: string,
  arity: number,
  flags: CommandSpec['flags'],
  summary: string,
  since: string,
  complexity: string,
  handler: CommandSpec['handler'],
): CommandSpec {
  return { name, arity, flags, keys: [2, 2, 1], group: 'stream', summary, since, complexity, handler };
}

export const streamGroupsFamily: CommandFamily = {
  name: 'stream-groups',
  commands: [
    {
      name: 'xgroup',
      arity: -2,
      flags: [],
      group: 'stream',
      summary: 'A container for consumer groups commands',
      since: '5.0.0',
      complexity: 'Depends on subcommand.',
      subcommands: [
        sub('create', -5, ['write', 'denyoom'], 'Create a consumer group.', '5.0.0', 'O(1)', xgroupCreate),
        sub('setid', -5, ['write'], 'Set a consumer group to an arbitrary last delivered ID value.', '5.0.0', 'O(1)', xgroupSetid),
        sub(
          'destroy',
          4,
          ['write'],
          'Destroy a consumer group.',
          '5.0.0',
          "O(N) where N is the number of entries in the group's pending entries list (PEL).",
          xgroupDestroy,
        ),
        sub('createconsumer', 5, ['write', 'denyoom'], 'Create a consumer in a consumer group.', '6.2.0', 'O(1)', xgroupCreateConsumer),
        sub('delconsumer', 5, ['write'], 'Delete a consumer from a consumer group.', '5.0.0', 'O(1)', xgroupDelConsumer),
        helpSubcommand('stream', '5.0.0', XGROUP_HELP),
      ],
    },
    cmd(
      'xreadgroup',
      -7,
      ['write', 'blocking'],
      [0, 0, 0],
      'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.',
      '5.0.0',
      'For each stream mentioned: O(M) with M the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
      xreadgroup,
      xreadKeys,
    ),
    cmd(
      'xack',
      -4,
      ['write', 'fast'],
      [1, 1, 1],
      'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.',
      '5.0.0',
      'O(1) for each message ID processed.',
      xack,
    ),
    cmd(
      'xpending',
      -3,
      ['readonly'],
      [1, 1, 1],
      'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.',
      '5.0.0',
      'O(N) with N the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
      xpending,
    ),
    cmd(
      'xclaim',
      -6,
      ['write', 'fast'],
      [1, 1, 1],
      'Changes (or acquire) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.',
      '5.0.0',
      'O(log N) with N being the number of messages in the PEL of the consumer group.',
      xclaim,
    ),
    cmd(
      'xautoclaim',
      -6,
      ['write', 'fast'],
      [1, 1, 1],
      'Changes (or acquire) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.',
      '6.2.0',
      'O(1) if COUNT is small.',
      xautoclaim,
    ),
    {
      name: 'xinfo',
      arity: -2,
      flags: [],
      group: 'stream',
      summary: 'A container for stream introspection commands',
      since: '5.0.0',
      complexity: 'Depends on subcommand.',
      subcommands: [
        sub('consumers', 4, ['readonly'], 'List the consumers in a consumer group', '5.0.0', 'O(1)', xinfoConsumers),
        sub('groups', 3, ['readonly'], 'List the consumer groups of a stream', '5.0.0', 'O(1)', xinfoGroups),
        sub('stream', -3, ['readonly'], 'Get information about a stream', '5.0.0', 'O(1)', xinfoStreamCommand),
        helpSubcommand('stream', '5.0.0', XINFO_HELP),
      ],
    },
  ],
};
