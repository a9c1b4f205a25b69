import type { ReplyWriter } from '@brook/resp';
import {
  Ev,
  ListValue,
  cloneValue,
  idleMs,
  INT_MAX,
  INT_MIN,
  isStringValue,
  lfuCounter,
  LRU_CLOCK_MAX,
  stringEncoding,
  typeOf,
  type Database,
  type Value,
} from '@brook/storage';
import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { globMatch } from './glob.js';
import { propagate } from './propagate.js';
import { helpSubcommand } from './reply.js';
import type { CommandFamily } from './family.js';
import {
  DumpPayloadError,
  dumpPayload,
  limitsFromConfig,
  parseDumpPayload,
  quicklistShape,
  RdbFormatError,
  serializedLength,
} from '@brook/persistence';

// ---- DEL / UNLINK / EXISTS / TOUCH / TYPE --------------------------------------------------------

/** DEL and UNLINK: Brook has no lazy-free thread to hand values to; dropping them is O(1) already. */
function del(c: Session, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.delete(argv[i])) n++;
  c.w.integer(n);
}

/** EXISTS counts a key repeated in the arguments once per mention, as Redis does. */
function exists(c: Session, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.probe(argv[i]) !== undefined) n++;
  c.w.integer(n);
}

/** TOUCH is a plain read lookup: the access is the point. */
function touch(c: Session, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.read(argv[i]) !== undefined) n++;
  c.w.integer(n);
}

function type(c: Session, argv: string[]): void {
  const v = c.db.probe(argv[1]);
  c.w.simple(v === undefined ? 'none' : typeOf(v));
}

// ---- KEYS / SCAN / RANDOMKEY / DBSIZE ------------------------------------------------------------

/** KEYS skips expired keys without deleting them (keyIsExpired), unlike SCAN. */
function keys(c: Session, argv: string[]): void {
  const db = c.db;
  const pattern = argv[1];
  const all = pattern === '*';
  const found: string[] = [];
  db.keys.forEach((key) => {
    if ((all || globMatch(pattern, key)) && !db.isExpired(key)) found.push(key);
  });
  c.w.array(found.length);
  for (let i = 0; i < found.length; i++) c.w.bulk(found[i]);
}

/**
 * Parses a SCAN cursor as Redis's parseScanCursorOrReply (strtoul on a C string, so it ends at a
 * NUL byte): optional sign, decimal digits, nothing else; "" is 0 and "-1" wraps to 2^64-1.
 * Cursors above 2^53 were never issued by Brook, so their low digits do not matter. Returns null
 * for an invalid cursor.
 */
export function parseScanCursor(arg: string): number | null {
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  let i = 0;
  let negative = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    negative = c0 === 45;
    i = 1;
    if (s.length === 1) return null;
  }
  for (let j = i; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d < 48 || d > 57) return null;
  }
  if (s.length - i < 16) {
    const v = s.length === i ? 0 : Number(s.slice(i));
    return negative && v !== 0 ? 2 ** 64 - v : v;
  }
  const big = BigInt(s.slice(i));
  if (big >= 2n ** 64n) return null; // ERANGE
  return Number(negative && big !== 0n ? 2n ** 64n - big : big);
}

export interface ScanOptions {
  count: number;
  /** Null when every element matches (no MATCH, or MATCH *). */
  pattern: string | null;
  /** TYPE filter, lower-cased (SCAN only). */
  type: string | null;
}

/**
 * Parses the options after a SCAN-family cursor (at argv[from]) as scanGenericCommand: COUNT n
 * (an integer >= 1, default 10), MATCH pattern, and for SCAN itself TYPE name; later options win.
 * Returns the options or an error text.
 */
export function parseScanOptions(argv: readonly string[], from: number, allowType: boolean): ScanOptions | string {
  const opts: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; i += 2) {
    const opt = argv[i];
    if (i + 1 >= argv.length) return Err.syntax;
    if (is(opt, 'COUNT')) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return Err.notInteger;
      if (n < 1) return Err.syntax;
      opts.count = Number(n);
    } else if (is(opt, 'MATCH')) {
      opts.pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (allowType && is(opt, 'TYPE')) {
      opts.type = asciiLower(argv[i + 1]);
    } else {
      return Err.syntax;
    }
  }
  return opts;
}

/** strcasecmp folds ASCII only; JS toLowerCase would also fold latin1 letters. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The SCAN-family reply: the next cursor as a bulk string, then the elements. */
export function replyScan(w: ReplyWriter, cursor: number, items: readonly string[]): void {
  w.array(2);
  w.bulk(String(cursor));
  w.bulkArray(items);
}

/**
 * SCAN, as scanGenericCommand: whole groups of the key table are collected (KeyTable.scan, Redis's
 * bucket cursor) until COUNT keys or COUNT*10 steps, then filtered in Redis's order: pattern, type
 * (a lookup that counts keyspace hits), expiry (which deletes the key lazily).
 */
function scan(c: Session, argv: string[]): void {
  let cursor = parseScanCursor(argv[1]);
  if (cursor === null) return c.w.error(Err.invalidCursor);
  const opts = parseScanOptions(argv, 2, true);
  if (typeof opts === 'string') return c.w.error(opts);
  const db = c.db;
  const { pattern, type: wanted, count } = opts;
  const collected: string[] = [];
  const collect = (key: string): void => void collected.push(key);
  let steps = count * 10;
  do cursor = db.keys.scan(cursor, collect);
  while (cursor !== 0 && steps-- > 0 && collected.length < count);
  const found: string[] = [];
  for (const key of collected) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (wanted !== null) {
      const v = db.probe(key);
      if ((v === undefined ? 'none' : typeOf(v)) !== wanted) continue;
    }
    if (db.peek(key) !== undefined) found.push(key);
  }
  replyScan(c.w, cursor, found);
}

/** RANDOMKEY deletes the expired keys it draws and draws again, as dbRandomKey does. */
function randomkey(c: Session): void {
  const db = c.db;
  for (;;) {
    const e = db.keys.pick();
    if (e === undefined) return c.w.nil();
    if (db.peek(e[0]) !== undefined) return c.w.bulk(e[0]);
  }
}

/** DBSIZE counts keys whose TTL passed but that were not reclaimed yet, as Redis does. */
function dbsize(c: Session): void {
  c.w.integer(c.db.size);
}

// ---- FLUSHDB / FLUSHALL / SWAPDB -------------------------------------------------------------------

/** getFlushCommandFlags: nothing, SYNC or ASYNC; anything else is a syntax error. */
function flushArgsOk(argv: string[]): boolean {
  return argv.length === 1 || (argv.length === 2 && (is(argv[1], 'SYNC') || is(argv[1], 'ASYNC')));
}

/**
 * FLUSHDB/FLUSHALL are always propagated, even on an empty database (forceCommandPropagation).
 * ASYNC and SYNC behave alike: the old tables are dropped in O(1) and the GC reclaims them in the
 * background, which is what ASYNC asks for.
 */
function flushdb(c: Session, argv: string[]): void {
  if (!flushArgsOk(argv)) return c.w.error(Err.syntax);
  c.db.flush();
  propagate(c, argv);
  c.w.ok();
}

function flushall(c: Session, argv: string[]): void {
  if (!flushArgsOk(argv)) return c.w.error(Err.syntax);
  c.ks.flushAll();
  propagate(c, argv);
  c.w.ok();
}

/**
 * getIntFromObjectOrReply: an int64 (else `notInt`) that fits a C int (else `outOfRange`);
 * returns the number or the error text.
 */
function parseInt32(s: string, notInt: string, outOfRange: string): number | string {
  const v = parseInt64(s);
  if (v === null) return notInt;
  return v < INT_MIN || v > INT_MAX ? outOfRange : Number(v);
}

/** A database index for MOVE/COPY: the int errors, or the range error of selectDb. */
function targetDb(c: Session, arg: string): Database | string {
  const id = parseInt32(arg, Err.notInteger, Err.valueOutOfRange(INT_MIN, INT_MAX));
  if (typeof id === 'string') return id;
  if (id < 0 || id >= c.ks.dbs.length) return Err.dbIndexOutOfRange;
  return c.ks.dbs[id];
}

/** SWAPDB's own message replaces both int errors. */
function swapdb(c: Session, argv: string[]): void {
  const a = parseInt32(argv[1], Err.invalidFirstDbIndex, Err.invalidFirstDbIndex);
  if (typeof a === 'string') return c.w.error(a);
  const b = parseInt32(argv[2], Err.invalidSecondDbIndex, Err.invalidSecondDbIndex);
  if (typeof b === 'string') return c.w.error(b);
  const n = c.ks.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) return c.w.error(Err.dbIndexOutOfRange);
  c.ks.swap(a, b);
  c.w.ok();
}

// ---- RENAME / RENAMENX / MOVE / COPY ---------------------------------------------------------------

/** renameGenericCommand: the TTL goes with the value; renaming a key to itself is a no-op. */
function renameGeneric(c: Session, argv: string[], nx: boolean): void {
  const db = c.db;
  const src = argv[1];
  const dst = argv[2];
  if (db.get(src) === undefined) return c.w.error(Err.noSuchKey);
  if (src === dst) return nx ? c.w.integer(0) : c.w.ok();
  if (nx && db.get(dst) !== undefined) return c.w.integer(0);
  db.moveKey(src, db, dst, Ev.renameFrom, Ev.renameTo);
  if (nx) c.w.integer(1);
  else c.w.ok();
}

function rename(c: Session, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenx(c: Session, argv: string[]): void {
  renameGeneric(c, argv, true);
}

/** MOVE keeps the TTL; it never overwrites a key in the target database. */
function move(c: Session, argv: string[]): void {
  const dst = targetDb(c, argv[2]);
  if (typeof dst === 'string') return c.w.error(dst);
  const db = c.db;
  if (dst === db) return c.w.error(Err.sameObject);
  const key = argv[1];
  if (db.get(key) === undefined || dst.get(key) !== undefined) return c.w.integer(0);
  db.moveKey(key, dst, key, Ev.moveFrom, Ev.moveTo);
  c.w.integer(1);
}

/** COPY source destination [DB n] [REPLACE]: a deep copy, with the source's TTL. */
function copy(c: Session, argv: string[]): void {
  const db = c.db;
  let dst = db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'REPLACE')) replace = true;
    else if (is(argv[i], 'DB') && i + 1 < argv.length) {
      const target = targetDb(c, argv[++i]);
      if (typeof target === 'string') return c.w.error(target);
      dst = target;
    } else return c.w.error(Err.syntax);
  }
  const src = argv[1];
  const to = argv[2];
  if (dst === db && src === to) return c.w.error(Err.sameObject);
  const v = db.read(src);
  if (v === undefined) return c.w.integer(0);
  if (dst.get(to) !== undefined && !replace) return c.w.integer(0);
  dst.put(to, cloneValue(v), db.getExpireExact(src), Ev.copyTo);
  c.w.integer(1);
}

// ---- DUMP / RESTORE -------------------------------------------------------------------------------

/** DUMP: the value as in an RDB, RDB version 10 and a CRC64 (compressed as rdbcompression says). */
function dump(c: Session, argv: string[]): void {
  const v = c.db.read(argv[1]);
  if (v === undefined) return c.w.nil();
  const cfg = c.server.config;
  c.w.bulkBuffer(
    dumpPayload(
      v,
      cfg.value('rdbcompression') === 'yes',
      limitsFromConfig((n) => cfg.value(n)),
    ),
  );
}

/**
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checked in restoreCommand's
 * order: options, BUSYKEY, TTL, payload footer, payload body. A TTL already past stores nothing
 * (deleting a replaced key). Replicated with the absolute TTL and ABSTTL, as Redis does.
 */
function restore(c: Session, argv: string[]): void {
  let replace = false;
  let absTtl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (is(argv[j], 'REPLACE')) replace = true;
    else if (is(argv[j], 'ABSTTL')) absTtl = true;
    else if (is(argv[j], 'IDLETIME') && more && freq === -1) {
      const v = parseInt64(argv[++j]);
      if (v === null) return c.w.error(Err.notInteger);
      if (v < 0) return c.w.error(Err.invalidIdletime);
      idle = Number(v);
    } else if (is(argv[j], 'FREQ') && more && idle === -1) {
      const v = parseInt64(argv[++j]);
      if (v === null) return c.w.error(Err.notInteger);
      if (v < 0 || v > 255) return c.w.error(Err.invalidFreq);
      freq = Number(v);
    } else return c.w.error(Err.syntax);
  }
  const db = c.db;
  const key = argv[1];
  if (!replace && db.get(key) !== undefined) return c.w.error(Err.busyKey);
  const ttlArg = parseInt64(argv[2]);
  if (ttlArg === null) return c.w.error(Err.notInteger);
  if (ttlArg < 0) return c.w.error(Err.invalidTtl);
  const cfg = c.server.config;
  let value: Value;
  try {
    value = parseDumpPayload(
      Buffer.from(argv[3], 'latin1'),
      limitsFromConfig((n) => cfg.value(n)),
    );
  } catch (e) {
    if (e instanceof DumpPayloadError) return c.w.error(Err.dumpPayload);
    if (e instanceof RdbFormatError) return c.w.error(Err.badDataFormat);
    throw e;
  }
  const ttl = ttlArg === 0 ? 0 : absTtl ? ttlArg : typeof ttlArg === 'bigint' ? ttlArg + BigInt(c.ks.now) : ttlArg + c.ks.now;
  if (ttl !== 0 && ttl <= c.ks.now) {
    if (replace && db.delete(key)) propagate(c, ['DEL', key]);
    return c.w.ok();
  }
  if (replace) db.delete(key);
  db.put(key, value, ttl === 0 ? undefined : ttl, Ev.restore);
  if (c.ks.lfu) {
    if (freq >= 0) db.setAccessWord(key, value, (c.ks.newAccessWord() & ~255) | freq);
  } else if (idle >= 0) {
    let word = c.ks.lruClock - idle;
    if (word < 0) word += LRU_CLOCK_MAX;
    db.setAccessWord(key, value, word);
  }
  if (ttl !== 0 && !absTtl) propagate(c, [...argv.slice(0, 2), String(ttl), ...argv.slice(3), 'ABSTTL']);
  c.w.ok();
}

// ---- OBJECT ----------------------------------------------------------------------------------------

/** OBJECT subcommands look the key up without counting an access (LOOKUP_NOTOUCH); nil when absent. */
function objectValue(c: Session, argv: string[]): Value | undefined {
  const v = c.db.probe(argv[2], false);
  if (v === undefined) c.w.nil();
  return v;
}

function isLfuPolicy(c: Session): boolean {
  return c.server.config.value('maxmemory-policy').endsWith('-lfu');
}

function encodingOf(v: Value): string {
  return isStringValue(v) ? stringEncoding(v) : v.encoding;
}

function objectEncoding(c: Session, argv: string[]): void {
  const v = objectValue(c, argv);
  if (v !== undefined) c.w.bulk(encodingOf(v));
}

/** OBJ_SHARED_INTEGERS and OBJ_SHARED_REFCOUNT. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

/**
 * Redis stores integers 0..9999 as shared objects (refcount INT_MAX) unless maxmemory is set
 * with an LRU/LFU policy, which needs a private object per key to hold its access word. Brook
 * applies the rule as configured now; Redis applied it when the value was written.
 */
function refcountOf(c: Session, v: Value): number {
  const shared =
    typeof v === 'number' &&
    v >= 0 &&
    v < SHARED_INTEGERS &&
    (c.server.config.value('maxmemory') === '0' || !/-(lru|lfu)$/.test(c.server.config.value('maxmemory-policy')));
  return shared ? SHARED_REFCOUNT : 1;
}

function objectRefcount(c: Session, argv: string[]): void {
  const v = objectValue(c, argv);
  if (v !== undefined) c.w.integer(refcountOf(c, v));
}

/**
 * Idle time in seconds from the value's access word. Object values carry theirs; primitive string
 * values have one only once tracking started (see Database.atimes): the first such query turns it
 * on, and a key not accessed since reads as idle since then.
 */
function objectIdletime(c: Session, argv: string[]): void {
  const v = objectValue(c, argv);
  if (v === undefined) return;
  if (isLfuPolicy(c)) return c.w.error(Err.lfuSelected);
  c.w.integer(idleMs(c.db.accessWord(argv[2], v), c.ks.lruClock) / 1000);
}

function objectFreq(c: Session, argv: string[]): void {
  const v = objectValue(c, argv);
  if (v === undefined) return;
  if (!isLfuPolicy(c)) return c.w.error(Err.lfuNotSelected);
  c.w.integer(lfuCounter(c.db.accessWord(argv[2], v), c.ks.now, c.ks.lfuDecayTime));
}

/** A stable stand-in for Redis's object address (a JS value has none to show): FNV-1a of db and key. */
function pseudoAddress(db: number, key: string): string {
  let h = 0x811c9dc5 ^ db;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `0x7f${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * DEBUG OBJECT key: Redis's one status line of low-level facts about the value (not counted as an
 * access): refcount and encoding as OBJECT shows them, the size of its RDB payload, its access word
 * and idle seconds, and for a list the quicklist Redis would hold (nodes, average entries per node,
 * list-max-listpack-size, whether list-compress-depth compresses, the nodes' listpack bytes).
 */
function debugObject(c: Session, args: string[]): void {
  const key = args[0];
  // The table itself, as Redis's dictFind: a key past its TTL but not yet deleted is still shown.
  const v = c.db.keys.get(key);
  if (v === undefined) return c.w.error(Err.noSuchKey);
  const cfg = c.server.config;
  const limits = limitsFromConfig((n) => cfg.value(n));
  const size = serializedLength(v, cfg.value('rdbcompression') === 'yes', limits);
  const word = c.db.accessWord(key, v);
  let extra = '';
  if (v instanceof ListValue) {
    const fill = limits.listMaxListpackSize;
    const { nodes, bytes } = quicklistShape(v, fill);
    const compressed = cfg.value('list-compress-depth') !== '0' ? 1 : 0;
    extra = ` ql_nodes:${nodes} ql_avg_node:${(v.length / nodes).toFixed(2)} ql_listpack_max:${fill} ql_compressed:${compressed} ql_uncompressed_size:${bytes}`;
  }
  c.w.simple(
    `Value at:${pseudoAddress(c.db.id, key)} refcount:${refcountOf(c, v)} encoding:${encodingOf(v)} serializedlength:${size} ` +
      `lru:${word} lru_seconds_idle:${Math.floor(idleMs(word, c.ks.lruClock) / 1000)}${extra}`,
  );
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

// ---- the table -------------------------------------------------------------------------------------

const objectKey = [2, 2, 1] as const;

export const genericCommands: CommandSpec[] = [
  {
    name: 'del',
    arity: -2,
    flags: ['write'],
    keys: [1, -1, 1],
    group: 'generic',
    summary: 'Delete a key',
    since: '1.0.0',
    complexity:
      'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    handler: del,
  },
  {
    name: 'unlink',
    arity: -2,
    flags: ['write', 'fast'],
    keys: [1, -1, 1],
    group: 'generic',
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
    since: '4.0.0',
    complexity:
      'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    handler: del,
  },
  {
    name: 'exists',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: [1, -1, 1],
    group: 'generic',
    summary: 'Determine if a key exists',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys to check.',
    handler: exists,
  },
  {
    name: 'type',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Determine the type stored at key',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: type,
  },
  {
    name: 'keys',
    arity: 2,
    flags: ['readonly'],
    group: 'generic',
    summary: 'Find all keys matching the given pattern',
    since: '1.0.0',
    complexity:
      'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    acl: ['dangerous'],
    handler: keys,
  },
  {
    name: 'scan',
    arity: -2,
    flags: ['readonly'],
    group: 'generic',
    summary: 'Incrementally iterate the keys space',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    handler: scan,
  },
  {
    name: 'rename',
    arity: 3,
    flags: ['write'],
    keys: [1, 2, 1],
    group: 'generic',
    summary: 'Rename a key',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: rename,
  },
  {
    name: 'renamenx',
    arity: 3,
    flags: ['write', 'fast'],
    keys: [1, 2, 1],
    group: 'generic',
    summary: 'Rename a key, only if the new key does not exist',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: renamenx,
  },
  {
    name: 'randomkey',
    arity: 1,
    flags: ['readonly'],
    group: 'generic',
    summary: 'Return a random key from the keyspace',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: randomkey,
  },
  {
    name: 'dbsize',
    arity: 1,
    flags: ['readonly', 'fast'],
    group: 'server',
    summary: 'Return the number of keys in the selected database',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: dbsize,
  },
  {
    name: 'flushdb',
    arity: -1,
    flags: ['write'],
    group: 'server',
    summary: 'Remove all keys from the current database',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the selected database',
    acl: ['dangerous'],
    handler: flushdb,
  },
  {
    name: 'flushall',
    arity: -1,
    flags: ['write'],
    group: 'server',
    summary: 'Remove all keys from all databases',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    acl: ['dangerous'],
    handler: flushall,
  },
  {
    name: 'move',
    arity: 3,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Move a key to another database',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: move,
  },
  {
    name: 'copy',
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: [1, 2, 1],
    group: 'generic',
    summary: 'Copy a key',
    since: '6.2.0',
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    handler: copy,
  },
  {
    name: 'dump',
    arity: 2,
    flags: ['readonly'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Return a serialized version of the value stored at the specified key.',
    since: '2.6.0',
    complexity:
      'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    handler: dump,
  },
  {
    name: 'restore',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Create a key using the provided serialized value, previously obtained using DUMP.',
    since: '2.6.0',
    complexity:
      'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    acl: ['dangerous'],
    handler: restore,
  },
  {
    name: 'touch',
    arity: -2,
    flags: ['readonly', 'fast'],
    keys: [1, -1, 1],
    group: 'generic',
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    since: '3.2.1',
    complexity: 'O(N) where N is the number of keys that will be touched.',
    handler: touch,
  },
  {
    name: 'swapdb',
    arity: 3,
    flags: ['write', 'fast'],
    group: 'server',
    summary: 'Swaps two Redis databases',
    since: '4.0.0',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    acl: ['dangerous'],
    handler: swapdb,
  },
  {
    name: 'object',
    arity: -2,
    flags: [],
    group: 'generic',
    summary: 'A container for object introspection commands',
    since: '2.2.3',
    complexity: 'Depends on subcommand.',
    subcommands: [
      helpSubcommand('generic', '6.2.0', OBJECT_HELP),
      {
        name: 'encoding',
        arity: 3,
        flags: ['readonly'],
        keys: objectKey,
        group: 'generic',
        summary: 'Inspect the internal encoding of a Redis object',
        since: '2.2.3',
        complexity: 'O(1)',
        handler: objectEncoding,
      },
      {
        name: 'refcount',
        arity: 3,
        flags: ['readonly'],
        keys: objectKey,
        group: 'generic',
        summary: 'Get the number of references to the value of the key',
        since: '2.2.3',
        complexity: 'O(1)',
        handler: objectRefcount,
      },
      {
        name: 'idletime',
        arity: 3,
        flags: ['readonly'],
        keys: objectKey,
        group: 'generic',
        summary: 'Get the time since a Redis object was last accessed',
        since: '2.2.3',
        complexity: 'O(1)',
        handler: objectIdletime,
      },
      {
        name: 'freq',
        arity: 3,
        flags: ['readonly'],
        keys: objectKey,
        group: 'generic',
        summary: 'Get the logarithmic access frequency counter of a Redis object',
        since: '4.0.0',
        complexity: 'O(1)',
        handler: objectFreq,
      },
    ],
  },
];

/** The generic key commands (Redis's db.c): DEL, EXISTS, RENAME, SCAN, FLUSHDB... */
export const genericFamily: CommandFamily = {
  name: 'generic',
  commands: genericCommands,
  install(ctx) {
    ctx.addDebugSubcommand({
      name: 'object',
      args: [1, 1],
      help: ['OBJECT <key>', '    Show low level info about `key` and associated value.'],
      handler: debugObject,
    });
  },
};
