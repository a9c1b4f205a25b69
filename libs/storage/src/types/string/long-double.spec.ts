import { describe, expect, it } from '@jest/globals';
import { addLongDouble, formatLongDouble, longDoubleFromInt, parseLongDouble } from './long-double.js';

/** INCRBYFLOAT as Redis computes it: stored value + increment, or the error it replies. */
function incrByFloat(stored: string, incr: string): string {
  const a = parseLongDouble(stored);
  const b = parseLongDouble(incr);
  if (a === null || b === null) return 'not a valid float';
  const sum = addLongDouble(a, b);
  return sum === null ? 'NaN or Infinity' : formatLongDouble(sum);
}

describe('long double (INCRBYFLOAT arithmetic)', () => {
  // [stored value, increment, what redis-server 7.0.15 on x86-64 replied]
  const cases: [string, string, string][] = [
    ['10.5', '0.1', '10.6'],
    ['10.50', '0.1', '10.6'],
    ['5.0e3', '2.0e2', '5200'],
    ['0', '3.0e3', '3000'],
    ['0', '5.0e-3', '0.005'],
    ['10.5', '1e20', '100000000000000000008'],
    ['0', '1e20', '100000000000000000000'],
    ['0.1', '0.2', '0.3'],
    ['1', '-1', '0'],
    ['-5', '2.5', '-2.5'],
    ['0', '-0.000001', '-0.000001'],
    ['0', '1e-17', '0.00000000000000001'],
    ['0', '5e-18', '0'],
    ['0', '-5e-18', '0'],
    ['0', '1.5e-17', '0.00000000000000002'],
    ['0', '2.5e-17', '0.00000000000000002'],
    ['9223372036854775807', '1', '9223372036854775808'],
    ['-9223372036854775808', '-1', '-9223372036854775809'],
    ['0', '123456789012345678901234567890', '123456789012345678899921813504'],
    ['0', '0x1.8p1', '3'],
    ['0', '0X10', '16'],
    ['0', '0x.8', '0.5'],
    ['0', '+.5', '0.5'],
    ['0', '5.', '5'],
    ['0', '1E+2', '100'],
    ['0', '-0', '0'],
    ['1.23456789012345678901234567890', '0', '1.23456789012345679'],
    // Exact ties at the 17th decimal round half to even, as glibc's printf does.
    ['0', '0.000003814697265625', '0.00000381469726562'],
    ['0', '0.000011444091796875', '0.00001144409179688'],
    ['0', '3.3e-4932', '0'],
    ['1', '1e-18', '1'],
    ['10.5', '1e-4940', '10.5'],
    ['10.5', 'inf', 'NaN or Infinity'],
    ['1e4932', '1e4932', 'NaN or Infinity'],
    ['10.5', 'nan', 'not a valid float'],
    ['10.5', '1e5000', 'not a valid float'],
    ['10.5', '1e-5000', 'not a valid float'],
    ['10.5', '', 'not a valid float'],
    ['10.5', ' 1', 'not a valid float'],
    ['10.5', '1 ', 'not a valid float'],
    ['10.5', '0x', 'not a valid float'],
    ['10.5', '1e', 'not a valid float'],
    ['10.5', '.', 'not a valid float'],
    ['abc', '1', 'not a valid float'],
  ];
  it.each(cases)('%s + %s = %s', (stored, incr, expected) => {
    expect(incrByFloat(stored, incr)).toBe(expected);
  });

  it('prints values beyond double range exactly (1e400 has 401 digits)', () => {
    const r = incrByFloat('0', '1e400');
    expect(r).toHaveLength(401);
    expect(r.startsWith('10000000000000000000281880683947586514586')).toBe(true);
  });

  it('refuses NUL bytes: strtold must consume the whole argument', () => {
    expect(incrByFloat('1.5\0junk', '1')).toBe('not a valid float');
    expect(incrByFloat('1', '\0')).toBe('not a valid float');
  });

  it('rejects arguments of 5120 bytes or more (MAX_LONG_DOUBLE_CHARS)', () => {
    expect(parseLongDouble('1'.padStart(5119, '0'))).not.toBeNull();
    expect(parseLongDouble('1'.padStart(5120, '0'))).toBeNull();
  });

  it('converts int64 values exactly', () => {
    expect(formatLongDouble(longDoubleFromInt(-(2n ** 63n)))).toBe('-9223372036854775808');
    expect(formatLongDouble(longDoubleFromInt(42))).toBe('42');
  });
});
