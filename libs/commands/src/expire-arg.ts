import { Err } from './errors.js';
import { parseInt64 } from './args.js';

export type ExpireUnit = 'seconds' | 'milliseconds';

/**
 * Turns an expire argument into an absolute ms time, as Redis's getExpireCommand /
 * SET option parsing do. `relative` adds `now`. Returns the time or an error text.
 */
export function absoluteExpire(
  arg: string,
  unit: ExpireUnit,
  relative: boolean,
  now: number,
  cmd: string,
  allowNonPositive = false,
): number | string {
  const parsed = parseInt64(arg);
  if (parsed === null) return Err.notInteger;
  let ms = Number(parsed);
  if (!allowNonPositive && ms <= 0) return Err.invalidExpire(cmd);
  if (unit === 'seconds') {
    if (ms > 9223372036854775 || ms < -9223372036854775) return Err.invalidExpire(cmd);
    ms *= 1000;
  }
  if (relative) {
    if (ms > 9223372036854775807 - now) return Err.invalidExpire(cmd);
    ms += now;
  }
  return ms;
}
