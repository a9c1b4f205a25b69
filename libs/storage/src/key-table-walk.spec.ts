import { describe, expect, it } from '@jest/globals';
import { rng } from '../../../test/support/rng.js';
import { KeyTable } from './key-table.js';

/**
 * The snapshot walk (beginWalk / walk / takeUnwalked): whatever happens to the table meanwhile,
 * each entry present at the start is handed out exactly once, either by the walk or by
 * takeUnwalked before a change, with its value at that moment; entries added later never are.
 */
describe('KeyTable walk', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`visits each entry present at the start exactly once under random writes (seed ${seed})`, () => {
      const random = rng(seed);
      const t = new KeyTable<string>();
      const start = new Map<string, string>();
      const n = 2000 + Math.floor(random() * 3000);
      for (let i = 0; i < n; i++) {
        t.set(`k${i}`, `v${i}`);
        start.set(`k${i}`, `v${i}`);
      }
      t.beginWalk();
      const seen = new Map<string, string>();
      const record = (k: string, v: string): void => {
        expect(seen.has(k)).toBe(false);
        seen.set(k, v);
      };
      // The pre-mutation rule Database follows: ask takeUnwalked before changing a key.
      const beforeChange = (k: string): void => {
        if (t.takeUnwalked(k)) record(k, t.get(k)!);
      };
      let fresh = 0;
      let remaining = n;
      while (remaining > 0) {
        remaining = t.walk(1 + Math.floor(random() * 50), record);
        for (let j = 0; j < 20; j++) {
          const k = `k${Math.floor(random() * n)}`;
          const op = random();
          if (op < 0.3) {
            beforeChange(k);
            t.set(k, 'changed');
          } else if (op < 0.55) {
            beforeChange(k);
            t.delete(k);
          } else if (op < 0.6) {
            // A removal that skipped the rule: the table still never hands out a later entry.
            t.delete(k);
            start.delete(k);
          } else if (op < 0.85) t.set(`new${fresh++}`, 'late');
          else if (t.get(k) !== undefined) {
            beforeChange(k);
            t.delete(k);
            t.set(k, 'recreated');
          }
        }
      }
      expect(t.walking).toBe(false);
      for (const [k, v] of seen) if (start.has(k)) expect(v).toBe(start.get(k));
      for (const k of start.keys()) expect(seen.has(k)).toBe(true);
      for (const k of seen.keys()) expect(k.startsWith('new')).toBe(false);
    });
  }

  it('takeUnwalked is false for keys added after the start and for keys already visited', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 100; i++) t.set(`k${i}`, i);
    t.beginWalk();
    t.set('late', 1);
    expect(t.takeUnwalked('late')).toBe(false);
    const visited: string[] = [];
    t.walk(10, (k) => visited.push(k));
    for (const k of visited) expect(t.takeUnwalked(k)).toBe(false);
    const unvisited = t.keys().find((k) => k !== 'late' && !visited.includes(k))!;
    expect(t.takeUnwalked(unvisited)).toBe(true);
    expect(t.takeUnwalked(unvisited)).toBe(false);
    const rest: string[] = [];
    t.walk(1000, (k) => rest.push(k));
    expect(rest).not.toContain(unvisited);
    expect(rest.length + visited.length + 1).toBe(100);
  });
});
