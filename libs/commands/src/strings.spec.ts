/**
 * Wrong-type behaviour of the STRING and BITMAP commands. No other data type exists to create
 * such a key over the wire yet, so these run the handlers directly against a keyspace holding a
 * stand-in object; the expected replies were taken from redis-server 7.0.15 with a list key.
 */
import { describe, expect, it } from '@jest/globals';
import { ReplyWriter } from '@brook/resp';
import { Keyspace, RedisObject } from '@brook/storage';
import type { Session } from './context.js';
import { stringCommands } from './strings.js';
import { bitmapCommands } from './bitmap.js';

class OtherType extends RedisObject {
  readonly type = 'list' as const;
  get encoding(): string {
    return 'quicklist';
  }
  clone(): OtherType {
    return new OtherType();
  }
  footprint(): number {
    return 0;
  }
}

const handlers = new Map([...stringCommands, ...bitmapCommands].map((s) => [s.name, s.handler!]));

function session(): Session {
  const ks = new Keyspace(1);
  const w = new ReplyWriter(() => undefined);
  const config = { int: (name: string) => (name === 'proto-max-bulk-len' ? 536870912 : 0) };
  return { w, ks, db: ks.dbs[0], server: { config }, propagated: false } as unknown as Session;
}

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';

/** [command line, redis-server's reply], with `l` holding a list. */
const cases: [string, string][] = [
  ['GET l', WRONGTYPE],
  ['SET l v GET', WRONGTYPE],
  ['SET l v NX GET', WRONGTYPE],
  ['SET l v EX abc GET', NOT_INT],
  ['SET l v FOO GET', '-ERR syntax error\r\n'],
  ['GETEX l', WRONGTYPE],
  ['GETEX l EX abc', WRONGTYPE],
  ['GETEX l FOO', '-ERR syntax error\r\n'],
  ['GETDEL l', WRONGTYPE],
  ['GETSET l v', WRONGTYPE],
  ['MGET l x', '*2\r\n$-1\r\n$-1\r\n'],
  ['SETNX l v', ':0\r\n'],
  ['APPEND l v', WRONGTYPE],
  ['STRLEN l', WRONGTYPE],
  ['GETRANGE l 0 1', WRONGTYPE],
  ['GETRANGE l a 1', NOT_INT],
  ['SUBSTR l 0 1', WRONGTYPE],
  ['SETRANGE l 0 v', WRONGTYPE],
  ['SETRANGE l -1 v', '-ERR offset is out of range\r\n'],
  ['INCR l', WRONGTYPE],
  ['DECR l', WRONGTYPE],
  ['INCRBY l 1', WRONGTYPE],
  ['INCRBY l a', NOT_INT],
  ['DECRBY l 1', WRONGTYPE],
  ['DECRBY l -9223372036854775808', '-ERR decrement would overflow\r\n'],
  ['INCRBYFLOAT l 1', WRONGTYPE],
  ['INCRBYFLOAT l abc', WRONGTYPE],
  ['LCS l x', '-ERR The specified keys must contain string values\r\n'],
  ['LCS x l', '-ERR The specified keys must contain string values\r\n'],
  ['LCS l x FOO', '-ERR The specified keys must contain string values\r\n'],
  ['SETBIT l 0 1', WRONGTYPE],
  ['SETBIT l -1 1', '-ERR bit offset is not an integer or out of range\r\n'],
  ['SETBIT l 0 2', '-ERR bit is not an integer or out of range\r\n'],
  ['GETBIT l 0', WRONGTYPE],
  ['GETBIT l -1', '-ERR bit offset is not an integer or out of range\r\n'],
  ['BITCOUNT l', WRONGTYPE],
  ['BITCOUNT l a b', WRONGTYPE],
  ['BITPOS l 1', WRONGTYPE],
  ['BITPOS l 2', '-ERR The bit argument must be 1 or 0.\r\n'],
  ['BITOP AND d l', WRONGTYPE],
  ['BITOP NOT d l', WRONGTYPE],
  ['BITOP FOO d l', '-ERR syntax error\r\n'],
  ['BITFIELD l GET u8 0', WRONGTYPE],
  ['BITFIELD l SET u8 0 1', WRONGTYPE],
  ['BITFIELD l GET u64 0', '-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n'],
  ['BITFIELD_RO l GET u8 0', WRONGTYPE],
  ['BITFIELD_RO l SET u8 0 1', '-ERR BITFIELD_RO only supports the GET subcommand\r\n'],
  ['MSETNX l v x y', ':0\r\n'],
];

describe('strings and bitmaps on a key of another type', () => {
  it.each(cases)('%s', (line, reply) => {
    const c = session();
    const list = new OtherType();
    c.db.set('l', list);
    const argv = line.split(' ');
    handlers.get(argv[0].toLowerCase())!(c, argv);
    expect(c.w.out).toBe(reply);
    // Nothing was overwritten or created by a refused command.
    expect(c.db.get('l')).toBe(list);
    if (reply.startsWith('-')) expect(c.db.size).toBe(1);
  });

  it('SET, MSET and SETEX replace a key of another type', () => {
    for (const line of ['SET l v', 'MSET l v', 'SETEX l 100 v', 'GETSET x v']) {
      const c = session();
      c.db.set('l', new OtherType());
      const argv = line.split(' ');
      handlers.get(argv[0].toLowerCase())!(c, argv);
      expect(c.db.get(argv[1])).toBe('v');
    }
  });
});
