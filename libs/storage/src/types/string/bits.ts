import { MutableString } from './mutable-string.js';
import { KERNEL_BYTES, kernelMemory, popcountKernel } from './popcount.js';
import { stringBytes, stringLength, type StringValue } from './string-value.js';

/**
 * Bit-level helpers for the bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP). Bit 0 is
 * the most significant bit of byte 0, as in Redis.
 *
 * The scans over large values work a chunk at a time, never a byte at a time: BITCOUNT with the
 * popcount kernel, BITPOS by comparing whole chunks against a run of the byte it skips (memcmp),
 * BITOP a 32-bit word at a time. Immutable (JS string) values are copied into the kernel's memory
 * one chunk at a time; mutable ones are read in place.
 */

/** Bytes handled per step: the kernel's memory, small enough to stay in cache. */
const CHUNK = KERNEL_BYTES;
/** What BITPOS compares chunks with to skip them: a run of the byte it is not looking for. */
const ZEROS = Buffer.alloc(CHUNK);
const ONES = Buffer.alloc(CHUNK, 0xff);

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** Byte `i` of a string value (which must cover it). */
function byteAt(v: StringValue, i: number): number {
  return v instanceof MutableString ? v.buf[i] : stringBytes(v).charCodeAt(i);
}

/** Copies bytes [from, from + len) of a string value to the start of `dst`. */
function copyBytes(v: StringValue, from: number, len: number, dst: Buffer): void {
  if (v instanceof MutableString) v.buf.copy(dst, 0, from, from + len);
  else dst.write(stringBytes(v).slice(from, from + len), 0, len, 'latin1');
}

/**
 * Bytes [from, from + len) (len ≤ CHUNK) as a Buffer: a view of a mutable string, else a copy in
 * the kernel's memory, valid until the next call.
 */
function chunkAt(v: StringValue, from: number, len: number): Buffer {
  if (v instanceof MutableString) return v.buf.subarray(from, from + len);
  copyBytes(v, from, len, kernelMemory);
  return kernelMemory.subarray(0, len);
}

/** Bit `offset` of a string value (0 beyond its end). */
export function getBit(v: StringValue, offset: number): number {
  const byte = Math.floor(offset / 8);
  if (byte >= stringLength(v)) return 0;
  return (byteAt(v, byte) >> (7 - (offset & 7))) & 1;
}

/** Sets bit `offset` (the string must already cover it); returns the previous bit. */
export function setBit(s: MutableString, offset: number, on: number): number {
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  const old = s.buf[byte];
  s.buf[byte] = on ? old | mask : old & ~mask;
  return old & mask ? 1 : 0;
}

/** Set bits of a string value between bit offsets first..last inclusive (both within the string). */
export function countBits(v: StringValue, first: number, last: number): number {
  const startByte = Math.floor(first / 8);
  const endByte = Math.floor(last / 8);
  let n = 0;
  for (let off = startByte; off <= endByte; off += CHUNK) {
    const len = Math.min(CHUNK, endByte + 1 - off);
    copyBytes(v, off, len, kernelMemory);
    n += popcountKernel(len);
  }
  // Bits of the edge bytes outside the range are subtracted, as Redis does with its masks.
  const headMask = ~(0xff >> (first & 7)) & 0xff;
  const tailMask = 0xff >> ((last & 7) + 1);
  return n - POPCOUNT[byteAt(v, startByte) & headMask] - POPCOUNT[byteAt(v, endByte) & tailMask];
}

/**
 * Position of the first bit equal to `bit` between bit offsets first..last inclusive (within
 * the string), or -1.
 */
export function findBit(v: StringValue, bit: number, first: number, last: number): number {
  const startByte = Math.floor(first / 8);
  const endByte = Math.floor(last / 8);
  // The bits of the first and last bytes that lie inside the range.
  const headMask = 0xff >> (first & 7);
  const tailMask = ~(0xff >> ((last & 7) + 1)) & 0xff;
  if (startByte === endByte) return bitInByte(v, startByte, bit, headMask & tailMask);
  const head = bitInByte(v, startByte, bit, headMask);
  if (head >= 0) return head;
  const i = findByteOtherThan(v, bit ? 0x00 : 0xff, startByte + 1, endByte);
  return i >= 0 ? bitInByte(v, i, bit, 0xff) : bitInByte(v, endByte, bit, tailMask);
}

/** Position of the first bit equal to `bit` among the `mask` bits of byte `i`, or -1. */
function bitInByte(v: StringValue, i: number, bit: number, mask: number): number {
  const b = byteAt(v, i);
  const hits = (bit ? b : ~b) & mask;
  return hits === 0 ? -1 : i * 8 + Math.clz32(hits) - 24;
}

/** Index of the first byte in [from, to) that is not `skip`, or -1; runs of `skip` cost a memcmp per chunk. */
function findByteOtherThan(v: StringValue, skip: number, from: number, to: number): number {
  const run = skip === 0 ? ZEROS : ONES;
  for (let off = from; off < to; off += CHUNK) {
    const len = Math.min(CHUNK, to - off);
    const chunk = chunkAt(v, off, len);
    if (run.compare(chunk, 0, len, 0, len) === 0) continue;
    for (let i = 0; i < len; i++) if (chunk[i] !== skip) return off + i;
  }
  return -1;
}

export type BitOp = 'and' | 'or' | 'xor' | 'not';

/**
 * BITOP over byte strings: missing bytes of shorter inputs count as zero; the result is as long
 * as the longest input. Null inputs are missing keys (empty strings).
 */
export function bitop(op: BitOp, inputs: readonly (StringValue | null)[]): Buffer {
  const lengths = inputs.map((v) => (v === null ? 0 : stringLength(v)));
  let maxlen = 0;
  for (const len of lengths) if (len > maxlen) maxlen = len;
  // A Buffer over its own (zeroed) ArrayBuffer starts at offset 0, so its 32-bit views are aligned.
  const res = Buffer.from(new ArrayBuffer(maxlen));
  // Chunk by chunk: the first input is copied into the result's chunk, then every other input is
  // combined into it while it is still in cache.
  for (let off = 0; off < maxlen; off += CHUNK) {
    const end = Math.min(maxlen, off + CHUNK);
    const firstLen = Math.min(lengths[0], end) - off;
    if (firstLen > 0) copyBytes(inputs[0]!, off, firstLen, res.subarray(off));
    if (op === 'not') combine(op, res, off, res, end - off);
    for (let k = 1; k < inputs.length; k++) {
      const v = inputs[k];
      const len = Math.min(lengths[k], end) - off;
      if (len < end - off && op === 'and') res.fill(0, off + Math.max(len, 0), end);
      if (v === null || len <= 0) continue;
      let src = chunkAt(v, off, len);
      if ((src.byteOffset & 3) !== 0) {
        src.copy(kernelMemory, 0);
        src = kernelMemory.subarray(0, len);
      }
      combine(op, res, off, src, len);
    }
  }
  return res;
}

/**
 * res[at, at + len) = res[at, at + len) op src[0, len), 16 bytes per turn as four 32-bit words;
 * NOT ignores `src`. `res` at `at` and `src` must be 4-byte aligned.
 */
function combine(op: BitOp, res: Buffer, at: number, src: Buffer, len: number): void {
  const words = (len >>> 4) * 4;
  const r = new Int32Array(res.buffer, res.byteOffset + at, words);
  const s = new Int32Array(src.buffer, src.byteOffset, op === 'not' ? 0 : words);
  switch (op) {
    case 'and':
      for (let i = 0; i < words; i += 4) {
        r[i] &= s[i];
        r[i + 1] &= s[i + 1];
        r[i + 2] &= s[i + 2];
        r[i + 3] &= s[i + 3];
      }
      break;
    case 'or':
      for (let i = 0; i < words; i += 4) {
        r[i] |= s[i];
        r[i + 1] |= s[i + 1];
        r[i + 2] |= s[i + 2];
        r[i + 3] |= s[i + 3];
      }
      break;
    case 'xor':
      for (let i = 0; i < words; i += 4) {
        r[i] ^= s[i];
        r[i + 1] ^= s[i + 1];
        r[i + 2] ^= s[i + 2];
        r[i + 3] ^= s[i + 3];
      }
      break;
    case 'not':
      for (let i = 0; i < words; i += 4) {
        r[i] = ~r[i];
        r[i + 1] = ~r[i + 1];
        r[i + 2] = ~r[i + 2];
        r[i + 3] = ~r[i + 3];
      }
      break;
  }
  for (let i = words * 4; i < len; i++) {
    const a = res[at + i];
    const b = src[i];
    res[at + i] = op === 'and' ? a & b : op === 'or' ? a | b : op === 'xor' ? a ^ b : ~a;
  }
}
