import { ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF } from './byte-writer.js';
import { LzfError, lzfDecompress } from './lzf.js';
import { RdbFormatError } from './rdb-error.js';

/** LZF expands a byte into at most this many (a 3-byte back reference yields 264 bytes). */
const LZF_MAX_RATIO = 89;
/** No string in a valid RDB decompresses past proto-max-bulk-len's ceiling (512 MB by default; Brook keeps no bigger value). */
const LZF_OUTPUT_MAX = 512 * 1024 * 1024;

/** A decoded RDB string's bytes: buf[start, end), buf possibly a fresh LZF output. */
export interface ByteSpan {
  buf: Buffer;
  start: number;
  end: number;
}

/**
 * A bounds-checked cursor over RDB bytes (a file or a DUMP payload): every read checks the bytes
 * are there, so a truncated or lying input is an RdbFormatError, never a read past the end or an
 * allocation sized by a hostile length.
 */
export class RdbInput {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number = buf.length,
  ) {}

  need(n: number): void {
    if (n > this.end - this.pos) throw new RdbFormatError(`unexpected end of data at offset ${this.pos} (needed ${n} bytes)`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A signed 64-bit LE integer (expire and PEL times) as a number when safe, else a bigint. */
  i64le(): number | bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }

  /** A signed 64-bit LE integer that must be a safe number (times in ms). */
  timeMs(): number {
    const v = this.i64le();
    if (typeof v !== 'number') throw new RdbFormatError(`time out of range at offset ${this.pos - 8}`);
    return v;
  }

  f64le(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** 16 raw bytes: a stream ID in its BE form, which is Brook's StreamId representation. */
  raw16(): string {
    this.need(16);
    const s = this.buf.latin1Slice(this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** A length (§1.2) as a u64: a number when safe, else a bigint. */
  lenU64(): number | bigint {
    const b0 = this.byte();
    const kind = b0 >> 6;
    if (kind === 0) return b0 & 0x3f;
    if (kind === 1) return ((b0 & 0x3f) << 8) | this.byte();
    if (b0 === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b0 === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v <= 9007199254740991n ? Number(v) : v;
    }
    throw new RdbFormatError(`bad length encoding 0x${b0.toString(16)} at offset ${this.pos - 1}`);
  }

  /** A length that counts things (a safe number). */
  len(): number {
    const v = this.lenU64();
    if (typeof v !== 'number') throw new RdbFormatError(`length too large at offset ${this.pos}`);
    return v;
  }

  /** An RDB string's bytes (§1.3): plain, INT8/16/32 (as decimal text) or LZF. */
  span(): ByteSpan {
    const b0 = this.byte();
    if (b0 >> 6 !== 3) {
      this.pos--;
      const n = this.len();
      this.need(n);
      const start = this.pos;
      this.pos += n;
      return { buf: this.buf, start, end: this.pos };
    }
    if (b0 === ENC_LZF) {
      const clen = this.len();
      const olen = this.len();
      this.need(clen);
      if (olen > clen * LZF_MAX_RATIO + 64 || olen > LZF_OUTPUT_MAX)
        throw new RdbFormatError(`LZF length ${olen} impossible for ${clen} compressed bytes`);
      const src = this.buf.subarray(this.pos, this.pos + clen);
      this.pos += clen;
      try {
        const out = lzfDecompress(src, olen);
        return { buf: out, start: 0, end: olen };
      } catch (e) {
        if (e instanceof LzfError) throw new RdbFormatError(`${e.message} at offset ${this.pos - clen}`);
        throw e;
      }
    }
    const text = Buffer.from(String(this.intEncoded(b0)), 'latin1');
    return { buf: text, start: 0, end: text.length };
  }

  /** An RDB string as latin1 chars. */
  str(): string {
    const p = this.pos;
    if (p >= this.end) this.need(1);
    const b0 = this.buf[p];
    // Most keys and values: a 6- or 14-bit length and the bytes, read without a ByteSpan (one allocation per string in a bulk load).
    if (b0 < 0x80) {
      const start = b0 < 0x40 ? p + 1 : p + 2;
      if (start > this.end) {
        this.pos = p + 1;
        this.need(1);
      }
      const n = b0 < 0x40 ? b0 : ((b0 & 0x3f) << 8) | this.buf[p + 1];
      if (n > this.end - start) {
        this.pos = start;
        this.need(n);
      }
      this.pos = start + n;
      return this.buf.latin1Slice(start, start + n);
    }
    if (b0 >= ENC_INT8 && b0 <= ENC_INT32) {
      this.pos++;
      return String(this.intEncoded(b0));
    }
    const s = this.span();
    return s.buf.latin1Slice(s.start, s.end);
  }

  private intEncoded(b0: number): number {
    if (b0 === ENC_INT8) {
      this.need(1);
      return this.buf.readInt8(this.pos++);
    }
    if (b0 === ENC_INT16) {
      this.need(2);
      const v = this.buf.readInt16LE(this.pos);
      this.pos += 2;
      return v;
    }
    if (b0 === ENC_INT32) {
      this.need(4);
      const v = this.buf.readInt32LE(this.pos);
      this.pos += 4;
      return v;
    }
    throw new RdbFormatError(`unknown string encoding 0x${b0.toString(16)} at offset ${this.pos - 1}`);
  }
}
