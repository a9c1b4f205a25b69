/**
 * DUMP and RESTORE against real Redis 7.0.15: every type and encoding dumped by Redis restores in
 * Brook with the same contents and OBJECT ENCODING, and Brook's dumps restore in Redis; where both
 * servers hold the same encoding in the same order the payload bytes are identical. RESTORE's
 * options and errors are compared reply for reply.
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';
import { differentialSuite, script } from '../support/differential.js';

/** One key built by the same commands on both servers. */
interface Fixture {
  name: string;
  setup: string[][];
  /** DUMP bytes equal Redis's (same encoding, same element order). */
  sameBytes: boolean;
}

const seq = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();

const FIXTURES: Fixture[] = [
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
async function contents(c: RawClient, key: string): Promise<RespValue[]> {
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
function maskTimes(v: RespValue): RespValue {
  if (Array.isArray(v)) return v.map(maskTimes);
  return typeof v === 'number' && v > 1e12 ? 'time' : v;
}

async function dump(c: RawClient, key: string): Promise<Buffer> {
  const raw = Buffer.from(await c.call('DUMP', key), 'latin1');
  const crlf = raw.indexOf('\r\n');
  const n = Number(raw.latin1Slice(1, crlf));
  return raw.subarray(crlf + 2, crlf + 2 + n);
}

describe('DUMP / RESTORE interchange with Redis 7.0', () => {
  const suite = differentialSuite();

  it.each(FIXTURES.map((f) => [f.name, f] as const))('%s: Redis → Brook, Brook → Redis', async (_name, f) => {
    const { brook, redis } = suite.diff;
    for (const c of [brook, redis]) {
      await c.call('FLUSHALL');
      for (const argv of f.setup) await c.call(...argv);
    }
    const fromRedis = await dump(redis, 'k');
    const fromBrook = await dump(brook, 'k');
    // Each side's own round trip is the reference (a restored HLL is embstr where PFADD left raw).
    expect(await redis.call('RESTORE', 'self', '0', fromRedis)).toBe('+OK\r\n');
    expect(await brook.call('RESTORE', 'self', '0', fromBrook)).toBe('+OK\r\n');
    const redisSelf = await contents(redis, 'self');
    const brookSelf = await contents(brook, 'self');
    // Both servers built the same data (stream times aside: each stamped its own clock).
    expect(maskTimes(brookSelf)).toEqual(maskTimes(redisSelf));

    expect(await brook.call('RESTORE', 'copy', '0', fromRedis)).toBe('+OK\r\n');
    expect(await contents(brook, 'copy')).toEqual(redisSelf);
    expect(await redis.call('RESTORE', 'copy', '0', fromBrook)).toBe('+OK\r\n');
    expect(await contents(redis, 'copy')).toEqual(brookSelf);

    if (f.sameBytes) expect(fromBrook.toString('hex')).toBe(fromRedis.toString('hex'));
  });

  it('DUMP of a missing key is nil; DUMP/RESTORE arity errors match', async () => {
    expect(await suite.diff.run(script('DUMP nokey\nDUMP\nDUMP a b\nRESTORE a 0\nRESTORE'))).toEqual([]);
  });

  it('RESTORE options and errors, reply for reply', async () => {
    const { redis } = suite.diff;
    await redis.call('SET', 'src', 'value');
    const payload = await dump(redis, 'src');
    const bad = Buffer.from(payload);
    bad[bad.length - 1] ^= 1;
    const v11 = Buffer.from(payload);
    v11.writeUInt16LE(11, v11.length - 10);
    const zeroCrc = Buffer.from(payload);
    zeroCrc.fill(0, zeroCrc.length - 8);
    const future = String(Date.now() + 100000);
    const steps: (string | Buffer)[][] = [
      ['RESTORE', 'k', '0', payload],
      ['RESTORE', 'k', '0', payload],
      ['RESTORE', 'k', '0', payload, 'REPLACE'],
      ['RESTORE', 'k', '-1', payload, 'REPLACE'],
      ['RESTORE', 'k2', '-1', payload],
      ['RESTORE', 'k2', 'abc', payload],
      ['RESTORE', 'k2', '0', bad],
      ['RESTORE', 'k2', '0', v11],
      ['RESTORE', 'k2', '0', zeroCrc],
      ['RESTORE', 'k2', '0', 'short'],
      ['RESTORE', 'k2', '0', ''],
      ['RESTORE', 'k2', '0', payload, 'BOGUS'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME', '-1'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME', 'x'],
      ['RESTORE', 'k2', '0', payload, 'FREQ', '256'],
      ['RESTORE', 'k2', '0', payload, 'FREQ', '-1'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME', '10', 'FREQ', '5'],
      ['RESTORE', 'k2', '0', payload, 'FREQ', '5', 'IDLETIME', '10'],
      ['RESTORE', 'k2', '0', payload, 'IDLETIME', '1000'],
      ['OBJECT', 'IDLETIME', 'k2'],
      ['RESTORE', 'k3', '0', payload, 'FREQ', '7'],
      ['RESTORE', 'k4', future, payload, 'ABSTTL'],
      ['PEXPIRETIME', 'k4'],
      ['RESTORE', 'k5', '1', payload, 'ABSTTL'],
      ['EXISTS', 'k5'],
      ['RESTORE', 'k4', '1', payload, 'ABSTTL', 'REPLACE'],
      ['EXISTS', 'k4'],
      ['RESTORE', 'k6', '100000', payload],
      ['TTL', 'k6'],
      // BUSYKEY is checked before the TTL and the payload.
      ['RESTORE', 'k', '-1', 'garbage'],
      ['RESTORE', 'k', '0', 'garbage', 'REPLACE'],
      ['GET', 'k'],
    ];
    expect(await suite.diff.run(steps)).toEqual([]);
  });

  it('IDLETIME and FREQ set the access word as Redis does', async () => {
    const { brook, redis } = suite.diff;
    await redis.call('SET', 'src', 'value');
    await redis.call('RPUSH', 'lsrc', 'a');
    for (const key of ['src', 'lsrc']) {
      const payload = await dump(redis, key);
      for (const c of [brook, redis]) {
        await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
        expect(await c.call('RESTORE', `${key}:idle`, '0', payload, 'IDLETIME', '5000')).toBe('+OK\r\n');
        const idle = Number(decodeReply(await c.call('OBJECT', 'IDLETIME', `${key}:idle`)));
        expect(idle).toBeGreaterThanOrEqual(5000);
        expect(idle).toBeLessThan(5010);
        await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
        expect(await c.call('RESTORE', `${key}:freq`, '0', payload, 'FREQ', '77')).toBe('+OK\r\n');
        expect(await c.call('OBJECT', 'FREQ', `${key}:freq`)).toBe(':77\r\n');
        await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      }
    }
  });
});
