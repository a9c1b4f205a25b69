/**
 * DUMP and RESTORE against real Redis 7.0.15: every type and encoding dumped by Redis restores in
 * Brook with the same contents and OBJECT ENCODING, and Brook's dumps restore in Redis; where both
 * servers hold the same encoding in the same order the payload bytes are identical. RESTORE's
 * options and errors are compared reply for reply.
 */
import { describe, expect, it } from '@jest/globals';
import { decodeReply } from '../support/resp-value.js';
import { differentialSuite, script } from '../support/differential.js';
import { contents, dump, FIXTURES, maskTimes } from './value-fixtures.js';

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
