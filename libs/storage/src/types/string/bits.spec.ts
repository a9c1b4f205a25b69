import { describe, expect, it } from '@jest/globals';
import { MutableString } from './mutable-string.js';
import { bitop, countBits, findBit, getBit, popcount, setBit } from './bits.js';

describe('bit helpers', () => {
  it('numbers bits from the most significant bit of byte 0', () => {
    expect(getBit('\x80', 0)).toBe(1);
    expect(getBit('\x80', 1)).toBe(0);
    expect(getBit('\x01', 7)).toBe(1);
    expect(getBit('\x01', 800)).toBe(0);
    // Integers read as their decimal text: '1' is 0x31.
    expect([2, 3, 7].map((o) => getBit(1, o))).toEqual([1, 1, 1]);
  });

  it('sets bits in place and returns the old bit', () => {
    const s = MutableString.zeroed(2);
    expect(setBit(s, 9, 1)).toBe(0);
    expect(setBit(s, 9, 1)).toBe(1);
    expect(s.toString()).toBe('\x00\x40');
    expect(setBit(s, 9, 0)).toBe(1);
    expect(s.toString()).toBe('\x00\x00');
  });

  it('counts bits over byte and bit ranges', () => {
    expect(popcount(Buffer.from('foobar'))).toBe(26);
    expect(countBits('foobar', 8, 15)).toBe(6);
    expect(countBits('foobar', 5, 30)).toBe(17);
    expect(countBits(new MutableString('\xff\xff'), 3, 12)).toBe(10);
  });

  it('finds the first set or clear bit in a range', () => {
    expect(findBit('\xff\xf0\x00', 0, 0, 23)).toBe(12);
    expect(findBit('\x00\x0f', 1, 0, 15)).toBe(12);
    expect(findBit('\x00\x0f', 1, 0, 11)).toBe(-1);
    expect(findBit('\xff', 0, 0, 7)).toBe(-1);
    expect(findBit('\x81', 1, 1, 7)).toBe(7);
  });

  it('combines strings, padding shorter ones with zeros', () => {
    expect(bitop('and', ['\xff\x0f', '\x0f']).toString('latin1')).toBe('\x0f\x00');
    expect(bitop('or', ['\xf0', null, '\x0f\x01']).toString('latin1')).toBe('\xff\x01');
    expect(bitop('xor', ['\xff\xff', '\x0f']).toString('latin1')).toBe('\xf0\xff');
    expect(bitop('not', ['\x0f\x00']).toString('latin1')).toBe('\xf0\xff');
    expect(bitop('and', [null, null]).length).toBe(0);
  });
});
