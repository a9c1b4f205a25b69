import { describe, expect, it } from '@jest/globals';
import {
  ConsumerGroup,
  ConsumerGroups,
  ENTRIES_READ_UNKNOWN,
  IdMap,
  IdOrder,
  advanceGroup,
  counterMinus,
  counterPlusOne,
  estimateEntriesRead,
  groupLag,
  type StreamCounters,
} from './consumer-group.js';
import { MAX_ID, MIN_ID, formatId, streamId, type StreamId } from './stream-id.js';

const id = (ms: number, seq = 0): StreamId => streamId(ms, seq);

function walked<V>(m: IdOrder<V>, from = MIN_ID, to = MAX_ID): string[] {
  const out: string[] = [];
  m.walk(from, to, (k) => {
    out.push(formatId(k));
    return true;
  });
  return out;
}

describe('IdMap', () => {
  it('keeps IDs in order over thousands of inserts and deletes, and walks inclusive ranges', () => {
    const m = new IdMap<number>();
    const model = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const k = (i * 7919) % 3001;
      if (model.has(k)) {
        expect(m.delete(id(k))).toBe(true);
        model.delete(k);
      } else {
        m.add(id(k), k);
        model.add(k);
      }
    }
    const sorted = [...model].sort((a, b) => a - b);
    expect(m.size).toBe(model.size);
    expect(walked(m)).toEqual(sorted.map((k) => `${k}-0`));
    expect(m.first()).toBe(id(sorted[0]));
    expect(m.last()).toBe(id(sorted[sorted.length - 1]));
    expect(walked(m, id(100), id(200))).toEqual(sorted.filter((k) => k >= 100 && k <= 200).map((k) => `${k}-0`));
    expect(m.ceiling(id(101, 1))).toBe(id(sorted.find((k) => k > 101)!));
  });

  it('lets the visitor delete as it walks (XAUTOCLAIM drops deleted entries mid-walk)', () => {
    const m = new IdMap<number>();
    for (let k = 0; k < 500; k++) m.add(id(k), k);
    const seen: number[] = [];
    m.walk(MIN_ID, MAX_ID, (k, v) => {
      seen.push(v);
      if (v % 2 === 0) m.delete(k);
      return true;
    });
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(m.size).toBe(250);
  });
});

describe('ConsumerGroup', () => {
  it('shares pending entries between the group and its consumers, through delivery, transfer, ack and deletion', () => {
    const g = new ConsumerGroup(MIN_ID, 0);
    const a = g.createConsumer('a', 1)!;
    const b = g.touchConsumer('b', 2).consumer;
    expect(g.createConsumer('a', 3)).toBeNull();
    g.deliver(id(1), a, 10);
    g.deliver(id(2), a, 10);
    const e = g.deliver(id(2), b, 20);
    expect(e).toEqual({ deliveryTime: 20, deliveryCount: 1, consumer: b });
    expect([a.pel.size, b.pel.size, g.pel.size]).toEqual([1, 1, 2]);
    g.transfer(id(1), g.pel.get(id(1))!, b);
    expect([a.pel.size, b.pel.size]).toEqual([0, 2]);
    expect(g.ack(id(1))).toBe(true);
    expect(g.ack(id(1))).toBe(false);
    expect(g.deleteConsumer(b)).toBe(1);
    expect(g.pel.size).toBe(0);
    expect(g.consumersInOrder().map((x) => x.name)).toEqual(['a']);
  });

  it.each([
    ['a small share (one by one)', 20],
    ['a large share (the order rebuilt)', 1000],
    ['the whole PEL (dropped at once)', 3000],
  ])('deleting a consumer holding %s leaves exactly the other consumers’ entries', (_name, held) => {
    const g = new ConsumerGroup(MIN_ID, 0);
    const doomed = g.createConsumer('doomed', 1)!;
    const other = g.createConsumer('other', 1)!;
    // `held` of 3000 entries go to the doomed consumer, spread through the ID range.
    const every = 3000 / held;
    for (let i = 0; i < 3000; i++) g.deliver(id(i + 1), i % every === 0 ? doomed : other, i);
    expect(g.deleteConsumer(doomed)).toBe(held);
    const left = walked(g.pel);
    expect(left).toEqual(walked(other.pel));
    expect(left.length).toBe(3000 - held);
    for (let i = 0; i < 3000; i++) expect(g.pel.get(id(i + 1)) !== undefined).toBe(i % every !== 0);
    // The group's PEL still takes new entries in order.
    g.deliver(id(5000), other, 0);
    g.deliver(id(0, 1), other, 0);
    expect(walked(g.pel)).toEqual(walked(other.pel));
  });

  it('clones deeply: the copy changes independently and keeps entries shared between its group and consumers', () => {
    const groups = new ConsumerGroups();
    const g = groups.create('g', id(5), 5)!;
    const a = g.createConsumer('a', 1)!;
    g.deliver(id(3), a, 7);
    const copy = groups.clone();
    const cg = copy.get('g')!;
    expect(cg.pel.get(id(3))).toEqual({ deliveryTime: 7, deliveryCount: 1, consumer: cg.consumer('a') });
    expect(cg.consumer('a')!.pel.first()).toBe(id(3));
    cg.ack(id(3));
    cg.lastId = id(9);
    expect([g.pel.size, a.pel.size, formatId(g.lastId)]).toEqual([1, 1, '5-0']);
  });
});

describe('lag and entries-read estimation (Redis 7.0)', () => {
  const stream = (over: Partial<StreamCounters>): StreamCounters => ({
    length: 5,
    entriesAdded: 5,
    lastId: id(5),
    firstId: id(1),
    maxDeletedId: MIN_ID,
    ...over,
  });

  it('is exact at the edges of a stream without tombstones, unknown in the middle or the future', () => {
    const s = stream({});
    expect(estimateEntriesRead(s, id(5))).toBe(5);
    expect(estimateEntriesRead(s, id(1))).toBe(1);
    expect(estimateEntriesRead(s, MIN_ID)).toBe(0);
    expect(estimateEntriesRead(s, id(3))).toBe(ENTRIES_READ_UNKNOWN);
    expect(estimateEntriesRead(s, id(9))).toBe(ENTRIES_READ_UNKNOWN);
    expect(estimateEntriesRead(stream({ entriesAdded: 0, length: 0 }), id(9))).toBe(0);
    expect(estimateEntriesRead(stream({ length: 0, firstId: MIN_ID }), id(2))).toBe(5);
  });

  it('lag: from a valid counter without tombstones ahead, else estimated, else unknown', () => {
    const g = new ConsumerGroup(id(2), 2);
    expect(groupLag(stream({}), g)).toBe(3);
    expect(groupLag(stream({ maxDeletedId: id(4), length: 4 }), g)).toBeNull();
    expect(groupLag(stream({ maxDeletedId: id(1, 5), length: 4 }), g)).toBe(3);
    g.entriesRead = ENTRIES_READ_UNKNOWN;
    g.lastId = id(5);
    expect(groupLag(stream({}), g)).toBe(0);
  });
});

describe('stream counters (entries-added, entries-read): exact 64-bit', () => {
  const SAFE = Number.MAX_SAFE_INTEGER;
  const LLONG_MAX = 2n ** 63n - 1n;

  it('stay numbers while safe, become bigints beyond 2^53 and numbers again below', () => {
    expect(counterPlusOne(41)).toBe(42);
    expect(counterPlusOne(SAFE - 1)).toBe(SAFE);
    expect(counterPlusOne(SAFE)).toBe(2n ** 53n);
    expect(counterPlusOne(2n ** 53n)).toBe(2n ** 53n + 1n);
    expect(counterMinus(2n ** 53n + 1n, 2)).toBe(SAFE);
    expect(counterMinus(SAFE, -SAFE)).toBe(2n ** 54n - 2n);
    expect(counterMinus(5, 7)).toBe(-2);
  });

  it('wrap at the long long limits as Redis’s two’s-complement arithmetic does', () => {
    expect(counterPlusOne(LLONG_MAX)).toBe(-(2n ** 63n));
    expect(counterMinus(LLONG_MAX, -(2n ** 63n))).toBe(-1);
    expect(counterMinus(5, LLONG_MAX)).toBe(5n - LLONG_MAX);
  });

  it('lag, estimates and delivery counting use them above 2^53', () => {
    const s: StreamCounters = { length: 3, entriesAdded: 2n ** 60n, lastId: id(3), firstId: id(1), maxDeletedId: MIN_ID };
    expect(estimateEntriesRead(s, MIN_ID)).toBe(2n ** 60n - 3n);
    expect(estimateEntriesRead(s, id(1))).toBe(2n ** 60n - 2n);
    const g = new ConsumerGroup(MIN_ID, ENTRIES_READ_UNKNOWN);
    advanceGroup(s, g, id(1));
    expect(g.entriesRead).toBe(2n ** 60n - 2n);
    advanceGroup(s, g, id(2));
    expect(g.entriesRead).toBe(2n ** 60n - 1n);
    expect(groupLag(s, g)).toBe(1);
  });
});
