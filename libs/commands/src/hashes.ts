import type { CommandFlag, CommandSpec } from './table.js';
import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';
import { parseScanCursor, parseScanOptions, replyScan } from './generic.js';
import { globMatch } from './glob.js';
import { MAX_REPEATED_DRAWS } from './reply.js';
import { sampleInPlace } from './random.js';
import {
  Ev,
  addInt64,
  addLongDouble,
  formatLongDouble,
  HashObject,
  LLONG_MAX,
  longDoubleFromInt,
  parseLongDouble,
  stringToInt64,
  stringToLongDouble,
  type KeyEvent,
} from '@brook/storage';

// ---- lookups ------------------------------------------------------------------------------------

/** The hash at `key` for a read: undefined when absent, null after a WRONGTYPE reply. */
function readHash(c: Session, key: string): HashObject | undefined | null {
  const v = c.db.read(key);
  if (v === undefined || v instanceof HashObject) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** The hash at `key` for a write, created empty (not stored yet) when absent; null after WRONGTYPE. */
function writeHash(c: Session, key: string): HashObject | null {
  const v = c.db.get(key);
  if (v === undefined) return new HashObject();
  if (v instanceof HashObject) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** Stores a new hash or signals the edit of a stored one, after the change (see storeEdited). */
function storeHash(c: Session, key: string, h: HashObject, ev: KeyEvent): void {
  if (c.db.keys.get(key) === h) c.db.modified(key, ev);
  else c.db.set(key, h, true, ev);
}

/** Sets a field under the current listpack limits (read at write time, as Redis does). */
function setField(c: Session, h: HashObject, field: string, value: string): boolean {
  const cfg = c.server.config;
  return h.set(field, value, cfg.int('hash-max-listpack-entries'), cfg.int('hash-max-listpack-value'));
}

// ---- HSET, HMSET, HSETNX, HDEL ------------------------------------------------------------------

function hsetGeneric(c: Session, argv: string[], okReply: boolean): void {
  if (argv.length % 2 === 1) return c.w.error(Err.wrongArgs(argv[0].toLowerCase()));
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  let created = 0;
  for (let j = 2; j < argv.length; j += 2) if (setField(c, h, argv[j], argv[j + 1])) created++;
  storeHash(c, key, h, Ev.hset);
  if (okReply) c.w.ok();
  else c.w.integer(created);
}

function hset(c: Session, argv: string[]): void {
  hsetGeneric(c, argv, false);
}

function hmset(c: Session, argv: string[]): void {
  hsetGeneric(c, argv, true);
}

function hsetnx(c: Session, argv: string[]): void {
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  if (h.get(argv[2]) !== undefined) return c.w.integer(0);
  setField(c, h, argv[2], argv[3]);
  storeHash(c, key, h, Ev.hset);
  c.w.integer(1);
}

function hdel(c: Session, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const v = db.get(key);
  if (v === undefined) return c.w.integer(0);
  if (!(v instanceof HashObject)) return c.w.error(Err.wrongType);
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (v.delete(argv[j])) {
      deleted++;
      // Redis never keeps an empty hash: the key goes with its last field.
      if (v.size === 0) {
        db.delete(key, Ev.hdel);
        break;
      }
    }
  }
  if (deleted > 0 && v.size !== 0) db.modified(key, Ev.hdel);
  c.w.integer(deleted);
}

// ---- reads ----------------------------------------------------------------------------------------

function hget(c: Session, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.w.bulkOrNil(h?.get(argv[2]));
}

function hmget(c: Session, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.w.bulkOrNil(h?.get(argv[j]));
}

function hlen(c: Session, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h !== null) c.w.integer(h === undefined ? 0 : h.size);
}

function hstrlen(c: Session, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h !== null) c.w.integer(h?.get(argv[2])?.length ?? 0);
}

function hexists(c: Session, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h !== null) c.w.integer(h?.get(argv[2]) === undefined ? 0 : 1);
}

const KEYS = 1;
const VALUES = 2;

/** HKEYS, HVALS (arrays) and HGETALL (a map in RESP3), as genericHgetallCommand. */
function getAll(c: Session, key: string, what: number): void {
  const h = readHash(c, key);
  if (h === null) return;
  const w = c.w;
  const n = h === undefined ? 0 : h.size;
  if (what === (KEYS | VALUES)) w.map(n);
  else w.array(n);
  h?.forEach((f, v) => {
    if (what & KEYS) w.bulk(f);
    if (what & VALUES) w.bulk(v);
  });
}

function hkeys(c: Session, argv: string[]): void {
  getAll(c, argv[1], KEYS);
}

function hvals(c: Session, argv: string[]): void {
  getAll(c, argv[1], VALUES);
}

function hgetall(c: Session, argv: string[]): void {
  getAll(c, argv[1], KEYS | VALUES);
}

// ---- HINCRBY, HINCRBYFLOAT ------------------------------------------------------------------------

function hincrby(c: Session, argv: string[]): void {
  const incr = parseInt64(argv[3]);
  if (incr === null) return c.w.error(Err.notInteger);
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  const old = h.get(argv[2]);
  const cur = old === undefined ? 0 : stringToInt64(old);
  if (cur === null) return c.w.error(Err.hashNotInteger);
  const next = addInt64(cur, incr);
  if (next === null) return c.w.error(Err.overflow);
  setField(c, h, argv[2], String(next));
  storeHash(c, key, h, Ev.hincrby);
  c.w.integer(next);
}

/**
 * HINCRBYFLOAT in 80-bit long double like INCRBYFLOAT, propagated as HSET key field <result> so
 * replicas never redo float arithmetic (as Redis rewrites it).
 */
function hincrbyfloat(c: Session, argv: string[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) return c.w.error(Err.notFloat);
  if (incr.inf) return c.w.error(Err.nanOrInfinity);
  const key = argv[1];
  const field = argv[2];
  const h = writeHash(c, key);
  if (h === null) return;
  const old = h.get(field);
  const cur = old === undefined ? longDoubleFromInt(0) : stringToLongDouble(old);
  if (cur === null) return c.w.error(Err.hashNotFloat);
  const sum = addLongDouble(cur, incr);
  if (sum === null) return c.w.error(Err.incrFloatNaN);
  const text = formatLongDouble(sum);
  setField(c, h, field, text);
  storeHash(c, key, h, Ev.hincrbyfloat);
  c.w.bulk(text);
  propagate(c, ['HSET', key, field, text]);
}

// ---- HRANDFIELD ------------------------------------------------------------------------------------

function hrandfield(c: Session, argv: string[]): void {
  if (argv.length === 2) {
    const h = readHash(c, argv[1]);
    if (h === null) return;
    if (h === undefined) return c.w.nil();
    c.w.bulk(randomPairs(h)()[0]);
    return;
  }
  const l = parseInt64(argv[2]);
  if (l === null) return c.w.error(Err.notInteger);
  if (BigInt(l) < -LLONG_MAX) return c.w.error(Err.longOutOfRange);
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHVALUES'))) return c.w.error(Err.syntax);
  const withValues = argv.length === 4;
  if (withValues && (BigInt(l) < -LLONG_MAX / 2n || BigInt(l) > LLONG_MAX / 2n)) return c.w.error(Err.outOfRange);
  if (l < -MAX_REPEATED_DRAWS) return c.w.error(Err.outOfRange);
  const h = readHash(c, argv[1]);
  if (h === null) return;
  if (h === undefined || l === 0) return c.w.array(0);
  const count = Math.abs(Number(l));
  if (l < 0 || count === 1) {
    replyPairsHeader(c, count, withValues);
    const draw = randomPairs(h);
    for (let i = 0; i < count; i++) {
      const [f, v] = draw();
      replyPair(c, f, v, withValues);
    }
    return;
  }
  const size = h.size;
  if (count >= size) {
    // The whole hash, in its own order (listpack order is insertion order, as in Redis).
    replyPairsHeader(c, size, withValues);
    h.forEach((f, v) => replyPair(c, f, v, withValues));
    return;
  }
  replyPairsHeader(c, count, withValues);
  for (const [f, v] of distinctPairs(h, count)) replyPair(c, f, v, withValues);
}

/** Draws random pairs, with repeats: the listpack's pairs are read once, then indexed (O(1) a draw). */
function randomPairs(h: HashObject): () => [string, string] {
  if (!h.compact) return () => h.pick();
  const all = h.pairs();
  return () => all[Math.floor(Math.random() * all.length)];
}

/**
 * `count` (< size) distinct pairs at random: a partial shuffle of the listpack's pairs, or draws
 * from the table until enough differ (a count near the size would redraw a lot, so from a third
 * of the size up the pairs are copied and shuffled instead, as Redis's CASE 3).
 */
function distinctPairs(h: HashObject, count: number): [string, string][] {
  if (h.compact || count * 3 > h.size) {
    return sampleInPlace(h.pairs(), count);
  }
  const picked = new Map<string, string>();
  while (picked.size < count) {
    const [f, v] = h.pick();
    picked.set(f, v);
  }
  return [...picked];
}

/** RESP3 replies pairs as nested 2-element arrays, RESP2 flat. */
function replyPairsHeader(c: Session, n: number, withValues: boolean): void {
  c.w.array(withValues && c.w.proto === 2 ? n * 2 : n);
}

function replyPair(c: Session, f: string, v: string, withValues: boolean): void {
  if (!withValues) return c.w.bulk(f);
  if (c.w.proto === 3) c.w.array(2);
  c.w.bulk(f);
  c.w.bulk(v);
}

// ---- HSCAN -----------------------------------------------------------------------------------------

/**
 * HSCAN as scanGenericCommand: a listpack hash comes back whole with cursor 0 (COUNT ignored); a
 * table is walked bucket by bucket (KeyTable.scan) until COUNT fields or COUNT*10 steps. MATCH
 * filters on the field and drops its value with it.
 */
function hscan(c: Session, argv: string[]): void {
  let cursor = parseScanCursor(argv[2]);
  if (cursor === null) return c.w.error(Err.invalidCursor);
  const h = readHash(c, argv[1]);
  if (h === null) return;
  if (h === undefined) return replyScan(c.w, 0, []);
  const opts = parseScanOptions(argv, 3, false);
  if (typeof opts === 'string') return c.w.error(opts);
  const { pattern, count } = opts;
  const found: string[] = [];
  const collect = (f: string, v: string): void => {
    if (pattern === null || globMatch(pattern, f)) found.push(f, v);
  };
  if (h.compact) {
    h.forEach(collect);
    cursor = 0;
  } else {
    let steps = count * 10;
    do cursor = h.scan(cursor, collect);
    while (cursor !== 0 && steps-- > 0 && found.length < 2 * count);
  }
  replyScan(c.w, cursor, found);
}

// ---- table -----------------------------------------------------------------------------------------

function spec(
  name: string,
  arity: number,
  flags: CommandFlag[],
  summary: string,
  since: string,
  complexity: string,
  handler: (c: Session, argv: string[]) => void,
): CommandSpec {
  return { name, arity, flags, keys: [1, 1, 1], group: 'hash', summary, since, complexity, handler };
}

const ALL = 'O(N) where N is the size of the hash.';

export const hashCommands: CommandSpec[] = [
  spec(
    'hset',
    -4,
    ['write', 'denyoom', 'fast'],
    'Set the string value of a hash field',
    '2.0.0',
    'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    hset,
  ),
  spec(
    'hsetnx',
    4,
    ['write', 'denyoom', 'fast'],
    'Set the value of a hash field, only if the field does not exist',
    '2.0.0',
    'O(1)',
    hsetnx,
  ),
  spec('hget', 3, ['readonly', 'fast'], 'Get the value of a hash field', '2.0.0', 'O(1)', hget),
  spec(
    'hmset',
    -4,
    ['write', 'denyoom', 'fast'],
    'Set multiple hash fields to multiple values',
    '2.0.0',
    'O(N) where N is the number of fields being set.',
    hmset,
  ),
  spec(
    'hmget',
    -3,
    ['readonly', 'fast'],
    'Get the values of all the given hash fields',
    '2.0.0',
    'O(N) where N is the number of fields being requested.',
    hmget,
  ),
  spec(
    'hdel',
    -3,
    ['write', 'fast'],
    'Delete one or more hash fields',
    '2.0.0',
    'O(N) where N is the number of fields to be removed.',
    hdel,
  ),
  spec('hlen', 2, ['readonly', 'fast'], 'Get the number of fields in a hash', '2.0.0', 'O(1)', hlen),
  spec('hstrlen', 3, ['readonly', 'fast'], 'Get the length of the value of a hash field', '3.2.0', 'O(1)', hstrlen),
  spec('hexists', 3, ['readonly', 'fast'], 'Determine if a hash field exists', '2.0.0', 'O(1)', hexists),
  spec('hkeys', 2, ['readonly'], 'Get all the fields in a hash', '2.0.0', ALL, hkeys),
  spec('hvals', 2, ['readonly'], 'Get all the values in a hash', '2.0.0', ALL, hvals),
  spec('hgetall', 2, ['readonly'], 'Get all the fields and values in a hash', '2.0.0', ALL, hgetall),
  spec(
    'hincrby',
    4,
    ['write', 'denyoom', 'fast'],
    'Increment the integer value of a hash field by the given number',
    '2.0.0',
    'O(1)',
    hincrby,
  ),
  spec(
    'hincrbyfloat',
    4,
    ['write', 'denyoom', 'fast'],
    'Increment the float value of a hash field by the given amount',
    '2.6.0',
    'O(1)',
    hincrbyfloat,
  ),
  spec(
    'hrandfield',
    -2,
    ['readonly'],
    'Get one or multiple random fields from a hash',
    '6.2.0',
    'O(N) where N is the number of fields returned',
    hrandfield,
  ),
  spec(
    'hscan',
    -3,
    ['readonly'],
    'Incrementally iterate hash fields and associated values',
    '2.8.0',
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    hscan,
  ),
];

/** The hash type (t_hash.c). */
export const hashFamily: CommandFamily = { name: 'hash', commands: hashCommands };
