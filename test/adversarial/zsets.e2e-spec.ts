/**
 * Hostile input against the sorted-set commands, side by side with Redis: counts near ±2^63 (no
 * allocation beyond the sorted set, refused where Redis refuses), giant members, ZRANGE 0 -1 of a
 * 1M-member sorted set and ZUNIONSTORE of two large ones, which block Redis's loop too: another
 * client's PING may wait about as long as it waits on Redis, not more.
 */
import { describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { adversarialSuite, call, MAX_PING_MS, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();

/** Fills `key` with members m<i> scored i for i in [from, from + n), 10k per ZADD. */
async function fill(t: Target, key: string, n: number, from = 0): Promise<void> {
  const c = await RawClient.connect(t.port);
  try {
    await c.call('DEL', key);
    for (let i = from; i < from + n; i += 10000) {
      const args = ['ZADD', key];
      for (let j = i; j < Math.min(from + n, i + 10000); j++) args.push(String(j), `m${j}`);
      await c.call(...args);
    }
  } finally {
    c.close();
  }
}

/** Sends one command and reads `bytes` bytes of reply (too big for RawClient's reparsing); returns the last 32. */
function drain(t: Target, argv: string[], bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let got = 0;
    let tail = '';
    s.on('error', reject);
    s.on('data', (d) => {
      got += d.length;
      tail = (tail + d.toString('latin1')).slice(-32);
      if (got >= bytes) {
        s.destroy();
        resolve(tail);
      }
    });
    s.connect(t.port, '127.0.0.1', () => s.write(encodeCommand(argv)));
  });
}

/** RESP2 size of a bulk string of `n` bytes. */
function bulkSize(n: number): number {
  return String(n).length + n + 5;
}

describe('counts near ±2^63', () => {
  it.each(
    [
      ['ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES'],
      ['ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES'],
      ['ZRANDMEMBER', 'z', '-9223372036854775808'],
      ['ZRANDMEMBER', 'z', '9223372036854775807'],
      ['ZRANGE', 'z', '0', '9223372036854775807'],
      ['ZRANGE', 'z', '-9223372036854775808', '9223372036854775807', 'WITHSCORES'],
      ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '9223372036854775807', '9223372036854775807'],
      ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '9223372036854775807'],
      ['ZREMRANGEBYRANK', 'nokey', '-9223372036854775808', '9223372036854775807'],
      ['ZINTERCARD', '1', 'z', 'LIMIT', '9223372036854775807'],
      ['ZMPOP', '9223372036854775807', 'z', 'MIN'],
      ['ZPOPMIN', 'z', '9223372036854775807'],
    ].map((argv) => [argv.join(' '), argv] as const),
  )('%s replies as Redis at once, allocating nothing beyond the sorted set', async (_label, argv) => {
    for (const t of suite.both()) await fill(t, 'z', 1000);
    const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, async () => call(t, ...argv))));
    // A whole-set ZRANDMEMBER is ordered (highest first), so whole replies compare.
    expect(b.result).toBe(r.result);
    expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
  });

  it('a huge negative ZRANDMEMBER count is refused by Brook (Redis would write draws until memory runs out)', async () => {
    await fill(suite.brook, 'z', 10);
    const res = await underAttack(suite.brook, async () => call(suite.brook, 'ZRANDMEMBER', 'z', '-4611686018427387904'));
    expect(res.result).toBe('-ERR value is out of range\r\n');
    expect(res.maxPingMs).toBeLessThan(MAX_PING_MS);
    const tail = await drain(suite.brook, ['ZRANDMEMBER', 'z', '-1000000'], '*1000000\r\n'.length + 1000000 * bulkSize(2));
    expect(tail).toMatch(/\$2\r\nm\d\r\n$/);
  });
});

describe('giant members', () => {
  it('a 4 MB member and a 4 MB lex bound work as on Redis', async () => {
    const giant = 'g'.repeat(4 * 1024 * 1024);
    for (const argv of [
      ['ZADD', 'big', '1', giant, '2', 'small'],
      ['OBJECT', 'ENCODING', 'big'],
      ['ZSCORE', 'big', giant],
      ['ZLEXCOUNT', 'big', `[${giant}`, '+'],
      ['ZRANK', 'big', giant],
      ['ZREM', 'big', giant],
      ['ZCARD', 'big'],
    ]) {
      const [b, r] = await Promise.all(suite.both().map((t) => call(t, ...argv)));
      expect({ argv: argv[0], reply: b }).toEqual({ argv: argv[0], reply: r });
    }
  });
});

describe('whole-set work on large sorted sets', () => {
  it('ZRANGE 0 -1 of 1M members blocks other clients about as long as Redis does', async () => {
    const n = 1000000;
    let bytes = `*${n}\r\n`.length;
    for (let i = 0; i < n; i++) bytes += bulkSize(String(i).length + 1);
    for (const t of suite.both()) await fill(t, 'huge', n);
    const results = [];
    for (const t of suite.both())
      results.push(await underAttack(t, async () => drain(t, ['ZRANGE', 'huge', '0', '-1'], bytes), 512 * 1024 * 1024));
    const [b, r] = results;
    expect(b.result).toBe(r.result);
    console.log(`ZRANGE 0 -1 of ${n}: max PING wait brook ${b.maxPingMs.toFixed(0)} ms, redis ${r.maxPingMs.toFixed(0)} ms`);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 5 * r.maxPingMs));
  }, 180000);

  it('ZUNIONSTORE of two 300k-member sorted sets blocks other clients about as long as Redis does', async () => {
    for (const t of suite.both()) {
      await fill(t, 'u1', 300000);
      await fill(t, 'u2', 300000, 150000);
    }
    const results = [];
    for (const t of suite.both())
      results.push(await underAttack(t, async () => call(t, 'ZUNIONSTORE', 'dst', '2', 'u1', 'u2'), 512 * 1024 * 1024));
    const [b, r] = results;
    expect(b.result).toBe(':450000\r\n');
    expect(r.result).toBe(':450000\r\n');
    console.log(`ZUNIONSTORE 300k + 300k: max PING wait brook ${b.maxPingMs.toFixed(0)} ms, redis ${r.maxPingMs.toFixed(0)} ms`);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 5 * r.maxPingMs));
    for (const t of suite.both())
      expect(await call(t, 'ZRANGE', 'dst', '149999', '150001', 'WITHSCORES')).toBe(
        await call(suite.redis, 'ZRANGE', 'dst', '149999', '150001', 'WITHSCORES'),
      );
  }, 180000);

  it('ZINTER of a huge sorted set with a small one walks the small one', async () => {
    for (const t of suite.both()) {
      await fill(t, 'huge2', 500000);
      await fill(t, 'tiny', 3, 1000);
    }
    const [b, r] = await Promise.all(
      suite.both().map((t) => underAttack(t, async () => call(t, 'ZINTER', '2', 'huge2', 'tiny', 'WITHSCORES'))),
    );
    expect(b.result).toBe(r.result);
    expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
  }, 180000);
});
