import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import { Err } from './errors.js';
import { is } from './args.js';
import { propagate } from './propagate.js';
import { parseExpireTime } from './expire-arg.js';
import type { CommandFamily } from './family.js';

// ---- EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT] -------------------------------

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** parseExtendedExpireArgumentsOrReply: the option flags, or an error text. */
function expireFlags(argv: string[]): number | string {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i];
    if (is(opt, 'NX')) flags |= NX;
    else if (is(opt, 'XX')) flags |= XX;
    else if (is(opt, 'GT')) flags |= GT;
    else if (is(opt, 'LT')) flags |= LT;
    else return Err.unsupportedOption(opt);
  }
  if (flags & NX && flags & (XX | GT | LT)) return Err.expireNxConflict;
  if (flags & GT && flags & LT) return Err.expireGtLtConflict;
  return flags;
}

/**
 * expireGenericCommand. A time already past deletes the key (replicated as DEL); otherwise the TTL
 * is set and replicated as PEXPIREAT with the absolute time, the options kept, so replays agree.
 */
function expireGeneric(c: Session, argv: string[], cmd: string, seconds: boolean, relative: boolean): void {
  const flags = expireFlags(argv);
  if (typeof flags === 'string') return c.w.error(flags);
  const when = parseExpireTime(argv[2], seconds, relative ? c.ks.now : 0, false, cmd);
  if (typeof when === 'string') return c.w.error(when);
  const db = c.db;
  const key = argv[1];
  if (db.get(key) === undefined) return c.w.integer(0);
  if (flags !== 0) {
    const current = db.getExpireExact(key);
    if (flags & NX && current !== undefined) return c.w.integer(0);
    if (flags & XX && current === undefined) return c.w.integer(0);
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (flags & GT && (current === undefined || when <= current)) return c.w.integer(0);
    if (flags & LT && current !== undefined && when >= current) return c.w.integer(0);
  }
  if (when <= c.ks.now) {
    db.delete(key);
    propagate(c, ['DEL', key]);
  } else {
    db.setExpire(key, when);
    const rewritten = ['PEXPIREAT', key, String(when)];
    for (let i = 3; i < argv.length; i++) rewritten.push(argv[i]);
    propagate(c, rewritten);
  }
  c.w.integer(1);
}

function expire(c: Session, argv: string[]): void {
  expireGeneric(c, argv, 'expire', true, true);
}

function pexpire(c: Session, argv: string[]): void {
  expireGeneric(c, argv, 'pexpire', false, true);
}

function expireat(c: Session, argv: string[]): void {
  expireGeneric(c, argv, 'expireat', true, false);
}

function pexpireat(c: Session, argv: string[]): void {
  expireGeneric(c, argv, 'pexpireat', false, false);
}

// ---- TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST ---------------------------------------------

/**
 * ttlGenericCommand: -2 for a missing key, -1 without a TTL, else the remaining (or absolute)
 * time, never negative; seconds are rounded to the nearest ((ms + 500) / 1000).
 */
function ttlGeneric(c: Session, argv: string[], ms: boolean, absolute: boolean): void {
  const db = c.db;
  const key = argv[1];
  if (db.probe(key) === undefined) return c.w.integer(-2);
  const at = db.getExpireExact(key);
  if (at === undefined) return c.w.integer(-1);
  if (typeof at === 'number') {
    const ttl = Math.max(0, absolute ? at : at - c.ks.now);
    return c.w.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
  }
  let ttl = absolute ? at : at - BigInt(c.ks.now);
  if (ttl < 0n) ttl = 0n;
  c.w.integer(ms ? ttl : (ttl + 500n) / 1000n);
}

function ttl(c: Session, argv: string[]): void {
  ttlGeneric(c, argv, false, false);
}

function pttl(c: Session, argv: string[]): void {
  ttlGeneric(c, argv, true, false);
}

function expiretime(c: Session, argv: string[]): void {
  ttlGeneric(c, argv, false, true);
}

function pexpiretime(c: Session, argv: string[]): void {
  ttlGeneric(c, argv, true, true);
}

function persist(c: Session, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  c.w.integer(db.get(key) !== undefined && db.persist(key) ? 1 : 0);
}

// ---- the table -------------------------------------------------------------------------------------

function volatile(name: string, summary: string, since: string, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], group: 'generic', summary, since, complexity: 'O(1)', handler };
}

function inspect(name: string, summary: string, since: string, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], group: 'generic', summary, since, complexity: 'O(1)', handler };
}

export const expireCommands: CommandSpec[] = [
  volatile('expire', "Set a key's time to live in seconds", '1.0.0', expire),
  volatile('pexpire', "Set a key's time to live in milliseconds", '2.6.0', pexpire),
  volatile('expireat', 'Set the expiration for a key as a UNIX timestamp', '1.2.0', expireat),
  volatile('pexpireat', 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', '2.6.0', pexpireat),
  inspect('ttl', 'Get the time to live for a key in seconds', '1.0.0', ttl),
  inspect('pttl', 'Get the time to live for a key in milliseconds', '2.6.0', pttl),
  inspect('expiretime', 'Get the expiration Unix timestamp for a key', '7.0.0', expiretime),
  inspect('pexpiretime', 'Get the expiration Unix timestamp for a key in milliseconds', '7.0.0', pexpiretime),
  {
    name: 'persist',
    arity: 2,
    flags: ['write', 'fast'],
    keys: [1, 1, 1],
    group: 'generic',
    summary: 'Remove the expiration from a key',
    since: '2.2.0',
    complexity: 'O(1)',
    handler: persist,
  },
];

/** Key expiry: EXPIRE, TTL, PERSIST and their variants. */
export const expireFamily: CommandFamily = { name: 'expire', commands: expireCommands };
