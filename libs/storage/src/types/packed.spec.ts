import { describe, expect, it } from '@jest/globals';
import { PackedCursor, pack, packEntry, packedSplice, unpack } from './packed.js';

describe('packed runs', () => {
  const entries = ['', 'a', 'field:1', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(20000), '\x00\xff\x80binary', 'a'];

  it('round-trips entries of every header length, binary bytes included', () => {
    expect(unpack(pack(entries))).toEqual(entries);
    expect(unpack('')).toEqual([]);
  });

  it('spends one char of header below 128 bytes, two below 16384, three beyond', () => {
    expect(packEntry('x'.repeat(127)).length).toBe(128);
    expect(packEntry('x'.repeat(128)).length).toBe(130);
    expect(packEntry('x'.repeat(16383)).length).toBe(16385);
    expect(packEntry('x'.repeat(16384)).length).toBe(16387);
  });

  it('walks with header and entry bounds, comparing in place', () => {
    const packed = pack(entries);
    const cursor = new PackedCursor(packed);
    const seen: string[] = [];
    while (cursor.next()) {
      expect(packed.slice(cursor.at, cursor.end)).toBe(packEntry(cursor.value()));
      expect(cursor.is(entries[seen.length])).toBe(true);
      expect(cursor.is(entries[seen.length] + 'q')).toBe(false);
      seen.push(cursor.value());
    }
    expect(seen).toEqual(entries);
    expect(cursor.next()).toBe(false);
  });

  it('resumes from a header position and splices entries out and in', () => {
    const packed = pack(['f1', 'v1', 'f2', 'v2']);
    const cursor = new PackedCursor(packed);
    cursor.next();
    cursor.next();
    const second = cursor.end;
    cursor.reset(packed, second);
    expect(cursor.next() && cursor.value()).toBe('f2');
    const from = cursor.at;
    cursor.next();
    expect(unpack(packedSplice(packed, from, cursor.end, ''))).toEqual(['f1', 'v1']);
    expect(unpack(packedSplice(packed, from, from, pack(['f0', 'v0'])))).toEqual(['f1', 'v1', 'f0', 'v0', 'f2', 'v2']);
  });
});
