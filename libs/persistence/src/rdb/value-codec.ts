import {
  encodeString,
  HashObject,
  ListValue,
  MutableString,
  parseScore,
  formatScore,
  SetValue,
  StreamValue,
  ZSetValue,
  type Value,
  parseCanonicalInt,
} from '@brook/storage';
import { ByteWriter, ENC_INT32, ENC_INT8 } from './byte-writer.js';
import { ListpackBuilder, ListpackReader, type PackedEntries } from './listpack.js';
import { ZiplistReader, ZipmapReader } from './ziplist.js';
import { RdbFormatError } from './rdb-error.js';
import { RdbInput, type ByteSpan } from './rdb-input.js';
import { DEFAULT_LIMITS, RdbType, type EncodingLimits } from './rdb-types.js';
import { readStream, writeStream } from './stream-codec.js';

/** Thrown for a value with no elements: Redis skips such a key when loading and RESTORE refuses it. */
export class EmptyValueError extends RdbFormatError {}

/** Strings longer than this are loaded into a Buffer-backed MutableString (V8 strings stop near 2^29 chars). */
const STRING_CHARS_MAX = 1 << 28;
/** list-max-listpack-size below 0 selects a node byte limit: -1 → 4 KB … -5 → 64 KB (quicklist's optimization_level). */
const LIST_NODE_BYTES = [4096, 8192, 16384, 32768, 65536];
/** quicklist's SIZE_SAFETY_LIMIT (count-limited nodes still stop at 8 KB) and SIZE_ESTIMATE_OVERHEAD. */
const LIST_SAFETY_BYTES = 8192;
const LIST_ENTRY_OVERHEAD = 8;
/** double2ll's range (±LLONG_MAX/2, which is 2^62 as a double): integral scores within it are listpack integers, others "%.17g" text (zzlInsertAt). */
const SCORE_INT_MAX = 2 ** 62;

/** Shared by every listpack-form encoder (one value is encoded at a time). */
const lp = new ListpackBuilder();
/** encodeValue's scratch. */
const scratch = new ByteWriter();
/** A list's nodes, gathered after its node count is known; an intset blob. Reused value to value. */
const listNodes = new ByteWriter(1 << 12);
const intsetBlob = new ByteWriter(1 << 12);

/** One value as [type byte, payload] (the DUMP form before version and checksum). */
export function encodeValue(value: Value, compression: boolean): Buffer {
  scratch.pos = 0;
  writeValue(scratch, value, compression);
  return scratch.copy();
}

/** The type byte Redis 7.0 writes for `value` in its current encoding. */
export function rdbTypeOf(value: Value): number {
  if (typeof value !== 'object' || value instanceof MutableString) return RdbType.String;
  if (value instanceof ListValue) return RdbType.ListQuicklist2;
  if (value instanceof SetValue) return value.encoding === 'intset' ? RdbType.SetIntset : RdbType.Set;
  if (value instanceof HashObject) return value.compact ? RdbType.HashListpack : RdbType.Hash;
  if (value instanceof ZSetValue) return value.encoding === 'listpack' ? RdbType.ZSetListpack : RdbType.ZSet2;
  if (value instanceof StreamValue) return RdbType.StreamListpacks2;
  throw new Error(`no RDB encoding for a ${value.type} value`);
}

/** Writes `value`'s type byte and payload in the form Redis 7.0 writes for its encoding. */
export function writeValue(out: ByteWriter, value: Value, compression: boolean, limits: EncodingLimits = DEFAULT_LIMITS): void {
  out.byte(rdbTypeOf(value));
  writePayload(out, value, compression, limits);
}

/** The payload after the type byte (rdbTypeOf's form). */
export function writePayload(out: ByteWriter, value: Value, compression: boolean, limits: EncodingLimits = DEFAULT_LIMITS): void {
  if (typeof value === 'string') out.rstr(value, compression);
  else if (typeof value !== 'object') out.rint(value);
  else if (value instanceof MutableString) out.rstrBytes(value.buf, 0, value.length, compression);
  else if (value instanceof ListValue) writeList(out, value, compression, limits.listMaxListpackSize);
  else if (value instanceof SetValue) writeSet(out, value, compression);
  else if (value instanceof HashObject) writeHash(out, value, compression);
  else if (value instanceof ZSetValue) writeZSet(out, value, compression);
  else if (value instanceof StreamValue) writeStream(out, value, compression, lp, limits);
}

/** The finished listpack as an RDB string. */
function writeListpack(out: ByteWriter, compression: boolean): void {
  const end = lp.finish();
  out.rstrBytes(lp.out.buf, 0, end, compression);
}

/**
 * Packs `list` into listpacks split where Redis's quicklist would start a new node (the `fill` of
 * list-max-listpack-size), calling `node` with each one finished in `lp` and its byte size.
 */
function packListNodes(list: ListValue, fill: number, node: (bytes: number) => void): void {
  const byteLimit = fill < 0 ? LIST_NODE_BYTES[Math.min(-fill, LIST_NODE_BYTES.length) - 1] : LIST_SAFETY_BYTES;
  const countLimit = fill > 0 ? fill : Infinity;
  lp.begin();
  list.range(0, list.length - 1, false, (v) => {
    if (lp.entries > 0 && (lp.size + v.length + LIST_ENTRY_OVERHEAD > byteLimit || lp.entries + 1 > countLimit)) {
      node(lp.finish());
      lp.begin();
    }
    lp.string(v);
  });
  node(lp.finish());
}

/** QUICKLIST_2 of packed nodes, split where Redis's quicklist would start a new node. */
function writeList(out: ByteWriter, list: ListValue, compression: boolean, fill: number): void {
  // The node count comes first: nodes are built into a side buffer, then copied after it.
  const nodes = listNodes;
  nodes.pos = 0;
  let count = 0;
  packListNodes(list, fill, (bytes) => {
    nodes.len(2);
    nodes.rstrBytes(lp.out.buf, 0, bytes, compression);
    count++;
  });
  out.len(count);
  out.bytes(nodes.buf, 0, nodes.pos);
}

/** The quicklist Redis would hold for `list`: its node count and their listpacks' total bytes (DEBUG OBJECT). */
export function quicklistShape(list: ListValue, fill: number): { nodes: number; bytes: number } {
  let nodes = 0;
  let bytes = 0;
  packListNodes(list, fill, (size) => {
    nodes++;
    bytes += size;
  });
  return { nodes, bytes };
}

function writeSet(out: ByteWriter, set: SetValue, compression: boolean): void {
  const members = set.members();
  if (set.encoding === 'intset') {
    const ints = members.map((m) => parseCanonicalInt(m)!);
    let width = 2;
    for (const v of ints) {
      if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) width = 8;
      else if ((v < -32768 || v > 32767) && width < 4) width = 4;
    }
    const blob = intsetBlob;
    blob.pos = 0;
    blob.u32le(width);
    blob.u32le(ints.length);
    blob.ensure(ints.length * width);
    for (const v of ints) {
      if (width === 2) blob.buf.writeInt16LE(v as number, blob.pos);
      else if (width === 4) blob.buf.writeInt32LE(v as number, blob.pos);
      else blob.buf.writeBigInt64LE(BigInt(v), blob.pos);
      blob.pos += width;
    }
    out.rstrBytes(blob.buf, 0, blob.pos, compression);
    return;
  }
  out.len(members.length);
  for (const m of members) out.rstr(m, compression);
}

function writeHash(out: ByteWriter, hash: HashObject, compression: boolean): void {
  if (hash.compact) {
    lp.begin();
    hash.forEach((f, v) => {
      lp.string(f);
      lp.string(v);
    });
    writeListpack(out, compression);
    return;
  }
  out.len(hash.size);
  hash.forEach((f, v) => {
    out.rstr(f, compression);
    out.rstr(v, compression);
  });
}

function writeZSet(out: ByteWriter, zset: ZSetValue, compression: boolean): void {
  if (zset.encoding === 'listpack') {
    lp.begin();
    zset.forEach((m, score) => {
      lp.string(m);
      if (Number.isInteger(score) && Math.abs(score) <= SCORE_INT_MAX) lp.int(Number.isSafeInteger(score) ? score + 0 : BigInt(score));
      else lp.string(formatScore(score));
    });
    writeListpack(out, compression);
    return;
  }
  // Redis walks the skiplist from the tail, so a loader inserting at the head builds it in order.
  out.len(zset.size);
  zset.range(0, zset.size, true, (m, score) => {
    out.rstr(m, compression);
    out.f64le(score);
  });
}

/**
 * Decodes the value of type `type` starting at buf[offset]; `end` is where it stops. The value is
 * built as the commands build it under `limits` (a loaded set of 600 integers is a hashtable when
 * set-max-intset-entries is 512). Throws RdbFormatError on anything malformed, EmptyValueError
 * for a value without elements.
 */
export function decodeValue(
  type: number,
  buf: Buffer,
  offset: number,
  limits: EncodingLimits = DEFAULT_LIMITS,
): { value: Value; end: number } {
  const input = new RdbInput(buf, offset);
  const value = readValue(type, input, limits);
  return { value, end: input.pos };
}

export function readValue(type: number, input: RdbInput, limits: EncodingLimits): Value {
  switch (type) {
    case RdbType.String:
      return readString(input);
    case RdbType.List:
      return readPlainList(input);
    case RdbType.ListQuicklist2:
      return readQuicklist(input);
    case RdbType.Set:
      return readPlainSet(input, limits);
    case RdbType.SetIntset:
      return readIntset(input.span(), limits);
    case RdbType.Hash:
      return readPlainHash(input, limits);
    case RdbType.HashListpack:
      return readPackedHash(listpackOf(input.span()), limits);
    case RdbType.HashZiplist:
      return readPackedHash(ziplistOf(input.span()), limits);
    case RdbType.HashZipmap: {
      const s = input.span();
      return readPackedHash(new ZipmapReader(s.buf, s.start, s.end), limits);
    }
    case RdbType.ListZiplist:
      return readPackedList(ziplistOf(input.span()));
    case RdbType.ListQuicklist:
      return readQuicklistV1(input);
    case RdbType.ZSetZiplist:
      return readPackedZSet(ziplistOf(input.span()), limits);
    case RdbType.ZSet:
    case RdbType.ZSet2:
      return readPlainZSet(input, limits, type === RdbType.ZSet2);
    case RdbType.ZSetListpack:
      return readPackedZSet(listpackOf(input.span()), limits);
    case RdbType.StreamListpacks:
    case RdbType.StreamListpacks2:
      return readStream(input, limits, type === RdbType.StreamListpacks2);
    default:
      throw new RdbFormatError(`Invalid object type: ${type}`);
  }
}

function readString(input: RdbInput): Value {
  // A length below 2^14 or an integer (the common cases) needs no Buffer form: str() reads it without a ByteSpan.
  const b0 = input.pos < input.end ? input.buf[input.pos] : 0;
  if (b0 < 0x80 || (b0 >= ENC_INT8 && b0 <= ENC_INT32)) return encodeString(input.str());
  const s = input.span();
  if (s.end - s.start > STRING_CHARS_MAX)
    return MutableString.adopt(s.buf === input.buf ? Buffer.from(s.buf.subarray(s.start, s.end)) : s.buf);
  return encodeString(s.buf.latin1Slice(s.start, s.end));
}

function nonEmpty(n: number): number {
  if (n === 0) throw new EmptyValueError('empty value');
  return n;
}

function readPlainList(input: RdbInput): ListValue {
  const n = nonEmpty(input.len());
  const list = new ListValue();
  for (let i = 0; i < n; i++) list.push(input.str(), false);
  return list;
}

/** Quicklist container kinds: a PLAIN node is one element stored as is, a PACKED node a listpack. */
const QUICKLIST_PLAIN = 1;
const QUICKLIST_PACKED = 2;

function readQuicklist(input: RdbInput): ListValue {
  const nodes = nonEmpty(input.len());
  const list = new ListValue();
  for (let i = 0; i < nodes; i++) {
    const container = input.len();
    if (container === QUICKLIST_PLAIN) {
      list.push(input.str(), false);
      continue;
    }
    if (container !== QUICKLIST_PACKED) throw new RdbFormatError(`Quicklist integrity check failed: container ${container}`);
    const r = listpackOf(input.span());
    while (r.hasNext()) list.push(r.next(), false);
  }
  if (list.length === 0) throw new EmptyValueError('empty list');
  return list;
}

function readPlainSet(input: RdbInput, limits: EncodingLimits): SetValue {
  const n = nonEmpty(input.len());
  const set = new SetValue();
  for (let i = 0; i < n; i++) {
    if (!set.add(input.str(), limits.setMaxIntsetEntries)) throw new RdbFormatError('Duplicate set members detected');
  }
  return set;
}

/** SET_INTSET: width (2, 4, 8) LE, count LE, the integers ascending without repeats. */
function readIntset(s: ByteSpan, limits: EncodingLimits): SetValue {
  const size = s.end - s.start;
  if (size < 8) throw new RdbFormatError('Intset integrity check failed');
  const width = s.buf.readUInt32LE(s.start);
  const count = s.buf.readUInt32LE(s.start + 4);
  if ((width !== 2 && width !== 4 && width !== 8) || size !== 8 + count * width) throw new RdbFormatError('Intset integrity check failed');
  nonEmpty(count);
  const set = new SetValue();
  let prev: number | bigint | null = null;
  for (let i = 0, p = s.start + 8; i < count; i++, p += width) {
    let v: number | bigint;
    if (width === 2) v = s.buf.readInt16LE(p);
    else if (width === 4) v = s.buf.readInt32LE(p);
    else {
      const b = s.buf.readBigInt64LE(p);
      v = b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
    }
    if (prev !== null && v <= prev) throw new RdbFormatError('Intset integrity check failed');
    prev = v;
    set.add(String(v), limits.setMaxIntsetEntries);
  }
  return set;
}

function readPlainHash(input: RdbInput, limits: EncodingLimits): HashObject {
  const n = nonEmpty(input.len());
  const hash = new HashObject();
  for (let i = 0; i < n; i++) {
    const field = input.str();
    if (!hash.set(field, input.str(), limits.hashMaxListpackEntries, limits.hashMaxListpackValue)) {
      throw new RdbFormatError('Duplicate hash fields detected');
    }
  }
  return hash;
}

function listpackOf(s: ByteSpan): ListpackReader {
  return new ListpackReader(s.buf, s.start, s.end);
}

function ziplistOf(s: ByteSpan): ZiplistReader {
  return new ZiplistReader(s.buf, s.start, s.end);
}

/** LIST_ZIPLIST (Redis ≤ 3.0): one ziplist of the elements. */
function readPackedList(r: PackedEntries): ListValue {
  const list = new ListValue();
  while (r.hasNext()) list.push(r.next(), false);
  if (list.length === 0) throw new EmptyValueError('empty list');
  return list;
}

/** QUICKLIST (Redis 3.2-6.2): ziplist nodes; empty nodes are skipped. */
function readQuicklistV1(input: RdbInput): ListValue {
  const nodes = nonEmpty(input.len());
  const list = new ListValue();
  for (let i = 0; i < nodes; i++) {
    const r = ziplistOf(input.span());
    while (r.hasNext()) list.push(r.next(), false);
  }
  if (list.length === 0) throw new EmptyValueError('empty list');
  return list;
}

/** Field, value, field, value... (hash listpack, ziplist or zipmap). */
function readPackedHash(r: PackedEntries, limits: EncodingLimits): HashObject {
  const hash = new HashObject();
  while (r.hasNext()) {
    const field = r.next();
    if (!r.hasNext()) throw new RdbFormatError('Hash with an odd number of packed entries');
    if (!hash.set(field, r.next(), limits.hashMaxListpackEntries, limits.hashMaxListpackValue)) {
      throw new RdbFormatError('Duplicate hash fields detected');
    }
  }
  if (hash.size === 0) throw new EmptyValueError('empty hash');
  return hash;
}

/** ZSET_2 scores are LE doubles; the old ZSET has a length byte and text (253 nan, 254 +inf, 255 -inf). */
function readPlainZSet(input: RdbInput, limits: EncodingLimits, binary: boolean): ZSetValue {
  const n = nonEmpty(input.len());
  const zset = new ZSetValue();
  for (let i = 0; i < n; i++) {
    const member = input.str();
    const score = binary ? input.f64le() : readTextScore(input);
    if (Number.isNaN(score)) throw new RdbFormatError('Zset with NAN score detected');
    if (!zset.add(member, score, limits.zsetMaxListpackEntries, limits.zsetMaxListpackValue)) {
      throw new RdbFormatError('Duplicate zset fields detected');
    }
  }
  return zset;
}

function readTextScore(input: RdbInput): number {
  const n = input.byte();
  if (n === 253) return NaN;
  if (n === 254) return Infinity;
  if (n === 255) return -Infinity;
  input.need(n);
  const text = input.buf.latin1Slice(input.pos, input.pos + n);
  input.pos += n;
  const v = parseScore(text);
  if (v === null) throw new RdbFormatError('bad zset score');
  return v;
}

/** Member, score, ... (zset listpack or ziplist); a score is an integer entry or its text. */
function readPackedZSet(r: PackedEntries, limits: EncodingLimits): ZSetValue {
  const zset = new ZSetValue();
  while (r.hasNext()) {
    const member = r.next();
    if (!r.hasNext()) throw new RdbFormatError('Zset with an odd number of packed entries');
    r.advance();
    const score = r.isInt ? Number(r.intValue) : parseScore(r.value());
    if (score === null || Number.isNaN(score)) throw new RdbFormatError('bad packed zset score');
    if (!zset.add(member, score, limits.zsetMaxListpackEntries, limits.zsetMaxListpackValue)) {
      throw new RdbFormatError('Duplicate zset fields detected');
    }
  }
  if (zset.size === 0) throw new EmptyValueError('empty zset');
  return zset;
}
