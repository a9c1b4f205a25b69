/**
 * Argument parsing with Redis's rules (string2ll / strtold semantics). Parsers return null on
 * bad input so handlers can pick the exact error text for their command.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses a decimal int64 exactly as Redis's string2ll: optional '-', no '+', no spaces,
 * no leading zeros except "0" itself. Returns a number when it is safe, else a bigint.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === i + 1 && i === 0 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return i === 1 ? -v : v;
  const b = BigInt(s);
  if (b < INT64_MIN || b > INT64_MAX) return null;
  return b;
}

/** Like parseInt64 but only accepts values representable as a JS number exactly (|v| ≤ 2^53). */
export function parseSafeInt(s: string): number | null {
  const v = parseInt64(s);
  return typeof v === 'number' ? v : null;
}

/** int64 parse that saturates big values to ±Infinity-free JS numbers (used for counts/offsets). */
export function parseLong(s: string): number | null {
  const v = parseInt64(s);
  if (v === null) return null;
  return typeof v === 'number' ? v : Number(v);
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
