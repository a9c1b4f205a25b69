import { LLONG_MAX, LLONG_MIN } from '../../limits.js';
import { MutableString } from './mutable-string.js';
import type { Value } from '../object.js';

/**
 * String values take one of four JS forms, mirroring Redis's encodings:
 * - number: an integer in the safe range (`int`), stored unboxed when small;
 * - bigint: an integer beyond 2^53 but within int64 (`int`), exact;
 * - string: immutable bytes as a latin1 string (`embstr` up to 44 bytes, else `raw`);
 * - MutableString: a Buffer edited in place (`raw`).
 */
export type StringValue = string | number | bigint | MutableString;

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
export const EMBSTR_LIMIT = 44;

export function isStringValue(v: Value): v is StringValue {
  return typeof v !== 'object' || v instanceof MutableString;
}

/**
 * The value Redis would store for these bytes: canonical decimal integers of 64 bits become
 * integers (as tryObjectEncoding does), everything else stays a string.
 */
export function encodeString(s: string): StringValue {
  const n = s.length;
  if (n === 0 || n > 20) return s;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45)) return s;
  const v = parseCanonicalInt(s);
  return v === null ? s : v;
}

/**
 * Parses a decimal int64 exactly as Redis's string2ll: optional '-', no '+', no spaces, no
 * leading zeros except "0" itself ("-0" is refused). A number while safe, else a bigint.
 */
export function parseCanonicalInt(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return i === 1 ? -v : v;
  const b = BigInt(s);
  return b < LLONG_MIN || b > LLONG_MAX ? null : b;
}

/** The bytes of a string value as a latin1 string. */
export function stringBytes(v: StringValue): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? v.toString() : String(v);
}

export function stringLength(v: StringValue): number {
  return typeof v === 'string' ? v.length : typeof v === 'object' ? v.length : String(v).length;
}

/** OBJECT ENCODING of a string value. */
export function stringEncoding(v: StringValue): string {
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
  return 'raw';
}
