import { lzfCompress } from './lzf.js';

/** RDB length-encoding markers (the first byte's top bits, §1.2 of interop.md). */
const LEN_6BIT = 0x00;
const LEN_14BIT = 0x40;
const LEN_32BIT = 0x80;
const LEN_64BIT = 0x81;
/** Special string encodings (first byte 11xxxxxx). */
export const ENC_INT8 = 0xc0;
export const ENC_INT16 = 0xc1;
export const ENC_INT32 = 0xc2;
export const ENC_LZF = 0xc3;

const TWO32 = 4294967296;

/**
 * A growing scratch buffer the RDB encoders write into: lengths, Redis strings (int-encoded or
 * LZF-compressed as Redis would), fixed-width little-endian numbers. One per writer, reused, so
 * encoding a value allocates nothing but the growth of this buffer.
 */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far, copied (the scratch buffer is reused). */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u16le(n: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(n, this.pos);
    this.pos += 2;
  }

  u32le(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
  }

  /** A signed or unsigned 64-bit integer, little endian (expire times, PEL times). */
  i64le(n: number | bigint): void {
    this.ensure(8);
    if (typeof n === 'bigint') this.buf.writeBigUInt64LE(BigInt.asUintN(64, n), this.pos);
    else {
      const lo = n >>> 0;
      const hi = Math.floor((n - lo) / TWO32);
      this.buf.writeUInt32LE(lo, this.pos);
      this.buf.writeInt32LE(hi | 0, this.pos + 4);
    }
    this.pos += 8;
  }

  f64le(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** `s` as raw latin1 bytes. */
  latin1(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** An RDB length in its shortest form; a bigint for values past 2^53 (or -1 as u64 max). */
  len(n: number | bigint): void {
    if (typeof n === 'number' && n < 64) this.byte(LEN_6BIT | n);
    else if (typeof n === 'number' && n < 16384) {
      this.ensure(2);
      this.buf[this.pos++] = LEN_14BIT | (n >> 8);
      this.buf[this.pos++] = n & 0xff;
    } else if (typeof n === 'number' && n < TWO32) {
      this.ensure(5);
      this.buf[this.pos++] = LEN_32BIT;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.ensure(9);
      this.buf[this.pos++] = LEN_64BIT;
      this.buf.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)), this.pos);
      this.pos += 8;
    }
  }

  /**
   * An RDB string from latin1 chars, as rdbSaveRawString: a canonical integer of at most 11
   * chars that fits 32 bits is int-encoded; past 20 bytes, with compression, LZF when it saves
   * at least 4 bytes; otherwise length + bytes.
   */
  rstr(s: string, compression: boolean): void {
    const n = s.length;
    if (n <= 11 && n > 0 && this.intString(s)) return;
    if (compression && n > 20) {
      const start = this.pos;
      this.latin1(s);
      const packed = lzfCompress(this.buf.subarray(start, this.pos));
      this.pos = start;
      if (packed !== null) return this.lzf(packed, n);
    }
    this.len(n);
    this.latin1(s);
  }

  /** An RDB string from bytes (listpack and intset blobs, Buffer-form strings): rstr's rules. */
  rstrBytes(src: Buffer, start: number, end: number, compression: boolean): void {
    const n = end - start;
    if (n <= 11 && n > 0 && this.intString(src.latin1Slice(start, end))) return;
    if (compression && n > 20) {
      const packed = lzfCompress(src.subarray(start, end));
      if (packed !== null) return this.lzf(packed, n);
    }
    this.len(n);
    this.bytes(src, start, end);
  }

  /** An integer as the shortest INT8/16/32 encoding, or its decimal text when wider. */
  rint(v: number | bigint): void {
    if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) this.intEnc(v);
    else this.rstr(String(v), false);
  }

  private lzf(packed: Buffer, originalLength: number): void {
    this.byte(ENC_LZF);
    this.len(packed.length);
    this.len(originalLength);
    this.bytes(packed);
  }

  /** Writes `s` int-encoded when it is a canonical decimal int32 (rdbTryIntegerEncoding); false otherwise. */
  private intString(s: string): boolean {
    const c0 = s.charCodeAt(0);
    if (!((c0 >= 48 && c0 <= 57) || c0 === 45)) return false;
    const v = Number(s);
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647 || String(v) !== s) return false;
    this.intEnc(v);
    return true;
  }

  private intEnc(v: number): void {
    if (v >= -128 && v <= 127) {
      this.ensure(2);
      this.buf[this.pos++] = ENC_INT8;
      this.buf.writeInt8(v, this.pos);
      this.pos += 1;
    } else if (v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.pos++] = ENC_INT16;
      this.buf.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else {
      this.ensure(5);
      this.buf[this.pos++] = ENC_INT32;
      this.buf.writeInt32LE(v, this.pos);
      this.pos += 4;
    }
  }
}
