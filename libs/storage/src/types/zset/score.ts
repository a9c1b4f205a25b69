import { parseLongDouble } from '../string/long-double.js';

/** A decimal float as strtod reads it (sign, digits with an optional point, optional exponent). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const NONZERO_DIGIT = /[1-9]/;

/**
 * Parses a score as Redis's getDoubleFromObject does: strtod must consume every byte, no leading
 * space, no NaN, and no overflow (to ±HUGE_VAL) or underflow to zero. Null: "not a valid float".
 */
export function parseScore(s: string): number | null {
  const int = parseSmallInteger(s);
  if (int !== null) return int;
  if (DECIMAL.test(s)) {
    const v = Number(s);
    if (v === Infinity || v === -Infinity) return null;
    if (v === 0 && NONZERO_DIGIT.test(mantissa(s))) return null;
    return v;
  }
  return parseOther(s);
}

/**
 * The common score, an optionally signed run of at most 15 digits (exact as a double; leading zeros
 * as strtod reads them, "-0" is -0), read without the regular expressions; null for anything else.
 */
function parseSmallInteger(s: string): number | null {
  const n = s.length;
  const first = s.charCodeAt(0);
  const signed = first === 45 /* - */ || first === 43; /* + */
  const start = signed ? 1 : 0;
  if (n === start || n - start > 15) return null;
  let v = 0;
  for (let i = start; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return first === 45 ? -v : v;
}

/**
 * Parses a range bound's number as zslParseRange does: a bare strtod that must end at the string's
 * end, NaN refused, but leading spaces skipped, overflow to ±inf kept and "" read as 0.
 */
export function parseRangeScore(s: string): number | null {
  if (s.length === 0) return 0;
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (DECIMAL.test(t)) return Number(t);
  return parseOther(t);
}

/** inf/infinity, and hex floats (rare: through the exact long-double parser). */
function parseOther(s: string): number | null {
  const inf = INFINITY.exec(s);
  if (inf !== null) return inf[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?0[xX]/.test(s)) return null;
  const ld = parseLongDouble(s);
  if (ld === null || ld.inf) return null;
  const v = Number(ld.m) * 2 ** ld.e;
  return ld.neg ? -v : v;
}

function mantissa(s: string): string {
  const e = s.search(/[eE]/);
  return e < 0 ? s : s.slice(0, e);
}

/**
 * A score as Redis 7.0 replies it: printf's "%.17g" ("inf"/"-inf" for infinities, "-0" kept), e.g.
 * 1.1 → "1.1000000000000001", 1e17 → "1e+17".
 */
export function formatScore(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && Math.abs(d) < 1e17) return String(d);
  const exp = d.toExponential(16);
  const e = exp.indexOf('e');
  const x = Number(exp.slice(e + 1));
  if (x < -4 || x >= 17) {
    const digits = trimZeros(exp.slice(0, e));
    return `${digits}e${x < 0 ? '-' : '+'}${Math.abs(x) < 10 ? '0' : ''}${Math.abs(x)}`;
  }
  return trimZeros(d.toFixed(16 - x));
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** Scratch for a double's 8 bytes (packScore/unpackScore run one at a time). */
const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);

/**
 * The entry a packed (listpack) zset keeps for a score, one byte per char: an integer of magnitude
 * below 2^52 as its zigzag form's bytes, low first (0 to 7 chars: 0 is empty, 1M takes 3), any
 * other score as the 8 bytes of its double. -0 becomes 0, as Redis's listpack stores integral
 * scores as integers. Cheaper than the text both to keep and to read back.
 */
export function packScore(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 2 ** 52) {
    let z = d > 0 ? d * 2 : d < 0 ? -d * 2 - 1 : 0;
    let packed = '';
    while (z > 0) {
      packed += String.fromCharCode(z % 256);
      z = Math.floor(z / 256);
    }
    return packed;
  }
  float[0] = d;
  return String.fromCharCode(...floatBytes);
}

/** The score packScore() packed into the chars [start, end) of `packed`. */
export function unpackScore(packed: string, start: number, end: number): number {
  if (end - start === 8) {
    for (let i = 0; i < 8; i++) floatBytes[i] = packed.charCodeAt(start + i);
    return float[0];
  }
  let z = 0;
  for (let i = end - 1; i >= start; i--) z = z * 256 + packed.charCodeAt(i);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/**
 * A score as ZSCAN returns it from a listpack (the entry as stored: integral scores within a long
 * long as their exact digits, others as %.17g); the skiplist form replies formatScore.
 */
export function formatPackedScore(d: number): string {
  return Number.isInteger(d) && Math.abs(d) < 2 ** 63 ? BigInt(d).toString() : formatScore(d);
}
