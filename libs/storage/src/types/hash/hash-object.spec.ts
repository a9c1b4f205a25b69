import { describe, expect, it } from '@jest/globals';
import { HashObject } from './hash-object.js';

function pairs(h: HashObject): string[] {
  const out: string[] = [];
  h.forEach((f, v) => out.push(`${f}=${v}`));
  return out;
}

describe('HashObject', () => {
  it('keeps insertion order in the listpack form, replacing values in place', () => {
    const h = new HashObject();
    expect(h.set('b', '1', 512, 64)).toBe(true);
    expect(h.set('a', '2', 512, 64)).toBe(true);
    expect(h.set('b', '3', 512, 64)).toBe(false);
    expect(pairs(h)).toEqual(['b=3', 'a=2']);
    expect(h.encoding).toBe('listpack');
    expect(h.delete('b')).toBe(true);
    expect(h.delete('b')).toBe(false);
    expect(pairs(h)).toEqual(['a=2']);
    expect(h.pairs()).toEqual([['a', '2']]);
  });

  it('converts for good past the entry count, or before a field or value over the length limit', () => {
    const h = new HashObject();
    h.set('a', '1', 2, 64);
    h.set('b', '2', 2, 64);
    expect(h.encoding).toBe('listpack');
    h.set('c', '3', 2, 64);
    expect(h.encoding).toBe('hashtable');
    h.delete('c');
    h.delete('b');
    expect(h.encoding).toBe('hashtable');
    expect(h.get('a')).toBe('1');
    const long = new HashObject();
    long.set('x', 'y'.repeat(65), 512, 64);
    expect(long.encoding).toBe('hashtable');
    expect(long.get('x')).toBe('y'.repeat(65));
    expect(long.size).toBe(1);
  });

  it('clones without sharing, in either form', () => {
    for (const max of [512, 1]) {
      const h = new HashObject();
      h.set('a', '1', max, 64);
      h.set('b', '2', max, 64);
      const c = h.clone();
      c.set('a', 'changed', max, 64);
      c.delete('b');
      expect(h.get('a')).toBe('1');
      expect(h.size).toBe(2);
      expect(c.size).toBe(1);
      expect(c.encoding).toBe(h.encoding);
    }
  });

  it('scans a large table completely with its bucket cursor', () => {
    const h = new HashObject();
    for (let i = 0; i < 5000; i++) h.set(`f${i}`, `v${i}`, 512, 64);
    const seen = new Set<string>();
    let cursor = 0;
    do cursor = h.scan(cursor, (f, v) => seen.add(`${f}=${v}`));
    while (cursor !== 0);
    expect(seen.size).toBe(5000);
    expect(seen.has('f4999=v4999')).toBe(true);
  });
});
