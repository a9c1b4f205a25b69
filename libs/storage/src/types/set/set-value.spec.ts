import { describe, expect, it } from '@jest/globals';
import { SetValue } from './set-value.js';

describe('SetValue', () => {
  it('keeps canonical int64 members sorted as an intset, numbers and bigints alike', () => {
    const s = new SetValue();
    for (const m of ['5', '-9223372036854775808', '9007199254740993', '0', '9007199254740992', '5']) s.add(m, 512);
    expect(s.encoding).toBe('intset');
    expect(s.members()).toEqual(['-9223372036854775808', '0', '5', '9007199254740992', '9007199254740993']);
    expect(s.has('9007199254740993')).toBe(true);
    expect(s.has('05')).toBe(false);
    expect(s.remove('9007199254740993')).toBe(true);
    expect(s.remove('9007199254740993')).toBe(false);
    expect(s.size).toBe(4);
  });

  it('converts one way to a hashtable past the entry limit or on a non-integer member', () => {
    const s = new SetValue();
    for (const m of ['1', '2', '3']) s.add(m, 3);
    expect(s.encoding).toBe('intset');
    expect(s.add('4', 3)).toBe(true);
    expect(s.encoding).toBe('hashtable');
    s.remove('4');
    expect(s.encoding).toBe('hashtable');
    expect(s.has('1')).toBe(true);
    const t = new SetValue();
    t.add('-0', 512);
    expect(t.encoding).toBe('hashtable');
  });

  it('keeps a small set of other members packed, reported as hashtable, up to 128 members of 64 bytes', () => {
    const s = new SetValue();
    for (const m of ['1', 'a', 'b']) s.add(m, 512);
    expect(s.encoding).toBe('hashtable');
    expect(s.add('a', 512)).toBe(false);
    expect(s.members()).toEqual(['1', 'a', 'b']);
    expect(s.remove('a')).toBe(true);
    expect(s.remove('a')).toBe(false);
    expect([s.size, s.has('1'), s.has('a'), s.has('b')]).toEqual([2, true, false, true]);
    const out: string[] = [];
    expect(s.scan(5, 1, out)).toBe(0);
    expect(out).toEqual(['1', 'b']);
    const draw = s.sampler();
    for (let i = 0; i < 50; i++) expect(['1', 'b']).toContain(draw());
    expect(['1', 'b']).toContain(s.random());
    // Past 128 members, or with a member over 64 bytes, the set moves to a table: all members kept.
    for (let i = 0; i < 200; i++) s.add(`m${i}`, 512);
    expect(s.size).toBe(202);
    expect(s.has('m0') && s.has('1') && s.has('m199')).toBe(true);
    const long = new SetValue();
    long.add('x', 512);
    long.add('y'.repeat(65), 512);
    expect(long.members().sort()).toEqual(['x', 'y'.repeat(65)]);
  });

  it('clones deeply in both encodings', () => {
    for (const members of [['1', '2'], ['a', 'b'], Array.from({ length: 300 }, (_, i) => `m${i}`).sort()]) {
      const s = new SetValue();
      for (const m of members) s.add(m, 512);
      const copy = s.clone();
      copy.add('3', 512);
      copy.remove(members[0]);
      expect(s.members().sort()).toEqual(members);
      expect(copy.encoding).toBe(s.encoding);
    }
  });

  it('scans an intset in one step and a hashtable to completion', () => {
    const ints = new SetValue();
    for (let i = 0; i < 10; i++) ints.add(String(i), 512);
    const out: string[] = [];
    expect(ints.scan(77, 1, out)).toBe(0);
    expect(out).toHaveLength(10);
    const big = new SetValue();
    for (let i = 0; i < 5000; i++) big.add(`m${i}`, 512);
    const seen = new Set<string>();
    let cursor = 0;
    do {
      const batch: string[] = [];
      cursor = big.scan(cursor, 10, batch);
      for (const m of batch) seen.add(m);
    } while (cursor !== 0);
    expect(seen.size).toBe(5000);
  });
});
