import { Err } from './errors.js';
import { LLONG_MAX, LLONG_MIN } from '@brook/storage';
import { parseInt64 } from './args.js';

/** Below this magnitude (2^43) value * 1000 + now stays an exact JS number: no overflow possible. */
const FAST_LIMIT = 2 ** 43;

/**
 * The one parser of expire arguments (SET/GETEX options, SETEX, PSETEX, the EXPIRE family): the
 * absolute unix time in ms, exact over int64 (a number, a bigint only beyond 2^53), or the error
 * text. `seconds` scales the value by 1000; `base` is added (now for relative forms, else 0).
 *
 * `positive` selects the SET family's rules (getExpireMillisecondsOrReply): the value must be
 * above 0. The EXPIRE family (expireGenericCommand) takes any int64, a past time deleting the
 * key. Both refuse a scaling or an addition that overflows int64.
 */
export function parseExpireTime(arg: string, seconds: boolean, base: number, positive: boolean, cmd: string): number | bigint | string {
  const v = parseInt64(arg);
  if (v === null) return Err.notInteger;
  if (typeof v === 'number' && v < FAST_LIMIT && v > (positive ? 0 : -FAST_LIMIT)) return (seconds ? v * 1000 : v) + base;
  let when = BigInt(v);
  if (positive && when <= 0n) return Err.invalidExpire(cmd);
  if (seconds) {
    // C's LLONG_MAX / 1000 and LLONG_MIN / 1000 truncate toward zero, as BigInt division does.
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return Err.invalidExpire(cmd);
    when *= 1000n;
  }
  when += BigInt(base);
  if (when > LLONG_MAX) return Err.invalidExpire(cmd);
  const n = Number(when);
  return Number.isSafeInteger(n) ? n : when;
}
