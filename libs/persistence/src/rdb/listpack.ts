import { parseCanonicalInt } from '@brook/storage';
import { ByteWriter } from './byte-writer.js';
import { RdbFormatError } from './rdb-error.js';

/**
 * Redis's listpack blob (interop.md §1.6), the payload of hash, sorted-set, quicklist-node and
 * stream-node values in an RDB: 4-byte LE total size, 2-byte LE entry count (65535: unknown),
 * entries (encoding, payload, backlen), 0xFF. Brook's in-memory packed runs (types/packed.ts) are
 * a different layout, so values are re-encoded at the file's edge.
 */

const HEADER_SIZE = 6;
const EOF_BYTE = 0xff;
const COUNT_UNKNOWN = 0xffff;

/** Builds one listpack blob in a reusable scratch buffer. */
export class ListpackBuilder {
  readonly out = new ByteWriter(1 << 12);
  private count = 0;

  /** Starts a new blob (the previous one is overwritten). */
  begin(): void {
    this.out.pos = HEADER_SIZE;
    this.out.ensure(0);
    this.count = 0;
  }

  get entries(): number {
    return this.count;
  }

  /** The blob size if it were finished now. */
  get size(): number {
    return this.out.pos + 1;
  }

  /** Appends a string entry; a canonical int64 text is stored as an integer, as lpAppend does. */
  string(s: string): void {
    const n = s.length;
    if (n > 0 && n <= 20) {
      const c0 = s.charCodeAt(0);
      if ((c0 >= 48 && c0 <= 57) || c0 === 45) {
        const v = parseCanonicalInt(s);
        if (v !== null) return this.int(v);
      }
    }
    const out = this.out;
    let header: number;
    if (n < 64) {
      out.ensure(n + 1 + 5);
      out.buf[out.pos++] = 0x80 | n;
      header = 1;
    } else if (n < 4096) {
      out.ensure(n + 2 + 5);
      out.buf[out.pos++] = 0xe0 | (n >> 8);
      out.buf[out.pos++] = n & 0xff;
      header = 2;
    } else {
      out.ensure(n + 5 + 5);
      out.buf[out.pos++] = 0xf0;
      out.buf.writeUInt32LE(n, out.pos);
      out.pos += 4;
      header = 5;
    }
    out.pos += out.buf.write(s, out.pos, 'latin1');
    this.backlen(header + n);
  }

  /** Appends an integer entry in the smallest integer encoding. */
  int(v: number | bigint): void {
    const out = this.out;
    out.ensure(9 + 5);
    const b = out.buf;
    let size: number;
    if (typeof v === 'bigint') {
      b[out.pos] = 0xf4;
      b.writeBigInt64LE(v, out.pos + 1);
      size = 9;
    } else if (v >= 0 && v <= 127) {
      b[out.pos] = v;
      size = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v;
      b[out.pos] = 0xc0 | (u >> 8);
      b[out.pos + 1] = u & 0xff;
      size = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[out.pos] = 0xf1;
      b.writeInt16LE(v, out.pos + 1);
      size = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[out.pos] = 0xf2;
      b.writeIntLE(v, out.pos + 1, 3);
      size = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[out.pos] = 0xf3;
      b.writeInt32LE(v, out.pos + 1);
      size = 5;
    } else {
      b[out.pos] = 0xf4;
      b.writeBigInt64LE(BigInt(v), out.pos + 1);
      size = 9;
    }
    out.pos += size;
    this.backlen(size);
  }

  /** Finishes the blob: terminator and header. Returns its end offset in `out.buf` (it starts at 0). */
  finish(): number {
    const out = this.out;
    out.byte(EOF_BYTE);
    out.buf.writeUInt32LE(out.pos, 0);
    out.buf.writeUInt16LE(this.count < COUNT_UNKNOWN ? this.count : COUNT_UNKNOWN, 4);
    return out.pos;
  }

  private backlen(l: number): void {
    const out = this.out;
    const b = out.buf;
    if (l <= 127) b[out.pos++] = l;
    else if (l < 16383) {
      b[out.pos++] = l >> 7;
      b[out.pos++] = (l & 127) | 128;
    } else if (l < 2097151) {
      b[out.pos++] = l >> 14;
      b[out.pos++] = ((l >> 7) & 127) | 128;
      b[out.pos++] = (l & 127) | 128;
    } else if (l < 268435455) {
      b[out.pos++] = l >> 21;
      b[out.pos++] = ((l >> 14) & 127) | 128;
      b[out.pos++] = ((l >> 7) & 127) | 128;
      b[out.pos++] = (l & 127) | 128;
    } else {
      b[out.pos++] = Math.floor(l / 2 ** 28);
      b[out.pos++] = ((l >> 21) & 127) | 128;
      b[out.pos++] = ((l >> 14) & 127) | 128;
      b[out.pos++] = ((l >> 7) & 127) | 128;
      b[out.pos++] = (l & 127) | 128;
    }
    this.count++;
  }
}

/**
 * A walk over a packed blob's entries (listpack, ziplist, zipmap): the current entry is an
 * integer (`isInt`, `intValue`) or the latin1 string at buf[strStart, strEnd). Each format
 * validates and decodes its own entries in advance().
 */
export abstract class PackedEntries {
  isInt = false;
  intValue: number | bigint = 0;
  protected strStart = 0;
  protected strEnd = 0;

  constructor(protected readonly buf: Buffer) {}

  /** Whether another entry follows; at the end, validates what only the end can tell (counts). */
  abstract hasNext(): boolean;
  /** Reads the next entry. */
  abstract advance(): void;

  /** The current entry as latin1 chars (integers as decimal text). */
  value(): string {
    return this.isInt ? String(this.intValue) : this.buf.latin1Slice(this.strStart, this.strEnd);
  }

  /** advance() then value(). */
  next(): string {
    this.advance();
    return this.value();
  }

  /** Makes buf[start, end) the current entry, a string. */
  protected setString(start: number, end: number): void {
    this.isInt = false;
    this.strStart = start;
    this.strEnd = end;
  }

  /** Makes the int64 at `at` (little-endian) the current entry: a number while safe, else a bigint. */
  protected setInt64(at: number): void {
    const v = this.buf.readBigInt64LE(at);
    this.intValue = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }
}

/**
 * Walks a listpack blob, validating every entry (encoding within bounds, backlen matching,
 * count matching the header, terminator last), so a hostile payload is refused instead of read
 * past its end. Entries come out as latin1 strings (integers as their decimal text) or, through
 * `nextInt`, as integers.
 */
export class ListpackReader extends PackedEntries {
  private pos: number;
  private readonly end: number;
  private seen = 0;
  private readonly declared: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    super(buf);
    if (end - start < HEADER_SIZE + 1) throw new RdbFormatError('listpack too short');
    if (buf.readUInt32LE(start) !== end - start) throw new RdbFormatError('listpack size mismatch');
    if (buf[end - 1] !== EOF_BYTE) throw new RdbFormatError('listpack not terminated');
    this.declared = buf.readUInt16LE(start + 4);
    this.pos = start + HEADER_SIZE;
    this.end = end - 1;
  }

  /** Entries the header declares (65535: unknown; checked against the real count at the end). */
  get declaredCount(): number {
    return this.declared;
  }

  /** Whether another entry follows; at the end checks the count. */
  hasNext(): boolean {
    if (this.pos < this.end) return true;
    if (this.declared !== COUNT_UNKNOWN && this.declared !== this.seen) throw new RdbFormatError('listpack count mismatch');
    return false;
  }

  /** Reads the next entry into isInt/intValue or the string bounds. */
  advance(): void {
    const b = this.buf;
    const start = this.pos;
    if (start >= this.end) throw new RdbFormatError('listpack read past its end');
    const e = b[start];
    let size: number;
    this.isInt = true;
    if (e < 0x80) {
      this.intValue = e;
      size = 1;
    } else if (e < 0xc0) {
      size = this.str(start, 1, e & 0x3f);
    } else if (e < 0xe0) {
      this.need(start, 2);
      const u = ((e & 0x1f) << 8) | b[start + 1];
      this.intValue = u >= 4096 ? u - 8192 : u;
      size = 2;
    } else if (e < 0xf0) {
      this.need(start, 2);
      size = this.str(start, 2, ((e & 0x0f) << 8) | b[start + 1]);
    } else if (e === 0xf0) {
      this.need(start, 5);
      size = this.str(start, 5, b.readUInt32LE(start + 1));
    } else if (e === 0xf1) {
      this.need(start, 3);
      this.intValue = b.readInt16LE(start + 1);
      size = 3;
    } else if (e === 0xf2) {
      this.need(start, 4);
      this.intValue = b.readIntLE(start + 1, 3);
      size = 4;
    } else if (e === 0xf3) {
      this.need(start, 5);
      this.intValue = b.readInt32LE(start + 1);
      size = 5;
    } else if (e === 0xf4) {
      this.need(start, 9);
      this.setInt64(start + 1);
      size = 9;
    } else throw new RdbFormatError('listpack bad entry encoding');
    let p = start + size;
    // backlen: the entry size in 7-bit groups, most significant first, continuation bit on all but the first.
    const blen = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    if (p + blen > this.end) throw new RdbFormatError('listpack backlen out of bounds');
    let l = b[p] & 127;
    if (blen > 1 && (b[p] & 128) !== 0) throw new RdbFormatError('listpack bad backlen');
    for (let i = 1; i < blen; i++) {
      const c = b[p + i];
      if ((c & 128) === 0) throw new RdbFormatError('listpack bad backlen');
      l = l * 128 + (c & 127);
    }
    if (l !== size) throw new RdbFormatError('listpack backlen mismatch');
    p += blen;
    this.pos = p;
    this.seen++;
  }

  /** The next entry, which must be an integer (stream node metadata). */
  nextInt(): number | bigint {
    this.advance();
    if (this.isInt) return this.intValue;
    const v = parseCanonicalInt(this.buf.latin1Slice(this.strStart, this.strEnd));
    if (v === null) throw new RdbFormatError('listpack entry is not an integer');
    return v;
  }

  /** The next entry as a safe integer (counts, flags, deltas that must be small). */
  nextNumber(): number {
    const v = this.nextInt();
    if (typeof v !== 'number') throw new RdbFormatError('listpack integer out of range');
    return v;
  }

  private str(start: number, header: number, n: number): number {
    this.setString(start + header, start + header + n);
    if (this.strEnd > this.end) throw new RdbFormatError('listpack string out of bounds');
    return header + n;
  }

  private need(start: number, n: number): void {
    if (start + n > this.end) throw new RdbFormatError('listpack entry out of bounds');
  }
}
