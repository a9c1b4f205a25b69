import type { Value } from '@brook/storage';
import { crc64 } from './crc64.js';
import { RdbFormatError } from './rdb-error.js';
import { RdbInput } from './rdb-input.js';
import { DEFAULT_LIMITS, RDB_VERSION, RdbOpcode, type EncodingLimits } from './rdb-types.js';
import { EmptyValueError, readValue } from './value-codec.js';

export { decodeValue } from './value-codec.js';

/** One step of an RDB file, in file order. */
export type RdbItem =
  | { kind: 'aux'; key: string; value: string }
  | { kind: 'db'; db: number }
  | { kind: 'resize'; keys: number; expires: number }
  | { kind: 'entry'; key: string; value: Value; expireAtMs: number | bigint | undefined; idle?: number; freq?: number }
  | { kind: 'function'; code: string }
  | { kind: 'eof' };

/** RDB versions from which files end with a CRC64. */
const FIRST_CHECKSUMMED_VERSION = 5;

/**
 * Reads an RDB file item by item, so a loader can slice the work across event-loop turns. Every
 * read is bounds-checked and every value validated (listpacks, intsets, stream PELs); anything
 * malformed throws RdbFormatError. The checksum is accumulated as items are read and checked at
 * EOF (a stored 0 means the writer had rdbchecksum off). Keys whose value is an empty collection
 * are skipped, as Redis skips them.
 */
export class RdbReader {
  readonly version: number;
  private readonly input: RdbInput;
  private readonly limits: EncodingLimits;
  private crc = 0n;
  private crcAt = 0;
  private done = false;

  constructor(buf: Buffer, limits: EncodingLimits = DEFAULT_LIMITS) {
    this.limits = limits;
    if (buf.length < 9 || buf.latin1Slice(0, 5) !== 'REDIS') throw new RdbFormatError('Wrong signature trying to load DB from file');
    const digits = buf.latin1Slice(5, 9);
    const version = /^[0-9]{4}$/.test(digits) ? Number(digits) : NaN;
    if (!(version >= 1 && version <= RDB_VERSION)) throw new RdbFormatError(`Can't handle RDB format version ${digits}`);
    this.version = version;
    this.input = new RdbInput(buf, 9);
  }

  get offset(): number {
    return this.input.pos;
  }

  next(): RdbItem {
    if (this.done) return { kind: 'eof' };
    const input = this.input;
    let expireAtMs: number | bigint | undefined;
    let idle: number | undefined;
    let freq: number | undefined;
    for (;;) {
      this.checksumUpTo(input.pos);
      const op = input.byte();
      switch (op) {
        case RdbOpcode.ExpireTimeMs:
          expireAtMs = input.i64le();
          continue;
        case RdbOpcode.ExpireTime:
          expireAtMs = input.u32le() * 1000;
          continue;
        case RdbOpcode.Idle:
          idle = input.len();
          continue;
        case RdbOpcode.Freq:
          freq = input.byte();
          continue;
        case RdbOpcode.Aux: {
          const key = input.str();
          return { kind: 'aux', key, value: input.str() };
        }
        case RdbOpcode.SelectDb:
          return { kind: 'db', db: input.len() };
        case RdbOpcode.ResizeDb: {
          const keys = input.len();
          return { kind: 'resize', keys, expires: input.len() };
        }
        case RdbOpcode.Function2:
          return { kind: 'function', code: input.str() };
        case RdbOpcode.Function:
          throw new RdbFormatError('Pre-release function format not supported');
        case RdbOpcode.ModuleAux:
          throw new RdbFormatError('Module auxiliary data is not supported');
        case RdbOpcode.Eof:
          this.finish();
          return { kind: 'eof' };
        default: {
          const key = input.str();
          let value: Value;
          try {
            value = readValue(op, input, this.limits);
          } catch (e) {
            if (!(e instanceof EmptyValueError)) throw e;
            expireAtMs = idle = freq = undefined;
            continue;
          }
          const item: RdbItem = { kind: 'entry', key, value, expireAtMs };
          if (idle !== undefined) item.idle = idle;
          if (freq !== undefined) item.freq = freq;
          return item;
        }
      }
    }
  }

  private checksumUpTo(pos: number): void {
    if (this.version < FIRST_CHECKSUMMED_VERSION) return;
    this.crc = crc64(this.crc, this.input.buf, this.crcAt, pos);
    this.crcAt = pos;
  }

  private finish(): void {
    this.done = true;
    if (this.version < FIRST_CHECKSUMMED_VERSION) return;
    const input = this.input;
    this.checksumUpTo(input.pos);
    input.need(8);
    const stored = input.buf.readBigUInt64LE(input.pos);
    input.pos += 8;
    if (stored !== 0n && stored !== this.crc) throw new RdbFormatError('Wrong RDB checksum');
  }
}
