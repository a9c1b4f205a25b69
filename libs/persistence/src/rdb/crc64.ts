/**
 * Redis's CRC-64 ("Jones": polynomial 0xad93d23594c935a9, reflected in and out, initial value 0,
 * no final xor), the checksum at the end of an RDB file and of a DUMP payload. Table-driven over
 * two 32-bit halves so the per-byte loop stays on small integers; a bigint is made only at the
 * ends of a call.
 */

/** The reflected polynomial 0x95ac9329ac4bc9b5, as its two halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry !== 0) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}

/** Continues `crc` over buf[start, end). crc64(0n, "123456789") = 0xe9c6d914c4b8d9ca. */
export function crc64(crc: bigint, buf: Uint8Array, start = 0, end = buf.length): bigint {
  let hi = Number((crc >> 32n) & 0xffffffffn);
  let lo = Number(crc & 0xffffffffn);
  for (let i = start; i < end; i++) {
    const t = (lo ^ buf[i]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[t]) >>> 0;
    hi = ((hi >>> 8) ^ TABLE_HI[t]) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
