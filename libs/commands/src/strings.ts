import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import { Err } from './errors.js';
import { replyString } from './reply.js';
import { propagate } from './propagate.js';
import { absoluteExpire } from './expire-arg.js';
import { encodeString, isStringValue, type StringValue } from '@brook/storage';

// ---- GET ---------------------------------------------------------------------------------------

function get(c: Session, argv: string[]): void {
  const v = c.db.read(argv[1]);
  if (v === undefined) c.w.nil();
  else if (!isStringValue(v)) c.w.error(Err.wrongType);
  else replyString(c.w, v);
}

// ---- SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] -------------------------

const SET_NX = 1;
const SET_XX = 2;
const SET_GET = 4;
const SET_KEEPTTL = 8;
const SET_EXPIRE = 16;

function set(c: Session, argv: string[]): void {
  const key = argv[1];
  if (argv.length === 3) {
    c.db.set(key, encodeString(argv[2]));
    c.w.ok();
    return;
  }
  let flags = 0;
  let expireAt = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i].toUpperCase();
    const hasNext = i + 1 < argv.length;
    if (opt === 'NX' && !(flags & SET_XX)) flags |= SET_NX;
    else if (opt === 'XX' && !(flags & SET_NX)) flags |= SET_XX;
    else if (opt === 'GET') flags |= SET_GET;
    else if (opt === 'KEEPTTL' && !(flags & SET_EXPIRE)) flags |= SET_KEEPTTL;
    else if ((opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') && hasNext && !(flags & (SET_EXPIRE | SET_KEEPTTL))) {
      const at = absoluteExpire(
        argv[++i],
        opt === 'EX' || opt === 'EXAT' ? 'seconds' : 'milliseconds',
        opt === 'EX' || opt === 'PX',
        c.ks.now,
        'set',
      );
      if (typeof at === 'string') return c.w.error(at);
      expireAt = at;
      flags |= SET_EXPIRE;
    } else return c.w.error(Err.syntax);
  }
  const db = c.db;
  const old = flags & (SET_GET | SET_NX | SET_XX) ? db.get(key) : undefined;
  if (flags & SET_GET) {
    if (old !== undefined && !isStringValue(old)) return c.w.error(Err.wrongType);
  }
  const reply = (done: boolean): void => {
    if (flags & SET_GET) {
      if (old === undefined) c.w.nil();
      else replyString(c.w, old as StringValue);
    } else if (done) c.w.ok();
    else c.w.nil();
  };
  if ((flags & SET_NX && old !== undefined) || (flags & SET_XX && old === undefined)) return reply(false);
  db.set(key, encodeString(argv[2]), (flags & SET_KEEPTTL) !== 0);
  if (flags & SET_EXPIRE) {
    db.setExpire(key, expireAt);
    // Relative and absolute forms alike replicate as an absolute PXAT so replays agree.
    propagate(c, ['SET', key, argv[2], 'PXAT', String(expireAt)]);
  }
  reply(true);
}

export const stringCommands: CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], group: 'string',
    summary: 'Returns the string value of a key.', since: '1.0.0', complexity: 'O(1)', handler: get,
  },
  {
    name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: [1, 1, 1], group: 'string',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    since: '1.0.0', complexity: 'O(1)', handler: set,
  },
];
