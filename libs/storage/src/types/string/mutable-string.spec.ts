import { describe, expect, it } from '@jest/globals';
import { capacityFor, MutableString } from './mutable-string.js';
import { encodeString, stringEncoding } from './string-value.js';

describe('MutableString', () => {
  it('appends in place with amortised growth', () => {
    const s = new MutableString('ab');
    s.append('cd');
    const buf = s.buf;
    s.append('e');
    expect(s.buf).toBe(buf); // room was reserved: no copy
    expect(s.toString()).toBe('abcde');
    expect(s.buf.length).toBeGreaterThanOrEqual(8);
  });

  it('grows geometrically past 1 MB, so repeated appends copy the value O(log n) times', () => {
    const s = new MutableString('');
    const mb = 'x'.repeat(1024 * 1024);
    let reallocations = 0;
    for (let i = 0; i < 64; i++) {
      const before = s.buf;
      s.append(mb);
      if (s.buf !== before) reallocations++;
    }
    expect(s.length).toBe(64 * 1024 * 1024);
    expect(reallocations).toBeLessThanOrEqual(12);
    // Never more than half again as much room as the value needs.
    expect(s.buf.length).toBeLessThanOrEqual(1.5 * s.length);
  });

  it('sizes the capacity like sdsMakeRoomFor below 1 MB, by half the size beyond', () => {
    expect(capacityFor(100)).toBe(200);
    expect(capacityFor(1024 * 1024)).toBe(2 * 1024 * 1024);
    expect(capacityFor(8 * 1024 * 1024)).toBe(12 * 1024 * 1024);
  });

  it('converts with room for the edit that asked for it: no second copy', () => {
    const s = new MutableString('abc', 10);
    const buf = s.buf;
    expect(s.length).toBe(3);
    s.writeAt(5, 'xyzab');
    expect(s.buf).toBe(buf);
    expect(s.toString()).toBe('abc\0\0xyzab');
    expect(new MutableString('abc').buf.length).toBe(3);
  });

  it('writes at an offset with zero padding', () => {
    const s = new MutableString('ab');
    s.writeAt(4, 'xy');
    expect(s.toString()).toBe('ab\0\0xy');
    s.writeAt(1, 'Z');
    expect(s.toString()).toBe('aZ\0\0xy');
  });

  it('grows with zeros even over stale capacity', () => {
    const s = new MutableString('abcdef', 10);
    s.length = 2; // pretend it was shorter; bytes beyond length are garbage
    s.grow(5);
    expect(s.toString()).toBe('ab\0\0\0');
  });

  it('clones without sharing its buffer', () => {
    const s = new MutableString('abc');
    const c = s.clone();
    s.writeAt(0, 'X');
    expect(c.toString()).toBe('abc');
  });
});

describe('string encodings (OBJECT ENCODING)', () => {
  it('matches what Redis reports for the forms commands produce', () => {
    expect(stringEncoding(encodeString('12345'))).toBe('int');
    expect(stringEncoding(encodeString('-9223372036854775808'))).toBe('int');
    expect(stringEncoding(encodeString('9223372036854775808'))).toBe('embstr');
    expect(stringEncoding(encodeString('007'))).toBe('embstr');
    expect(stringEncoding(encodeString('x'.repeat(44)))).toBe('embstr');
    expect(stringEncoding(encodeString('x'.repeat(45)))).toBe('raw');
    // INCRBYFLOAT stores its text unencoded even when it looks like an integer.
    expect(stringEncoding('3')).toBe('embstr');
    expect(stringEncoding(MutableString.zeroed(1))).toBe('raw');
  });
});
