import { describe, expect, it } from '@jest/globals';
import { rng } from '../../../../../test/support/rng.js';
import { MutableString } from './mutable-string.js';
import { bitop, countBits, findBit, getBit, setBit, type BitOp } from './bits.js';
import type { StringValue } from './string-value.js';

/** Reference implementations: one bit at a time, obviously right. */
function bitOf(bytes: Buffer, pos: number): number {
  return (bytes[pos >> 3] >> (7 - (pos & 7))) & 1;
}

function slowCount(bytes: Buffer, first: number, last: number): number {
  let n = 0;
  for (let p = first; p <= last; p++) n += bitOf(bytes, p);
  return n;
}

function slowFind(bytes: Buffer, bit: number, first: number, last: number): number {
  for (let p = first; p <= last; p++) if (bitOf(bytes, p) === bit) return p;
  return -1;
}

function slowBitop(op: BitOp, inputs: Buffer[]): Buffer {
  const len = Math.max(0, ...inputs.map((b) => b.length));
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    let acc = inputs[0][i] ?? 0;
    if (op === 'not') acc = ~acc & 0xff;
    for (const b of inputs.slice(1)) {
      const x = b[i] ?? 0;
      acc = op === 'and' ? acc & x : op === 'or' ? acc | x : acc ^ x;
    }
    out[i] = acc;
  }
  return out;
}

/**
 * The same bytes in the forms a value can take: an immutable string, a mutable string over an
 * aligned buffer, and one whose buffer starts at an odd offset (as a pooled slice could).
 */
function forms(bytes: Buffer): [string, StringValue][] {
  const odd = Buffer.from(new ArrayBuffer(bytes.length + 3), 3, bytes.length);
  bytes.copy(odd);
  return [
    ['string', bytes.toString('latin1')],
    ['mutable', new MutableString(bytes)],
    ['mutable, unaligned', MutableString.adopt(odd)],
  ];
}

/** Random bytes with long runs of 0x00 and 0xff, crossing the 64 KB chunks the scans use. */
function randomBytes(next: () => number, len: number): Buffer {
  const b = Buffer.alloc(len);
  let i = 0;
  while (i < len) {
    const run = Math.min(len - i, 1 + Math.floor(next() * 70000));
    const kind = next();
    if (kind < 0.3) b.fill(0, i, i + run);
    else if (kind < 0.6) b.fill(0xff, i, i + run);
    else for (let j = i; j < i + run; j++) b[j] = Math.floor(next() * 256);
    i += run;
  }
  return b;
}

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
    expect(countBits('foobar', 0, 47)).toBe(26);
    expect(countBits('foobar', 8, 15)).toBe(6);
    expect(countBits('foobar', 5, 30)).toBe(17);
    expect(countBits(new MutableString('\xff\xff'), 3, 12)).toBe(10);
    expect(countBits(12, 0, 15)).toBe(6); // "12"
  });

  it('finds the first set or clear bit in a range', () => {
    expect(findBit('\xff\xf0\x00', 0, 0, 23)).toBe(12);
    expect(findBit('\x00\x0f', 1, 0, 15)).toBe(12);
    expect(findBit('\x00\x0f', 1, 0, 11)).toBe(-1);
    expect(findBit('\xff', 0, 0, 7)).toBe(-1);
    expect(findBit('\x81', 1, 1, 7)).toBe(7);
    expect(findBit('\x81', 1, 1, 6)).toBe(-1);
  });

  it('combines strings, padding shorter ones with zeros', () => {
    expect(bitop('and', ['\xff\x0f', '\x0f']).toString('latin1')).toBe('\x0f\x00');
    expect(bitop('or', ['\xf0', null, '\x0f\x01']).toString('latin1')).toBe('\xff\x01');
    expect(bitop('xor', ['\xff\xff', '\x0f']).toString('latin1')).toBe('\xf0\xff');
    expect(bitop('not', ['\x0f\x00']).toString('latin1')).toBe('\xf0\xff');
    expect(bitop('and', [null, null]).length).toBe(0);
  });

  it('counts and finds exactly like a bit-by-bit loop, over random ranges of every form', () => {
    const next = rng(7);
    for (let round = 0; round < 6; round++) {
      const bytes = randomBytes(next, 1 + Math.floor(next() * 200000));
      const bits = bytes.length * 8;
      const ranges: [number, number][] = [[0, bits - 1]];
      for (let k = 0; k < 6; k++) {
        const a = Math.floor(next() * bits);
        const b = Math.floor(next() * bits);
        ranges.push([Math.min(a, b), Math.max(a, b)]);
      }
      // Byte-aligned ranges (BYTE units) too.
      const a = Math.floor(next() * bytes.length);
      ranges.push([a * 8, bytes.length * 8 - 1]);
      for (const [first, last] of ranges) {
        const count = slowCount(bytes, first, last);
        const zero = slowFind(bytes, 0, first, last);
        const one = slowFind(bytes, 1, first, last);
        for (const [form, v] of forms(bytes)) {
          const where = `${form} ${bytes.length} bytes, bits ${first}..${last}`;
          expect([where, countBits(v, first, last)]).toEqual([where, count]);
          expect([where, findBit(v, 0, first, last)]).toEqual([where, zero]);
          expect([where, findBit(v, 1, first, last)]).toEqual([where, one]);
        }
      }
    }
  });

  it('finds a lone bit far into long runs of the other value', () => {
    for (const len of [1, 3, 4, 65535, 65536, 65537, 200003]) {
      for (const pos of [0, 7, len * 4 + 1, len * 8 - 1]) {
        if (pos >= len * 8) continue;
        const zeros = Buffer.alloc(len);
        zeros[pos >> 3] |= 0x80 >> (pos & 7);
        const ones = Buffer.from(zeros.map((b) => ~b & 0xff));
        for (const [, v] of forms(zeros)) expect(findBit(v, 1, 0, len * 8 - 1)).toBe(pos);
        for (const [, v] of forms(ones)) expect(findBit(v, 0, 0, len * 8 - 1)).toBe(pos);
        for (const [, v] of forms(zeros)) expect(countBits(v, 0, len * 8 - 1)).toBe(1);
      }
    }
  });

  it('combines exactly like a byte loop, inputs of every form, length and alignment', () => {
    const next = rng(11);
    for (const op of ['and', 'or', 'xor', 'not'] as BitOp[]) {
      for (let round = 0; round < 4; round++) {
        const count = op === 'not' ? 1 : 2 + Math.floor(next() * 3);
        const inputs = Array.from({ length: count }, () => randomBytes(next, Math.floor(next() * 150000)));
        const expected = slowBitop(op, inputs);
        for (let f = 0; f < 3; f++) {
          const values = inputs.map((b, i) => forms(b)[(f + i) % 3][1]);
          expect(bitop(op, values).equals(expected)).toBe(true);
        }
      }
    }
    expect(bitop('or', [null, '\x01\x02\x03\x04\x05']).toString('latin1')).toBe('\x01\x02\x03\x04\x05');
  });
});
