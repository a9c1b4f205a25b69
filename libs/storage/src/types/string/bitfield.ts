import { MutableString } from './mutable-string.js';
import { parseCanonicalInt, stringBytes, type StringValue } from './string-value.js';

/**
 * BITFIELD integers: fields of 1..64 bits (signed) or 1..63 bits (unsigned) at any bit offset,
 * most significant bit first, with Redis's overflow rules reproduced to the bit — including the
 * C int64 wrap-arounds of bitops.c, so that every reply matches.
 */
export interface BitfieldType {
  signed: boolean;
  bits: number;
}

export type Overflow = 'wrap' | 'sat' | 'fail';

/**
 * "i8", "u16", ...; null when invalid. Redis 7.0 takes only lower-case 'i'/'u', and reads the
 * width up to a NUL, as C's strlen would.
 */
export function parseBitfieldType(s: string): BitfieldType | null {
  const c = s.charCodeAt(0);
  const signed = c === 0x69; // 'i'
  if (!signed && c !== 0x75) return null; // 'u'
  const nul = s.indexOf('\0', 1);
  const bits = parseCanonicalInt(nul < 0 ? s.slice(1) : s.slice(1, nul));
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) return null;
  return { signed, bits: Number(bits) };
}

/**
 * A bit offset argument: plain, or "#N" meaning N·bits when `hashBits` is given (the product
 * wraps in int64, as in C). Null when negative or when its byte reaches `maxBytes`.
 */
export function parseBitOffset(s: string, hashBits: number, maxBytes: number): number | null {
  const hash = hashBits > 0 && s.charCodeAt(0) === 0x23; // '#'
  const v = parseCanonicalInt(hash ? s.slice(1) : s);
  if (v === null) return null;
  let off = BigInt(v);
  if (hash) off = BigInt.asIntN(64, off * BigInt(hashBits));
  if (off < 0n || off >> 3n >= BigInt(maxBytes)) return null;
  return Number(off);
}

/** The raw field bits at `offset` as an unsigned bigint; bytes past the end read as zero. */
function readBits(v: StringValue | undefined, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let acc = 0n;
  if (v instanceof MutableString) {
    for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(i < v.length ? v.buf[i] : 0);
  } else {
    const s = v === undefined ? '' : stringBytes(v);
    for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(i < s.length ? s.charCodeAt(i) : 0);
  }
  const spare = BigInt((last - first + 1) * 8 - (offset % 8) - bits);
  return (acc >> spare) & ((1n << BigInt(bits)) - 1n);
}

/** The field at `offset` as Redis's get(Un)SignedBitfield reads it. */
export function getField(v: StringValue | undefined, offset: number, t: BitfieldType): bigint {
  const u = readBits(v, offset, t.bits);
  return t.signed ? BigInt.asIntN(t.bits, u) : u;
}

/** Writes the low `bits` of `value` at `offset`; the string must already cover the field. */
export function setField(s: MutableString, offset: number, t: BitfieldType, value: bigint): void {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + t.bits - 1) / 8);
  let acc = 0n;
  for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(s.buf[i]);
  const spare = BigInt((last - first + 1) * 8 - (offset % 8) - t.bits);
  const mask = ((1n << BigInt(t.bits)) - 1n) << spare;
  acc = (acc & ~mask) | ((BigInt.asUintN(t.bits, value) << spare) & mask);
  for (let i = last; i >= first; i--) {
    s.buf[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/**
 * Redis's check(Un)SignedBitfieldOverflow for value + incr: 0 when it fits, else ±1 and, for
 * WRAP/SAT, the value to store instead. `value` is the field (or the SET argument) and `incr`
 * the increment (0 for SET), both int64 semantics.
 */
export function checkOverflow(t: BitfieldType, value: bigint, incr: bigint, ow: Overflow): { overflow: number; limit: bigint } {
  const bits = BigInt(t.bits);
  let dir: number;
  let limit = 0n;
  if (t.signed) {
    const max = t.bits === 64 ? (1n << 63n) - 1n : (1n << (bits - 1n)) - 1n;
    const min = -max - 1n;
    // The C code computes these in wrapping 64-bit arithmetic even when `value` is out of range.
    const maxincr = i64(u64(max) - u64(value));
    const minincr = i64(min - value);
    if (value > max || (t.bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
      dir = 1;
      limit = max;
    } else if (value < min || (t.bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
      dir = -1;
      limit = min;
    } else return { overflow: 0, limit };
    if (ow === 'wrap') limit = BigInt.asIntN(t.bits, value + incr);
  } else {
    const max = (1n << bits) - 1n;
    const uvalue = u64(value);
    const maxincr = i64(max - uvalue);
    const minincr = i64(-uvalue);
    if (uvalue > max || (incr > 0n && incr > maxincr)) {
      dir = 1;
      limit = max;
    } else if (incr < 0n && incr < minincr) {
      dir = -1;
      limit = 0n;
    } else return { overflow: 0, limit };
    if (ow === 'wrap') limit = BigInt.asUintN(t.bits, uvalue + incr);
  }
  return { overflow: dir, limit };
}

/** BITFIELD SET: stores `value` (wrapped or saturated per `ow`); the old value, or null when FAIL refused it. */
export function setFieldChecked(s: MutableString, offset: number, t: BitfieldType, value: bigint, ow: Overflow): bigint | null {
  const old = getField(s, offset, t);
  const r = checkOverflow(t, value, 0n, ow);
  if (r.overflow && ow === 'fail') return null;
  setField(s, offset, t, r.overflow ? r.limit : value);
  return old;
}

/** BITFIELD INCRBY: adds `incr` (wrapping or saturating per `ow`); the new value, or null when FAIL refused it. */
export function incrField(s: MutableString, offset: number, t: BitfieldType, incr: bigint, ow: Overflow): bigint | null {
  const old = getField(s, offset, t);
  const r = checkOverflow(t, old, incr, ow);
  if (r.overflow && ow === 'fail') return null;
  const next = r.overflow ? r.limit : old + incr;
  setField(s, offset, t, next);
  return next;
}
