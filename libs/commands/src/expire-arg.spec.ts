import { describe, expect, it } from '@jest/globals';
import { parseExpireTime } from './expire-arg.js';

const invalid = "ERR invalid expire time in 'set' command";
const notInteger = 'ERR value is not an integer or out of range';

describe('parseExpireTime', () => {
  const now = 1_700_000_000_123;

  it('keeps the common case a number, exact', () => {
    expect(parseExpireTime('100', true, now, true, 'set')).toBe(now + 100_000);
    expect(parseExpireTime('100', false, 0, true, 'set')).toBe(100);
  });

  it('is exact beyond 2^53: a bigint only where a number would round', () => {
    expect(parseExpireTime('9007199254740993', false, 0, true, 'set')).toBe(9007199254740993n);
    expect(parseExpireTime('9007199254740991', false, 0, true, 'set')).toBe(9007199254740991);
    expect(parseExpireTime('9223372036854775807', false, 0, false, 'set')).toBe(9223372036854775807n);
    expect(parseExpireTime('9223372036854775', true, 0, true, 'set')).toBe(9223372036854775000n);
    expect(parseExpireTime('-9223372036854775808', false, 0, false, 'set')).toBe(-9223372036854775808n);
  });

  it('refuses scaling and base-time overflows, and values ≤ 0 for the SET family only', () => {
    expect(parseExpireTime('9223372036854776', true, 0, true, 'set')).toBe(invalid);
    expect(parseExpireTime('9223372036854775', true, now, true, 'set')).toBe(invalid);
    expect(parseExpireTime('9223372036854775807', false, now, false, 'set')).toBe(invalid);
    expect(parseExpireTime('-9223372036854776', true, 0, false, 'set')).toBe(invalid);
    expect(parseExpireTime('0', false, now, true, 'set')).toBe(invalid);
    expect(parseExpireTime('-1', false, now, true, 'set')).toBe(invalid);
    expect(parseExpireTime('-1', true, now, false, 'set')).toBe(now - 1000);
    expect(parseExpireTime('9223372036854775808', false, 0, false, 'set')).toBe(notInteger);
    expect(parseExpireTime('1.5', false, 0, false, 'set')).toBe(notInteger);
  });
});
