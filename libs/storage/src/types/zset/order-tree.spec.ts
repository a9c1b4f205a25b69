import { describe, expect, it } from '@jest/globals';
import { Below, OrderTree } from './order-tree.js';

/** A seeded LCG (tests must be reproducible). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

type Entry = [string, number];

const byKey = (a: Entry, b: Entry): number => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function entries(t: OrderTree): Entry[] {
  const out: Entry[] = [];
  t.range(0, t.size, false, (m, s) => out.push([m, s]));
  return out;
}

/** Checks the tree against the sorted model: order, ranks, by-rank reads, reverse walks. */
function expectMatches(t: OrderTree, model: Entry[]): void {
  expect(t.size).toBe(model.length);
  expect(entries(t)).toEqual(model);
  for (let r = 0; r < model.length; r += 37) {
    expect(t.memberAt(r)).toBe(model[r][0]);
    expect(t.countBelow(Below.Key, model[r][1], model[r][0])).toBe(r);
  }
  const reversed: Entry[] = [];
  t.range(0, t.size, true, (m, s) => reversed.push([m, s]));
  expect(reversed).toEqual([...model].reverse());
}

describe('OrderTree bulk rebuilds (retain, clone)', () => {
  it.each([0, 1, 50, 97, 5000, 40000])('retain keeps what the predicate accepts and the tree stays usable: %i entries', (n) => {
    const random = rng(n + 1);
    const t = new OrderTree();
    let model: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const e: Entry = [`m${i}`, Math.floor(random() * 100)];
      t.insert(e[1], e[0]);
      model.push(e);
    }
    model.sort(byKey);
    for (const share of [0.9, 0.5, 0.1]) {
      const keep = new Set(model.filter(() => random() < share).map((e) => e[0]));
      t.retain((m) => keep.has(m));
      model = model.filter((e) => keep.has(e[0]));
      expectMatches(t, model);
      // Inserts, deletes and pops after a rebuild keep the order (nodes were left within bounds).
      for (let i = 0; i < 3000; i++) {
        if (model.length > 0 && random() < 0.5) {
          const [m, s] = model.splice(Math.floor(random() * model.length), 1)[0];
          expect(t.delete(s, m)).toBe(true);
        } else {
          const e: Entry = [`n${share}-${i}`, Math.floor(random() * 100)];
          t.insert(e[1], e[0]);
          model.push(e);
          model.sort(byKey);
        }
      }
      expectMatches(t, model);
    }
    const copy = t.clone();
    expectMatches(copy, model);
    if (model.length > 0) copy.deleteAt(0);
    expectMatches(t, model);
  });
});
