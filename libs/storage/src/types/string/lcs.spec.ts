import { describe, expect, it } from '@jest/globals';
import { lcs, lcsTableBytes } from './lcs.js';

const ranges = (a: string, b: string, min = 0) =>
  lcs(a, b, false, true, min).matches.map((m) => [m.aStart, m.aEnd, m.bStart, m.bEnd, m.length]);

describe('LCS', () => {
  it('finds the subsequence and its length (Redis docs example)', () => {
    expect(lcs('ohmytext', 'mynewtext', true, false).text).toBe('mytext');
    expect(lcs('ohmytext', 'mynewtext', false, false).length).toBe(6);
  });

  it('emits match ranges last to first, as Redis does', () => {
    expect(ranges('ohmytext', 'mynewtext')).toEqual([
      [4, 7, 5, 8, 4],
      [2, 3, 0, 1, 2],
    ]);
  });

  it('follows Redis backtracking ties on a longer input (checked against redis-server)', () => {
    const a = 'GTCGTTCGGAATGCCGTTGCTCTGTAAA';
    const b = 'ACCGGTCGAGTGCGCGGAAGCCGGCCGAA';
    expect(lcs(a, b, true, false).text).toBe('GTCGTCGGAAGCCGGCCGAA');
    expect(ranges(a, b)).toEqual([
      [26, 27, 27, 28, 2],
      [23, 23, 26, 26, 1],
      [21, 21, 25, 25, 1],
      [18, 19, 23, 24, 2],
      [12, 15, 19, 22, 4],
      [6, 10, 14, 18, 5],
      [5, 5, 10, 10, 1],
      [0, 3, 4, 7, 4],
    ]);
    expect(ranges(a, b, 3)).toEqual([
      [12, 15, 19, 22, 4],
      [6, 10, 14, 18, 5],
      [0, 3, 4, 7, 4],
    ]);
  });

  it('handles empty and binary strings', () => {
    expect(lcs('', 'abc', true, true)).toEqual({ length: 0, text: '', matches: [] });
    expect(lcs('\0\r\n\xff', 'x\r\xffy', true, false).text).toBe('\r\xff');
  });

  it('sizes its table as Redis does', () => {
    expect(lcsTableBytes(3, 2)).toBe(4 * 3 * 4);
  });
});
