/**
 * Argument parsing with Redis's rules (string2ll / strtold semantics). Parsers return null on
 * bad input so handlers can pick the exact error text for their command.
 */
import { parseCanonicalInt as parseInt64 } from '@brook/storage';

/** Redis's string2ll: the one int64 parser, shared with the storage's integer encoding. */
export { parseInt64 };

/** Like parseInt64 but only accepts values representable as a JS number exactly (|v| ≤ 2^53). */
export function parseSafeInt(s: string): number | null {
  const v = parseInt64(s);
  return typeof v === 'number' ? v : null;
}

/**
 * Parses a float like Redis's getLongDoubleFromObject/strtold: accepts leading/trailing spaces
 * nowhere, "inf"/"-inf"/"+inf", hex and exponent forms; rejects NaN and empty strings.
 */
export function parseFloatArg(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(s.length - 1);
  if (isSpace(c0) || isSpace(cl)) return null;
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Case-insensitive comparison of an argument with an upper-case keyword. */
export function is(arg: string, keyword: string): boolean {
  return arg.length === keyword.length && arg.toUpperCase() === keyword;
}
