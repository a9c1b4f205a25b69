import type { Value } from '@brook/storage';
import { ByteWriter } from './byte-writer.js';
import { crc64 } from './crc64.js';
import { RdbFormatError } from './rdb-error.js';
import { RdbInput } from './rdb-input.js';
import { DEFAULT_LIMITS, RDB_VERSION, type EncodingLimits } from './rdb-types.js';
import { readValue, writePayload, writeValue } from './value-codec.js';

/** The footer: 2 bytes LE RDB version, 8 bytes LE CRC64 of everything before the CRC. */
const FOOTER = 10;

/** A payload whose version is newer than 10 or whose checksum does not match (RESTORE's own error). */
export class DumpPayloadError extends RdbFormatError {}

const scratch = new ByteWriter();

/** DUMP's reply: the value as in an RDB (type byte + payload), RDB version 10, CRC64. */
export function dumpPayload(value: Value, compression = true, limits: EncodingLimits = DEFAULT_LIMITS): Buffer {
  scratch.pos = 0;
  writeValue(scratch, value, compression, limits);
  scratch.u16le(RDB_VERSION);
  scratch.i64le(crc64(0n, scratch.buf, 0, scratch.pos));
  return scratch.copy();
}

/** Redis's rdbSavedObjectLen (DEBUG OBJECT serializedlength): the bytes of the value's RDB payload after its type byte. */
export function serializedLength(value: Value, compression: boolean, limits: EncodingLimits = DEFAULT_LIMITS): number {
  scratch.pos = 0;
  writePayload(scratch, value, compression, limits);
  return scratch.pos;
}

/**
 * The value of a DUMP payload, built under `limits`. Throws DumpPayloadError on a bad footer
 * (version > 10 or checksum mismatch; a zero checksum is no exception here, unlike in files) and
 * RdbFormatError on a malformed or empty value.
 */
export function parseDumpPayload(payload: Buffer, limits: EncodingLimits = DEFAULT_LIMITS): Value {
  const n = payload.length;
  if (n < FOOTER) throw new DumpPayloadError('DUMP payload version or checksum are wrong');
  const version = payload.readUInt16LE(n - FOOTER);
  if (version > RDB_VERSION) throw new DumpPayloadError('DUMP payload version or checksum are wrong');
  if (crc64(0n, payload, 0, n - 8) !== payload.readBigUInt64LE(n - 8))
    throw new DumpPayloadError('DUMP payload version or checksum are wrong');
  const input = new RdbInput(payload, 1, n - FOOTER);
  return readValue(payload[0], input, limits);
}
