import { describe, expect, it } from '@jest/globals';
import { ZSetValue } from './zset-value.js';

/** The model: entries sorted by (score, member). */
function sorted(model: Map<string, number>): [string, number][] {
  return [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function entries(z: ZSetValue, from = 0, to = z.size, reverse = false): [string, number][] {
  const out: [string, number][] = [];
  z.range(from, to, reverse, (m, s) => out.push([m, s]));
  return out;
}

/** A seeded LCG (tests must be reproducible). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe('ZSetValue', () => {
  it.each([
    ['listpack', 128, 64, 60],
    ['skiplist (small nodes stressed)', 0, 64, 3000],
    ['skiplist after conversion', 20, 64, 2000],
  ])('matches a sorted model under random adds, moves and removes: %s', (_name, maxEntries, maxValue, keys) => {
    const random = rng(7);
    const z = new ZSetValue();
    const model = new Map<string, number>();
    for (let op = 0; op < 20000; op++) {
      const m = `m${Math.floor(random() * keys)}`;
      const r = random();
      if (r < 0.6) {
        const score = Math.floor(random() * 50) - 25;
        expect(z.add(m, score, maxEntries, maxValue)).toBe(!model.has(m));
        model.set(m, score);
      } else if (r < 0.9) {
        expect(z.remove(m)).toBe(model.delete(m));
      } else {
        const want = sorted(model);
        const rank = want.findIndex(([x]) => x === m);
        expect(z.rank(m)).toBe(rank < 0 ? undefined : rank);
      }
    }
    expect(z.size).toBe(model.size);
    expect(entries(z)).toEqual(sorted(model));
    expect(entries(z, 0, z.size, true)).toEqual(sorted(model).reverse());
    const [from, to] = z.rankRangeByScore({ min: -3, minEx: true, max: 5, maxEx: false });
    expect(entries(z, from, to)).toEqual(sorted(model).filter(([, s]) => s > -3 && s <= 5));
    expect(entries(z.clone())).toEqual(sorted(model));
    const removed = z.removeRange(2, 10);
    expect(removed).toBe(Math.min(8, Math.max(0, model.size - 2)));
    expect(entries(z)).toEqual(sorted(model).filter((_, i) => i < 2 || i >= 10));
  });

  it('keeps order and ranks through appends (rising scores), moves in place and pops by rank', () => {
    const z = new ZSetValue();
    const model = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      z.add(`m${i}`, i, 0, 64);
      model.set(`m${i}`, i);
    }
    // Moves that stay between their neighbours, and ones that cross leaves.
    for (let i = 1; i < 5000; i += 7) {
      const score = i % 2 === 0 ? i + 0.5 : 5000 - i;
      z.add(`m${i}`, score, 0, 64);
      model.set(`m${i}`, score);
    }
    expect(entries(z)).toEqual(sorted(model));
    expect(z.rank('m4999')).toBe(sorted(model).findIndex(([m]) => m === 'm4999'));
    const want = sorted(model);
    expect(z.removeRange(0, 300)).toBe(300);
    expect(z.removeRange(z.size - 250, z.size)).toBe(250);
    expect(z.removeRange(1000, 2500)).toBe(1500);
    const left = [...want.slice(300, 1300), ...want.slice(2800, want.length - 250)];
    expect(entries(z)).toEqual(left);
    for (const [m] of want.slice(0, 300)) expect(z.score(m)).toBeUndefined();
    expect(z.size).toBe(left.length);
  });

  it('keeps lex order among equal scores and converts one way', () => {
    const z = new ZSetValue();
    for (const m of ['b', 'a', 'd', 'c']) z.add(m, 0, 3, 64);
    expect(z.encoding).toBe('skiplist');
    expect(z.rankRangeByLex({ min: { inf: 0, value: 'a', ex: true }, max: { inf: 0, value: 'c', ex: false } })).toEqual([1, 3]);
    expect(z.rankRangeByLex({ min: { inf: -1, value: '', ex: false }, max: { inf: 1, value: '', ex: false } })).toEqual([0, 4]);
    z.remove('a');
    z.remove('b');
    expect(z.encoding).toBe('skiplist');
  });

  it('keeps infinities in the packed form and stores -0 as 0 (as an integral listpack score)', () => {
    const z = new ZSetValue();
    z.add('n', -0, 128, 64);
    z.add('i', Infinity, 128, 64);
    z.add('j', -Infinity, 128, 64);
    expect(Object.is(z.score('n'), 0)).toBe(true);
    expect(entries(z)).toEqual([
      ['j', -Infinity],
      ['n', 0],
      ['i', Infinity],
    ]);
  });
});
