import { MutableString } from '../mutable-string.js';
import { patIndex, patLen } from './murmur.js';

/**
 * Redis 7.0's HyperLogLog, byte for byte: a string value with a 16-byte header ("HYLL", the
 * encoding byte, 3 unused bytes, the cached cardinality as 8 little-endian bytes whose top bit
 * marks it stale) followed by 16384 6-bit registers, either dense (12288 bytes, registers packed
 * from the low bits up) or sparse (run-length opcodes: ZERO 00xxxxxx, XZERO 01xxxxxx xxxxxxxx,
 * VAL 1vvvvvxx). Reads take the value's exact bytes; writes edit a MutableString in place.
 */

export const HLL_REGISTERS = 16384;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
/** The largest register value: 64 - 14 + 1 = 51 for a valid hash run. */
const HLL_Q = 50;
/** Header plus 16384 registers of 6 bits. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
const ENCODING_BYTE = 4;
const CARD_TOP_BYTE = 15;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
/** What llroundl returns for an out-of-range estimate (LLONG_MIN), read as the uint64 Redis keeps. */
export const LLONG_MIN_AS_UINT64 = 2 ** 63;
/** 0.5 / ln(2), the estimator's alpha as m grows. */
const ALPHA_INF = 0.7213475204444817;

/** isHLLObjectOrReply's checks (the caller has already excluded integer-encoded values). */
export function isHll(b: Buffer): boolean {
  if (b.length < HLL_HDR_SIZE) return false;
  if (b[0] !== 0x48 || b[1] !== 0x59 || b[2] !== 0x4c || b[3] !== 0x4c) return false;
  const enc = b[ENCODING_BYTE];
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || b.length === HLL_DENSE_SIZE;
}

export function hllEncoding(b: Buffer): number {
  return b[ENCODING_BYTE];
}

/** createHLLObject: an empty sparse HLL (one XZERO covering every register), cache 0 and valid. */
export function createHll(): MutableString {
  const b = Buffer.alloc(HLL_HDR_SIZE + 2);
  b.write('HYLL', 0, 'latin1');
  b[ENCODING_BYTE] = HLL_SPARSE;
  writeXzero(b, HLL_HDR_SIZE, XZERO_MAX_LEN);
  return MutableString.adopt(b);
}

// ---- the cached cardinality ----------------------------------------------------------------------

export function cacheValid(b: Buffer): boolean {
  return (b[CARD_TOP_BYTE] & 0x80) === 0;
}

export function invalidateCache(b: Buffer): void {
  b[CARD_TOP_BYTE] |= 0x80;
}

/** The cached cardinality (valid cache: below 2^63), exact: a bigint only beyond 2^53. */
export function cachedCard(b: Buffer): number | bigint {
  const lo = b.readUInt32LE(8);
  const hi = b.readUInt32LE(12);
  return hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

export function setCachedCard(b: Buffer, card: number): void {
  b.writeUInt32LE(card >>> 0, 8);
  b.writeUInt32LE(Math.floor(card / 0x100000000), 12);
}

// ---- dense registers ---------------------------------------------------------------------------

/**
 * HLL_DENSE_GET_REGISTER on registers starting at `at`. The last register's second byte lies past
 * the registers (Redis reads the sds terminator): its bits shift out of the mask either way.
 */
function denseGet(b: Buffer, at: number, index: number): number {
  const bit = index * 6;
  const byte = at + (bit >>> 3);
  const fb = bit & 7;
  return ((b[byte] >>> fb) | ((b[byte + 1] ?? 0) << (8 - fb))) & 63;
}

/** HLL_DENSE_SET_REGISTER; writes to the byte past the end are no-ops, as they are in Redis. */
function denseWrite(b: Buffer, at: number, index: number, v: number): void {
  const bit = index * 6;
  const byte = at + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(63 << fb)) | (v << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1] & ~(63 >>> fb8)) | (v >>> fb8);
}

/** hllDenseSet: raises register `index` to `count`; 1 when it changed. */
function denseSet(b: Buffer, index: number, count: number): number {
  if (count <= denseGet(b, HLL_HDR_SIZE, index)) return 0;
  denseWrite(b, HLL_HDR_SIZE, index, count);
  return 1;
}

/** Register `index` of a dense HLL (PFDEBUG GETREG). */
export function denseRegister(b: Buffer, index: number): number {
  return denseGet(b, HLL_HDR_SIZE, index);
}

/** Sets register `index` of a dense HLL to `v` (PFSELFTEST's register check). */
export function setDenseRegister(b: Buffer, index: number, v: number): void {
  denseWrite(b, HLL_HDR_SIZE, index, v);
}

// ---- sparse opcodes ------------------------------------------------------------------------------

function isZero(op: number): boolean {
  return (op & 0xc0) === 0;
}
function isXzero(op: number): boolean {
  return (op & 0xc0) === 0x40;
}
function isVal(op: number): boolean {
  return (op & 0x80) !== 0;
}
function valValue(op: number): number {
  return ((op >>> 2) & 0x1f) + 1;
}
function valLen(op: number): number {
  return (op & 3) + 1;
}
/** An XZERO's second byte; Redis reads the sds terminator (0) when the opcode is cut short. */
function xzeroLen(b: Buffer, p: number, end: number): number {
  return (((b[p] & 0x3f) << 8) | (p + 1 < end ? b[p + 1] : 0)) + 1;
}
function valOp(value: number, len: number): number {
  return 0x80 | ((value - 1) << 2) | (len - 1);
}
function writeXzero(b: Buffer | number[], p: number, len: number): void {
  b[p] = ((len - 1) >>> 8) | 0x40;
  b[p + 1] = (len - 1) & 0xff;
}

/**
 * hllSparseToDense, in place on `s`; false when the opcodes do not cover exactly 16384 registers
 * (a VAL run past the last register is refused outright, as the CVE-2025-32023 fix does).
 */
export function sparseToDense(s: MutableString): boolean {
  const src = s.buf;
  if (src[ENCODING_BYTE] === HLL_DENSE) return true;
  const end = s.length;
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  src.copy(dense, 0, 0, HLL_HDR_SIZE);
  dense[ENCODING_BYTE] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = src[p];
    if (isZero(op)) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      idx += xzeroLen(src, p, end);
      p += 2;
    } else {
      let runlen = valLen(op);
      const v = valValue(op);
      if (runlen + idx > HLL_REGISTERS) return false;
      while (runlen-- > 0) denseWrite(dense, HLL_HDR_SIZE, idx++, v);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  s.buf = dense;
  s.length = HLL_DENSE_SIZE;
  return true;
}

const seq = [0, 0, 0, 0, 0];

/** Appends a ZERO or XZERO run of `len` to `seq` at `n`; the new end. */
function zeroRun(n: number, len: number): number {
  if (len > ZERO_MAX_LEN) {
    writeXzero(seq, n, len);
    return n + 2;
  }
  seq[n] = len - 1;
  return n + 1;
}

/**
 * hllSparseSet: raises register `index` to `count` by splitting the opcode covering it, then
 * merges equal neighbouring VALs. Promotes to dense when the value needs more than 5 bits or the
 * string would outgrow `maxBytes`. 1 when changed, 0 when not, -1 for a corrupt encoding.
 */
function sparseSet(s: MutableString, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(s, index, count);
  s.room(s.length + 3);
  const b = s.buf;
  const sparse = HLL_HDR_SIZE;
  let end = s.length;
  // The sds terminator Redis reads when an XZERO is cut short at the end.
  b[end] = 0;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  // The hot loop of a sparse PFADD: opcodes tested inline, most frequent first.
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if (op < 0x40) span = op + 1;
    else if (op >= 0x80) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | b[p + 1]) + 1;
      oplen = 2;
    }
    if (index < first + span) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p];
  const xzero = isXzero(op);
  let next = xzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  let updated = false;
  if (isVal(op)) {
    if (valValue(op) >= count) return 0;
    if (valLen(op) === 1) {
      b[p] = valOp(count, 1);
      updated = true;
    }
  } else if (isZero(op) && (op & 0x3f) === 0) {
    b[p] = valOp(count, 1);
    updated = true;
  }

  if (!updated) {
    // Split the run into up to three opcodes: before, our register, after.
    const last = first + span - 1;
    let n = 0;
    if (!isVal(op)) {
      if (index !== first) n = zeroRun(n, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) n = zeroRun(n, last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq[n++] = valOp(cur, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) seq[n++] = valOp(cur, last - index);
    }
    const delta = n - (xzero ? 2 : 1);
    if (delta > 0 && s.length + delta > maxBytes) return promote(s, index, count);
    if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
    s.length += delta;
    for (let j = 0; j < n; j++) b[p + j] = seq[j];
    end += delta;
  }

  // Merge adjacent VALs of the same value, scanning up to 5 opcodes from the previous one.
  p = prev >= 0 ? prev : sparse;
  let scan = 5;
  while (p < end && scan-- !== 0) {
    const o = b[p];
    if (isXzero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1])) {
      const v = valValue(o);
      if (v === valValue(b[p + 1])) {
        const len = valLen(o) + valLen(b[p + 1]);
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(v, len);
          b.copyWithin(p, p + 1, end);
          s.length--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function promote(s: MutableString, index: number, count: number): number {
  if (!sparseToDense(s)) return -1;
  return denseSet(s.buf, index, count);
}

/** Raises register `index` to `count` in either encoding (PFMERGE's write-back); see sparseSet. */
export function hllSet(s: MutableString, index: number, count: number, sparseMaxBytes: number): number {
  return s.buf[ENCODING_BYTE] === HLL_DENSE ? denseSet(s.buf, index, count) : sparseSet(s, index, count, sparseMaxBytes);
}

/** hllAdd: 1 when a register grew, 0 when none did, -1 for a corrupt sparse encoding. */
export function hllAdd(s: MutableString, ele: string, sparseMaxBytes: number): number {
  const count = patLen(ele);
  return hllSet(s, patIndex, count, sparseMaxBytes);
}

// ---- counting ------------------------------------------------------------------------------------

/** The register histogram, reused by every count (counts are synchronous). */
const histo = new Float64Array(64);

function denseHisto(b: Buffer): void {
  for (let i = 0, r = HLL_HDR_SIZE; i < HLL_REGISTERS; i += 4, r += 3) {
    const b0 = b[r];
    const b1 = b[r + 1];
    const b2 = b[r + 2];
    histo[b0 & 63]++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
    histo[b2 >>> 2]++;
  }
}

/** hllSparseRegHisto; false when the runs do not add up to 16384 registers. */
function sparseHisto(b: Buffer): boolean {
  const end = b.length;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      const run = (op & 0x3f) + 1;
      idx += run;
      histo[0] += run;
      p++;
    } else if (isXzero(op)) {
      const run = xzeroLen(b, p, end);
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = valLen(op);
      idx += run;
      histo[valValue(op)] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** Ertl's sigma ("New cardinality estimation algorithms for HyperLogLog sketches"). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** Ertl's tau. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The estimate from the histogram (hllCount's second half), then clears it for the next count. */
function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  histo.fill(0);
  // llroundl: halves away from zero (the estimate is never negative). Out of range (z = 0 when
  // every register is past the hash's reach: infinity) it yields LLONG_MIN, kept as uint64 2^63.
  const e = Math.round((ALPHA_INF * m * m) / z);
  return e < LLONG_MIN_AS_UINT64 ? e : LLONG_MIN_AS_UINT64;
}

/** hllCount of a valid HLL's bytes; -1 when a sparse encoding is corrupt. */
export function hllCount(b: Buffer): number {
  if (b[ENCODING_BYTE] === HLL_DENSE) denseHisto(b);
  else if (!sparseHisto(b)) {
    histo.fill(0);
    return -1;
  }
  return estimate();
}

/** hllMerge: max[i] = MAX(max[i], register i); false for a corrupt sparse encoding. */
export function hllMerge(max: Uint8Array, b: Buffer): boolean {
  if (b[ENCODING_BYTE] === HLL_DENSE) {
    // Four registers per three bytes, as denseHisto reads them.
    for (let i = 0, r = HLL_HDR_SIZE; i < HLL_REGISTERS; i += 4, r += 3) {
      const b0 = b[r];
      const b1 = b[r + 1];
      const b2 = b[r + 2];
      const v0 = b0 & 63;
      const v1 = ((b0 >>> 6) | (b1 << 2)) & 63;
      const v2 = ((b1 >>> 4) | (b2 << 4)) & 63;
      const v3 = b2 >>> 2;
      if (v0 > max[i]) max[i] = v0;
      if (v1 > max[i + 1]) max[i + 1] = v1;
      if (v2 > max[i + 2]) max[i + 2] = v2;
      if (v3 > max[i + 3]) max[i + 3] = v3;
    }
    return true;
  }
  const end = b.length;
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      i += (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      i += xzeroLen(b, p, end);
      p += 2;
    } else {
      let run = valLen(op);
      const v = valValue(op);
      if (run + i > HLL_REGISTERS) return false;
      while (run-- > 0) {
        if (v > max[i]) max[i] = v;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** The estimate for registers held one per byte (multi-key PFCOUNT's HLL_RAW). */
export function rawCount(max: Uint8Array): number {
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
  return estimate();
}

/** PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len", "v:value,len" separated by spaces. */
export function decodeSparse(b: Buffer): string {
  const end = b.length;
  const out: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      out.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if (isXzero(op)) {
      out.push(`Z:${xzeroLen(b, p, end)}`);
      p += 2;
    } else {
      out.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return out.join(' ');
}
