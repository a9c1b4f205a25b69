import { describe, expect, it } from '@jest/globals';
import { murmurHash64A, patIndex, patLen } from './murmur.js';
import { createHll, decodeSparse, denseRegister, hllAdd, hllCount, sparseToDense } from './hll.js';

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A written directly from its definition on 64-bit BigInts: the reference. */
function reference(s: string, seed: bigint): bigint {
  let h = (seed ^ (BigInt(s.length) * M)) & MASK;
  const whole = s.length - (s.length & 7);
  for (let i = 0; i < whole; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h = ((h ^ k) * M) & MASK;
  }
  const tail = s.length & 7;
  if (tail !== 0) {
    for (let j = tail - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(whole + j)) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  return h ^ (h >> 47n);
}

describe('HyperLogLog internals', () => {
  it('MurmurHash64A on uint32 halves equals the 64-bit definition for every tail length and binary bytes', () => {
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    for (let len = 0; len < 70; len++) {
      for (let t = 0; t < 20; t++) {
        const s = String.fromCharCode(...Array.from({ length: len }, next));
        expect(murmurHash64A(s)).toBe(reference(s, 0xadc83b19n));
      }
    }
  });

  it('patLen takes the register from the low 14 bits and counts the run above them, the final 1 included', () => {
    for (const s of ['', 'a', 'hello', 'element:123456789']) {
      const h = reference(s, 0xadc83b19n);
      const count = patLen(s);
      expect(patIndex).toBe(Number(h & 0x3fffn));
      let rest = (h >> 14n) | (1n << 50n);
      let expected = 1;
      while ((rest & 1n) === 0n) {
        rest >>= 1n;
        expected++;
      }
      expect(count).toBe(expected);
    }
  });

  it('sparse and dense hold the same registers and count the same', () => {
    const sparse = createHll();
    expect(decodeSparse(sparse.view())).toBe('Z:16384');
    for (let i = 0; i < 500; i++) hllAdd(sparse, `e${i}`, 1 << 20);
    const dense = createHll();
    dense.buf = Buffer.from(sparse.view());
    dense.length = sparse.length;
    expect(sparseToDense(dense)).toBe(true);
    expect(hllCount(dense.view())).toBe(hllCount(sparse.view()));
    const fromDense = createHll();
    sparseToDense(fromDense);
    for (let i = 0; i < 500; i++) hllAdd(fromDense, `e${i}`, 1 << 20);
    for (let r = 0; r < 16384; r++) expect(denseRegister(fromDense.buf, r)).toBe(denseRegister(dense.buf, r));
  });
});
