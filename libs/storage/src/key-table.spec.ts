import { describe, expect, it } from '@jest/globals';
import { KeyTable, TableWalk } from './key-table.js';

/** A deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function walkAll<V>(walk: TableWalk<V>): string[] {
  const out: string[] = [];
  for (let e = walk.next(); e !== undefined; e = walk.next()) out.push(e[0]);
  return out;
}

describe('KeyTable with several Maps (tiny per-Map capacity)', () => {
  it('stores, replaces and deletes across Maps, opening and dropping Maps as needed', () => {
    const t = new KeyTable<number>(4);
    for (let i = 0; i < 10; i++) t.set(`k${i}`, i);
    expect(t.size).toBe(10);
    expect(t.shardCount).toBe(3);
    t.set('k1', 100); // replaced in place, in the first Map
    expect(t.get('k1')).toBe(100);
    expect(t.shard(0)!.get('k1')).toBe(100);
    expect(t.shardCount).toBe(3);
    for (const k of ['k4', 'k5', 'k6', 'k7']) expect(t.delete(k)).toBe(true);
    expect(t.delete('k4')).toBe(false);
    expect(t.shardCount).toBe(2); // the emptied middle Map is gone
    expect(t.has('k8')).toBe(true);
    expect(t.get('k4')).toBeUndefined();
    expect(t.size).toBe(6);
    expect([...t.keys()].sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k8', 'k9']);
  });

  it('keeps one Map while below capacity, and never leaves an empty Map besides the only one', () => {
    const t = new KeyTable<number>(3);
    t.set('a', 1);
    t.delete('a');
    expect(t.shardCount).toBe(1);
    expect(t.size).toBe(0);
    for (let i = 0; i < 7; i++) t.set(`k${i}`, i);
    for (let i = 0; i < 7; i++) t.delete(`k${i}`);
    expect(t.shardCount).toBe(1);
    expect(t.size).toBe(0);
  });

  it('walks visit every key present throughout exactly once while the table grows and shrinks', () => {
    const random = rng(42);
    for (let round = 0; round < 30; round++) {
      const t = new KeyTable<number>(1 + Math.floor(random() * 5));
      let next = 0;
      const live = new Set<string>();
      for (let i = 0; i < 40; i++) {
        t.set(`k${next}`, next);
        live.add(`k${next++}`);
      }
      const stable = new Set(live); // keys never touched by the mutations below
      const walk = new TableWalk(t);
      const seen = new Map<string, number>();
      for (let step = 0; ; step++) {
        const e = walk.next();
        if (e === undefined) break;
        seen.set(e[0], (seen.get(e[0]) ?? 0) + 1);
        // Between steps: inserts (new Maps open) and deletes (Maps empty and are dropped),
        // deletes slightly more likely so the walk catches up with the inserts and ends.
        for (let m = 0; m < 3 && step < 300; m++) {
          if (random() < 0.45) {
            t.set(`k${next}`, next);
            live.add(`k${next++}`);
          } else if (live.size > 0) {
            const victims = [...live];
            const k = victims[Math.floor(random() * victims.length)];
            t.delete(k);
            live.delete(k);
            stable.delete(k);
          }
        }
      }
      for (const k of stable) expect(seen.get(k)).toBe(1);
      for (const [, n] of seen) expect(n).toBe(1);
    }
  });

  it('a walk moves on past a Map dropped while it was being walked', () => {
    const t = new KeyTable<number>(2);
    for (let i = 0; i < 6; i++) t.set(`k${i}`, i); // Maps: [k0 k1] [k2 k3] [k4 k5]
    const walk = new TableWalk(t);
    expect(walk.next()![0]).toBe('k0');
    expect(walk.next()![0]).toBe('k1');
    expect(walk.next()![0]).toBe('k2');
    t.delete('k2');
    t.delete('k3'); // the Map being walked is dropped
    t.delete('k0');
    t.delete('k1'); // and the one before it
    expect(t.shardCount).toBe(1);
    expect(walkAll(walk)).toEqual(['k4', 'k5']);
  });

  it('skip() resumes by position, whole Maps at a time', () => {
    const t = new KeyTable<number>(3);
    for (let i = 0; i < 10; i++) t.set(`k${i}`, i);
    for (let n = 0; n <= 11; n++) {
      const walk = new TableWalk(t);
      walk.skip(n);
      const rest = walkAll(walk);
      expect(rest).toEqual([...t.keys()].slice(n));
    }
  });

  it('clear() restarts walks on the new contents', () => {
    const t = new KeyTable<number>(2);
    for (let i = 0; i < 5; i++) t.set(`old${i}`, i);
    const walk = new TableWalk(t);
    walk.next();
    t.clear();
    t.set('new', 1);
    expect(walkAll(walk)).toEqual(['new']);
  });

  it('pick() eventually returns every key and undefined on an empty table', () => {
    const t = new KeyTable<number>(4);
    expect(t.pick()).toBeUndefined();
    for (let i = 0; i < 20; i++) t.set(`k${i}`, i);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(t.pick()![0]);
    expect(seen.size).toBe(20);
    for (let i = 0; i < 19; i++) t.delete(`k${i}`);
    expect(t.pick()).toEqual(['k19', 19]);
  });
});
