/**
 * The sizes Redis's listpack would give a stream node. Brook packs entries its own way, but
 * `stream-node-max-bytes` decides where Redis starts a new node, and node boundaries decide what
 * `~` trimming removes, so a block tracks the bytes Redis's listpack for it would have.
 */
import type { U64 } from './stream-id.js';

const TWO64 = 2n ** 64n;
const INT64_MAX = 2n ** 63n - 1n;

/** Header (total bytes, element count) and end byte of a listpack. */
export const LP_OVERHEAD = 6 + 1;

/** Bytes of the back-length that follows an element whose encoding takes `len` bytes. */
function backlenSize(len: number): number {
  return len <= 127 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5;
}

function intEncodingSize(v: number | bigint): number {
  if (typeof v === 'bigint') {
    if (v >= -2147483648n && v <= 2147483647n) return intEncodingSize(Number(v));
    return 9;
  }
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Bytes of an integer element (encoding and back-length). */
export function lpIntSize(v: number | bigint): number {
  const enc = intEncodingSize(v);
  return enc + backlenSize(enc);
}

/** The int64 listpack stores for the difference a - b of two u64 (C's unsigned wrap-around). */
export function u64Diff(a: U64, b: U64): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  let d = (BigInt(a) - BigInt(b) + TWO64) % TWO64;
  if (d > INT64_MAX) d -= TWO64;
  return d;
}

/** The value of s when listpack stores it as an integer (lpStringToInt64), else null. */
function lpIntValue(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n >= 21) return null;
  if (n === 1) {
    const c = s.charCodeAt(0);
    return c >= 48 && c <= 57 ? c - 48 : null;
  }
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return null;
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (n <= 15) return Number(s);
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v <= INT64_MAX ? v : null;
}

/** Bytes of a string element: integer-looking strings are stored as integers. */
export function lpStringSize(s: string): number {
  const asInt = lpIntValue(s);
  if (asInt !== null) return lpIntSize(asInt);
  const len = s.length;
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + backlenSize(enc);
}
