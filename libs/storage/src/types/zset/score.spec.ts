import { describe, expect, it } from '@jest/globals';
import { packScore, parseScore, unpackScore } from './score.js';

const roundTrip = (d: number): number => {
  const packed = `x${packScore(d)}y`;
  return unpackScore(packed, 1, packed.length - 1);
};

describe('packScore / unpackScore', () => {
  it('reads back every kind of score as the same double', () => {
    const scores = [
      1,
      -1,
      127,
      128,
      255,
      256,
      -256,
      1e6,
      -999999,
      2 ** 31,
      -(2 ** 32),
      2 ** 52 - 1,
      -(2 ** 52 - 1),
      2 ** 52,
      -(2 ** 52),
      2 ** 53,
      2 ** 53 + 2,
      1.5,
      -0.1,
      1e-300,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
      1e300,
      Infinity,
      -Infinity,
    ];
    for (const d of scores) expect(roundTrip(d)).toBe(d);
  });

  it('keeps -0 as 0, as a listpack stores integral scores as integers', () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
  });

  it('packs integers into few one-byte chars and other doubles into 8', () => {
    expect(packScore(0)).toBe('');
    expect(packScore(999999)).toHaveLength(3);
    expect(packScore(-(2 ** 52 - 1))).toHaveLength(7);
    expect(packScore(0.5)).toHaveLength(8);
    expect(packScore(2 ** 52)).toHaveLength(8);
    for (const d of [-1, 1e6, 0.1, -Infinity]) for (const c of packScore(d)) expect(c.charCodeAt(0)).toBeLessThan(256);
  });
});

describe('parseScore', () => {
  it('reads plain integers (the fast path) exactly as strtod, and leaves the rest to the full parser', () => {
    for (const t of ['0', '7', '000000063818', '+5', '-12', '999999999999999', '1234567890123456', '99999999999999999999'])
      expect(parseScore(t)).toBe(Number(t));
    expect(Object.is(parseScore('-0'), -0)).toBe(true);
    expect(parseScore('1.5')).toBe(1.5);
    for (const bad of ['', '-', '+', '12a', ' 1', '1 ', '--1', 'nan']) expect(parseScore(bad)).toBeNull();
  });
});
