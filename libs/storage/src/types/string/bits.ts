import { MutableString } from './mutable-string.js';
import { stringBytes, type StringValue } from './string-value.js';

/**
 * Bit-level helpers for the bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP). Bit 0 is
 * the most significant bit of byte 0, as in Redis.
 */

/** Bytes start..end (inclusive) of a string value; no copy for the mutable form. */
export function byteRange(v: StringValue, start: number, end: number): Buffer {
  if (v instanceof MutableString) return v.buf.subarray(start, end + 1);
  return Buffer.from(stringBytes(v).slice(start, end + 1), 'latin1');
}

/** Bit `offset` of a string value (0 beyond its end). */
export function getBit(v: StringValue, offset: number): number {
  const byte = Math.floor(offset / 8);
  let b: number;
  if (v instanceof MutableString) {
    if (byte >= v.length) return 0;
    b = v.buf[byte];
  } else {
    const s = typeof v === 'string' ? v : String(v);
    if (byte >= s.length) return 0;
    b = s.charCodeAt(byte);
  }
  return (b >> (7 - (offset & 7))) & 1;
}

/** Sets bit `offset` (the string must already cover it); returns the previous bit. */
export function setBit(s: MutableString, offset: number, on: number): number {
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  const old = s.buf[byte];
  s.buf[byte] = on ? old | mask : old & ~mask;
  return old & mask ? 1 : 0;
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** Set bits in bytes [0, buf.length) of `buf`. */
export function popcount(buf: Buffer): number {
  let n = 0;
  const len = buf.length;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    n += POPCOUNT[buf[i]] + POPCOUNT[buf[i + 1]] + POPCOUNT[buf[i + 2]] + POPCOUNT[buf[i + 3]];
  }
  for (; i < len; i++) n += POPCOUNT[buf[i]];
  return n;
}

/** Set bits of a string value between bit offsets first..last inclusive (both within the string). */
export function countBits(v: StringValue, first: number, last: number): number {
  const startByte = Math.floor(first / 8);
  const endByte = Math.floor(last / 8);
  const buf = byteRange(v, startByte, endByte);
  let n = popcount(buf);
  // Bits of the edge bytes outside the range are subtracted, as Redis does with its masks.
  const headMask = ~(0xff >> (first & 7)) & 0xff;
  const tailMask = 0xff >> ((last & 7) + 1);
  n -= POPCOUNT[buf[0] & headMask] + POPCOUNT[buf[buf.length - 1] & tailMask];
  return n;
}

/**
 * Position of the first bit equal to `bit` between bit offsets first..last inclusive (within
 * the string), or -1.
 */
export function findBit(v: StringValue, bit: number, first: number, last: number): number {
  const startByte = Math.floor(first / 8);
  const endByte = Math.floor(last / 8);
  const buf = byteRange(v, startByte, endByte);
  // Bytes entirely of the other value are skipped whole.
  const skip = bit ? 0x00 : 0xff;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    let b = buf[i];
    if (i === 0) b = bit ? b & (0xff >> (first & 7)) : b | (~(0xff >> (first & 7)) & 0xff);
    if (i === n - 1) {
      const tail = 0xff >> ((last & 7) + 1);
      b = bit ? b & ~tail : b | tail;
    }
    if (b === skip) continue;
    for (let k = 0; k < 8; k++) {
      if (((b >> (7 - k)) & 1) === bit) return (startByte + i) * 8 + k;
    }
  }
  return -1;
}

export type BitOp = 'and' | 'or' | 'xor' | 'not';

/**
 * BITOP over byte strings: missing bytes of shorter inputs count as zero; the result is as long
 * as the longest input. Null inputs are missing keys (empty strings).
 */
export function bitop(op: BitOp, inputs: readonly (StringValue | null)[]): Buffer {
  let maxlen = 0;
  const bufs: Buffer[] = [];
  for (const v of inputs) {
    const b =
      v === null ? Buffer.alloc(0)
      : v instanceof MutableString ? v.view()
      : Buffer.from(stringBytes(v), 'latin1');
    bufs.push(b);
    if (b.length > maxlen) maxlen = b.length;
  }
  const res = Buffer.alloc(maxlen);
  if (op === 'not') {
    const src = bufs[0];
    for (let i = 0; i < maxlen; i++) res[i] = ~src[i] & 0xff;
    return res;
  }
  bufs[0].copy(res);
  for (let k = 1; k < bufs.length; k++) {
    const src = bufs[k];
    const n = src.length;
    if (op === 'and') {
      for (let i = 0; i < n; i++) res[i] &= src[i];
      res.fill(0, n);
    } else if (op === 'or') {
      for (let i = 0; i < n; i++) res[i] |= src[i];
    } else {
      for (let i = 0; i < n; i++) res[i] ^= src[i];
    }
  }
  return res;
}
