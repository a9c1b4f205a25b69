import { Err } from './errors.js';
import { LLONG_MAX, parseLongDouble } from '@brook/storage';

/**
 * A blocking timeout in seconds as Redis's getTimeoutFromObjectOrReply reads it: a long double,
 * times 1000 (rounded to its 64-bit significand), rounded up to whole milliseconds and cast to a
 * long long, so an overflowing value comes out negative. Returns ms (0 = forever) or the error text.
 */
export function parseBlockTimeout(arg: string): number | string {
  // Plain small integers (BLPOP q 0, BLPOP q 5) need no long double arithmetic.
  if (arg.length < 10 && /^(0|[1-9][0-9]*)$/.test(arg)) return Number(arg) * 1000;
  const v = parseLongDouble(arg);
  if (v === null) return Err.timeoutNotFloat;
  if (v.inf) return Err.timeoutNegative;
  let m = v.m * 1000n;
  let e = v.e;
  const excess = m.toString(2).length - 64;
  if (excess > 0 && m !== 0n) {
    const half = 1n << BigInt(excess - 1);
    const rest = m & ((half << 1n) - 1n);
    m >>= BigInt(excess);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m++;
    e += excess;
  }
  // |value| = m · 2^e; the ceiling of ±|value|.
  let whole: bigint;
  let fraction = false;
  if (e >= 0) whole = m << BigInt(e);
  else {
    whole = m >> BigInt(-e);
    fraction = whole << BigInt(-e) !== m;
  }
  const ms = v.neg ? -whole : whole + (fraction ? 1n : 0n);
  if (ms < 0n || ms > LLONG_MAX) return Err.timeoutNegative;
  return Number(ms);
}
