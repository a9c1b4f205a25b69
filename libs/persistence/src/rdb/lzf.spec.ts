import { describe, expect, it } from '@jest/globals';
import { lzfCompress, lzfDecompress } from './lzf.js';

/** DUMP of a 128-byte string from Redis 7.0.15: type 0, LZF marker, lengths 41 and 128, the stream, footer. */
const REDIS_DUMP = Buffer.from(
  '00c32940801f68656c6c6f20776f726c642074686520717569636b2062726f776e20666f78200068e0541f0178200a0022dfd76ad2c66099',
  'hex',
);
const ORIGINAL = 'hello world the quick brown fox '.repeat(4);

describe('lzf', () => {
  it('decompresses a stream Redis compressed', () => {
    const stream = REDIS_DUMP.subarray(5, 5 + 41);
    expect(lzfDecompress(stream, 128).toString('latin1')).toBe(ORIGINAL);
  });

  it("compresses to Redis's exact bytes", () => {
    expect(lzfCompress(Buffer.from(ORIGINAL))).toEqual(REDIS_DUMP.subarray(5, 5 + 41));
  });

  it('round-trips varied inputs', () => {
    const inputs = [
      'a'.repeat(100),
      'abcabcabcabcabcabcabcabcabcabcabcabcabc',
      Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)).toString('latin1'),
      'x'.repeat(70000) + 'y'.repeat(300) + 'xyz'.repeat(1000),
      Array.from({ length: 2000 }, (_, i) => `field:${i % 37}:value`).join(','),
    ];
    for (const s of inputs) {
      const input = Buffer.from(s, 'latin1');
      const packed = lzfCompress(input);
      expect(packed).not.toBeNull();
      expect(packed!.length).toBeLessThanOrEqual(input.length - 4);
      expect(lzfDecompress(packed!, input.length)).toEqual(input);
    }
  });

  it('gives up on input that does not shrink by 4 bytes', () => {
    expect(lzfCompress(Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789'))).toBeNull();
    expect(lzfCompress(Buffer.from('abcd'))).toBeNull();
  });

  it('refuses streams that overrun or underrun the declared length', () => {
    const packed = lzfCompress(Buffer.from('a'.repeat(100)))!;
    expect(() => lzfDecompress(packed, 99)).toThrow();
    expect(() => lzfDecompress(packed, 101)).toThrow();
    expect(() => lzfDecompress(Buffer.from([0x20, 0x05]), 10)).toThrow(); // back reference before the start
    expect(() => lzfDecompress(Buffer.from([0x05, 0x41]), 6)).toThrow(); // truncated literal run
  });
});
