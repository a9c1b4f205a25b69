import { PackedEntries } from './listpack.js';
import { RdbFormatError } from './rdb-error.js';

/**
 * Redis's ziplist and zipmap blobs, read only: RDB types 9, 10, 12, 13 and 14, which Redis 7.0
 * still loads (converting them) and files from Redis ≤ 6.2 contain. Validated as strictly as
 * listpacks (every prevlen, the tail offset, the count, the terminator).
 *
 * Ziplist: zlbytes u32 LE, zltail u32 LE, zllen u16 LE (65535: unknown), entries, 0xFF. An entry
 * is prevlen (1 byte, or 0xFE + u32 LE), an encoding, its payload.
 */

const ZIPLIST_HEADER = 10;
const END = 0xff;
const BIG_PREVLEN = 0xfe;

export class ZiplistReader extends PackedEntries {
  private pos: number;
  private readonly end: number;
  private prevSize = 0;
  private lastStart = -1;
  private seen = 0;
  private readonly declared: number;
  private readonly tail: number;

  constructor(
    buf: Buffer,
    private readonly start = 0,
    end = buf.length,
  ) {
    super(buf);
    if (end - start < ZIPLIST_HEADER + 1) throw new RdbFormatError('Ziplist integrity check failed: too short');
    if (buf.readUInt32LE(start) !== end - start) throw new RdbFormatError('Ziplist integrity check failed: size mismatch');
    if (buf[end - 1] !== END) throw new RdbFormatError('Ziplist integrity check failed: not terminated');
    this.tail = buf.readUInt32LE(start + 4);
    this.declared = buf.readUInt16LE(start + 8);
    this.pos = start + ZIPLIST_HEADER;
    this.end = end - 1;
  }

  hasNext(): boolean {
    if (this.pos < this.end) return true;
    const tail = this.lastStart < 0 ? ZIPLIST_HEADER : this.lastStart - this.start;
    if (tail !== this.tail) throw new RdbFormatError('Ziplist integrity check failed: tail offset');
    if (this.declared !== 0xffff && this.declared !== this.seen) throw new RdbFormatError('Ziplist integrity check failed: count');
    return false;
  }

  advance(): void {
    const b = this.buf;
    const entry = this.pos;
    let p = entry;
    this.need(p, 1);
    let prevlen = b[p++];
    if (prevlen === BIG_PREVLEN) {
      this.need(p, 4);
      prevlen = b.readUInt32LE(p);
      p += 4;
    } else if (prevlen === END) throw new RdbFormatError('Ziplist integrity check failed: bad prevlen');
    if (prevlen !== this.prevSize) throw new RdbFormatError('Ziplist integrity check failed: prevlen mismatch');
    this.need(p, 1);
    const e = b[p++];
    this.isInt = true;
    const kind = e >> 6;
    if (kind === 0) p = this.str(p, e & 0x3f);
    else if (kind === 1) {
      this.need(p, 1);
      p = this.str(p + 1, ((e & 0x3f) << 8) | b[p]);
    } else if (e === 0x80) {
      this.need(p, 4);
      p = this.str(p + 4, b.readUInt32BE(p));
    } else if (e === 0xc0) {
      this.need(p, 2);
      this.intValue = b.readInt16LE(p);
      p += 2;
    } else if (e === 0xd0) {
      this.need(p, 4);
      this.intValue = b.readInt32LE(p);
      p += 4;
    } else if (e === 0xe0) {
      this.need(p, 8);
      this.setInt64(p);
      p += 8;
    } else if (e === 0xf0) {
      this.need(p, 3);
      this.intValue = b.readIntLE(p, 3);
      p += 3;
    } else if (e === 0xfe) {
      this.need(p, 1);
      this.intValue = b.readInt8(p);
      p += 1;
    } else if (e >= 0xf1 && e <= 0xfd) this.intValue = (e & 0x0f) - 1;
    else throw new RdbFormatError('Ziplist integrity check failed: bad encoding');
    this.prevSize = p - entry;
    this.lastStart = entry;
    this.pos = p;
    this.seen++;
  }

  private str(p: number, n: number): number {
    this.need(p, n);
    this.setString(p, p + n);
    return p + n;
  }

  private need(p: number, n: number): void {
    if (p + n > this.end) throw new RdbFormatError('Ziplist integrity check failed: entry out of bounds');
  }
}

/**
 * The zipmap (RDB type 9, Redis ≤ 2.4 hashes): zmlen (1 byte), then key/value pairs, each length
 * 1 byte (< 254) or 0xFE + u32 LE, the value preceded by a "free" byte and followed by that many
 * unused bytes; 0xFF ends it. Yields field, value, field, value...
 */
export class ZipmapReader extends PackedEntries {
  private pos: number;
  private readonly end: number;
  private keyNext = true;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    super(buf);
    if (end - start < 2 || buf[end - 1] !== END) throw new RdbFormatError('Zipmap integrity check failed');
    this.pos = start + 1;
    this.end = end - 1;
  }

  hasNext(): boolean {
    if (this.pos < this.end) return true;
    if (!this.keyNext) throw new RdbFormatError('Zipmap integrity check failed: field without value');
    return false;
  }

  advance(): void {
    const b = this.buf;
    let p = this.pos;
    if (p >= this.end) throw new RdbFormatError('Zipmap integrity check failed');
    let n = b[p++];
    if (n === BIG_PREVLEN) {
      if (p + 4 > this.end) throw new RdbFormatError('Zipmap integrity check failed');
      n = b.readUInt32LE(p);
      p += 4;
    } else if (n === END) throw new RdbFormatError('Zipmap integrity check failed');
    let free = 0;
    if (!this.keyNext) {
      if (p >= this.end) throw new RdbFormatError('Zipmap integrity check failed');
      free = b[p++];
    }
    if (p + n + free > this.end) throw new RdbFormatError('Zipmap integrity check failed');
    this.setString(p, p + n);
    this.pos = p + n + free;
    this.keyNext = !this.keyNext;
  }
}
