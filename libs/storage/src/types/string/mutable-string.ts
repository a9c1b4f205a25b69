import { constants } from 'node:buffer';
import { RedisObject } from '../object.js';
import { heapObject, heapTypedArray } from '../../footprint.js';

/** sdsMakeRoomFor's greedy growth doubles the length below this size. */
const SDS_MAX_PREALLOC = 1024 * 1024;

/**
 * The capacity to allocate for a string about to reach `size` bytes. Below 1 MB it doubles, as
 * sdsMakeRoomFor does. Beyond, Redis adds 1 MB and relies on realloc often extending the block in
 * place; a Buffer never grows in place, so a fixed step would copy the whole value every MB
 * (quadratic): the capacity grows by half the size instead, keeping repeated edits linear with at
 * most 50% unused room (untouched, so mostly not resident).
 */
export function capacityFor(size: number): number {
  if (size < SDS_MAX_PREALLOC) return size * 2;
  return Math.min(size + Math.max(SDS_MAX_PREALLOC, Math.floor(size / 2)), Math.max(size, constants.MAX_LENGTH));
}

/**
 * A string value edited in place (APPEND, SETRANGE, SETBIT, BITFIELD): a Buffer with spare
 * capacity so repeated edits are amortised O(1) instead of copying the whole value each time.
 * Redis reports it as the `raw` encoding. Bytes between `length` and the capacity are unspecified.
 */
export class MutableString extends RedisObject {
  readonly type = 'string' as const;
  buf: Buffer;
  length: number;

  /**
   * A copy of `initial`, with room for the string to reach `size` bytes: when that exceeds the
   * copy, the capacity is grown as `room` would, so the conversion and the edit that asked for it
   * copy the bytes once.
   */
  constructor(initial: Buffer | string, size = initial.length) {
    super();
    const len = initial.length;
    this.buf = Buffer.allocUnsafe(size > len ? capacityFor(size) : len);
    if (typeof initial === 'string') this.buf.write(initial, 0, len, 'latin1');
    else initial.copy(this.buf, 0);
    this.length = len;
  }

  /** A zero-filled string of `size` bytes with no spare room (a new key made by SETRANGE/SETBIT). */
  static zeroed(size: number): MutableString {
    return MutableString.adopt(Buffer.alloc(size));
  }

  /** Adopts `buf` (no copy) as a string of exactly its length (BITOP's result). */
  static adopt(buf: Buffer): MutableString {
    const s = new MutableString('');
    s.buf = buf;
    s.length = buf.length;
    return s;
  }

  footprint(): number {
    // lru, cost, type, buf, length
    return heapObject(5) + heapTypedArray(this.buf.length);
  }

  get encoding(): string {
    return 'raw';
  }

  override clone(): MutableString {
    return new MutableString(this.view());
  }

  /** Ensures capacity for `size` bytes, reallocating geometrically (see capacityFor). */
  room(size: number): void {
    if (size <= this.buf.length) return;
    const next = Buffer.allocUnsafe(capacityFor(size));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Extends the string to at least `size` bytes, new bytes zero (sdsgrowzero). */
  grow(size: number): void {
    if (size <= this.length) return;
    this.room(size);
    this.buf.fill(0, this.length, size);
    this.length = size;
  }

  append(s: string): void {
    const at = this.length;
    this.room(at + s.length);
    this.buf.write(s, at, s.length, 'latin1');
    this.length = at + s.length;
  }

  /** Overwrites bytes from `offset`, zero-padding any gap (SETRANGE). */
  writeAt(offset: number, s: string): void {
    this.grow(offset + s.length);
    this.buf.write(s, offset, s.length, 'latin1');
  }

  /** The bytes as a latin1 string. */
  override toString(): string {
    return this.buf.toString('latin1', 0, this.length);
  }

  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
