/**
 * Redis's CRC-64 ("Jones": polynomial 0xad93d23594c935a9, reflected in and out, initial value 0,
 * no final xor), the checksum at the end of an RDB file and of a DUMP payload. Slicing-by-8 over
 * two 32-bit halves: eight bytes per step; a bigint is made only at the ends of a call. The halves
 * and tables are signed int32 (Int32Array, no `>>> 0`): uint32 values above 2^31 are not small
 * integers to V8 and cost float conversions, which made the loop about twice as slow.
 */

/** The reflected polynomial 0x95ac9329ac4bc9b5, as its two halves. */
const POLY_HI = 0x95ac9329 | 0;
const POLY_LO = 0xac4bc9b5 | 0;

/** Table k (0..7) at [k * 256 + n]: the CRC of byte n followed by k zero bytes. */
const T_HI = new Int32Array(8 * 256);
const T_LO = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = (lo >>> 1) | ((hi & 1) << 31);
    hi = hi >>> 1;
    if (carry !== 0) {
      hi ^= POLY_HI;
      lo ^= POLY_LO;
    }
  }
  T_HI[n] = hi;
  T_LO[n] = lo;
}
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const hi = T_HI[(k - 1) * 256 + n];
    const lo = T_LO[(k - 1) * 256 + n];
    const t = lo & 0xff;
    T_LO[k * 256 + n] = ((lo >>> 8) | (hi << 24)) ^ T_LO[t];
    T_HI[k * 256 + n] = (hi >>> 8) ^ T_HI[t];
  }
}

/** A running CRC-64 kept as two signed 32-bit halves (no bigint per update). */
export class Crc64 {
  hi = 0;
  lo = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): void {
    let hi = this.hi;
    let lo = this.lo;
    let i = start;
    for (const stop = end - 8; i <= stop; i += 8) {
      const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
      const i7 = 1792 + (a & 0xff);
      const i6 = 1536 + ((a >>> 8) & 0xff);
      const i5 = 1280 + ((a >>> 16) & 0xff);
      const i4 = 1024 + (a >>> 24);
      const i3 = 768 + (b & 0xff);
      const i2 = 512 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = T_LO[i7] ^ T_LO[i6] ^ T_LO[i5] ^ T_LO[i4] ^ T_LO[i3] ^ T_LO[i2] ^ T_LO[i1] ^ T_LO[i0];
      hi = T_HI[i7] ^ T_HI[i6] ^ T_HI[i5] ^ T_HI[i4] ^ T_HI[i3] ^ T_HI[i2] ^ T_HI[i1] ^ T_HI[i0];
    }
    for (; i < end; i++) {
      const t = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[t];
      hi = (hi >>> 8) ^ T_HI[t];
    }
    this.hi = hi;
    this.lo = lo;
  }

  get value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }
}

/** Continues `crc` over buf[start, end). crc64(0, "123456789") = 0xe9c6d914c4b8d9ca. */
export function crc64(crc: bigint, buf: Uint8Array, start = 0, end = buf.length): bigint {
  const c = new Crc64();
  c.hi = Number((crc >> 32n) & 0xffffffffn) | 0;
  c.lo = Number(crc & 0xffffffffn) | 0;
  c.update(buf, start, end);
  return c.value;
}
