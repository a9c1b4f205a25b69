import { describe, expect, it } from '@jest/globals';
import { rng } from '../../../test/support/rng.js';
import { advanceCursor, KeyTable } from './key-table.js';

/** Runs a full SCAN-style iteration, calling `between` after every step. Returns how often each key was seen. */
function fullScan<V>(t: KeyTable<V>, between: (step: number) => void = () => undefined): Map<string, number> {
  const seen = new Map<string, number>();
  let cursor = 0;
  let step = 0;
  do {
    cursor = t.scan(cursor, (k) => void seen.set(k, (seen.get(k) ?? 0) + 1));
    between(step++);
  } while (cursor !== 0);
  return seen;
}

describe('KeyTable', () => {
  it('agrees with a Map under random inserts, replaces and deletes across many resizes', () => {
    const random = rng(7);
    const t = new KeyTable<number>();
    const ref = new Map<string, number>();
    let grew = false;
    for (let i = 0; i < 60_000; i++) {
      const k = `k${Math.floor(random() * 5000)}`;
      // Phases of growth and shrinkage, so the table resizes both ways many times.
      const deleting = Math.floor(i / 10_000) % 2 === 1 ? 0.8 : 0.2;
      if (random() < deleting) expect(t.delete(k)).toBe(ref.delete(k));
      else {
        t.set(k, i);
        ref.set(k, i);
      }
      if (t.groupCount >= 32) grew = true;
      if (i % 4999 === 0) {
        expect(t.size).toBe(ref.size);
        const wrong = [...ref].filter(([rk, rv]) => t.get(rk) !== rv);
        expect(wrong).toEqual([]);
      }
    }
    expect(grew).toBe(true);
    expect(t.size).toBe(ref.size);
    expect(t.keys().sort()).toEqual([...ref.keys()].sort());
    for (const k of ref.keys()) t.delete(k);
    expect(t.size).toBe(0);
    expect(t.get('k1')).toBeUndefined();
  });

  it('grows and shrinks its buckets and its slot storage with the number of keys', () => {
    const t = new KeyTable<number>();
    expect(t.groupCount).toBe(4);
    for (let i = 0; i < 100_000; i++) t.set(`k${i}`, i);
    while (t.resizing) t.rehashFor(10);
    // About one key a bucket, as in Redis's dict; slots in pages of 2^16, at most one spare.
    expect(t.groupCount).toBe(131_072);
    expect(t.slotCapacity).toBe(2 * 65_536);
    for (let i = 0; i < 99_990; i++) t.delete(`k${i}`);
    while (t.resizing) t.rehashFor(10);
    for (let i = 0; i < 9; i++) t.delete(`k${99_990 + i}`); // deletes move a shrink along too
    while (t.resizing) t.rehashFor(10);
    expect(t.groupCount).toBe(4);
    expect(t.slotCapacity).toBe(4);
    expect(t.keys()).toEqual(['k99999']);
    expect(t.get('k99999')).toBe(99_999);
  });

  it('reserve() sizes an empty table at once, so filling it to that count never resizes; it still shrinks as keys go', () => {
    const t = new KeyTable<number>();
    t.reserve(100_000);
    expect(t.groupCount).toBe(131_072);
    let resized = false;
    for (let i = 0; i < 100_000; i++) {
      t.set(`k${i}`, i);
      if (t.resizing) resized = true;
    }
    expect(resized).toBe(false);
    expect(t.get('k4242')).toBe(4242);
    t.reserve(1_000_000); // not empty: no effect
    expect(t.groupCount).toBe(131_072);
    for (let i = 0; i < 99_999; i++) t.delete(`k${i}`);
    while (t.resizing) t.rehashFor(10);
    t.delete('k99999');
    while (t.resizing) t.rehashFor(10);
    expect(t.size).toBe(0);
    expect(t.slotCapacity).toBe(4);
  });

  it('a full scan returns every key present throughout, while keys come and go and the table resizes', () => {
    const random = rng(42);
    for (let round = 0; round < 20; round++) {
      const t = new KeyTable<number>();
      let next = 0;
      const live = new Set<string>();
      // Just under the growth to 512 buckets (at 257 keys), with 256 buckets to scan.
      const start = 200 + Math.floor(random() * 56);
      for (let i = 0; i < start; i++) {
        t.set(`k${next}`, next);
        live.add(`k${next++}`);
      }
      const stable = new Set(live); // keys never deleted while the scan runs
      const growing = round % 2 === 0;
      let resized = false;
      const groupsBefore = t.groupCount;
      const seen = fullScan(t, () => {
        for (let m = 0; m < 3; m++) {
          if (random() < (growing ? 0.8 : 0.1)) {
            t.set(`k${next}`, next);
            live.add(`k${next++}`);
          } else if (live.size > 0) {
            // Any live key: the first one not yet deleted at a random offset of the insertion order.
            let k = `k${Math.floor(random() * next)}`;
            if (!live.has(k)) k = live.values().next().value!;
            live.delete(k);
            t.delete(k);
            stable.delete(k);
          }
        }
        if (t.groupCount !== groupsBefore || t.resizing) resized = true;
      });
      expect({ round, resized }).toEqual({ round, resized: true });
      expect([...stable].filter((k) => !seen.has(k))).toEqual([]);
    }
  });

  it('without changes, a scan returns each key exactly once, also in the middle of a resize', () => {
    const t = new KeyTable<number>();
    // Growing to 65536 buckets starts at 32769 keys and moves 4 buckets a write.
    for (let i = 0; i < 33_000; i++) t.set(`k${i}`, i);
    expect(t.resizing).toBe(true);
    const seen = fullScan(t);
    expect(seen.size).toBe(33_000);
    for (const n of seen.values()) expect(n).toBe(1);
  });

  it('any cursor, even one never issued, resumes in constant work and leads to the end', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 50_000; i++) t.set(`k${i}`, i);
    while (t.resizing) t.rehashFor(10);
    for (const forged of [1, 12345, 2 ** 31 - 1, 2 ** 32 + 5, 2 ** 53, 2 ** 64 - 1]) {
      let visited = 0;
      const next = t.scan(forged, () => visited++);
      expect(visited).toBeLessThan(20); // one bucket, not a walk to the cursor's position
      expect(next).toBeLessThan(t.groupCount);
    }
  });

  it('the cursor increments the masked bits in reverse order, ending at 0', () => {
    const order: number[] = [];
    let v = 0;
    do {
      order.push(v);
      v = advanceCursor(v, 7);
    } while (v !== 0);
    expect(order).toEqual([0, 4, 2, 6, 1, 5, 3, 7]);
  });

  it('pick() returns only present keys, reaches all of them, and undefined when empty', () => {
    const t = new KeyTable<number>();
    expect(t.pick()).toBeUndefined();
    for (let i = 0; i < 200; i++) t.set(`k${i}`, i);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(t.pick()![0]);
    expect(seen.size).toBe(200);
    for (let i = 0; i < 199; i++) t.delete(`k${i}`);
    expect(t.pick()).toEqual(['k199', 199]);
  });

  it('pick() finds a key while a resize is in progress (SPOP under redis-benchmark)', () => {
    const t = new KeyTable<number>();
    let misses = 0;
    for (let i = 0; i < 60_000; i++) {
      t.set(`k${i}`, i);
      if (t.resizing) for (let j = 0; j < 200; j++) if (t.pick() === undefined) misses++;
    }
    expect(misses).toBe(0);
  });

  it('pick() reaches every key of a table emptied by mass deletes', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 200_000; i++) t.set(`k${i}`, i);
    while (t.resizing) t.rehashFor(10);
    for (let i = 0; i < 199_995; i++) t.delete(`k${i}`);
    const seen = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const [k, v] = t.pick()!;
      seen.set(k, v);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4].map((i) => [`k${199_995 + i}`, 199_995 + i]));
  });

  it('reuses freed slots: deletes then inserts of as many keys do not grow the storage', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 1000; i++) t.set(`k${i}`, i);
    const capacity = t.slotCapacity;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 500; i++) t.delete(`k${round * 500 + i}`);
      for (let i = 0; i < 500; i++) t.set(`k${1000 + round * 500 + i}`, i);
      expect(t.slotCapacity).toBe(capacity);
    }
    expect(t.size).toBe(1000);
    expect(t.keys().sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `k${5000 + i}`).sort());
  });

  it('keeps entries right across pages of slots (more than 2^16 entries) while deleting in random order', () => {
    const random = rng(3);
    const t = new KeyTable<string>();
    const n = 200_000;
    for (let i = 0; i < n; i++) t.set(`f${i}`, `v${i}`);
    expect(t.slotCapacity).toBe(4 * 65_536);
    // Delete all but every 40th field, in random order (a Fisher-Yates shuffle of the others).
    const doomed = Array.from({ length: n }, (_, i) => i).filter((i) => i % 40 !== 0);
    for (let i = doomed.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [doomed[i], doomed[j]] = [doomed[j], doomed[i]];
    }
    let failedDeletes = 0;
    for (const i of doomed) if (!t.delete(`f${i}`)) failedDeletes++;
    expect(failedDeletes).toBe(0);
    expect(t.size).toBe(n / 40);
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) if (t.get(`f${i}`) !== (i % 40 === 0 ? `v${i}` : undefined)) wrong.push(`f${i}`);
    expect(wrong).toEqual([]);
    const seen = new Map<string, string>();
    t.forEach((k, v) => seen.set(k, v));
    expect(seen.size).toBe(n / 40);
    for (const [k, v] of seen) if (v !== `v${k.slice(1)}`) wrong.push(k);
    expect(wrong).toEqual([]);
    // Storage follows the size down: of the 4 pages the first is left, halved twice (while a quarter full).
    expect(t.slotCapacity).toBe(16_384);
  });

  it('agrees with a Map when deleting and replacing during a resize, and a scan then returns each key once', () => {
    const random = rng(11);
    const t = new KeyTable<number>();
    const ref = new Map<string, number>();
    for (let i = 0; i <= 4096; i++) {
      t.set(`k${i}`, i);
      ref.set(`k${i}`, i);
    }
    // 4097 keys: growth to 8192 buckets started, moving 4 buckets a write.
    expect(t.resizing).toBe(true);
    let next = 4097;
    let steps = 0;
    const wrong: string[] = [];
    const twice: string[] = [];
    while (t.resizing) {
      const r = random();
      const k = `k${Math.floor(random() * next)}`;
      if (r < 0.45) {
        if (t.delete(k) !== ref.delete(k)) wrong.push(`delete ${k}`);
      } else if (r < 0.7) {
        t.set(k, -steps);
        ref.set(k, -steps);
      } else {
        t.set(`k${next}`, next);
        ref.set(`k${next}`, next++);
      }
      if (++steps % 97 === 0) {
        if (t.size !== ref.size) wrong.push(`size at ${steps}`);
        for (const [rk, rv] of ref) if (t.get(rk) !== rv) wrong.push(rk);
        const seen = fullScan(t);
        if (seen.size !== ref.size) wrong.push(`scan size at ${steps}`);
        for (const [sk, times] of seen) if (times !== 1) twice.push(sk);
      }
    }
    expect(steps).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
    expect(twice).toEqual([]);
    expect(t.keys().sort()).toEqual([...ref.keys()].sort());
  });

  it('clear() empties the table', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 1000; i++) t.set(`k${i}`, i);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.get('k1')).toBeUndefined();
    expect(fullScan(t).size).toBe(0);
    t.set('new', 1);
    expect(t.keys()).toEqual(['new']);
  });
});
