import { RedisObject } from '../object.js';

/**
 * A string value edited in place (APPEND, SETRANGE, SETBIT, BITFIELD): a Buffer with spare
 * capacity so repeated appends are amortised O(1) instead of copying the whole value each time.
 * Redis reports it as the `raw` encoding.
 */
export class MutableString extends RedisObject {
  readonly type = 'string' as const;
  buf: Buffer;
  length: number;

  constructor(initial: Buffer | string, extra = 0) {
    super();
    const len = typeof initial === 'string' ? initial.length : initial.length;
    this.buf = Buffer.allocUnsafe(len + extra);
    if (typeof initial === 'string') this.buf.write(initial, 0, 'latin1');
    else initial.copy(this.buf, 0);
    this.length = len;
  }

  get encoding(): string {
    return 'raw';
  }

  /** Makes room for `size` bytes, growing geometrically like sdsMakeRoomFor. New bytes are zero. */
  reserve(size: number): void {
    if (size <= this.buf.length) {
      if (size > this.length) this.buf.fill(0, this.length, size);
      return;
    }
    const cap = size < 1024 * 1024 ? size * 2 : size + 1024 * 1024;
    const next = Buffer.alloc(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  append(s: string): void {
    this.reserve(this.length + s.length);
    this.buf.write(s, this.length, 'latin1');
    this.length += s.length;
  }

  /** The bytes as a latin1 string. */
  override toString(): string {
    return this.buf.toString('latin1', 0, this.length);
  }

  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
