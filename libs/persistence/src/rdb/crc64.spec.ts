import { describe, expect, it } from '@jest/globals';
import { crc64 } from './crc64.js';

describe('crc64 (Redis CRC-64/Jones)', () => {
  it("matches Redis's test vector", () => {
    expect(crc64(0n, Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
  });

  it('continues across chunks and honours start/end', () => {
    const data = Buffer.from('REDIS0010 some bytes of a file, split anywhere');
    const whole = crc64(0n, data);
    for (const cut of [0, 1, 7, 20, data.length]) expect(crc64(crc64(0n, data, 0, cut), data, cut)).toBe(whole);
    expect(crc64(0n, Buffer.concat([Buffer.from('xx'), data]), 2)).toBe(whole);
  });

  it('checksums the real SAVE of `SET foo bar` (interop.md §1.1)', () => {
    const file = Buffer.from(
      '524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65c2f063076bfa08757365642d6d656dc2b8150f00fa08616f662d62617365c000fe00fb01000003666f6f03626172ff',
      'hex',
    );
    expect(crc64(0n, file)).toBe(0xd719c89f4a9da5c7n);
  });
});
