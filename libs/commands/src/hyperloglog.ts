import { specMaker, type CommandSpec } from './table.js';
import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { propagate } from './propagate.js';
import { storeEdited } from './strings.js';
import {
  Ev,
  cacheValid,
  cachedCard,
  createHll,
  decodeSparse,
  denseRegister,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllAdd,
  hllCount,
  hllEncoding,
  hllMerge,
  hllSelfTest,
  hllSet,
  invalidateCache,
  isHll,
  isStringValue,
  LLONG_MIN,
  LLONG_MIN_AS_UINT64,
  MutableString,
  rawCount,
  setCachedCard,
  sparseToDense,
  type Value,
} from '@brook/storage';

/**
 * Redis's isHLLObjectOrReply: the key's value as a MutableString holding a valid HLL header (the
 * value itself when it already is one, else a copy to edit and store), or null after replying
 * WRONGTYPE. Integers are strings to TYPE but never HLLs, as in Redis (int encoding).
 */
function hllOf(c: Session, v: Value): MutableString | null {
  if (!isStringValue(v)) {
    c.w.error(Err.wrongType);
    return null;
  }
  const s = v instanceof MutableString ? v : typeof v === 'string' ? MutableString.adopt(Buffer.from(v, 'latin1')) : null;
  if (s === null || !isHll(s.view())) {
    c.w.error(Err.hllWrongType);
    return null;
  }
  return s;
}

/** A fresh count as Redis replies it: the uint64 estimate read back as a long long. */
function replyCount(c: Session, card: number): void {
  c.w.integer(card === LLONG_MIN_AS_UINT64 ? LLONG_MIN : card);
}

function sparseMaxBytes(c: Session): number {
  return c.server.config.int('hll-sparse-max-bytes');
}

/** PFADD key [element ...]: 1 when the key was created or a register grew, else 0. */
function pfadd(c: Session, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const old = db.get(key);
  let s: MutableString;
  let updated = 0;
  if (old === undefined) {
    s = createHll();
    updated++;
  } else {
    const h = hllOf(c, old);
    if (h === null) return;
    s = h;
  }
  const maxBytes = sparseMaxBytes(c);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(s, argv[j], maxBytes);
    if (r === 1) updated++;
    else if (r === -1) return c.w.error(Err.hllCorrupt);
  }
  if (updated !== 0) {
    invalidateCache(s.buf);
    storeEdited(db, key, old, s, Ev.pfadd);
    // Redis adds one to the dirty counter per register raised; storeEdited counted one.
    c.ks.dirty += updated - 1;
  }
  c.w.integer(updated !== 0 ? 1 : 0);
}

/**
 * PFCOUNT key [key ...]. One key: the cached cardinality, or a fresh count written back into the
 * header (a change to the value, so signalled and propagated although PFCOUNT is read-only, as
 * in Redis). Several keys: the count of their union, leaving the keys alone.
 */
function pfcount(c: Session, argv: string[]): void {
  const db = c.db;
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = db.read(argv[j]);
      if (v === undefined) continue;
      const s = hllOf(c, v);
      if (s === null) return;
      if (!hllMerge(max, s.view())) return c.w.error(Err.hllCorrupt);
    }
    return replyCount(c, rawCount(max));
  }
  const key = argv[1];
  const v = db.read(key);
  if (v === undefined) return c.w.integer(0);
  const s = hllOf(c, v);
  if (s === null) return;
  if (cacheValid(s.buf)) return c.w.integer(cachedCard(s.buf));
  const card = hllCount(s.view());
  if (card < 0) return c.w.error(Err.hllCorrupt);
  setCachedCard(s.buf, card);
  storeEdited(db, key, v, s);
  propagate(c, argv);
  replyCount(c, card);
}

/**
 * PFMERGE destkey [sourcekey ...]: the destination (itself a source) gets the register-wise max;
 * dense as soon as one input is dense, else sparse (promoted if it outgrows the limit).
 */
function pfmerge(c: Session, argv: string[]): void {
  const db = c.db;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = db.read(argv[j]);
    if (v === undefined) continue;
    const s = hllOf(c, v);
    if (s === null) return;
    if (hllEncoding(s.buf) === HLL_DENSE) useDense = true;
    if (!hllMerge(max, s.view())) return c.w.error(Err.hllCorrupt);
  }
  const key = argv[1];
  const old = db.get(key);
  // The destination was validated as the first source.
  const s = old === undefined ? createHll() : (hllOf(c, old) as MutableString);
  if (useDense && !sparseToDense(s)) return c.w.error(Err.hllCorrupt);
  const maxBytes = sparseMaxBytes(c);
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hllSet(s, j, max[j], maxBytes);
  invalidateCache(s.buf);
  storeEdited(db, key, old, s, Ev.pfadd);
  c.w.ok();
}

function pfselftest(c: Session): void {
  const failure = hllSelfTest(sparseMaxBytes(c));
  if (failure === null) c.w.ok();
  else c.w.error(failure);
}

/**
 * PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. GETREG and TODENSE convert a sparse HLL to dense
 * for good; Redis counts that as a change (dirty, propagated) without signalling the key.
 */
function pfdebug(c: Session, argv: string[]): void {
  const sub = argv[1];
  const db = c.db;
  const key = argv[2];
  const old = db.get(key);
  if (old === undefined) return c.w.error(Err.pfdebugNoKey);
  const s = hllOf(c, old);
  if (s === null) return;
  const name = sub.toLowerCase();
  if (name !== 'getreg' && name !== 'decode' && name !== 'encoding' && name !== 'todense') return c.w.error(Err.pfdebugUnknown(sub));
  const sparse = hllEncoding(s.buf) === HLL_SPARSE;
  if (name === 'decode') {
    if (!sparse) return c.w.error(Err.pfdebugNotSparse);
    return c.w.bulk(decodeSparse(s.view()));
  }
  if (name === 'encoding') return c.w.simple(sparse ? 'sparse' : 'dense');
  if (sparse) {
    if (!sparseToDense(s)) return c.w.error(Err.hllCorrupt);
    if (old === s) c.ks.dirty++;
    else db.set(key, s, true);
  }
  if (name === 'todense') return c.w.integer(sparse ? 1 : 0);
  const w = c.w;
  w.array(HLL_REGISTERS);
  for (let j = 0; j < HLL_REGISTERS; j++) w.integer(denseRegister(s.buf, j));
}

const cmd = specMaker('hyperloglog');

const hyperloglogCommands: CommandSpec[] = [
  cmd(
    'pfadd',
    -2,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Adds the specified elements to the specified HyperLogLog.',
    '2.8.9',
    'O(1) to add every element.',
    pfadd,
  ),
  cmd(
    'pfcount',
    -2,
    ['readonly'],
    [1, -1, 1],
    'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).',
    '2.8.9',
    'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    pfcount,
  ),
  cmd(
    'pfmerge',
    -2,
    ['write', 'denyoom'],
    [1, -1, 1],
    'Merge N different HyperLogLogs into a single one.',
    '2.8.9',
    'O(N) to merge N HyperLogLogs, but with high constant times.',
    pfmerge,
  ),
  cmd(
    'pfdebug',
    3,
    ['write', 'denyoom', 'admin'],
    [2, 2, 1],
    'Internal commands for debugging HyperLogLog values',
    '2.8.9',
    'N/A',
    pfdebug,
  ),
  cmd('pfselftest', 1, ['admin'], [0, 0, 0], 'An internal command for testing HyperLogLog values', '2.8.9', 'N/A', pfselftest),
];

export const hyperloglogFamily: CommandFamily = { name: 'hyperloglog', commands: hyperloglogCommands };
