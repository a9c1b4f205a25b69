import { describe, expect, it } from '@jest/globals';
import { rng } from '../../../../../test/support/rng.js';
import { MAX_ID, MIN_ID, formatId, incrId, parseStreamId, streamId, type StreamId } from './stream-id.js';
import { StreamValue, TrimBy } from './stream-value.js';

interface ModelEntry {
  id: StreamId;
  pairs: string[];
}

function read(s: StreamValue, from: StreamId, to: StreamId, reverse: boolean): ModelEntry[] {
  const out: ModelEntry[] = [];
  const it = s.iterate(from, to, reverse);
  while (it.next()) {
    const pairs: string[] = [];
    for (let i = 0; i < it.pairs; i++) pairs.push(it.field(i), it.value(i));
    out.push({ id: it.id, pairs });
  }
  return out;
}

function id(text: string): StreamId {
  return parseStreamId(text) as StreamId;
}

describe('StreamValue', () => {
  it('matches a model under random adds, deletes, trims and ranges at several node sizes', () => {
    for (const [maxBytes, maxEntries] of [
      [4096, 100],
      [60, 0],
      [0, 3],
      [4096, 1],
    ]) {
      const next = rng(maxBytes * 7 + maxEntries);
      const s = new StreamValue();
      let model: ModelEntry[] = [];
      let ms = 1700000000000;
      let seq = 0;
      for (let step = 0; step < 3000; step++) {
        const r = next();
        if (r < 0.6) {
          if (next() < 0.5) {
            ms += 1 + Math.floor(next() * 300);
            seq = 0;
          } else seq += 1 + Math.floor(next() * 1000);
          const entryId = streamId(ms, seq);
          const pairs =
            next() < 0.7
              ? ['f', `v${step}`, 'g', String(step)]
              : ['x'.repeat(Math.floor(next() * 40)), '\0\xff' + 'y'.repeat(Math.floor(next() * 200))];
          s.add(entryId, ['XADD', 'k', '*', ...pairs], 3, maxBytes, maxEntries);
          model.push({ id: entryId, pairs });
        } else if (r < 0.75 && model.length > 0) {
          const victim = model[Math.floor(next() * model.length)];
          expect(s.delete(victim.id)).toBe(true);
          expect(s.delete(victim.id)).toBe(false);
          model = model.filter((e) => e !== victim);
        } else if (r < 0.8) {
          const maxLen = Math.max(0, model.length - Math.floor(next() * 30));
          const approx = next() < 0.5;
          const removed = s.trim(TrimBy.MaxLen, maxLen, MIN_ID, approx, 0);
          if (!approx) expect(removed).toBe(model.length - maxLen);
          model = model.slice(removed);
        } else if (r < 0.83 && model.length > 0) {
          const minId = model[Math.floor(next() * model.length)].id;
          const approx = next() < 0.5;
          const removed = s.trim(TrimBy.MinId, 0, minId, approx, 0);
          if (!approx) expect(model[removed].id).toBe(minId);
          model = model.slice(removed);
        } else if (model.length > 0) {
          const a = model[Math.floor(next() * model.length)].id;
          const b = model[Math.floor(next() * model.length)].id;
          const [from, to] = a < b ? [a, b] : [b, a];
          const expected = model.filter((e) => e.id >= from && e.id <= to);
          expect(read(s, from, to, false)).toEqual(expected);
          expect(read(s, from, to, true)).toEqual(expected.slice().reverse());
          expect(s.get(a)).toEqual(model.find((e) => e.id === a)?.pairs);
        }
        expect(s.length).toBe(model.length);
        expect(s.firstId).toBe(model.length === 0 ? MIN_ID : model[0].id);
      }
      expect(read(s, MIN_ID, MAX_ID, false)).toEqual(model);
      const copy = s.clone();
      s.trim(TrimBy.MaxLen, 0, MIN_ID, false, 0);
      expect(s.length).toBe(0);
      expect(read(copy, MIN_ID, MAX_ID, false)).toEqual(model);
    }
  });

  it('finds a live entry stored after a deleted higher ID (XSETID below the deleted top), as Redis', () => {
    const s = new StreamValue();
    s.add(id('1-0'), ['a', '1'], 0, 4096, 100);
    s.add(id('2-0'), ['a', '1'], 0, 4096, 100);
    expect(s.delete(id('2-0'))).toBe(true);
    s.add(id('1-6'), ['a', '1'], 0, 4096, 100); // what XSETID s 1-5 allows next
    expect(s.get(id('1-6'))).toEqual(['a', '1']);
    expect(read(s, id('1-6'), id('1-6'), true).map((e) => formatId(e.id))).toEqual(['1-6']);
    expect(read(s, id('1-1'), id('1-9'), false).map((e) => formatId(e.id))).toEqual(['1-6']);
    expect(s.delete(id('1-6'))).toBe(true);
    expect(s.length).toBe(1);
    expect(s.has(id('1-6'))).toBe(false);
  });

  it('keeps IDs exact at the top of the u64 range inside one block', () => {
    const s = new StreamValue();
    const ids = [
      '0-1',
      '9007199254740993-0',
      '18446744073709551615-0',
      '18446744073709551615-18446744073709551614',
      '18446744073709551615-18446744073709551615',
    ].map(id);
    for (const e of ids) s.add(e, ['f', 'v'], 0, 4096, 100);
    expect(s.blockCount).toBe(1);
    expect(read(s, MIN_ID, MAX_ID, false).map((e) => formatId(e.id))).toEqual(ids.map(formatId));
    expect(read(s, incrId(ids[1]) as StreamId, MAX_ID, true).map((e) => formatId(e.id))).toEqual(ids.slice(2).reverse().map(formatId));
  });

  it('starts blocks where Redis starts listpack nodes and ~ trims whole blocks only', () => {
    const s = new StreamValue();
    for (let i = 1; i <= 250; i++) s.add(streamId(i, 0), ['f', 'v'], 0, 4096, 100);
    expect(s.blockCount).toBe(3);
    expect(s.blockFirstIds().map(formatId)).toEqual(['1-0', '101-0', '201-0']);
    expect(s.trim(TrimBy.MaxLen, 180, MIN_ID, true, 0)).toBe(0);
    expect(s.trim(TrimBy.MaxLen, 150, MIN_ID, true, 0)).toBe(100);
    expect(s.trim(TrimBy.MaxLen, 0, MIN_ID, true, 100)).toBe(100);
    expect(s.length).toBe(50);
    expect(formatId(s.firstId)).toBe('201-0');
    // Deleting the tail block's entries reopens the previous block for appends.
    const t = new StreamValue();
    for (let i = 1; i <= 5; i++) t.add(streamId(i, 0), ['f', 'v'], 0, 4096, 3);
    expect(t.blockCount).toBe(2);
    t.delete(streamId(4, 0));
    t.delete(streamId(5, 0));
    t.add(streamId(6, 0), ['g', 'w'], 0, 4096, 3);
    expect(t.blockCount).toBe(2);
    t.add(streamId(7, 0), ['f', 'v'], 0, 4096, 10);
    expect(t.blockCount).toBe(2);
    expect(read(t, MIN_ID, MAX_ID, false).map((e) => e.pairs)).toEqual([
      ['f', 'v'],
      ['f', 'v'],
      ['f', 'v'],
      ['g', 'w'],
      ['f', 'v'],
    ]);
  });
});
