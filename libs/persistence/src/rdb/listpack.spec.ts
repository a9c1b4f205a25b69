import { describe, expect, it } from '@jest/globals';
import { ListpackBuilder, ListpackReader } from './listpack.js';

function build(entries: (string | number | bigint)[]): Buffer {
  const lp = new ListpackBuilder();
  lp.begin();
  for (const e of entries) {
    if (typeof e === 'string') lp.string(e);
    else lp.int(e);
  }
  return Buffer.from(lp.out.buf.subarray(0, lp.finish()));
}

function read(blob: Buffer): string[] {
  const r = new ListpackReader(blob);
  const out: string[] = [];
  while (r.hasNext()) out.push(r.next());
  return out;
}

describe('listpack', () => {
  it('encodes [a, b, c] as Redis does (header, 6-bit strings, backlens, 0xFF)', () => {
    expect(build(['a', 'b', 'c']).toString('hex')).toBe('10000000' + '0300' + '816102' + '816202' + '816302' + 'ff');
  });

  it('stores canonical integers as integers in the smallest encoding, as lpAppend does', () => {
    expect(build(['7']).toString('hex')).toBe('09000000' + '0100' + '0701' + 'ff');
    expect(build(['-1'])[6]).toBe(0xdf); // 13-bit
    expect(build(['1000'])[6]).toBe(0xc3);
    expect(build(['40000'])[6]).toBe(0xf2); // 24-bit
    expect(build(['3000000000'])[6]).toBe(0xf4);
    expect(build(['007'])[6]).toBe(0x83); // not canonical: a string
    expect(build(['-0'])[6]).toBe(0x82);
  });

  it('round-trips strings of every length class and integers of every width', () => {
    const entries = ['', 'x', 'y'.repeat(63), 'z'.repeat(64), 'w'.repeat(4095), 'v'.repeat(4096), 'u'.repeat(20000), '\x00\xff binary'];
    const ints = [0, 127, 128, -4096, 4095, -32768, 32767, -8388608, 8388607, -2147483648, 2147483647, 2 ** 40, -(2 ** 53) + 1];
    const all = [...entries, ...ints.map(String), '9223372036854775807', '-9223372036854775808'];
    expect(read(build(all))).toEqual(all);
  });

  it('refuses corrupt blobs', () => {
    const good = build(['a', 'bb', '300']);
    const bad = (mutate: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      mutate(b);
      return b;
    };
    expect(() => read(bad((b) => b.writeUInt32LE(99, 0)))).toThrow('size');
    expect(() => read(bad((b) => (b[b.length - 1] = 0)))).toThrow('terminated');
    expect(() => read(bad((b) => b.writeUInt16LE(2, 4)))).toThrow('count');
    expect(() => read(bad((b) => (b[8] = 9)))).toThrow('backlen');
    expect(() => read(bad((b) => (b[6] = 0xbf)))).toThrow(); // a 63-byte string in a 15-byte blob
    expect(() => read(bad((b) => (b[6] = 0xf5)))).toThrow('encoding');
    expect(read(Buffer.from('070000000000ff', 'hex'))).toEqual([]);
  });
});
