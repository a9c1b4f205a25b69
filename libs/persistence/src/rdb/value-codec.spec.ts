import { describe, expect, it } from '@jest/globals';
import { HashObject, ListValue, SetValue, ZSetValue } from '@brook/storage';
import { ByteWriter } from './byte-writer.js';
import { RdbInput } from './rdb-input.js';
import { decodeValue, encodeValue, EmptyValueError, writeValue } from './value-codec.js';
import { DEFAULT_LIMITS, RdbType } from './rdb-types.js';

/** Encodes then decodes `value` under `limits`. */
function roundTrip<T>(value: T & Parameters<typeof encodeValue>[0], limits = DEFAULT_LIMITS) {
  const bytes = encodeValue(value, true);
  const { value: back, end } = decodeValue(bytes[0], bytes, 1, limits);
  expect(end).toBe(bytes.length);
  return back;
}

describe('value codec', () => {
  it('writes the type byte of the encoding Redis 7.0 would write', () => {
    const small = new HashObject();
    small.set('f', 'v', 512, 64);
    const big = new HashObject();
    big.set('f', 'v'.repeat(100), 512, 64);
    const ints = new SetValue();
    ints.add('1', 512);
    const words = new SetValue();
    words.add('a', 512);
    const zs = new ZSetValue();
    zs.add('m', 1, 128, 64);
    const list = new ListValue();
    list.push('x', false);
    expect([small, big, ints, words, zs, list, 'str', 42].map((v) => encodeValue(v, true)[0])).toEqual([
      RdbType.HashListpack,
      RdbType.Hash,
      RdbType.SetIntset,
      RdbType.Set,
      RdbType.ZSetListpack,
      RdbType.ListQuicklist2,
      RdbType.String,
      RdbType.String,
    ]);
  });

  it('builds a loaded value under the configured limits, converting as Redis does on load', () => {
    const h = new HashObject();
    for (const f of ['a', 'b', 'c']) h.set(f, f, 512, 64);
    expect((roundTrip(h) as HashObject).encoding).toBe('listpack');
    expect((roundTrip(h, { ...DEFAULT_LIMITS, hashMaxListpackEntries: 2 }) as HashObject).encoding).toBe('hashtable');
    expect((roundTrip(h, { ...DEFAULT_LIMITS, hashMaxListpackValue: 0 }) as HashObject).encoding).toBe('hashtable');

    const s = new SetValue();
    for (const m of ['1', '2', '3']) s.add(m, 512);
    expect((roundTrip(s) as SetValue).encoding).toBe('intset');
    const converted = roundTrip(s, { ...DEFAULT_LIMITS, setMaxIntsetEntries: 2 }) as SetValue;
    expect(converted.encoding).toBe('hashtable');
    expect(converted.members().sort()).toEqual(['1', '2', '3']);

    const z = new ZSetValue();
    for (let i = 0; i < 5; i++) z.add(`m${i}`, i / 2, 128, 64);
    expect((roundTrip(z) as ZSetValue).encoding).toBe('listpack');
    const skip = roundTrip(z, { ...DEFAULT_LIMITS, zsetMaxListpackEntries: 4 }) as ZSetValue;
    expect(skip.encoding).toBe('skiplist');
    const pairs: [string, number][] = [];
    skip.forEach((m, score) => pairs.push([m, score]));
    expect(pairs).toEqual([0, 1, 2, 3, 4].map((i) => [`m${i}`, i / 2]));
  });

  it('splits lists into nodes by list-max-listpack-size and reads them back in order', () => {
    const list = new ListValue();
    const values = Array.from({ length: 3000 }, (_, i) => `element-${i}`);
    list.pushAll(values, 0, false);
    const nodes: number[] = [];
    for (const fill of [-2, -1, 5, 128]) {
      const out = new ByteWriter();
      writeValue(out, list, false, { ...DEFAULT_LIMITS, listMaxListpackSize: fill });
      const input = new RdbInput(out.buf, 1, out.pos);
      nodes.push(input.len());
      const back = decodeValue(out.buf[0], out.buf.subarray(0, out.pos), 1).value as ListValue;
      expect(back.values()).toEqual(values);
    }
    // ~13 bytes an entry: 8 KB nodes hold ~600, 4 KB ~300; count limits are exact.
    expect(nodes[0]).toBeGreaterThanOrEqual(4);
    expect(nodes[0]).toBeLessThanOrEqual(6);
    expect(nodes[1]).toBeGreaterThanOrEqual(8);
    expect(nodes[1]).toBeLessThanOrEqual(12);
    expect(nodes.slice(2)).toEqual([600, 24]);
  });

  it('refuses empty collections as Redis skips them', () => {
    // A plain SET of zero members.
    expect(() => decodeValue(RdbType.Set, Buffer.from([0]), 0)).toThrow(EmptyValueError);
    expect(() => decodeValue(RdbType.ListQuicklist2, Buffer.from([0]), 0)).toThrow(EmptyValueError);
  });
});
