import type { StringValue } from './string-value.js';

/**
 * Redis computes INCRBYFLOAT (and HINCRBYFLOAT) in C `long double`, which on x86-64 is the 80-bit
 * extended format: a 64-bit significand and a 15-bit exponent. Doubles give visibly different
 * results ("10.5 + 0.1", "1e20 + 10.5", "1e400"), so this module reproduces that format exactly
 * with bigints: glibc strtold parsing (correctly rounded), IEEE addition with round-to-nearest-even,
 * and printf("%.17Lf") formatting.
 *
 * A finite value is sign · m · 2^e with 0 ≤ m < 2^64.
 */
export interface LongDouble {
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
  readonly inf: boolean;
}

/** Extended precision: 64 significand bits, normal exponents -16382..16383. */
const PRECISION = 64;
const MAX_EXP = 16383;
/** Exponent of the smallest subnormal's unit: 2^(-16382 - 63). */
const MIN_E = -16382 - (PRECISION - 1);
const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer input is rejected before strtold sees it. */
const MAX_CHARS = 5 * 1024;
/** Decimal/binary exponents beyond these clearly overflow or underflow; they bound the bigint work. */
const DEC_LIMIT = 5000;
const BIN_LIMIT = 17000;

const ZERO: LongDouble = { neg: false, m: 0n, e: 0, inf: false };
const POS_INF: LongDouble = { neg: false, m: 0n, e: 0, inf: true };
const NEG_INF: LongDouble = { neg: true, m: 0n, e: 0, inf: true };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(inity)?$/i;

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** Clamps a decimal exponent string so huge exponents cost nothing (they over/underflow anyway). */
function exponent(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = Number(s);
  return n > 1e9 ? 1e9 : n < -1e9 ? -1e9 : n;
}

/**
 * Rounds the exact positive value p/q · 2^b to extended precision (nearest, ties to even),
 * with gradual underflow. Returns null on overflow.
 */
function round(neg: boolean, p: bigint, q: bigint, b: number): LongDouble | null {
  if (p === 0n) return neg ? { ...ZERO, neg } : ZERO;
  // floor(log2(p/q)): bit lengths give k or k-1.
  let k = bitLength(p) - bitLength(q);
  if (k >= 0 ? p < q << BigInt(k) : p << BigInt(-k) < q) k--;
  const fl = k + b;
  if (fl > MAX_EXP) return null;
  let e = Math.max(fl - (PRECISION - 1), MIN_E);
  const s = b - e;
  const num = s >= 0 ? p << BigInt(s) : p;
  const den = s >= 0 ? q : q << BigInt(-s);
  let m = num / den;
  const twiceRem = (num - m * den) * 2n;
  if (twiceRem > den || (twiceRem === den && (m & 1n) === 1n)) m++;
  if (m === TWO_64) {
    m = TWO_63;
    e++;
    if (e + PRECISION - 1 > MAX_EXP) return null;
  }
  return { neg, m, e, inf: false };
}

/**
 * Parses a float argument the way Redis's string2ld does: strtold must consume every byte (a NUL
 * byte fails that), no leading space, no NaN, and no overflow or underflow to zero.
 * Accepts decimal, hex ("0x1.8p3") and inf/infinity. Null means "not a valid float".
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length >= MAX_CHARS) return null;
  let g = DECIMAL.exec(s);
  // Optional groups are undefined when absent (the lib types say string).
  let frac = g?.[3] ?? '';
  if (g !== null && (g[2].length > 0 || frac.length > 0)) {
    return parseDecimal(g[1] === '-', g[2] + frac, frac.length, exponent(g[4]));
  }
  g = HEX.exec(s);
  frac = g?.[3] ?? '';
  if (g !== null && (g[2].length > 0 || frac.length > 0)) {
    const digits = g[2] + frac;
    const mant = BigInt('0x' + digits);
    const b = exponent(g[4]) - 4 * frac.length;
    return finite(g[1] === '-', mant, 1n, b, bitLength(mant) - 1 + b);
  }
  g = INFINITY.exec(s);
  if (g !== null) return g[1] === '-' ? NEG_INF : POS_INF;
  return null;
}

function parseDecimal(neg: boolean, digits: string, fracDigits: number, exp10: number): LongDouble | null {
  const stripped = digits.replace(/^0+/, '');
  if (stripped.length === 0) return neg ? { ...ZERO, neg } : ZERO;
  const scale = exp10 - fracDigits;
  const magnitude = scale + stripped.length - 1;
  if (magnitude > DEC_LIMIT) return null; // overflow (ERANGE, HUGE_VAL)
  if (magnitude < -DEC_LIMIT) return null; // underflow to zero (ERANGE)
  const mant = BigInt(stripped);
  if (scale >= 0) return finite(neg, mant * 10n ** BigInt(scale), 1n, 0, 0);
  return finite(neg, mant, 10n ** BigInt(-scale), 0, 0);
}

/** Rounds a parsed nonzero value; overflow and underflow to zero both make strtold fail for Redis. */
function finite(neg: boolean, p: bigint, q: bigint, b: number, approxLog2: number): LongDouble | null {
  if (p === 0n) return neg ? { ...ZERO, neg } : ZERO;
  if (approxLog2 > BIN_LIMIT || approxLog2 < -BIN_LIMIT) return null;
  const v = round(neg, p, q, b);
  return v === null || v.m === 0n ? null : v;
}

/**
 * The number a string value holds, as Redis's getLongDoubleFromObject reads it: the int
 * encoding converted exactly, otherwise the bytes parsed (long values refused before copying).
 */
export function stringToLongDouble(v: StringValue): LongDouble | null {
  if (typeof v === 'number' || typeof v === 'bigint') return longDoubleFromInt(v);
  if (typeof v === 'string') return parseLongDouble(v);
  return v.length >= MAX_CHARS ? null : parseLongDouble(v.toString());
}

/** An int64 converted to long double: always exact (64 significand bits). */
export function longDoubleFromInt(v: number | bigint): LongDouble {
  const b = BigInt(v);
  return b < 0n ? { neg: true, m: -b, e: 0, inf: false } : { neg: false, m: b, e: 0, inf: false };
}

/** a + b rounded to extended precision; null when the result is NaN or infinite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) return null;
  const e = Math.min(a.e, b.e);
  const sa = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = sa + sb;
  // An exact zero sum is +0 under round-to-nearest unless both addends were -0.
  if (sum === 0n) return a.neg && b.neg ? { ...ZERO, neg: true } : ZERO;
  return round(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

const SCALE = 10n ** 17n;

/**
 * Redis's ld2string(LD_STR_HUMAN): printf("%.17Lf") (exact decimal expansion rounded half to
 * even at 17 decimals, as glibc does), then trailing zeros and a bare '.' removed, and "-0"
 * printed as "0".
 */
export function formatLongDouble(v: LongDouble): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  let q: bigint;
  if (v.e >= 0) {
    q = (v.m << BigInt(v.e)) * SCALE;
  } else {
    const shift = BigInt(-v.e);
    const num = v.m * SCALE;
    q = num >> shift;
    const rem = num - (q << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(18, '0');
  const int = digits.slice(0, digits.length - 17);
  const frac = digits.slice(digits.length - 17).replace(/0+$/, '');
  const body = frac.length > 0 ? int + '.' + frac : int;
  return v.neg && body !== '0' ? '-' + body : body;
}
