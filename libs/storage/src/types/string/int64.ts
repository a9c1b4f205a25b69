import { LLONG_MAX, LLONG_MIN } from '../../limits.js';
import { parseCanonicalInt, type StringValue } from './string-value.js';

/**
 * Exact signed 64-bit integers in two JS forms: a number while |v| ≤ 2^53 - 1 (the common,
 * allocation-free case) and a bigint beyond, so INCR & co. never lose precision.
 */
export type Int64 = number | bigint;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** The canonical form of an int64: a number when it is safe, else a bigint. */
export function normalizeInt64(v: bigint): Int64 {
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v;
}

/** a + b, or null when the sum leaves int64 (Redis: "increment or decrement would overflow"). */
export function addInt64(a: Int64, b: Int64): Int64 | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    // Both operands are safe, so a safe-looking sum is exact; anything else is redone in bigint.
    if (Number.isSafeInteger(s)) return s;
  }
  const s = BigInt(a) + BigInt(b);
  return s < LLONG_MIN || s > LLONG_MAX ? null : normalizeInt64(s);
}

/** -v, or null for LLONG_MIN (whose negation overflows; DECRBY refuses it). */
export function negateInt64(v: Int64): Int64 | null {
  if (typeof v === 'number') return v === 0 ? 0 : -v;
  return v === LLONG_MIN ? null : normalizeInt64(-v);
}

/**
 * The integer a string value holds, as Redis's getLongLongFromObject reads it: the int encoding
 * directly, otherwise the bytes by string2ll rules. Null when it is not an int64.
 */
export function stringToInt64(v: StringValue): Int64 | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') return parseCanonicalInt(v);
  return v.length > 20 ? null : parseCanonicalInt(v.toString());
}
