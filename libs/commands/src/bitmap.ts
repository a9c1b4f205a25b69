import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { editableString, keyword, storeEdited, maxStringBytes, rangeEnd, rangeStart, readString } from './strings.js';
import type { CommandFamily } from './family.js';
import {
  Ev,
  bitop as computeBitop,
  countBits,
  findBit,
  getBit,
  getField,
  incrField,
  isStringValue,
  MutableString,
  parseBitfieldType,
  parseBitOffset,
  setBit,
  setFieldChecked,
  stringLength,
  type BitfieldType,
  type BitOp,
  type Int64,
  type Overflow,
  type StringValue,
  type Value,
} from '@brook/storage';

/**
 * Redis's lookupStringForBitCommand: the key's string (`old`, undefined when absent) as a
 * MutableString to edit in place, created zeroed or grown (zero-padded) to cover bit `maxBit`;
 * null after a WRONGTYPE reply. The caller stores it with storeEdited once the edit is done.
 */
function bitString(c: Session, old: Value | undefined, maxBit: number): MutableString | null {
  const bytes = Math.floor(maxBit / 8) + 1;
  if (old === undefined) return MutableString.zeroed(bytes);
  if (!isStringValue(old)) {
    c.w.error(Err.wrongType);
    return null;
  }
  const s = editableString(old, bytes);
  s.grow(bytes);
  return s;
}

// ---- SETBIT, GETBIT ------------------------------------------------------------------------------

function setbit(c: Session, argv: string[]): void {
  const offset = parseBitOffset(argv[2], 0, maxStringBytes(c));
  if (offset === null) return c.w.error(Err.bitOffset);
  const on = parseInt64(argv[3]);
  if (on !== 0 && on !== 1) return c.w.error(Err.bitValue);
  const key = argv[1];
  const old = c.db.get(key);
  const before = old !== undefined && isStringValue(old) ? stringLength(old) : -1;
  const s = bitString(c, old, offset);
  if (s === null) return;
  const prev = setBit(s, offset, on);
  // As Redis: a change is a new or longer string or a flipped bit; anything else signals nothing.
  if (prev !== on || s.length !== before) storeEdited(c.db, key, old, s, Ev.setbit);
  c.w.integer(prev);
}

function getbit(c: Session, argv: string[]): void {
  const offset = parseBitOffset(argv[2], 0, maxStringBytes(c));
  if (offset === null) return c.w.error(Err.bitOffset);
  const v = readString(c, argv[1]);
  if (v === null) return;
  c.w.integer(v === undefined ? 0 : getBit(v, offset));
}

// ---- BITCOUNT, BITPOS ----------------------------------------------------------------------------

/** The optional BYTE|BIT unit argument: true for BIT, false for BYTE, null after a syntax error. */
function bitUnit(c: Session, arg: string): boolean | null {
  const unit = keyword(arg);
  if (unit === 'BIT') return true;
  if (unit === 'BYTE') return false;
  c.w.error(Err.syntax);
  return null;
}

/**
 * BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0 the key is looked up first, so a missing
 * key answers 0 whatever the range arguments say.
 */
function bitcount(c: Session, argv: string[]): void {
  const v = readString(c, argv[1]);
  if (v === null) return;
  if (v === undefined) return c.w.integer(0);
  const len = stringLength(v);
  const n = argv.length;
  if (n === 2) return c.w.integer(len === 0 ? 0 : countBits(v, 0, len * 8 - 1));
  if (n !== 4 && n !== 5) return c.w.error(Err.syntax);
  const start = parseInt64(argv[2]);
  const end = start === null ? null : parseInt64(argv[3]);
  if (start === null || end === null) return c.w.error(Err.notInteger);
  const isBit = n === 5 ? bitUnit(c, argv[4]) : false;
  if (isBit === null) return;
  const units = isBit ? len * 8 : len;
  const first = rangeStart(start, end, units, true);
  if (first < 0) return c.w.integer(0);
  const last = rangeEnd(end, units);
  c.w.integer(isBit ? countBits(v, first, last) : countBits(v, first * 8, last * 8 + 7));
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an infinite run of zeros. Looking
 * for 0 without an explicit end treats the string as zero-padded on the right, so "not found"
 * answers the first bit past the range; with an explicit end it answers -1.
 */
function bitpos(c: Session, argv: string[]): void {
  const bit = parseInt64(argv[2]);
  if (bit === null) return c.w.error(Err.notInteger);
  if (bit !== 0 && bit !== 1) return c.w.error(Err.bitposBit);
  const v = readString(c, argv[1]);
  if (v === null) return;
  if (v === undefined) return c.w.integer(bit ? -1 : 0);
  const len = stringLength(v);
  const n = argv.length;
  let start: Int64 | null = 0;
  let end: Int64 | null = len - 1;
  let isBit: boolean | null = false;
  if (n >= 4 && n <= 6) {
    start = parseInt64(argv[3]);
    if (start === null) return c.w.error(Err.notInteger);
    // The unit is checked before the end is parsed, as Redis does.
    if (n === 6 && (isBit = bitUnit(c, argv[5])) === null) return;
    if (n >= 5 && (end = parseInt64(argv[4])) === null) return c.w.error(Err.notInteger);
  } else if (n !== 3) {
    return c.w.error(Err.syntax);
  }
  const units = isBit ? len * 8 : len;
  const from = rangeStart(start, end, units, false);
  if (from < 0) return c.w.integer(-1);
  const to = rangeEnd(end, units);
  const first = isBit ? from : from * 8;
  const last = isBit ? to : to * 8 + 7;
  const pos = findBit(v, bit, first, last);
  if (pos >= 0 || bit === 1 || n >= 5) return c.w.integer(pos);
  c.w.integer((Math.floor(last / 8) + 1) * 8);
}

// ---- BITOP -----------------------------------------------------------------------------------------

function bitop(c: Session, argv: string[]): void {
  const opName = keyword(argv[1]).toLowerCase();
  if (opName !== 'and' && opName !== 'or' && opName !== 'xor' && opName !== 'not') return c.w.error(Err.syntax);
  const op: BitOp = opName;
  if (op === 'not' && argv.length !== 4) return c.w.error(Err.bitopNotArity);
  const db = c.db;
  const inputs: (StringValue | null)[] = [];
  for (let j = 3; j < argv.length; j++) {
    const v = db.read(argv[j]);
    if (v !== undefined && !isStringValue(v)) return c.w.error(Err.wrongType);
    inputs.push(v === undefined ? null : v);
  }
  const res = computeBitop(op, inputs);
  const target = argv[2];
  // The result is always a raw string; an empty result deletes the target instead.
  if (res.length > 0) db.set(target, MutableString.adopt(res), false, Ev.set);
  else db.delete(target);
  c.w.integer(res.length);
}

// ---- BITFIELD, BITFIELD_RO -------------------------------------------------------------------------

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

interface FieldOp {
  op: number;
  type: BitfieldType;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

/**
 * Redis's bitfieldGeneric: every operation is parsed (and any error reported) before anything
 * runs; then the key is looked up for reading (GETs only) or created/grown to the highest bit
 * written, and the operations run in order, each seeing the previous ones' writes.
 */
function bitfieldGeneric(c: Session, argv: string[], readOnlyCmd: boolean): void {
  const maxBytes = maxStringBytes(c);
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = keyword(argv[j]);
    let op: number;
    if (sub === 'GET' && remaining >= 2) op = OP_GET;
    else if (sub === 'SET' && remaining >= 3) op = OP_SET;
    else if (sub === 'INCRBY' && remaining >= 3) op = OP_INCRBY;
    else if (sub === 'OVERFLOW' && remaining >= 1) {
      const kind = keyword(argv[++j]).toLowerCase();
      if (kind !== 'wrap' && kind !== 'sat' && kind !== 'fail') return c.w.error(Err.bitfieldOverflow);
      overflow = kind;
      continue;
    } else return c.w.error(Err.syntax);
    const type = parseBitfieldType(argv[j + 1]);
    if (type === null) return c.w.error(Err.bitfieldType);
    const offset = parseBitOffset(argv[j + 2], type.bits, maxBytes);
    if (offset === null) return c.w.error(Err.bitOffset);
    let value = 0n;
    if (op !== OP_GET) {
      readonly = false;
      if (offset + type.bits - 1 > highest) highest = offset + type.bits - 1;
      const n = parseInt64(argv[j + 3]);
      if (n === null) return c.w.error(Err.notInteger);
      value = BigInt(n);
    }
    ops.push({ op, type, offset, value, overflow });
    j += op === OP_GET ? 2 : 3;
  }

  const key = argv[1];
  let target: StringValue | undefined;
  let old: Value | undefined;
  if (readonly) {
    const v = readString(c, key);
    if (v === null) return;
    target = v;
  } else {
    if (readOnlyCmd) return c.w.error(Err.bitfieldReadOnly);
    old = c.db.get(key);
    const s = bitString(c, old, highest);
    if (s === null) return;
    target = s;
  }

  const w = c.w;
  w.array(ops.length);
  let changes = 0;
  for (const o of ops) {
    if (o.op === OP_GET) {
      w.integer(getField(target, o.offset, o.type));
      continue;
    }
    // OVERFLOW FAIL leaves the field alone and answers nil for that operation.
    const s = target as MutableString;
    const r =
      o.op === OP_INCRBY ? incrField(s, o.offset, o.type, o.value, o.overflow) : setFieldChecked(s, o.offset, o.type, o.value, o.overflow);
    if (r === null) w.nil();
    else {
      w.integer(r);
      changes++;
    }
  }
  // A created or copied string is stored either way; only a write that happened is an event (as Redis).
  if (!readonly && (changes > 0 || old !== target))
    storeEdited(c.db, key, old, target as MutableString, changes > 0 ? Ev.setbit : undefined);
}

function bitfield(c: Session, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: Session, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

/** Metadata as Redis 7.0's COMMAND INFO / COMMAND DOCS report it. */
/**
 * BITFIELD's key flags (bitfieldGetKeys): read-only while every operation is a GET (with its two
 * arguments) or OVERFLOW; a SET, INCRBY or anything malformed makes it read-write.
 */
function bitfieldKeyFlags(argv: readonly string[]): readonly string[] {
  for (let i = 2; i < argv.length; i++) {
    const left = argv.length - i - 1;
    if (is(argv[i], 'GET') && left >= 2) i += 2;
    else if (is(argv[i], 'OVERFLOW') && left >= 1) i += 1;
    else return ['RW', 'access', 'update'];
  }
  return ['RO', 'access'];
}

export const bitmapCommands: CommandSpec[] = [
  {
    name: 'setbit',
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'bitmap',
    summary: 'Sets or clears the bit at offset in the string value stored at key',
    since: '2.2.0',
    complexity: 'O(1)',
    handler: setbit,
  },
  {
    name: 'getbit',
    arity: 3,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    group: 'bitmap',
    summary: 'Returns the bit value at offset in the string value stored at key',
    since: '2.2.0',
    complexity: 'O(1)',
    handler: getbit,
  },
  {
    name: 'bitcount',
    arity: -2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    group: 'bitmap',
    summary: 'Count set bits in a string',
    since: '2.6.0',
    complexity: 'O(N)',
    handler: bitcount,
  },
  {
    name: 'bitpos',
    arity: -3,
    flags: ['readonly'],
    keys: [1, 1, 1],
    group: 'bitmap',
    summary: 'Find first bit set or clear in a string',
    since: '2.8.7',
    complexity: 'O(N)',
    handler: bitpos,
  },
  {
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: [2, -1, 1],
    group: 'bitmap',
    summary: 'Perform bitwise operations between strings',
    since: '2.6.0',
    complexity: 'O(N)',
    handler: bitop,
  },
  {
    name: 'bitfield',
    arity: -2,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'bitmap',
    summary: 'Perform arbitrary bitfield integer operations on strings',
    since: '3.2.0',
    complexity: 'O(1) for each subcommand specified',
    handler: bitfield,
    keyFlags: bitfieldKeyFlags,
  },
  {
    name: 'bitfield_ro',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    group: 'bitmap',
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    since: '6.0.0',
    complexity: 'O(1) for each subcommand specified',
    handler: bitfieldRo,
  },
];

/** Bit operations on strings (bitops.c). */
export const bitmapFamily: CommandFamily = { name: 'bitmap', commands: bitmapCommands };
