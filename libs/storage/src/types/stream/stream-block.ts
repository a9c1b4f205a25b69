/**
 * One node of a stream (Redis's listpack in the rax): a run of entries packed into one Buffer.
 *
 * Layout: the master fields (the first entry's field names: count, then each as length + bytes),
 * then the entries. An entry is
 *   flags (1 byte: DELETED, SAME_FIELDS) · ms - master ms (varint) · seq (varint) ·
 *   SAME_FIELDS ? values : count + field/value pairs
 * with every string as a varint length + its bytes. Varints take 7 bits a byte, low group first;
 * the 64-bit ones are handled as two 32-bit words, so no value goes through a double above 2^53.
 * The tail block grows its Buffer geometrically and is shrunk to its exact size when sealed.
 * Deletion flags the entry in place; a block with no live entry is dropped by the stream.
 */
import { LP_OVERHEAD, lpIntSize, lpStringSize, u64Diff } from './listpack-size.js';
import { idFromWords, idSeq, idMs, idWord, type StreamId } from './stream-id.js';
import { heapArray, heapObject, heapString, heapTypedArray } from '../../footprint.js';

export const ENTRY_DELETED = 1;
export const ENTRY_SAME_FIELDS = 2;

const TWO32 = 4294967296;
const FIRST_CAPACITY = 128;

/** Writes a varint of n (0 <= n < 2^32) at p; returns the position after it. */
function putVarint(buf: Buffer, p: number, n: number): number {
  while (n >= 0x80) {
    buf[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[p++] = n;
  return p;
}

/** Writes a varint of the 64-bit value hi·2^32 + lo (both unsigned 32-bit) at p. */
function putVarint64(buf: Buffer, p: number, hi: number, lo: number): number {
  while (hi !== 0 || lo >= 0x80) {
    buf[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[p++] = lo;
  return p;
}

function putString(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  p = putVarint(buf, p, n);
  // Short strings are cheaper to copy by hand than through a native call.
  if (n > 32) return p + buf.write(s, p, 'latin1');
  for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
  return p + n;
}

/**
 * A forward reader over a block's bytes: `pos` moves as values are read; u64() leaves its value
 * in `hi`/`lo`. One instance per walk, no allocation per value.
 */
export class BlockReader {
  buf: Buffer = EMPTY;
  pos = 0;
  hi = 0;
  lo = 0;
  /** The ID words of the entry whose header was read last (readHeader). */
  msHi = 0;
  msLo = 0;
  seqHi = 0;
  seqLo = 0;

  /** -1, 0 or 1 as the last read entry's ID is below, equal to or above the ID of words a, b, c, d. */
  compare(a: number, b: number, c: number, d: number): number {
    if (this.msHi !== a) return this.msHi < a ? -1 : 1;
    if (this.msLo !== b) return this.msLo < b ? -1 : 1;
    if (this.seqHi !== c) return this.seqHi < c ? -1 : 1;
    if (this.seqLo !== d) return this.seqLo < d ? -1 : 1;
    return 0;
  }

  /** The last read entry's ID. */
  id(): StreamId {
    return idFromWords(this.msHi, this.msLo, this.seqHi, this.seqLo);
  }

  u32(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b < 0x80) return b;
    let n = b & 0x7f;
    let shift = 7;
    do {
      b = buf[this.pos++];
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b >= 0x80);
    return n;
  }

  u64(): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[this.pos++];
      const v = b & 0x7f;
      if (shift < 32) {
        lo = (lo | (v << shift)) >>> 0;
        if (shift > 25) hi = (hi | (v >>> (32 - shift))) >>> 0;
      } else hi = (hi | (v << (shift - 32))) >>> 0;
      shift += 7;
    } while (b >= 0x80);
    this.hi = hi;
    this.lo = lo;
  }

  /** Skips a length-prefixed string. */
  skipString(): void {
    const len = this.u32();
    this.pos += len;
  }
}

const EMPTY = Buffer.alloc(0);

export class StreamBlock {
  data: Buffer;
  /** Bytes used in `data`. */
  size: number;
  /** Where the entries start (after the master fields). */
  readonly entriesStart: number;
  readonly masterFieldCount: number;
  /** The master ID: the first entry's, kept after it is deleted (the key of the block). */
  readonly first: StreamId;
  /** The last entry's ID, deleted or not. */
  last: StreamId;
  live = 0;
  deleted = 0;
  prev: StreamBlock | null = null;
  next: StreamBlock | null = null;
  /** The master fields as strings while this is the tail (appends compare with them); null when sealed. */
  private masterFields: string[] | null;
  /** Redis's listpack bytes for the master fields and for the entries (see listpack-size.ts). */
  private readonly masterLp: number;
  private entriesLp = 0;
  private readonly msHi: number;
  private readonly msLo: number;

  /**
   * A block whose first entry will be `id` with the fields argv[from], argv[from + 2], ...; its
   * buffer starts with `capacity` bytes (at least what the master fields need).
   */
  constructor(id: StreamId, argv: readonly string[], from: number, capacity = FIRST_CAPACITY) {
    this.first = id;
    this.last = id;
    this.msHi = idWord(id, 0);
    this.msLo = idWord(id, 1);
    const fields: string[] = [];
    let bytes = 5;
    let lp = lpIntSize(0);
    for (let i = from; i < argv.length; i += 2) {
      fields.push(argv[i]);
      bytes += 5 + argv[i].length;
      lp += lpStringSize(argv[i]);
    }
    lp += lpIntSize(fields.length);
    this.masterFields = fields;
    this.masterFieldCount = fields.length;
    this.masterLp = lp;
    this.data = Buffer.allocUnsafeSlow(Math.max(FIRST_CAPACITY, bytes * 2, capacity));
    let p = putVarint(this.data, 0, fields.length);
    for (const f of fields) p = putString(this.data, p, f);
    this.entriesStart = p;
    this.size = p;
  }

  /** A reader at this block's first entry. */
  reader(): BlockReader {
    const reader = new BlockReader();
    reader.buf = this.data;
    reader.pos = this.entriesStart;
    return reader;
  }

  /** The bytes Redis's listpack for this node would take (what stream-node-max-bytes limits). */
  redisBytes(): number {
    return LP_OVERHEAD + lpIntSize(this.live) + lpIntSize(this.deleted) + this.masterLp + this.entriesLp;
  }

  /** Appends the entry `id` (above every ID in the block) with the pairs argv[from..]. */
  append(id: StreamId, argv: readonly string[], from: number): void {
    const pairs = (argv.length - from) >>> 1;
    const master = this.masterFields ?? this.reopen();
    let same = pairs === master.length;
    let need = 25;
    for (let i = 0; i < pairs && same; i++) if (argv[from + 2 * i] !== master[i]) same = false;
    for (let i = from; i < argv.length; i++) need += 5 + argv[i].length;
    this.reserve(need);
    const buf = this.data;
    let p = this.size;
    buf[p++] = same ? ENTRY_SAME_FIELDS : 0;
    let lo = idWord(id, 1) - this.msLo;
    let hi = idWord(id, 0) - this.msHi;
    if (lo < 0) {
      lo += TWO32;
      hi--;
    }
    p = putVarint64(buf, p, hi, lo);
    p = putVarint64(buf, p, idWord(id, 2), idWord(id, 3));
    let lp =
      lpIntSize(same ? ENTRY_SAME_FIELDS : 0) +
      lpIntSize(u64Diff(idMs(id), idMs(this.first))) +
      lpIntSize(u64Diff(idSeq(id), idSeq(this.first)));
    if (same) {
      for (let i = from + 1; i < argv.length; i += 2) {
        p = putString(buf, p, argv[i]);
        lp += lpStringSize(argv[i]);
      }
      lp += lpIntSize(pairs + 3);
    } else {
      p = putVarint(buf, p, pairs);
      for (let i = from; i < argv.length; i++) {
        p = putString(buf, p, argv[i]);
        lp += lpStringSize(argv[i]);
      }
      lp += lpIntSize(pairs) + lpIntSize(2 * pairs + 4);
    }
    this.size = p;
    this.entriesLp += lp;
    this.live++;
    this.last = id;
  }

  private reserve(extra: number): void {
    if (this.size + extra <= this.data.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.data.length * 2, this.size + extra));
    this.data.copy(grown, 0, 0, this.size);
    this.data = grown;
  }

  /** No more appends: drops the spare capacity and the master field strings. */
  seal(): void {
    this.masterFields = null;
    if (this.data.length === this.size) return;
    const exact = Buffer.allocUnsafe(this.size);
    this.data.copy(exact, 0, 0, this.size);
    this.data = exact;
  }

  /** Whether the block is the growing tail (not sealed). */
  get open(): boolean {
    return this.masterFields !== null;
  }

  /** Appends to a sealed block (the tail again after the blocks after it were deleted, as Redis appends to its last node). */
  private reopen(): string[] {
    const offsets: number[] = [];
    this.masterFieldOffsets(offsets);
    const fields: string[] = [];
    for (let i = 0; i < offsets.length; i += 2) fields.push(this.data.latin1Slice(offsets[i], offsets[i + 1]));
    this.masterFields = fields;
    return fields;
  }

  /** A copy sharing nothing mutable (COPY); sealed copies stay sealed. */
  /** Bytes the block holds: its buffer, and the tail's master field strings. */
  footprint(): number {
    const fields = this.masterFields;
    let bytes = heapObject(16) + heapTypedArray(this.data.length);
    if (fields !== null) for (const f of fields) bytes += heapString(f.length);
    return fields === null ? bytes : bytes + heapArray(fields.length);
  }

  clone(): StreamBlock {
    const copy = Object.create(StreamBlock.prototype) as StreamBlock;
    Object.assign(copy, this);
    copy.data = Buffer.allocUnsafeSlow(this.open ? this.data.length : this.size);
    this.data.copy(copy.data, 0, 0, this.size);
    if (this.masterFields !== null) copy.masterFields = this.masterFields.slice();
    copy.prev = null;
    copy.next = null;
    return copy;
  }

  /** Flags the entry whose flags byte is at `at` as deleted (it must be live). */
  markDeleted(at: number): void {
    this.data[at] |= ENTRY_DELETED;
    this.live--;
    this.deleted++;
  }

  /**
   * Reads the header of the entry at `reader.pos` (which must be < size): returns its flags,
   * leaves its ID words in the reader (compare, id) and the reader after the ID; the caller then
   * reads or skips the pairs (readPairs, skipPairs).
   */
  readHeader(reader: BlockReader): number {
    const flags = this.data[reader.pos++];
    reader.u64();
    let lo = this.msLo + reader.lo;
    let hi = this.msHi + reader.hi;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi++;
    }
    reader.msHi = hi;
    reader.msLo = lo;
    reader.u64();
    reader.seqHi = reader.hi;
    reader.seqLo = reader.lo;
    return flags;
  }

  /** Skips the pairs of an entry whose header was just read. */
  skipPairs(reader: BlockReader, flags: number): void {
    let strings = this.masterFieldCount;
    if ((flags & ENTRY_SAME_FIELDS) === 0) strings = 2 * reader.u32();
    for (let i = 0; i < strings; i++) reader.skipString();
  }

  /** Puts [start, end] of each master field into `out` (read once per block by a walk). */
  masterFieldOffsets(out: number[]): void {
    const reader = new BlockReader();
    reader.buf = this.data;
    const n = reader.u32();
    for (let i = 0; i < n; i++) {
      const len = reader.u32();
      out[2 * i] = reader.pos;
      out[2 * i + 1] = reader.pos + len;
      reader.pos += len;
    }
  }

  /**
   * Reads the pairs of an entry whose header was just read into `pos` as [field start, field
   * end, value start, value end] per pair (the master field offsets `masterPos` for SAME_FIELDS
   * entries); returns the pair count.
   */
  readPairs(reader: BlockReader, flags: number, pos: number[], masterPos: readonly number[]): number {
    if ((flags & ENTRY_SAME_FIELDS) !== 0) {
      const n = this.masterFieldCount;
      for (let i = 0; i < n; i++) {
        pos[4 * i] = masterPos[2 * i];
        pos[4 * i + 1] = masterPos[2 * i + 1];
        const len = reader.u32();
        pos[4 * i + 2] = reader.pos;
        pos[4 * i + 3] = reader.pos + len;
        reader.pos += len;
      }
      return n;
    }
    const n = reader.u32();
    for (let i = 0; i < 2 * n; i++) {
      const len = reader.u32();
      pos[2 * i] = reader.pos;
      pos[2 * i + 1] = reader.pos + len;
      reader.pos += len;
    }
    return n;
  }
}
