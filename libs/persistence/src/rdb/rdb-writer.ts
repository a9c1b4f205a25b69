import type { Value } from '@brook/storage';
import { ByteWriter } from './byte-writer.js';
import { Crc64 } from './crc64.js';
import { RDB_VERSION, RdbOpcode, DEFAULT_LIMITS, type EncodingLimits } from './rdb-types.js';
import { rdbTypeOf, writePayload } from './value-codec.js';

/** rdbcompression / rdbchecksum. */
export interface RdbWriterOptions {
  compression: boolean;
  checksum: boolean;
  /** Node sizes for lists and streams (list-max-listpack-size, stream-node-max-*); Redis's defaults when absent. */
  limits?: EncodingLimits;
}

/** Chunks handed to the sink are about this size. */
const FLUSH_AT = 1 << 16;

/**
 * Writes an RDB version 10 file as a stream of chunks: header and AUX fields, then per database
 * SELECTDB + RESIZEDB and its entries, then EOF and the CRC64 (8 zero bytes when the checksum is
 * off, which loaders read as "not checked"). The caller drives it entry by entry, so a snapshot can
 * be sliced across event-loop turns; each chunk passed to `sink` is the sink's to keep.
 */
export class RdbWriter {
  private out = new ByteWriter(FLUSH_AT * 2);
  private readonly crc = new Crc64();
  private written = 0;
  private readonly limits: EncodingLimits;

  constructor(
    private readonly opts: RdbWriterOptions,
    private readonly sink: (chunk: Buffer) => void,
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
  }

  /** Bytes handed to the sink so far plus those buffered. */
  get bytesWritten(): number {
    return this.written + this.out.pos;
  }

  /** "REDIS0010" and the AUX fields (numbers are written int-encoded, as Redis does). */
  header(aux: [string, string | number][]): void {
    this.out.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    for (const [key, value] of aux) {
      this.out.byte(RdbOpcode.Aux);
      this.out.rstr(key, false);
      if (typeof value === 'number') this.out.rint(value);
      else this.out.rstr(value, this.opts.compression);
    }
  }

  /** A FUNCTION library (FUNCTION2 opcode); written before the first database. */
  functionLibrary(code: string): void {
    this.out.byte(RdbOpcode.Function2);
    this.out.rstr(code, this.opts.compression);
  }

  /** SELECTDB + RESIZEDB: the database's key count and keys-with-TTL count (a sizing hint for loaders). */
  selectDb(db: number, keys: number, expires: number): void {
    this.out.byte(RdbOpcode.SelectDb);
    this.out.len(db);
    this.out.byte(RdbOpcode.ResizeDb);
    this.out.len(keys);
    this.out.len(expires);
  }

  /**
   * One key: EXPIRETIME_MS when it has a TTL, IDLE (seconds) or FREQ (LFU counter) when given (Redis
   * writes them under an LRU or LFU maxmemory-policy), then type, key and value. Never an empty collection.
   */
  entry(key: string, value: Value, expireAtMs: number | bigint | undefined, access?: { idle?: number; freq?: number }): void {
    const out = this.out;
    if (expireAtMs !== undefined) {
      out.byte(RdbOpcode.ExpireTimeMs);
      out.i64le(expireAtMs);
    }
    if (access?.idle !== undefined) {
      out.byte(RdbOpcode.Idle);
      out.len(access.idle);
    }
    if (access?.freq !== undefined) {
      out.byte(RdbOpcode.Freq);
      out.byte(access.freq);
    }
    out.byte(rdbTypeOf(value));
    out.rstr(key, this.opts.compression);
    writePayload(out, value, this.opts.compression, this.limits);
    if (out.pos >= FLUSH_AT) this.emit(true);
  }

  /** EOF and the checksum; flushes everything. */
  end(): void {
    const out = this.out;
    out.byte(RdbOpcode.Eof);
    if (this.opts.checksum) this.crc.update(out.buf, 0, out.pos);
    out.i64le(this.opts.checksum ? this.crc.value : 0);
    this.emit(false);
  }

  /** Hands the buffered bytes to the sink (a snapshot closing a piece of its file). */
  flush(): void {
    this.emit(true);
  }

  /** Hands the buffered bytes to the sink; `checked` adds them to the running checksum. */
  private emit(checked: boolean): void {
    const out = this.out;
    if (out.pos === 0) return;
    const chunk = out.buf.subarray(0, out.pos);
    if (checked && this.opts.checksum) this.crc.update(chunk);
    this.written += out.pos;
    // The chunk is handed over: the next bytes go to a fresh buffer.
    this.out = new ByteWriter(Math.max(FLUSH_AT * 2, out.buf.length));
    this.sink(chunk);
  }
}
