/**
 * Keys of every type and encoding, built by the same commands on Brook and on Redis, and a reader
 * of a key's contents through commands (order-insensitive where the order is each server's own),
 * shared by the DUMP/RESTORE and RDB codec suites.
 */
import { RawClient } from '../support/raw-client.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';

/** One key built by the same commands on both servers. */
export interface Fixture {
  name: string;
  setup: string[][];
  /** DUMP bytes equal Redis's (same encoding, same element order). */
  sameBytes: boolean;
}

const seq = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();

export const FIXTURES: Fixture[] = [
  { name: 'int8', setup: [['SET', 'k', '25']], sameBytes: true },
  { name: 'int16', setup: [['SET', 'k', '-3000']], sameBytes: true },
  { name: 'int32', setup: [['SET', 'k', '2000000000']], sameBytes: true },
  { name: 'int64', setup: [['SET', 'k', '9007199254740993']], sameBytes: true },
  { name: 'embstr', setup: [['SET', 'k', 'hello']], sameBytes: true },
  { name: 'not canonical int', setup: [['SET', 'k', '007']], sameBytes: true },
  { name: 'long compressible', setup: [['SET', 'k', 'abc'.repeat(300)]], sameBytes: true },
  {
    name: 'long incompressible',
    setup: [['SET', 'k', Buffer.from(seq(64, (i) => [String.fromCharCode((i * 97) % 256)]).join(''), 'latin1').toString('latin1')]],
    sameBytes: true,
  },
  { name: 'binary', setup: [['SET', 'k', '\x00\xff\r\n\x80 bin']], sameBytes: true },
  {
    name: 'appended raw',
    setup: [
      ['SET', 'k', 'x'],
      ['APPEND', 'k', 'y'.repeat(100)],
    ],
    sameBytes: true,
  },
  { name: 'hll sparse', setup: [['PFADD', 'k', 'a', 'b', 'c']], sameBytes: true },
  { name: 'hll dense', setup: [['PFADD', 'k', ...seq(3000, (i) => [`e${i}`])]], sameBytes: true },
  { name: 'list small', setup: [['RPUSH', 'k', 'a', 'b', 'c', '12', '-5', '100000']], sameBytes: true },
  // Brook splits nodes where its own estimate says; Redis's nodes may end elsewhere.
  { name: 'list large', setup: [['RPUSH', 'k', ...seq(3000, (i) => [`element:${i}`])]], sameBytes: false },
  { name: 'list big elements', setup: [['RPUSH', 'k', 'z'.repeat(10000), 'small', 'q'.repeat(9000)]], sameBytes: false },
  { name: 'intset', setup: [['SADD', 'k', '1', '2', '3', '100000', '-7']], sameBytes: true },
  { name: 'intset 64-bit', setup: [['SADD', 'k', '1', '9223372036854775807', '-9223372036854775808']], sameBytes: true },
  // Hashtable sets: member order is each server's table order.
  { name: 'set hashtable', setup: [['SADD', 'k', 'a', 'b', 'c', '1']], sameBytes: false },
  { name: 'set large ints', setup: [['SADD', 'k', ...seq(600, (i) => [String(i)])]], sameBytes: false },
  { name: 'zset listpack', setup: [['ZADD', 'k', '1', 'a', '2.5', 'b', '-3', 'c', '1e20', 'd', 'inf', 'e', '0.1', 'f']], sameBytes: true },
  // ZSET_2 is written tail to head in both, but members of equal score could differ; scores are distinct here.
  { name: 'zset skiplist', setup: [['ZADD', 'k', ...seq(200, (i) => [String(i * 1.5), `m${i}`])]], sameBytes: true },
  { name: 'zset long member', setup: [['ZADD', 'k', '1', 'x'.repeat(100), '2', 'y']], sameBytes: true },
  { name: 'hash listpack', setup: [['HSET', 'k', 'f1', 'v1', 'n', '42', 'big', '123456789012']], sameBytes: true },
  { name: 'hash hashtable (long value)', setup: [['HSET', 'k', 'f', 'v'.repeat(100), 'g', 'w']], sameBytes: false },
  { name: 'hash hashtable (many fields)', setup: [['HSET', 'k', ...seq(600, (i) => [`f${i}`, `v${i}`])]], sameBytes: false },
  {
    name: 'stream empty',
    setup: [
      ['XADD', 'k', '1-1', 'a', '1'],
      ['XDEL', 'k', '1-1'],
    ],
    sameBytes: false,
  },
  {
    name: 'stream with groups',
    setup: [
      ['XADD', 'k', '1-1', 'temp', '20', 'hum', '50'],
      ['XADD', 'k', '1-2', 'temp', '21', 'hum', '51'],
      ['XADD', 'k', '2-0', 'other', 'x'],
      ['XADD', 'k', '3-0', 'temp', '22', 'hum', '52'],
      ['XGROUP', 'CREATE', 'k', 'g1', '0'],
      ['XGROUP', 'CREATE', 'k', 'g2', '$'],
      ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '2', 'STREAMS', 'k', '>'],
      ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '1', 'STREAMS', 'k', '>'],
      ['XGROUP', 'CREATECONSUMER', 'k', 'g1', 'carol'],
      ['XACK', 'k', 'g1', '1-2'],
      ['XDEL', 'k', '2-0'],
    ],
    sameBytes: false,
  },
  {
    name: 'stream large',
    setup: [
      ...Array.from({ length: 250 }, (_, i) => [
        'XADD',
        'k',
        `${i + 1}-${i % 3}`,
        'f',
        `v${i}`,
        ...(i % 7 === 0 ? ['extra', String(i)] : []),
      ]),
      ['XDEL', 'k', '5-1', '100-0', '250-0'],
      ['XGROUP', 'CREATE', 'k', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '120', 'STREAMS', 'k', '>'],
    ],
    sameBytes: false,
  },
];

/** Order-insensitive where the encoding's order is the server's own (hashtables), exact elsewhere. */
export async function contents(c: RawClient, key: string): Promise<RespValue[]> {
  const type = decodeReply(await c.call('TYPE', key));
  const enc = decodeReply(await c.call('OBJECT', 'ENCODING', key));
  const ttl = decodeReply(await c.call('PTTL', key));
  const read = async (...argv: string[]): Promise<RespValue> => decodeReply(await c.call(...argv));
  const sorted = (v: RespValue): RespValue => (Array.isArray(v) ? [...v].map((x) => JSON.stringify(x)).sort() : v);
  const out: RespValue[] = [type, enc, typeof ttl === 'number' && ttl > 0 ? 'ttl' : ttl];
  switch (type) {
    case 'string':
      out.push(await read('GET', key));
      break;
    case 'list':
      out.push(await read('LRANGE', key, '0', '-1'));
      break;
    case 'set':
      out.push(enc === 'intset' ? await read('SMEMBERS', key) : sorted(await read('SMEMBERS', key)));
      break;
    case 'zset':
      out.push(await read('ZRANGE', key, '0', '-1', 'WITHSCORES'));
      break;
    case 'hash': {
      const all = (await read('HGETALL', key)) as string[];
      const pairs: string[] = [];
      for (let i = 0; i < all.length; i += 2) pairs.push(`${all[i]}=${all[i + 1]}`);
      out.push(enc === 'listpack' ? pairs : pairs.sort());
      break;
    }
    case 'stream': {
      out.push(await read('XRANGE', key, '-', '+'));
      const full = (await read('XINFO', 'STREAM', key, 'FULL')) as string[];
      // radix-tree-keys/-nodes describe node layout, which each server chooses for itself.
      for (let i = 0; i < full.length; i += 2) if (!full[i].startsWith('radix-tree')) out.push(full[i], full[i + 1]);
      break;
    }
  }
  return out;
}

/** Unix-ms times (delivery, seen) replaced: two servers fed the same commands stamp different ones. */
export function maskTimes(v: RespValue): RespValue {
  if (Array.isArray(v)) return v.map(maskTimes);
  return typeof v === 'number' && v > 1e12 ? 'time' : v;
}

export async function dump(c: RawClient, key: string): Promise<Buffer> {
  const raw = Buffer.from(await c.call('DUMP', key), 'latin1');
  const crlf = raw.indexOf('\r\n');
  const n = Number(raw.latin1Slice(1, crlf));
  return raw.subarray(crlf + 2, crlf + 2 + n);
}
