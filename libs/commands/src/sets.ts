import { specMaker, type CommandSpec } from './table.js';
import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';
import { globMatch } from './glob.js';
import { parseScanCursor, parseScanOptions, replyScan } from './generic.js';
import { Ev, LLONG_MAX, SetValue, type Database, type KeyEvent } from '@brook/storage';
import { MAX_REPEATED_DRAWS } from './reply.js';
import { sampleInPlace } from './random.js';

/** SPOP with a count is propagated as SREMs of at most this many members each, as Redis does. */
const SREM_BATCH = 1024;

/** set-max-intset-entries, read at each write as Redis does. */
function maxIntset(c: Session): number {
  return c.server.config.int('set-max-intset-entries');
}

/** The set at `key` for a read (undefined when absent); writes WRONGTYPE and returns null for another type. */
function readSet(c: Session, key: string): SetValue | undefined | null {
  const v = c.db.read(key);
  if (v === undefined || v instanceof SetValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** The same for a write (no read statistics, as lookupKeyWrite). */
function writeSet(c: Session, key: string): SetValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined || v instanceof SetValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** Signals the change to a set that was edited in place, deleting it when it became empty. */
function afterRemove(db: Database, key: string, s: SetValue, ev: KeyEvent): void {
  if (s.size === 0) db.delete(key, ev);
  else db.modified(key, ev);
}

/** A set reply: a RESP3 set, a RESP2 array. */
function replySet(c: Session, members: readonly string[]): void {
  c.w.set(members.length);
  for (const m of members) c.w.bulk(m);
}

/**
 * `count` distinct random members of `s` (0 < count < size), drawing from a copy when many are
 * wanted (so the cost stays within the set's size) and by repeated draws when few are.
 */
function distinctRandom(s: SetValue, count: number): string[] {
  if (count * 3 > s.size) {
    return sampleInPlace(s.members(), count);
  }
  const draw = s.sampler();
  const picked = new Set<string>();
  while (picked.size < count) picked.add(draw());
  return [...picked];
}

// ---- SADD, SREM, SMOVE ---------------------------------------------------------------------------

function sadd(c: Session, argv: string[]): void {
  const key = argv[1];
  let s = writeSet(c, key);
  if (s === null) return;
  const max = maxIntset(c);
  const created = s === undefined;
  s ??= new SetValue();
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i], max)) added++;
  if (created) c.db.set(key, s, false, Ev.sadd);
  else if (added > 0) c.db.modified(key, Ev.sadd);
  c.w.integer(added);
}

function srem(c: Session, argv: string[]): void {
  const key = argv[1];
  const s = writeSet(c, key);
  if (s === null) return;
  let removed = 0;
  if (s !== undefined) {
    for (let i = 2; i < argv.length && s.size > 0; i++) if (s.remove(argv[i])) removed++;
    if (removed > 0) afterRemove(c.db, key, s, Ev.srem);
  }
  c.w.integer(removed);
}

function smove(c: Session, argv: string[]): void {
  const [, from, to, member] = argv;
  const src = c.db.get(from);
  const dst = c.db.get(to);
  if (src === undefined) return c.w.integer(0);
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) return c.w.error(Err.wrongType);
  if (src === dst) return c.w.integer(src.has(member) ? 1 : 0);
  if (!src.remove(member)) return c.w.integer(0);
  afterRemove(c.db, from, src, Ev.srem);
  if (dst === undefined) {
    const created = new SetValue();
    created.add(member, maxIntset(c));
    c.db.set(to, created, false, Ev.sadd);
  } else if (dst.add(member, maxIntset(c))) c.db.modified(to, Ev.sadd);
  c.w.integer(1);
}

// ---- reads of one set ------------------------------------------------------------------------------

function scard(c: Session, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s !== null) c.w.integer(s === undefined ? 0 : s.size);
}

function sismember(c: Session, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s !== null) c.w.integer(s !== undefined && s.has(argv[2]) ? 1 : 0);
}

function smismember(c: Session, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === null) return;
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.w.integer(s !== undefined && s.has(argv[i]) ? 1 : 0);
}

function smembers(c: Session, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s !== null) replySet(c, s === undefined ? [] : s.members());
}

function sscan(c: Session, argv: string[]): void {
  let cursor = parseScanCursor(argv[2]);
  if (cursor === null) return c.w.error(Err.invalidCursor);
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined) return replyScan(c.w, 0, []);
  const opts = parseScanOptions(argv, 3, false);
  if (typeof opts === 'string') return c.w.error(opts);
  const collected: string[] = [];
  cursor = s.scan(cursor, opts.count, collected);
  const pattern = opts.pattern;
  replyScan(c.w, cursor, pattern === null ? collected : collected.filter((m) => globMatch(pattern, m)));
}

// ---- random members --------------------------------------------------------------------------------

function srandmember(c: Session, argv: string[]): void {
  if (argv.length > 3) return c.w.error(Err.syntax);
  if (argv.length === 2) {
    const s = readSet(c, argv[1]);
    if (s === null) return;
    return s === undefined ? c.w.nil() : c.w.bulk(s.random());
  }
  const n = parseInt64(argv[2]);
  if (n === null) return c.w.error(Err.notInteger);
  if (n < -LLONG_MAX || n > LLONG_MAX) return c.w.error(Err.longOutOfRange);
  if (n < -MAX_REPEATED_DRAWS) return c.w.error(Err.outOfRange);
  const s = readSet(c, argv[1]);
  if (s === null) return;
  if (s === undefined || n === 0) return c.w.array(0);
  if (n < 0) {
    // With repeats: -n independent draws (at most MAX_REPEATED_DRAWS, see there).
    const count = Number(-n);
    c.w.array(count);
    const draw = s.sampler();
    for (let i = 0; i < count; i++) c.w.bulk(draw());
    return;
  }
  const members = n >= s.size ? s.members() : distinctRandom(s, Number(n));
  c.w.array(members.length);
  for (const m of members) c.w.bulk(m);
}

function spop(c: Session, argv: string[]): void {
  if (argv.length > 3) return c.w.error(Err.syntax);
  const key = argv[1];
  if (argv.length === 2) {
    const s = writeSet(c, key);
    if (s === null) return;
    if (s === undefined) return c.w.nil();
    const member = s.random();
    s.remove(member);
    afterRemove(c.db, key, s, Ev.spop);
    propagate(c, ['SREM', key, member]);
    return c.w.bulk(member);
  }
  const n = parseInt64(argv[2]);
  if (n === null || n < 0) return c.w.error(Err.notPositive);
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined || n === 0) return c.w.set(0);
  if (n >= s.size) {
    // The whole set: replied, then the key deleted and propagated as DEL.
    replySet(c, s.members());
    c.db.delete(key, Ev.spop);
    propagate(c, ['DEL', key]);
    return;
  }
  const popped = distinctRandom(s, Number(n));
  for (const m of popped) s.remove(m);
  c.db.modified(key, Ev.spop);
  for (let i = 0; i < popped.length; i += SREM_BATCH) propagate(c, ['SREM', key, ...popped.slice(i, i + SREM_BATCH)]);
  replySet(c, popped);
}

// ---- SINTER, SINTERCARD, SUNION, SDIFF (+STORE) ----------------------------------------------------

/**
 * The sets named by `keys` (undefined for absent keys), or null after a WRONGTYPE reply: every
 * key is type-checked, in order, before any work.
 */
function readSets(c: Session, keys: readonly string[]): (SetValue | undefined)[] | null {
  const sets: (SetValue | undefined)[] = [];
  for (const key of keys) {
    const s = readSet(c, key);
    if (s === null) return null;
    sets.push(s);
  }
  return sets;
}

/**
 * The intersection's members, walking the smallest set and probing the others (so the cost is
 * bounded by the smallest set), stopping at `limit` members when limit > 0.
 */
function intersect(sets: SetValue[], limit: number): string[] {
  const order = sets.slice().sort((a, b) => a.size - b.size);
  const [smallest, ...rest] = order;
  const out: string[] = [];
  for (const m of smallest.members()) {
    if (rest.every((s) => s === smallest || s.has(m))) {
      out.push(m);
      if (out.length === limit) break;
    }
  }
  return out;
}

/** Stores a computed set at `dst` (replacing any value and its TTL), or deletes `dst` when empty; replies its size. */
function store(c: Session, dst: string, members: readonly string[], ev: KeyEvent): void {
  if (members.length === 0) {
    if (!c.db.delete(dst)) c.db.modified(dst);
    return c.w.integer(0);
  }
  const s = buildSet(c, members);
  c.db.set(dst, s, false, ev);
  c.w.integer(s.size);
}

/** A new set of `members` in the encoding Redis would give it (intset while it may). */
function buildSet(c: Session, members: readonly string[]): SetValue {
  const s = new SetValue();
  const max = maxIntset(c);
  for (const m of members) s.add(m, max);
  return s;
}

function sinterGeneric(c: Session, keys: readonly string[], dst: string | null): void {
  const sets = readSets(c, keys);
  if (sets === null) return;
  if (sets.some((s) => s === undefined)) {
    if (dst !== null) return store(c, dst, [], Ev.sinterstore);
    return c.w.set(0);
  }
  const members = intersect(sets as SetValue[], 0);
  if (dst !== null) store(c, dst, members, Ev.sinterstore);
  else replySet(c, members);
}

function sinter(c: Session, argv: string[]): void {
  sinterGeneric(c, argv.slice(1), null);
}

function sinterstore(c: Session, argv: string[]): void {
  sinterGeneric(c, argv.slice(2), argv[1]);
}

function sintercard(c: Session, argv: string[]): void {
  const numkeys = parseInt64(argv[1]);
  if (numkeys === null || numkeys < 1) return c.w.error(Err.numkeysNotPositive);
  if (numkeys > argv.length - 2) return c.w.error(Err.numkeysTooMany);
  const end = 2 + Number(numkeys);
  let limit = 0;
  for (let i = end; i < argv.length; i++) {
    if (is(argv[i], 'LIMIT') && i + 1 < argv.length) {
      const l = parseInt64(argv[++i]);
      if (l === null || l < 0) return c.w.error(Err.limitNegative);
      limit = l > Number.MAX_SAFE_INTEGER ? 0 : Number(l);
    } else return c.w.error(Err.syntax);
  }
  const sets = readSets(c, argv.slice(2, end));
  if (sets === null) return;
  if (sets.some((s) => s === undefined)) return c.w.integer(0);
  c.w.integer(intersect(sets as SetValue[], limit).length);
}

/**
 * SUNION/SDIFF: the result is built as a set (so it takes the encoding and iteration order
 * Redis's result set has) and then replied or stored.
 */
function unionDiff(c: Session, keys: readonly string[], dst: string | null, diff: boolean): void {
  const sets = readSets(c, keys);
  if (sets === null) return;
  const result = new SetValue();
  const max = maxIntset(c);
  const [first, ...others] = sets;
  if (!diff) {
    for (const s of sets) if (s !== undefined) for (const m of s.members()) result.add(m, max);
  } else if (first !== undefined) {
    for (const m of first.members()) {
      if (!others.some((s) => s !== undefined && (s === first || s.has(m)))) result.add(m, max);
    }
  }
  if (dst === null) return replySet(c, result.members());
  const ev = diff ? Ev.sdiffstore : Ev.sunionstore;
  if (result.size === 0) return store(c, dst, [], ev);
  c.db.set(dst, result, false, ev);
  c.w.integer(result.size);
}

// ---- the table -------------------------------------------------------------------------------------

const cmd = specMaker('set');

const setCommands: CommandSpec[] = [
  cmd(
    'sadd',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Add one or more members to a set',
    '1.0.0',
    'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    sadd,
  ),
  cmd(
    'srem',
    -3,
    ['write', 'fast'],
    [1, 1, 1],
    'Remove one or more members from a set',
    '1.0.0',
    'O(N) where N is the number of members to be removed.',
    srem,
  ),
  cmd('smove', 4, ['write', 'fast'], [1, 2, 1], 'Move a member from one set to another', '1.0.0', 'O(1)', smove),
  cmd('scard', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the number of members in a set', '1.0.0', 'O(1)', scard),
  cmd('sismember', 3, ['readonly', 'fast'], [1, 1, 1], 'Determine if a given value is a member of a set', '1.0.0', 'O(1)', sismember),
  cmd(
    'smismember',
    -3,
    ['readonly', 'fast'],
    [1, 1, 1],
    'Returns the membership associated with the given elements for a set',
    '6.2.0',
    'O(N) where N is the number of elements being checked for membership',
    smismember,
  ),
  cmd('smembers', 2, ['readonly'], [1, 1, 1], 'Get all the members in a set', '1.0.0', 'O(N) where N is the set cardinality.', smembers),
  cmd(
    'sscan',
    -3,
    ['readonly'],
    [1, 1, 1],
    'Incrementally iterate Set elements',
    '2.8.0',
    'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    sscan,
  ),
  cmd(
    'srandmember',
    -2,
    ['readonly'],
    [1, 1, 1],
    'Get one or multiple random members from a set',
    '1.0.0',
    'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    srandmember,
  ),
  cmd(
    'spop',
    -2,
    ['write', 'fast'],
    [1, 1, 1],
    'Remove and return one or multiple random members from a set',
    '1.0.0',
    'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    spop,
  ),
  cmd(
    'sinter',
    -2,
    ['readonly'],
    [1, -1, 1],
    'Intersect multiple sets',
    '1.0.0',
    'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    sinter,
  ),
  cmd(
    'sintercard',
    -3,
    ['readonly'],
    [0, 0, 0],
    'Intersect multiple sets and return the cardinality of the result',
    '7.0.0',
    'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    sintercard,
  ),
  cmd(
    'sinterstore',
    -3,
    ['write', 'denyoom'],
    [1, -1, 1],
    'Intersect multiple sets and store the resulting set in a key',
    '1.0.0',
    'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    sinterstore,
  ),
  cmd(
    'sunion',
    -2,
    ['readonly'],
    [1, -1, 1],
    'Add multiple sets',
    '1.0.0',
    'O(N) where N is the total number of elements in all given sets.',
    (c, argv) => unionDiff(c, argv.slice(1), null, false),
  ),
  cmd(
    'sunionstore',
    -3,
    ['write', 'denyoom'],
    [1, -1, 1],
    'Add multiple sets and store the resulting set in a key',
    '1.0.0',
    'O(N) where N is the total number of elements in all given sets.',
    (c, argv) => unionDiff(c, argv.slice(2), argv[1], false),
  ),
  cmd(
    'sdiff',
    -2,
    ['readonly'],
    [1, -1, 1],
    'Subtract multiple sets',
    '1.0.0',
    'O(N) where N is the total number of elements in all given sets.',
    (c, argv) => unionDiff(c, argv.slice(1), null, true),
  ),
  cmd(
    'sdiffstore',
    -3,
    ['write', 'denyoom'],
    [1, -1, 1],
    'Subtract multiple sets and store the resulting set in a key',
    '1.0.0',
    'O(N) where N is the total number of elements in all given sets.',
    (c, argv) => unionDiff(c, argv.slice(2), argv[1], true),
  ),
];

/** The set type (t_set.c). */
export const setFamily: CommandFamily = { name: 'set', commands: setCommands };
