/**
 * Consumer groups of a stream (Redis's streamCG, streamConsumer, streamNACK): per group the last
 * delivered ID, the entries-read counter and the pending entries list (PEL); per consumer its own
 * PEL, sharing the group's entry objects. PELs are ordered by ID in an OrderTree (the sorted sets'
 * B+tree, every score 0 and the 16-byte ID string as member, so member order is ID order) next to
 * a Map for lookups: XACK, XCLAIM and a range of XPENDING cost O(log n) (+ the range), even with
 * millions of pending entries. Commands: libs/commands/src/stream-groups.ts.
 */
import { Below, OrderTree } from '../zset/order-tree.js';
import { normalizeInt64, type Int64 } from '../string/int64.js';
import type { StreamId } from './stream-id.js';
import { heapMap, heapNumber, heapObject, sampledTotal, heapString } from '../../footprint.js';

/** entries-read when unknown (SCG_INVALID_ENTRIES_READ): XINFO shows null, lag is estimated. */
export const ENTRIES_READ_UNKNOWN = -1;

/**
 * entries-added and entries-read, exact over Redis's 64-bit range: a number while safe (every
 * XADD and delivery stays allocation-free), a bigint beyond 2^53 (only XSETID ENTRIESADDED or
 * XGROUP ... ENTRIESREAD put them there). Arithmetic wraps as Redis's two's-complement long long
 * does: entries-added is a uint64 there but every reader casts it to long long.
 */
export type StreamCounter = Int64;

/** v + 1 (an XADD, a delivery). */
export function counterPlusOne(v: StreamCounter): StreamCounter {
  return typeof v === 'number' && v < Number.MAX_SAFE_INTEGER ? v + 1 : wrapCounter(BigInt(v) + 1n);
}

/** a - b (lag, estimated entries-read). */
export function counterMinus(a: StreamCounter, b: StreamCounter): StreamCounter {
  if (typeof a === 'number' && typeof b === 'number') {
    const d = a - b;
    // Both operands are safe, so a safe-looking difference is exact; anything else is redone in bigint.
    if (Number.isSafeInteger(d)) return d;
  }
  return wrapCounter(BigInt(a) - BigInt(b));
}

function wrapCounter(v: bigint): StreamCounter {
  return normalizeInt64(BigInt.asIntN(64, v));
}

/**
 * IDs in order (an OrderTree: every score 0, the 16-byte IDs as members, so member order is ID
 * order), their values looked up in `values`: walks, first/last and ranges cost O(log n + k).
 */
export abstract class IdOrder<V> {
  protected order = new OrderTree();

  constructor(protected readonly values: Map<StreamId, V>) {}

  get size(): number {
    return this.order.size;
  }

  /** Bytes of the order (the tree; the ID strings are counted by the IdMap that owns them). */
  orderBytes(): number {
    return this.order.footprint();
  }

  first(): StreamId | undefined {
    return this.at(0);
  }

  last(): StreamId | undefined {
    return this.at(this.order.size - 1);
  }

  private at(rank: number): StreamId | undefined {
    return rank >= 0 && rank < this.order.size ? (this.order.memberAt(rank) as StreamId) : undefined;
  }

  /** The first ID at or after `from`, or undefined. */
  ceiling(from: StreamId): StreamId | undefined {
    return this.at(this.order.countBelow(Below.Lex, 0, from));
  }

  /** Visits every ID in order; `visit` must not change this order (it may change others sharing the values). */
  forEachId(visit: (id: StreamId) => void): void {
    this.order.range(0, this.order.size, false, visit as (member: string) => void);
  }

  /**
   * Visits the entries with from <= ID <= to in order until `visit` returns false. `visit` may
   * delete entries (XAUTOCLAIM drops deleted ones): the walk goes in small batches, resuming
   * after the last ID it visited.
   */
  walk(from: StreamId, to: StreamId, visit: (id: StreamId, v: V) => boolean): void {
    const batch: StreamId[] = [];
    let rank = this.order.countBelow(Below.Lex, 0, from);
    for (;;) {
      batch.length = 0;
      this.order.range(rank, Math.min(rank + 64, this.order.size), false, (m) => batch.push(m as StreamId));
      if (batch.length === 0) return;
      for (const id of batch) {
        if (id > to) return;
        const v = this.values.get(id);
        if (v !== undefined && !visit(id, v)) return;
      }
      rank = this.order.countBelow(Below.LexOrEqual, 0, batch[batch.length - 1]);
    }
  }
}

/** IDs in order, each with a value (a group's PEL): the Map answers lookups, the tree order and ranges. */
export class IdMap<V> extends IdOrder<V> {
  constructor() {
    super(new Map<StreamId, V>());
  }

  get(id: StreamId): V | undefined {
    return this.values.get(id);
  }

  /** Adds `id`, which must not be there yet. */
  add(id: StreamId, v: V): void {
    this.values.set(id, v);
    this.order.insert(0, id);
  }

  delete(id: StreamId): boolean {
    if (!this.values.delete(id)) return false;
    this.order.delete(0, id);
    return true;
  }

  /**
   * Deletes every ID of `subset` (a consumer's PEL). A small share goes one by one; the whole set
   * is dropped at once; a large share is dropped from the Map and the order is rebuilt from what
   * is left in one O(n) pass, cheaper than a descent per ID (DELCONSUMER of a worker holding half
   * of a million pending entries).
   */
  deleteSubset(subset: IdSubset<V>): void {
    if (subset.size === this.size) {
      this.values.clear();
      this.order = new OrderTree();
    } else if (subset.size < this.size >>> 3) {
      subset.walk(MIN_KEY, MAX_KEY, (id) => this.delete(id));
    } else {
      // Both orders are sorted and the doomed IDs are the same strings in both: one merge walk.
      const doomed: StreamId[] = [];
      subset.forEachId((id) => {
        this.values.delete(id);
        doomed.push(id);
      });
      let next = 0;
      this.order.retain((id) => {
        if (id !== doomed[next]) return true;
        next++;
        return false;
      });
    }
  }

  /** A subset of these IDs in its own order, sharing the values (a consumer's PEL within its group's). */
  subset(): IdSubset<V> {
    return new IdSubset(this.values);
  }
}

/** Some IDs of an IdMap, ordered on their own, their values read from it: one Map entry per pending entry, not two. */
export class IdSubset<V> extends IdOrder<V> {
  /** Adds `id`, which must not be there yet (its value is in the IdMap). */
  add(id: StreamId): void {
    this.order.insert(0, id);
  }

  delete(id: StreamId): void {
    this.order.delete(0, id);
  }
}

/** A delivered, not yet acknowledged entry (streamNACK): in the group's PEL and its consumer's. */
export interface PendingEntry {
  /** Unix ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

export class Consumer {
  constructor(
    readonly name: string,
    /** Unix ms the consumer was last seen (created, read, claimed): XINFO CONSUMERS idle. */
    public seenTime: number,
    /** Its pending entries: a subset of the group's PEL. */
    readonly pel: IdSubset<PendingEntry>,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new IdMap<PendingEntry>();
  private readonly consumers = new Map<string, Consumer>();

  constructor(
    public lastId: StreamId,
    /** Entries read up to lastId (its logical position in the stream), or ENTRIES_READ_UNKNOWN. */
    public entriesRead: StreamCounter,
  ) {}

  get consumerCount(): number {
    return this.consumers.size;
  }

  consumer(name: string): Consumer | undefined {
    return this.consumers.get(name);
  }

  /** A new consumer; null when one by that name exists. */
  createConsumer(name: string, now: number): Consumer | null {
    if (this.consumers.has(name)) return null;
    const c = new Consumer(name, now, this.pel.subset());
    this.consumers.set(name, c);
    return c;
  }

  /** The consumer, created when missing, seen now (streamLookupConsumer / streamCreateConsumer). */
  touchConsumer(name: string, now: number): { consumer: Consumer; created: boolean } {
    const c = this.consumers.get(name);
    if (c !== undefined) {
      c.seenTime = now;
      return { consumer: c, created: false };
    }
    return { consumer: this.createConsumer(name, now)!, created: true };
  }

  /** Removes a consumer and its pending entries from the group's PEL; returns how many it had. */
  deleteConsumer(c: Consumer): number {
    const pending = c.pel.size;
    this.pel.deleteSubset(c.pel);
    this.consumers.delete(c.name);
    return pending;
  }

  /** The consumers in name order (byte order, as Redis's radix tree lists them). */
  consumersInOrder(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Records a delivery of `id` to `consumer` (a read with `>`): a new pending entry, or one already
   * pending (after SETID moved the group back) handed to this consumer with a fresh count.
   */
  deliver(id: StreamId, consumer: Consumer, now: number): PendingEntry {
    const e = this.pel.get(id);
    if (e === undefined) return this.addPending(id, consumer, now, 1);
    this.transfer(id, e, consumer);
    e.deliveryTime = now;
    e.deliveryCount = 1;
    return e;
  }

  /** Gives a pending entry to `consumer` (XCLAIM, XAUTOCLAIM). */
  transfer(id: StreamId, e: PendingEntry, consumer: Consumer): void {
    if (e.consumer === consumer) return;
    e.consumer.pel.delete(id);
    consumer.pel.add(id);
    e.consumer = consumer;
  }

  /** A new pending entry for `id` (nobody has it pending) owned by `consumer`. */
  addPending(id: StreamId, consumer: Consumer, deliveryTime: number, deliveryCount: number): PendingEntry {
    const e: PendingEntry = { deliveryTime, deliveryCount, consumer };
    this.pel.add(id, e);
    consumer.pel.add(id);
    return e;
  }

  /** Drops `id` from the group's PEL and its consumer's; false when it was not pending (XACK). */
  ack(id: StreamId): boolean {
    const e = this.pel.get(id);
    if (e === undefined) return false;
    this.pel.delete(id);
    e.consumer.pel.delete(id);
    return true;
  }

  /** A deep copy: consumers, and PEL entries shared between group and consumer as in the original. */
  /**
   * Bytes the group holds: its PEL (a Map entry, a 16-byte ID string and a PendingEntry per
   * pending entry, plus the order) and its consumers (each with its own order of its entries).
   */
  footprint(samples: number): number {
    const pending = this.pel.size;
    const perPending = heapString(16) + heapObject(3) + heapNumber(Date.now());
    const consumers = [...this.consumers.values()];
    return (
      heapObject(4) +
      heapMap(pending) +
      pending * perPending +
      this.pel.orderBytes() +
      heapMap(consumers.length) +
      sampledTotal(
        consumers.length,
        samples,
        (i) => heapObject(3) + heapString(consumers[i].name.length) + heapObject(2) + consumers[i].pel.orderBytes(),
      )
    );
  }

  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastId, this.entriesRead);
    for (const c of this.consumers.values()) copy.consumers.set(c.name, new Consumer(c.name, c.seenTime, copy.pel.subset()));
    this.pel.walk(MIN_KEY, MAX_KEY, (id, e) => {
      copy.addPending(id, copy.consumers.get(e.consumer.name)!, e.deliveryTime, e.deliveryCount);
      return true;
    });
    return copy;
  }
}

const MIN_KEY = '\0'.repeat(16) as StreamId;
const MAX_KEY = '\xff'.repeat(16) as StreamId;

/** A stream's groups by name. */
export class ConsumerGroups {
  private readonly groups = new Map<string, ConsumerGroup>();

  get size(): number {
    return this.groups.size;
  }

  get(name: string): ConsumerGroup | undefined {
    return this.groups.get(name);
  }

  /** A new group; null when one by that name exists. */
  create(name: string, lastId: StreamId, entriesRead: StreamCounter): ConsumerGroup | null {
    if (this.groups.has(name)) return null;
    const g = new ConsumerGroup(lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  delete(name: string): boolean {
    return this.groups.delete(name);
  }

  /** [name, group] in name order (byte order, as Redis's radix tree lists them). */
  inOrder(): [string, ConsumerGroup][] {
    return [...this.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  footprint(samples: number): number {
    const groups = [...this.groups];
    return (
      heapMap(groups.length) +
      sampledTotal(groups.length, samples, (i) => heapString(groups[i][0].length) + groups[i][1].footprint(samples))
    );
  }

  clone(): ConsumerGroups {
    const copy = new ConsumerGroups();
    for (const [name, g] of this.groups) copy.groups.set(name, g.clone());
    return copy;
  }
}

/** What lag estimation reads of a stream (streamEstimateDistanceFromFirstEverEntry's inputs). */
export interface StreamCounters {
  readonly length: number;
  readonly entriesAdded: StreamCounter;
  readonly lastId: StreamId;
  /** The first entry's ID (recorded-first-entry-id); 0-0 when empty. */
  readonly firstId: StreamId;
  /** The largest ID ever deleted (XDEL), 0-0 when none. */
  readonly maxDeletedId: StreamId;
}

/** Whether a deletion happened in [start, end] of the current entries (streamRangeHasTombstones; end: +∞). */
export function rangeHasTombstones(s: StreamCounters, start: StreamId, end: StreamId = MAX_KEY): boolean {
  if (s.length === 0 || s.maxDeletedId === MIN_KEY) return false;
  if (s.firstId > s.maxDeletedId) return false;
  return start <= s.maxDeletedId && s.maxDeletedId <= end;
}

/**
 * The logical read counter of `id`: its distance from the first entry ever added, when the stream
 * can tell it (streamEstimateDistanceFromFirstEverEntry); ENTRIES_READ_UNKNOWN otherwise.
 */
export function estimateEntriesRead(s: StreamCounters, id: StreamId): StreamCounter {
  if (s.entriesAdded === 0) return 0;
  if (s.length === 0 && id <= s.lastId) return s.entriesAdded;
  if (id === s.lastId) return s.entriesAdded;
  if (id > s.lastId) return ENTRIES_READ_UNKNOWN;
  if (s.maxDeletedId === MIN_KEY || s.maxDeletedId < s.firstId) {
    // Not empty here (an ID below lastId in an empty stream returned above), so length - 1 >= 0.
    if (id < s.firstId) return counterMinus(s.entriesAdded, s.length);
    if (id === s.firstId) return counterMinus(s.entriesAdded, s.length - 1);
  }
  return ENTRIES_READ_UNKNOWN;
}

/** The group's lag (entries not yet delivered), or null when it cannot be known (streamReplyWithCGLag). */
export function groupLag(s: StreamCounters, g: ConsumerGroup): StreamCounter | null {
  if (s.entriesAdded === 0) return 0;
  if (g.entriesRead !== ENTRIES_READ_UNKNOWN && !rangeHasTombstones(s, g.lastId)) return counterMinus(s.entriesAdded, g.entriesRead);
  const read = estimateEntriesRead(s, g.lastId);
  return read === ENTRIES_READ_UNKNOWN ? null : counterMinus(s.entriesAdded, read);
}

/**
 * Advances the group past `id`, an entry it delivers now (in streamReplyWithRange): entries-read
 * goes up by one while it is valid and no deletion lies ahead, else it is estimated afresh.
 */
export function advanceGroup(s: StreamCounters, g: ConsumerGroup, id: StreamId): void {
  if (g.entriesRead !== ENTRIES_READ_UNKNOWN && !rangeHasTombstones(s, id)) g.entriesRead = counterPlusOne(g.entriesRead);
  else if (s.entriesAdded !== 0) g.entriesRead = estimateEntriesRead(s, id);
  g.lastId = id;
}
