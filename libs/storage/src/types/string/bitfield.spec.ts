import { describe, expect, it } from '@jest/globals';
import { MutableString } from './mutable-string.js';
import { checkOverflow, getField, incrField, parseBitfieldType, parseBitOffset, setField, setFieldChecked } from './bitfield.js';

const i8 = { signed: true, bits: 8 };
const u8 = { signed: false, bits: 8 };
const i64 = { signed: true, bits: 64 };

describe('BITFIELD fields', () => {
  it('parses types as Redis 7.0 does (lower case only, no u64, the width ends at a NUL)', () => {
    expect(parseBitfieldType('i64')).toEqual(i64);
    expect(parseBitfieldType('u8')).toEqual(u8);
    expect(parseBitfieldType('u8\0junk')).toEqual(u8);
    for (const bad of ['U8', 'I8', 'u64', 'i65', 'i0', 'u', 'x8', '', 'i08', 'i-1']) {
      expect(parseBitfieldType(bad)).toBeNull();
    }
  });

  it('parses offsets, #N multiplying by the width with int64 wrap-around', () => {
    expect(parseBitOffset('100', 0, 512 * 1024 * 1024)).toBe(100);
    expect(parseBitOffset('#3', 8, 512 * 1024 * 1024)).toBe(24);
    expect(parseBitOffset('#3', 0, 512 * 1024 * 1024)).toBeNull();
    expect(parseBitOffset('-1', 0, 512 * 1024 * 1024)).toBeNull();
    expect(parseBitOffset(String(2 ** 32 - 1), 0, 512 * 1024 * 1024)).toBe(2 ** 32 - 1);
    expect(parseBitOffset(String(2 ** 32), 0, 512 * 1024 * 1024)).toBeNull();
    // 2^60 · 8 = 2^63 wraps to INT64_MIN: negative, refused.
    expect(parseBitOffset('#1152921504606846976', 8, 512 * 1024 * 1024)).toBeNull();
  });

  it('reads and writes fields across byte boundaries, zero past the end', () => {
    const s = MutableString.zeroed(3);
    setField(s, 4, { signed: false, bits: 12 }, 0xabcn);
    expect(s.toString()).toBe('\x0a\xbc\x00');
    expect(getField(s, 4, { signed: false, bits: 12 })).toBe(0xabcn);
    expect(getField(s, 4, { signed: true, bits: 4 })).toBe(-6n);
    expect(getField(s, 20, u8)).toBe(0n);
    expect(getField(undefined, 0, i64)).toBe(0n);
    expect(getField('\xff\xff\xff\xff\xff\xff\xff\xff', 0, i64)).toBe(-1n);
  });

  it('applies WRAP, SAT and FAIL like Redis', () => {
    expect(checkOverflow(u8, 250n, 10n, 'wrap')).toEqual({ overflow: 1, limit: 4n });
    expect(checkOverflow(u8, 250n, 10n, 'sat')).toEqual({ overflow: 1, limit: 255n });
    expect(checkOverflow(u8, 5n, -10n, 'sat')).toEqual({ overflow: -1, limit: 0n });
    expect(checkOverflow(u8, 5n, 1n, 'fail').overflow).toBe(0);
    // SET u8 to -5: the argument is seen as a huge unsigned value.
    expect(checkOverflow(u8, -5n, 0n, 'sat')).toEqual({ overflow: 1, limit: 255n });
    expect(checkOverflow(i8, 127n, 1n, 'wrap')).toEqual({ overflow: 1, limit: -128n });
    expect(checkOverflow(i8, 200n, 0n, 'wrap')).toEqual({ overflow: 1, limit: -56n });
    expect(checkOverflow(i64, 2n ** 63n - 1n, 1n, 'sat')).toEqual({ overflow: 1, limit: 2n ** 63n - 1n });
    expect(checkOverflow(i64, -(2n ** 63n), -1n, 'wrap')).toEqual({ overflow: -1, limit: 2n ** 63n - 1n });
  });

  it('reproduces the C wrap-around quirk: SET i8 to INT64_MIN saturates high', () => {
    // redis-server 7.0: BITFIELD k OVERFLOW SAT SET i8 0 -9223372036854775808 stores 127.
    expect(checkOverflow(i8, -(2n ** 63n), 0n, 'sat')).toEqual({ overflow: 1, limit: 127n });
    expect(checkOverflow(i8, -(2n ** 63n), 0n, 'wrap')).toEqual({ overflow: 1, limit: 0n });
  });
});

describe('BITFIELD SET and INCRBY on a string', () => {
  it('returns the old value for SET and the new one for INCRBY, null when FAIL refuses', () => {
    const s = MutableString.zeroed(1);
    expect(setFieldChecked(s, 0, u8, 300n, 'wrap')).toBe(0n);
    expect(getField(s, 0, u8)).toBe(44n);
    expect(incrField(s, 0, u8, 250n, 'sat')).toBe(255n);
    expect(incrField(s, 0, u8, 1n, 'fail')).toBeNull();
    expect(setFieldChecked(s, 0, u8, -1n, 'fail')).toBeNull();
    expect(getField(s, 0, u8)).toBe(255n);
    expect(incrField(s, 0, i8, 1n, 'wrap')).toBe(0n);
  });
});
