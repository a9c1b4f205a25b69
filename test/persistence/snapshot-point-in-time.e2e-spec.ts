import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { requireTool, startBrookProcess, startRedis, type RunningServer } from '../support/servers.js';
import { bgsaveFinished, keysImage } from './key-image.js';

/**
 * The forkless BGSAVE writes the data set as it was when BGSAVE started, while writes go on: every
 * key changed in any way during the save (overwritten, deleted, expired, renamed, moved, flushed,
 * swapped, edited in place, its TTL set or removed) is in the file with its value and TTL at the
 * start, and keys created later are not. The file is checked by a real redis-server loading it.
 */

const FILLER = 200_000;
/** Keys created before the filler sit where the walk arrives last (it goes from the newest slot down). */
const SUBJECTS = [
  'str',
  'del',
  'exp',
  'ren',
  'mv',
  'lst',
  'hsh',
  'stm',
  'zs',
  'sr',
  'ap',
  'ctr',
  'hll',
  'bits',
  'ttlon',
  'ttloff',
  'ttlchg',
  'st',
  'big',
  'ren2',
  'ctr2',
];
const LATE_KEYS = ['new:1', 'new:2', 'ren2', 'new:3'];

describe('BGSAVE is a point-in-time image while writes continue', () => {
  let brook: RunningServer;
  let redis: RunningServer | undefined;
  const clients: Redis[] = [];
  const db = (port: number, n: number): Redis => {
    const c = new Redis({ port, host: '127.0.0.1', db: n, lazyConnect: false });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    requireTool('redis-server');
    brook = await startBrookProcess();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([brook.stop(), redis?.stop()]);
  });

  it('every key of every database has its value and TTL at BGSAVE start; later keys are absent', async () => {
    const c0 = db(brook.port, 0);
    const far = Date.now() + 3_600_000;
    await c0
      .multi()
      .set('str', 'old')
      .set('del', 'gone-later')
      .set('exp', 'expires-later')
      .rpush('ren', 'r1', 'r2')
      .set('mv', 'moved-later')
      .rpush('lst', 'a', 'b')
      .hset('hsh', 'f1', 'v1', 'f2', 'v2')
      .sadd('st', 'm1', 'm2', 'm3')
      .zadd('zs', 1, 'x', 2, 'y')
      .set('sr', 'abcdef')
      .set('ap', 'start')
      .set('ctr', '41')
      .set('ctr2', '9007199254740993')
      .pfadd('hll', 'a', 'b', 'c')
      .setbit('bits', 7, 1)
      .set('ttlon', 'persistent')
      .set('ttloff', 'volatile', 'PXAT', far)
      .set('ttlchg', 'volatile', 'PXAT', far + 1)
      .rpush('big', ...Array.from({ length: 2000 }, (_, i) => `e${i}`))
      .exec();
    await c0.xadd('stm', '1-1', 'f', 'v1');
    await c0.xadd('stm', '2-1', 'f', 'v2');
    await c0.xgroup('CREATE', 'stm', 'g', '0');
    await c0.xreadgroup('GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 'stm', '>');
    // The filler: every type, enough that the save spans many event-loop turns.
    for (let i = 0; i < FILLER; i += 10_000) {
      const p = c0.pipeline();
      for (let j = i; j < i + 10_000; j++) {
        const k = `f:${j}`;
        switch (j % 5) {
          case 0:
            p.set(k, `v${j}`);
            break;
          case 1:
            p.rpush(k, 'a', String(j));
            break;
          case 2:
            p.hset(k, 'f', String(j));
            break;
          case 3:
            p.sadd(k, 'a', String(j));
            break;
          default:
            p.zadd(k, j, 'm');
        }
      }
      await p.exec();
    }
    // Every other database: a few keys; 1 is edited, 2 flushed, 4 and 5 swapped, 15 deleted from.
    const others: Record<number, Redis> = {};
    for (let n = 1; n < 16; n++) {
      others[n] = db(brook.port, n);
      await others[n].set(`k${n}`, `db${n}`);
      await others[n].rpush(`l${n}`, 'x', 'y');
    }

    const dbKeys = (n: number): string[] => (n === 0 ? SUBJECTS : [`k${n}`, `l${n}`, 'mv']);
    const expected: Record<number, Record<string, unknown>> = {};
    const sizes: number[] = [];
    for (let n = 0; n < 16; n++) {
      const c = n === 0 ? c0 : others[n];
      expected[n] = await keysImage(c, dbKeys(n));
      sizes.push(await c.dbsize());
    }
    const sample = Array.from({ length: 300 }, (_, i) => `f:${(i * 661) % FILLER}`);
    const expectedSample = await keysImage(c0, sample);

    // BGSAVE and the first writes in one batch: they all land before the first slice runs.
    const first = await c0
      .pipeline()
      .bgsave()
      .set('str', 'new')
      .del('del')
      .pexpire('exp', 1)
      .rename('ren', 'ren2')
      .move('mv', 1)
      .lpush('lst', 'z')
      .hset('hsh', 'f1', 'changed', 'f3', 'added')
      .xadd('stm', '3-1', 'f', 'v3')
      .xack('stm', 'g', '1-1')
      .zincrby('zs', 10, 'x')
      .setrange('sr', 2, 'XY')
      .append('ap', '+more')
      .incr('ctr')
      .incr('ctr2')
      .pfadd('hll', 'd', 'e', 'f', 'g')
      .setbit('bits', 100, 1)
      .expire('ttlon', 1000)
      .persist('ttloff')
      .pexpireat('ttlchg', far + 99)
      .srem('st', 'm1')
      .lpop('big', 1000)
      .set('new:1', 'late')
      .exec();
    expect(first?.[0]).toEqual([null, 'Background saving started']);
    await new Promise((r) => setTimeout(r, 5));
    await c0.get('exp'); // expired now: the lazy expiry deletes it
    expect(await c0.info('persistence')).toContain('rdb_bgsave_in_progress:1');
    // Second batch, other databases: a later section's keys preserved while db 0's is written.
    await others[1].set('k1', 'changed');
    await others[1].lpush('l1', 'w');
    await others[2].flushdb();
    await others[3].set('new:2', 'late');
    await c0.swapdb(4, 5);
    await others[4].set('k5', 'edited-after-swap'); // db 4 now holds db 5's keys
    await others[5].del('l4');
    await others[15].del('k15');
    await c0.set('new:3', 'late');
    await c0.xreadgroup('GROUP', 'g', 'bob', 'STREAMS', 'stm', '>');
    expect(await c0.info('persistence')).toContain('rdb_bgsave_in_progress:1');

    const info = await bgsaveFinished(c0);
    expect(info).toContain('rdb_last_bgsave_status:ok');
    const check = execFileSync('redis-check-rdb', [join(brook.dir, 'dump.rdb')]).toString();
    expect(check).toContain('RDB looks OK');

    redis = await startRedis(['--dir', brook.dir, '--dbfilename', 'dump.rdb']);
    const r0 = db(redis.port, 0);
    for (let n = 0; n < 16; n++) {
      const c = n === 0 ? r0 : db(redis.port, n);
      expect({ db: n, size: await c.dbsize() }).toEqual({ db: n, size: sizes[n] });
      expect({ db: n, keys: await keysImage(c, dbKeys(n)) }).toEqual({ db: n, keys: expected[n] });
    }
    expect(await keysImage(r0, sample)).toEqual(expectedSample);
    for (const k of LATE_KEYS) expect({ k, exists: await r0.exists(k) }).toEqual({ k, exists: 0 });
  });
});
