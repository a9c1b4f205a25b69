import { specMaker, type CommandSpec } from './table.js';
import type { KeyWaiter, Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';
import { parseBlockTimeout } from './timeout-arg.js';
import { Ev, LLONG_MIN, ListValue, type Int64, type KeyEvent } from '@brook/storage';

type End = 'LEFT' | 'RIGHT';

/** The list at `key` for a read (undefined when absent); writes WRONGTYPE and returns null for another type. */
function readList(c: Session, key: string): ListValue | undefined | null {
  const v = c.db.read(key);
  if (v === undefined || v instanceof ListValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** The same for a write (no read statistics, as lookupKeyWrite). */
function writeList(c: Session, key: string): ListValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined || v instanceof ListValue) return v;
  c.w.error(Err.wrongType);
  return null;
}

/** Signals a change (`ev`) to a list edited in place, deleting it when it became empty (Redis keeps no empty list). */
function afterRemove(c: Session, key: string, l: ListValue, ev: KeyEvent): void {
  if (l.length === 0) c.db.delete(key, ev);
  else c.db.modified(key, ev);
}

const popEvent = (head: boolean): KeyEvent => (head ? Ev.lpop : Ev.rpop);
const pushEvent = (head: boolean): KeyEvent => (head ? Ev.lpush : Ev.rpush);

/** A C `long` argument as a JS number: beyond ±2^53 clamped, which no list length can tell apart. */
function clampLong(v: Int64): number {
  if (typeof v === 'number') return v;
  return v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
}

/** getLongFromObjectOrReply: the argument as a (clamped) long, or null after the error reply. */
function longArg(c: Session, arg: string, error: string = Err.notInteger): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.w.error(error);
    return null;
  }
  return clampLong(v);
}

/** getRangeLongFromObjectOrReply(min, LONG_MAX) with one message for both failures. */
function rangeArg(c: Session, arg: string, min: number, error: string): number | null {
  const v = parseInt64(arg);
  if (v === null || v < min) {
    c.w.error(error);
    return null;
  }
  return clampLong(v);
}

/** LEFT/RIGHT (getListPositionFromObjectOrReply): true for the head. */
function endArg(arg: string): boolean | null {
  if (is(arg, 'LEFT')) return true;
  if (is(arg, 'RIGHT')) return false;
  return null;
}

function endName(head: boolean): End {
  return head ? 'LEFT' : 'RIGHT';
}

// ---- pushes ----------------------------------------------------------------------------------------

function push(c: Session, argv: string[], head: boolean, onlyExisting: boolean): void {
  const key = argv[1];
  let l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) {
    if (onlyExisting) return c.w.integer(0);
    l = new ListValue();
    l.pushAll(argv, 2, head);
    c.db.set(key, l, false, pushEvent(head));
  } else {
    l.pushAll(argv, 2, head);
    c.db.modified(key, pushEvent(head));
  }
  c.w.integer(l.length);
}

function linsert(c: Session, argv: string[]): void {
  const [, key, where, pivot, element] = argv;
  const after = is(where, 'AFTER');
  if (!after && !is(where, 'BEFORE')) return c.w.error(Err.syntax);
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.w.integer(0);
  let at = -1;
  l.matches(pivot, false, 0, (index) => {
    at = index;
    return false;
  });
  if (at < 0) return c.w.integer(-1);
  l.insert(after ? at + 1 : at, element);
  c.db.modified(key, Ev.linsert);
  c.w.integer(l.length);
}

// ---- reads ---------------------------------------------------------------------------------------

function llen(c: Session, argv: string[]): void {
  const l = readList(c, argv[1]);
  if (l !== null) c.w.integer(l === undefined ? 0 : l.length);
}

function lindex(c: Session, argv: string[]): void {
  const l = readList(c, argv[1]);
  if (l === null) return;
  if (l === undefined) return c.w.nil();
  let index = longArg(c, argv[2]);
  if (index === null) return;
  if (index < 0) index += l.length;
  if (index < 0 || index >= l.length) return c.w.nil();
  c.w.bulk(l.at(index));
}

/**
 * addListRangeReply: the elements from `start` to `end` (negative counting from the tail), in
 * order or reversed; an empty array when the range is empty.
 */
function replyRange(c: Session, l: ListValue, start: number, end: number, reverse: boolean): void {
  const n = l.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return c.w.array(0);
  if (end >= n) end = n - 1;
  const w = c.w;
  w.array(end - start + 1);
  l.range(start, end, reverse, (v) => w.bulk(v));
}

function lrange(c: Session, argv: string[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const l = readList(c, argv[1]);
  if (l === null) return;
  if (l === undefined) return c.w.array(0);
  replyRange(c, l, start, end, false);
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

function lpos(c: Session, argv: string[]): void {
  const element = argv[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  // RANK LLONG_MIN: Redis negates it in place, which leaves it negative, so every match counts and COUNT never stops the scan.
  let anyRank = false;
  for (let i = 3; i < argv.length; i++) {
    const more = i < argv.length - 1;
    if (is(argv[i], 'RANK') && more) {
      const r = parseInt64(argv[++i]);
      if (r === null) return c.w.error(Err.notInteger);
      if (r === 0) return c.w.error(RANK_ZERO);
      anyRank = r === LLONG_MIN;
      rank = clampLong(r);
    } else if (is(argv[i], 'COUNT') && more) {
      const n = rangeArg(c, argv[++i], 0, Err.lposCountNegative);
      if (n === null) return;
      count = n;
    } else if (is(argv[i], 'MAXLEN') && more) {
      const n = rangeArg(c, argv[++i], 0, Err.lposMaxlenNegative);
      if (n === null) return;
      maxlen = n;
    } else return c.w.error(Err.syntax);
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  if (anyRank) rank = 1;
  const l = c.db.read(argv[1]);
  if (l === undefined) return count !== -1 ? c.w.array(0) : c.w.nil();
  if (!(l instanceof ListValue)) return c.w.error(Err.wrongType);
  const found: number[] = [];
  let matches = 0;
  l.matches(element, fromTail, maxlen, (index) => {
    if (++matches < rank) return true;
    found.push(index);
    return count !== -1 && (count === 0 || anyRank || found.length < count);
  });
  if (count !== -1) {
    c.w.array(found.length);
    for (const i of found) c.w.integer(i);
  } else if (found.length === 0) c.w.nil();
  else c.w.integer(found[0]);
}

// ---- removals ------------------------------------------------------------------------------------

/** Pops up to `count` elements from one end, replying them in pop order (listPopRange...). */
function popRange(c: Session, key: string, l: ListValue, head: boolean, count: number): void {
  const n = Math.min(count, l.length);
  if (head) replyRange(c, l, 0, n - 1, false);
  else replyRange(c, l, -n, -1, true);
  l.deleteRange(head ? 0 : l.length - n, n);
  afterRemove(c, key, l, popEvent(head));
}

function pop(c: Session, argv: string[], head: boolean): void {
  if (argv.length > 3) return c.w.error(Err.wrongArgs(argv[0].toLowerCase()));
  const key = argv[1];
  let count = 0;
  if (argv.length === 3) {
    const n = rangeArg(c, argv[2], 0, Err.notPositive);
    if (n === null) return;
    count = n;
  }
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return argv.length === 3 ? c.w.nilArray() : c.w.nil();
  if (argv.length === 3) {
    if (count === 0) return c.w.array(0);
    return popRange(c, key, l, head, count);
  }
  c.w.bulk(l.pop(head) as string);
  afterRemove(c, key, l, popEvent(head));
}

function lset(c: Session, argv: string[]): void {
  const key = argv[1];
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.w.error(Err.noSuchKey);
  let index = longArg(c, argv[2]);
  if (index === null) return;
  if (index < 0) index += l.length;
  if (index < 0 || index >= l.length) return c.w.error(Err.indexOutOfRange);
  l.set(index, argv[3]);
  c.db.modified(key, Ev.lset);
  c.w.ok();
}

function lrem(c: Session, argv: string[]): void {
  const key = argv[1];
  const count = longArg(c, argv[2]);
  if (count === null) return;
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.w.integer(0);
  const removed = l.remove(argv[3], Math.abs(count), count < 0);
  if (removed > 0) afterRemove(c, key, l, Ev.lrem);
  c.w.integer(removed);
}

function ltrim(c: Session, argv: string[]): void {
  const key = argv[1];
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.w.ok();
  const n = l.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > end || start >= n) {
    left = n;
    right = 0;
  } else {
    if (end >= n) end = n - 1;
    left = start;
    right = n - end - 1;
  }
  l.deleteRange(n - right, right);
  l.deleteRange(0, left);
  afterRemove(c, key, l, Ev.ltrim);
  // Redis signals the key (WATCH) but propagates only when something was removed.
  if (left + right === 0) c.propagated = true;
  c.w.ok();
}

// ---- moves and multi-key pops ----------------------------------------------------------------------

/**
 * LMOVE's work once `src` is a non-empty list: pops from one end, pushes onto `dst` (created when
 * absent) and replies the element. Null after a WRONGTYPE reply for `dst` (nothing moved).
 */
function move(c: Session, src: string, l: ListValue, dst: string, fromHead: boolean, toHead: boolean): boolean {
  const d = c.db.get(dst);
  if (d !== undefined && !(d instanceof ListValue)) {
    c.w.error(Err.wrongType);
    return false;
  }
  const value = l.pop(fromHead) as string;
  if (d === undefined) {
    const created = new ListValue();
    created.push(value, toHead);
    c.db.set(dst, created, false, pushEvent(toHead));
  } else {
    d.push(value, toHead);
    c.db.modified(dst, pushEvent(toHead));
  }
  c.w.bulk(value);
  // LMOVE l l with one element: the pop emptied the list the push refilled.
  afterRemove(c, src, l, popEvent(fromHead));
  return true;
}

function lmove(c: Session, src: string, dst: string, fromHead: boolean, toHead: boolean): void {
  const l = writeList(c, src);
  if (l === null) return;
  if (l === undefined) return c.w.nil();
  move(c, src, l, dst, fromHead, toHead);
}

/**
 * LMPOP/BLMPOP's arguments from `at` (numkeys key... LEFT|RIGHT [COUNT n]): the keys, the end
 * and the count, or null after the error reply.
 */
function mpopArgs(c: Session, argv: string[], at: number): { keys: string[]; head: boolean; count: number } | null {
  const numkeys = rangeArg(c, argv[at], 1, Err.numkeysNotPositive);
  if (numkeys === null) return null;
  const whereAt = at + numkeys + 1;
  const head = whereAt < argv.length ? endArg(argv[whereAt]) : null;
  if (head === null) {
    c.w.error(Err.syntax);
    return null;
  }
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && is(argv[i], 'COUNT') && i < argv.length - 1) {
      const n = rangeArg(c, argv[++i], 1, Err.countNotPositive);
      if (n === null) return null;
      count = n;
    } else {
      c.w.error(Err.syntax);
      return null;
    }
  }
  return { keys: argv.slice(at + 1, whereAt), head, count: count === -1 ? 1 : count };
}

/** Pops from the first non-empty list of `keys` as [key, [elements]], propagated as [LR]POP key count; false when all are empty. */
function mpopFirst(c: Session, keys: readonly string[], head: boolean, count: number): boolean | null {
  for (const key of keys) {
    const l = writeList(c, key);
    if (l === null) return null;
    if (l === undefined) continue;
    mpopFrom(c, key, l, head, count);
    return true;
  }
  return false;
}

function mpopFrom(c: Session, key: string, l: ListValue, head: boolean, count: number): void {
  const popped = Math.min(count, l.length);
  c.w.array(2);
  c.w.bulk(key);
  popRange(c, key, l, head, count);
  propagate(c, [head ? 'LPOP' : 'RPOP', key, String(popped)]);
}

function lmpop(c: Session, argv: string[]): void {
  const args = mpopArgs(c, argv, 1);
  if (args === null) return;
  if (mpopFirst(c, args.keys, args.head, args.count) === false) c.w.nilArray();
}

// ---- blocking pops -------------------------------------------------------------------------------

/** The list at `key` when it has something to serve a waiter with. */
function servable(c: Session, key: string): ListValue | undefined {
  const v = c.db.get(key);
  return v instanceof ListValue && v.length > 0 ? v : undefined;
}

/** Replies to a blocked list command that timed out (or CLIENT UNBLOCK ... TIMEOUT): a null array. */
const nullArrayOnTimeout = (s: Session): void => s.w.nilArray();

/** BLPOP/BRPOP: pops one element as [key, element], fed as LPOP/RPOP key. */
function popOne(c: Session, key: string, l: ListValue, head: boolean): void {
  c.w.array(2);
  c.w.bulk(key);
  c.w.bulk(l.pop(head) as string);
  afterRemove(c, key, l, popEvent(head));
  propagate(c, [head ? 'LPOP' : 'RPOP', key]);
}

function bpop(c: Session, argv: string[], head: boolean): void {
  const timeout = parseBlockTimeout(argv[argv.length - 1]);
  if (typeof timeout === 'string') return c.w.error(timeout);
  const keys = argv.slice(1, -1);
  for (const key of keys) {
    const l = writeList(c, key);
    if (l === null) return;
    if (l !== undefined) return popOne(c, key, l, head);
  }
  const waiter: KeyWaiter = {
    serve(s, key) {
      const l = servable(s, key);
      if (l === undefined) return false;
      popOne(s, key, l, head);
      return true;
    },
    timeout: nullArrayOnTimeout,
  };
  c.server.block(c, keys, timeout, waiter);
}

function blmpop(c: Session, argv: string[]): void {
  const args = mpopArgs(c, argv, 2);
  if (args === null) return;
  const timeout = parseBlockTimeout(argv[1]);
  if (typeof timeout === 'string') return c.w.error(timeout);
  const { keys, head, count } = args;
  if (mpopFirst(c, keys, head, count) !== false) return;
  const waiter: KeyWaiter = {
    serve(s, key) {
      const l = servable(s, key);
      if (l === undefined) return false;
      mpopFrom(s, key, l, head, count);
      return true;
    },
    timeout: nullArrayOnTimeout,
  };
  c.server.block(c, keys, timeout, waiter);
}

/** BLMOVE and BRPOPLPUSH, fed as the LMOVE (or RPOPLPUSH) that took effect. */
function bmove(c: Session, argv: string[], src: string, dst: string, fromHead: boolean, toHead: boolean, timeoutArg: string): void {
  const timeout = parseBlockTimeout(timeoutArg);
  if (typeof timeout === 'string') return c.w.error(timeout);
  const fed = argv.length === 4 ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, endName(fromHead), endName(toHead)];
  const l = writeList(c, src);
  if (l === null) return;
  if (l !== undefined) {
    if (move(c, src, l, dst, fromHead, toHead)) propagate(c, fed);
    return;
  }
  const waiter: KeyWaiter = {
    serve(s, key) {
      const from = servable(s, key);
      if (from === undefined) return false;
      // A destination of another type fails the served client with WRONGTYPE, as Redis 7.0 does.
      if (move(s, src, from, dst, fromHead, toHead)) propagate(s, fed);
      return true;
    },
    // A null array, not a null bulk: Redis 7.0 times out every blocked list command alike...
    timeout: nullArrayOnTimeout,
    // ...but where it may not block (MULTI), BLMOVE and BRPOPLPUSH reply a null bulk, as LMOVE does.
    refused: (s) => s.w.nil(),
  };
  c.server.block(c, [src], timeout, waiter);
}

function blmove(c: Session, argv: string[]): void {
  const fromHead = endArg(argv[3]);
  const toHead = endArg(argv[4]);
  if (fromHead === null || toHead === null) return c.w.error(Err.syntax);
  bmove(c, argv, argv[1], argv[2], fromHead, toHead, argv[5]);
}

// ---- the table -------------------------------------------------------------------------------------

const cmd = specMaker('list');

const PUSH_COST = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
const POP_COST = 'O(N) where N is the number of elements returned';
const MPOP_COST = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';
const MOVE_SUMMARY = 'Pop an element from a list, push it to another list and return it; or block until one is available';

const listCommands: CommandSpec[] = [
  cmd('lpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Prepend one or multiple elements to a list', '1.0.0', PUSH_COST, (c, a) =>
    push(c, a, true, false),
  ),
  cmd('rpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], 'Append one or multiple elements to a list', '1.0.0', PUSH_COST, (c, a) =>
    push(c, a, false, false),
  ),
  cmd(
    'lpushx',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Prepend an element to a list, only if the list exists',
    '2.2.0',
    PUSH_COST,
    (c, a) => push(c, a, true, true),
  ),
  cmd(
    'rpushx',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    'Append an element to a list, only if the list exists',
    '2.2.0',
    PUSH_COST,
    (c, a) => push(c, a, false, true),
  ),
  cmd('lpop', -2, ['write', 'fast'], [1, 1, 1], 'Remove and get the first elements in a list', '1.0.0', POP_COST, (c, a) =>
    pop(c, a, true),
  ),
  cmd('rpop', -2, ['write', 'fast'], [1, 1, 1], 'Remove and get the last elements in a list', '1.0.0', POP_COST, (c, a) =>
    pop(c, a, false),
  ),
  cmd('llen', 2, ['readonly', 'fast'], [1, 1, 1], 'Get the length of a list', '1.0.0', 'O(1)', llen),
  cmd(
    'lrange',
    4,
    ['readonly'],
    [1, 1, 1],
    'Get a range of elements from a list',
    '1.0.0',
    'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    lrange,
  ),
  cmd(
    'lindex',
    3,
    ['readonly'],
    [1, 1, 1],
    'Get an element from a list by its index',
    '1.0.0',
    'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    lindex,
  ),
  cmd(
    'lset',
    4,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Set the value of an element in a list by its index',
    '1.0.0',
    'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    lset,
  ),
  cmd(
    'linsert',
    5,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Insert an element before or after another element in a list',
    '2.2.0',
    'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    linsert,
  ),
  cmd(
    'lrem',
    4,
    ['write'],
    [1, 1, 1],
    'Remove elements from a list',
    '1.0.0',
    'O(N+M) where N is the length of the list and M is the number of elements removed.',
    lrem,
  ),
  cmd(
    'ltrim',
    4,
    ['write'],
    [1, 1, 1],
    'Trim a list to the specified range',
    '1.0.0',
    'O(N) where N is the number of elements to be removed by the operation.',
    ltrim,
  ),
  cmd(
    'lpos',
    -3,
    ['readonly'],
    [1, 1, 1],
    'Return the index of matching elements on a list',
    '6.0.6',
    'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    lpos,
  ),
  cmd(
    'lmove',
    5,
    ['write', 'denyoom'],
    [1, 2, 1],
    'Pop an element from a list, push it to another list and return it',
    '6.2.0',
    'O(1)',
    (c, argv) => {
      const fromHead = endArg(argv[3]);
      const toHead = endArg(argv[4]);
      if (fromHead === null || toHead === null) return c.w.error(Err.syntax);
      lmove(c, argv[1], argv[2], fromHead, toHead);
    },
  ),
  cmd(
    'rpoplpush',
    3,
    ['write', 'denyoom'],
    [1, 2, 1],
    'Remove the last element in a list, prepend it to another list and return it',
    '1.2.0',
    'O(1)',
    (c, argv) => lmove(c, argv[1], argv[2], false, true),
  ),
  cmd('lmpop', -4, ['write'], [0, 0, 0], 'Pop elements from a list', '7.0.0', MPOP_COST, lmpop),
  cmd(
    'blpop',
    -3,
    ['write', 'noscript', 'blocking'],
    [1, -2, 1],
    'Remove and get the first element in a list, or block until one is available',
    '2.0.0',
    'O(N) where N is the number of provided keys.',
    (c, a) => bpop(c, a, true),
  ),
  cmd(
    'brpop',
    -3,
    ['write', 'noscript', 'blocking'],
    [1, -2, 1],
    'Remove and get the last element in a list, or block until one is available',
    '2.0.0',
    'O(N) where N is the number of provided keys.',
    (c, a) => bpop(c, a, false),
  ),
  cmd('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], MOVE_SUMMARY, '2.2.0', 'O(1)', (c, a) =>
    bmove(c, a, a[1], a[2], false, true, a[3]),
  ),
  cmd('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], MOVE_SUMMARY, '6.2.0', 'O(1)', blmove),
  cmd(
    'blmpop',
    -5,
    ['write', 'blocking'],
    [0, 0, 0],
    'Pop elements from a list, or block until one is available',
    '7.0.0',
    MPOP_COST,
    blmpop,
  ),
];

/** The list type and its blocking pops (t_list.c). */
export const listFamily: CommandFamily = { name: 'list', commands: listCommands };
