import {
  ConsumerGroups,
  estimateEntriesRead,
  idMs,
  idSeq,
  MAX_ID,
  MIN_ID,
  normalizeInt64,
  streamId,
  StreamValue,
  type StreamCounter,
  type StreamId,
  type U64,
} from '@brook/storage';
import type { ByteWriter } from './byte-writer.js';
import { ListpackReader, type ListpackBuilder } from './listpack.js';
import { RdbFormatError } from './rdb-error.js';
import type { RdbInput } from './rdb-input.js';
import type { EncodingLimits } from './rdb-types.js';

/**
 * Streams as STREAM_LISTPACKS_2 (type 19), the only form Redis 7.0 writes (interop.md §1.7):
 * listpack nodes keyed by their master ID, the stream's counters, then the consumer groups with
 * their PELs and consumers. Brook keeps no tombstones worth saving, so a written node holds live
 * entries only (deleted = 0); a read node's tombstones are skipped.
 */

/** Entry flags in a stream node. */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
/** Per-element listpack overhead assumed when deciding where a node ends (encoding + backlen). */
const ELEMENT_OVERHEAD = 3;

/** A u64 RDB length holding a signed 64-bit counter (entries_read -1 is written as 2^64 - 1). */
function writeCounter(out: ByteWriter, v: StreamCounter): void {
  out.len(typeof v === 'number' && v >= 0 ? v : BigInt.asUintN(64, BigInt(v)));
}

function readCounter(input: RdbInput): StreamCounter {
  const v = input.lenU64();
  return typeof v === 'number' ? v : normalizeInt64(BigInt.asIntN(64, v));
}

/** `a - b` as the int64 Redis stores for ID deltas. */
function delta(a: U64, b: U64): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const d = BigInt.asIntN(64, BigInt(a) - BigInt(b));
  return d >= -9007199254740991n && d <= 9007199254740991n ? Number(d) : d;
}

/** `base + d` as an unsigned 64-bit ID part (the master ID plus a stored delta). */
function applyDelta(base: U64, d: number | bigint): U64 {
  if (typeof base === 'number' && typeof d === 'number') {
    const v = base + d;
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) return v;
  }
  const v = BigInt.asUintN(64, BigInt(base) + BigInt(d));
  return v <= 9007199254740991n ? Number(v) : v;
}

/** One node's entries, gathered before it is encoded (its master entry starts with their count). */
interface NodeEntries {
  ids: StreamId[];
  pairs: string[][];
}

export function writeStream(out: ByteWriter, s: StreamValue, compression: boolean, lp: ListpackBuilder, limits: EncodingLimits): void {
  const nodes: NodeEntries[] = [];
  let node: NodeEntries | null = null;
  let nodeBytes = 0;
  const it = s.iterate(MIN_ID, MAX_ID);
  while (it.next()) {
    const pairs: string[] = [];
    let bytes = 0;
    for (let i = 0; i < it.pairs; i++) {
      const f = it.field(i);
      const v = it.value(i);
      pairs.push(f, v);
      bytes += f.length + v.length + 2 * ELEMENT_OVERHEAD;
    }
    const full =
      node !== null &&
      ((limits.streamNodeMaxBytes > 0 && nodeBytes + bytes >= limits.streamNodeMaxBytes) ||
        (limits.streamNodeMaxEntries > 0 && node.ids.length >= limits.streamNodeMaxEntries));
    if (node === null || full) {
      node = { ids: [], pairs: [] };
      nodes.push(node);
      nodeBytes = 0;
    }
    node.ids.push(it.id);
    node.pairs.push(pairs);
    nodeBytes += bytes;
  }
  out.len(nodes.length);
  for (const n of nodes) writeNode(out, n, compression, lp);
  out.len(s.length);
  writeId(out, s.lastId);
  writeId(out, s.firstId);
  writeId(out, s.maxDeletedId);
  writeCounter(out, s.entriesAdded);
  const groups = s.groups?.inOrder() ?? [];
  out.len(groups.length);
  for (const [name, g] of groups) {
    out.rstr(name, compression);
    writeId(out, g.lastId);
    writeCounter(out, g.entriesRead);
    out.len(g.pel.size);
    g.pel.forEachId((id) => {
      const e = g.pel.get(id)!;
      out.latin1(id);
      out.i64le(e.deliveryTime);
      out.len(e.deliveryCount);
    });
    const consumers = g.consumersInOrder();
    out.len(consumers.length);
    for (const c of consumers) {
      out.rstr(c.name, compression);
      out.i64le(c.seenTime);
      out.len(c.pel.size);
      c.pel.forEachId((id) => out.latin1(id));
    }
  }
}

function writeId(out: ByteWriter, id: StreamId): void {
  out.len(idMs(id));
  out.len(idSeq(id));
}

/** One node: master entry (count, deleted, fields, 0) then each entry with its deltas and lp-count. */
function writeNode(out: ByteWriter, node: NodeEntries, compression: boolean, lp: ListpackBuilder): void {
  const master = node.ids[0];
  const masterMs = idMs(master);
  const masterSeq = idSeq(master);
  const masterPairs = node.pairs[0];
  const masterFields = masterPairs.length / 2;
  lp.begin();
  lp.int(node.ids.length);
  lp.int(0);
  lp.int(masterFields);
  for (let i = 0; i < masterPairs.length; i += 2) lp.string(masterPairs[i]);
  lp.int(0);
  for (let e = 0; e < node.ids.length; e++) {
    const id = node.ids[e];
    const pairs = node.pairs[e];
    const fields = pairs.length / 2;
    let same = fields === masterFields;
    for (let i = 0; same && i < pairs.length; i += 2) same = pairs[i] === masterPairs[i];
    lp.int(same ? FLAG_SAMEFIELDS : 0);
    lp.int(delta(idMs(id), masterMs));
    lp.int(delta(idSeq(id), masterSeq));
    if (same) {
      for (let i = 1; i < pairs.length; i += 2) lp.string(pairs[i]);
      lp.int(fields + 3);
    } else {
      lp.int(fields);
      for (const p of pairs) lp.string(p);
      lp.int(2 * fields + 4);
    }
  }
  const end = lp.finish();
  out.len(16);
  out.latin1(master);
  out.rstrBytes(lp.out.buf, 0, end, compression);
}

/** Reads type 19 (`v2`) or the older type 15 (no first/max-deleted IDs, entries-added or entries-read). */
export function readStream(input: RdbInput, limits: EncodingLimits, v2: boolean): StreamValue {
  const s = new StreamValue();
  const nodes = input.len();
  const argv: string[] = [];
  for (let n = 0; n < nodes; n++) {
    const key = input.span();
    if (key.end - key.start !== 16) throw new RdbFormatError('Stream node key entry is not the size of a stream ID');
    const master = key.buf.latin1Slice(key.start, key.end) as StreamId;
    const blob = input.span();
    const r = new ListpackReader(blob.buf, blob.start, blob.end);
    if (!r.hasNext()) throw new RdbFormatError('Empty listpack inside stream');
    const count = r.nextNumber();
    const deleted = r.nextNumber();
    const masterFieldCount = r.nextNumber();
    if (count < 0 || deleted < 0 || masterFieldCount < 0 || count + deleted === 0)
      throw new RdbFormatError('Stream node with a bad master entry');
    const masterFields: string[] = [];
    for (let i = 0; i < masterFieldCount; i++) masterFields.push(r.next());
    if (r.nextInt() !== 0) throw new RdbFormatError('Stream node master entry not terminated');
    const masterMs = idMs(master);
    const masterSeq = idSeq(master);
    let live = 0;
    let dead = 0;
    while (r.hasNext()) {
      const flags = r.nextNumber();
      const id = streamId(applyDelta(masterMs, r.nextInt()), applyDelta(masterSeq, r.nextInt()));
      argv.length = 0;
      let expected: number;
      if ((flags & FLAG_SAMEFIELDS) !== 0) {
        for (let i = 0; i < masterFieldCount; i++) argv.push(masterFields[i], r.next());
        expected = masterFieldCount + 3;
      } else {
        const fields = r.nextNumber();
        if (fields < 0) throw new RdbFormatError('Stream entry with a negative field count');
        for (let i = 0; i < fields; i++) argv.push(r.next(), r.next());
        expected = 2 * fields + 4;
      }
      if (r.nextInt() !== expected) throw new RdbFormatError('Stream entry lp-count mismatch');
      if ((flags & FLAG_DELETED) !== 0) {
        dead++;
        continue;
      }
      if (id <= s.lastId && s.length > 0) throw new RdbFormatError('Stream entries out of order');
      live++;
      s.add(id, argv, 0, limits.streamNodeMaxBytes, limits.streamNodeMaxEntries);
    }
    if (live !== count || dead !== deleted) throw new RdbFormatError('Stream node entry counts do not match its master entry');
  }
  const length = input.len();
  if (length !== s.length) throw new RdbFormatError('Stream length does not match its entries');
  const lastId = readId(input);
  if (s.length > 0 && lastId < s.lastId) throw new RdbFormatError('Stream last ID below its last entry');
  s.lastId = lastId;
  if (v2) {
    s.firstId = readId(input);
    s.maxDeletedId = readId(input);
    s.entriesAdded = readCounter(input);
  } else {
    s.entriesAdded = s.length;
  }
  const groupCount = input.len();
  if (groupCount > 0) s.groups = new ConsumerGroups();
  for (let gi = 0; gi < groupCount; gi++) {
    const name = input.str();
    const groupLast = readId(input);
    const entriesRead = v2 ? readCounter(input) : estimateEntriesRead(s, groupLast);
    const g = s.groups!.create(name, groupLast, entriesRead);
    if (g === null) throw new RdbFormatError('Duplicated consumer group name');
    // The group PEL comes first with times and counts; each consumer then claims its IDs.
    const pending = new Map<StreamId, [number, number]>();
    const pelSize = input.len();
    for (let i = 0; i < pelSize; i++) {
      const id = input.raw16() as StreamId;
      const time = input.timeMs();
      const count = input.len();
      if (pending.has(id)) throw new RdbFormatError('Duplicated global PEL entry loading stream consumer group');
      pending.set(id, [time, count]);
    }
    const consumerCount = input.len();
    for (let ci = 0; ci < consumerCount; ci++) {
      const cname = input.str();
      const seen = input.timeMs();
      const c = g.createConsumer(cname, seen);
      if (c === null) throw new RdbFormatError('Duplicate stream consumer detected');
      const own = input.len();
      for (let i = 0; i < own; i++) {
        const id = input.raw16() as StreamId;
        const e = pending.get(id);
        if (e === undefined) throw new RdbFormatError('Consumer entry not found in group global PEL');
        pending.delete(id);
        g.addPending(id, c, e[0], e[1]);
      }
    }
    if (pending.size > 0) throw new RdbFormatError('Stream group PEL entry without a consumer');
  }
  return s;
}

function readId(input: RdbInput): StreamId {
  const ms = input.lenU64();
  return streamId(ms, input.lenU64());
}
