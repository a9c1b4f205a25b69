import { describe, expect, it } from '@jest/globals';
import { MutableString } from './mutable-string.js';
import { LLONG_MAX, LLONG_MIN } from '../../limits.js';
import { addInt64, negateInt64, normalizeInt64, stringToInt64 } from './int64.js';

describe('int64 arithmetic', () => {
  it('stays in numbers while safe and switches to bigint beyond 2^53', () => {
    expect(addInt64(1, 2)).toBe(3);
    expect(addInt64(Number.MAX_SAFE_INTEGER, 1)).toBe(2n ** 53n);
    expect(addInt64(2n ** 53n, -1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(addInt64(-Number.MAX_SAFE_INTEGER, -1)).toBe(-(2n ** 53n));
  });

  it('is exact up to the int64 limits and refuses to overflow', () => {
    expect(addInt64(LLONG_MAX - 1n, 1)).toBe(LLONG_MAX);
    expect(addInt64(LLONG_MAX, 1)).toBeNull();
    expect(addInt64(LLONG_MIN, -1)).toBeNull();
    expect(addInt64(LLONG_MIN, LLONG_MAX)).toBe(-1);
    expect(addInt64(9007199254740993n, 1)).toBe(9007199254740994n);
  });

  it('negates except LLONG_MIN', () => {
    expect(negateInt64(5)).toBe(-5);
    expect(negateInt64(0)).toBe(0);
    expect(negateInt64(LLONG_MAX)).toBe(-LLONG_MAX);
    expect(negateInt64(LLONG_MIN)).toBeNull();
  });

  it('normalizes', () => {
    expect(normalizeInt64(12n)).toBe(12);
    expect(normalizeInt64(2n ** 60n)).toBe(2n ** 60n);
  });

  it('reads string values with string2ll rules', () => {
    expect(stringToInt64('123')).toBe(123);
    expect(stringToInt64(-7)).toBe(-7);
    expect(stringToInt64('9223372036854775807')).toBe(LLONG_MAX);
    expect(stringToInt64('9223372036854775808')).toBeNull();
    for (const bad of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', 'abc']) expect(stringToInt64(bad)).toBeNull();
    expect(stringToInt64(new MutableString('-42'))).toBe(-42);
    expect(stringToInt64(new MutableString('1'.repeat(21)))).toBeNull();
  });
});
