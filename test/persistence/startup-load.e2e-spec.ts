import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BROOK_BIN, freePort, requireTool, startBrookProcess, startRedis, type RunningServer } from '../support/servers.js';
import { keysImage } from './key-image.js';

/**
 * Loading at start-up, both ways with real Redis: Brook starts from Redis's dump.rdb and Redis from
 * Brook's, with the same data (every type in small and large encodings, TTLs, a stream with groups
 * and pending entries, all 16 databases); commands get -LOADING while a load runs; a corrupt file
 * stops the server as it stops Redis.
 */

const servers: RunningServer[] = [];
const clients: Redis[] = [];
const client = (s: RunningServer, db = 0): Redis => {
  const c = new Redis({ port: s.port, host: '127.0.0.1', db, maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
};
const track = (s: RunningServer): RunningServer => {
  servers.push(s);
  return s;
};

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const far = (): number => Date.now() + 7_200_000;

/** The same data set written to either server: every type, small and large encodings, every database. Returns the keys per db. */
async function fill(s: RunningServer): Promise<string[][]> {
  const keys: string[][] = [];
  for (let n = 0; n < 16; n++) {
    const c = client(s, n);
    const p = c.pipeline();
    p.set(`int${n}`, '12345');
    p.set(`neg${n}`, '-9007199254740993');
    p.set(`str${n}`, `text-${n}`);
    p.set(`lzf${n}`, 'ab'.repeat(500));
    p.set(`bin${n}`, Buffer.from([0, 255, 13, 10, 128]));
    p.set(`ttl${n}`, 'soon', 'PXAT', far() + n);
    p.rpush(`list${n}`, 'a', 'b', '3');
    p.rpush(`biglist${n}`, ...Array.from({ length: 300 }, (_, i) => `item-${i}`));
    p.hset(`hash${n}`, 'f', 'v', 'n', '1');
    p.hset(`bighash${n}`, ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    p.sadd(`intset${n}`, '1', '2', '300000');
    p.sadd(`set${n}`, 'x', 'y');
    p.sadd(`bigset${n}`, ...Array.from({ length: 700 }, (_, i) => `m${i}`));
    p.zadd(`zset${n}`, 1.5, 'a', -2, 'b');
    p.zadd(`bigzset${n}`, ...Array.from({ length: 200 }, (_, i) => [i / 3, `z${i}`]).flat());
    p.pfadd(`hll${n}`, 'a', 'b', 'c');
    p.pexpireat(`list${n}`, far() + 100 + n);
    await p.exec();
    keys.push([
      `int${n}`,
      `neg${n}`,
      `str${n}`,
      `lzf${n}`,
      `bin${n}`,
      `ttl${n}`,
      `list${n}`,
      `biglist${n}`,
      `hash${n}`,
      `bighash${n}`,
      `intset${n}`,
      `set${n}`,
      `bigset${n}`,
      `zset${n}`,
      `bigzset${n}`,
      `hll${n}`,
    ]);
  }
  const c0 = client(s);
  for (let i = 1; i <= 5; i++) await c0.xadd('stream', `${i}-1`, 'f', `v${i}`, 'g', String(i));
  await c0.xdel('stream', '2-1');
  await c0.xgroup('CREATE', 'stream', 'g1', '0');
  await c0.xgroup('CREATE', 'stream', 'g2', '$');
  await c0.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', '2', 'STREAMS', 'stream', '>');
  await c0.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await c0.xack('stream', 'g1', '1-1');
  await c0.call('xgroup', 'createconsumer', 'stream', 'g2', 'idle');
  keys[0].push('stream');
  return keys;
}

async function images(s: RunningServer, keys: string[][]): Promise<unknown[]> {
  const out = [];
  for (let n = 0; n < 16; n++) {
    const c = client(s, n);
    out.push({ db: n, size: await c.dbsize(), keys: await keysImage(c, keys[n]) });
  }
  return out;
}

describe('start-up load, both ways with real Redis', () => {
  it("Brook starts from real Redis's SAVE with the same data", async () => {
    const redis = track(await startRedis());
    const keys = await fill(redis);
    await client(redis).save();
    const expected = await images(redis, keys);
    const brook = track(await startBrookProcess(['--dir', redis.dir]));
    await waitLoaded(client(brook));
    expect(await images(brook, keys)).toEqual(expected);
  });

  it("real Redis starts from Brook's SAVE with the same data, and redis-check-rdb accepts the file", async () => {
    requireTool('redis-check-rdb');
    const brook = track(await startBrookProcess());
    const keys = await fill(brook);
    await client(brook).save();
    const expected = await images(brook, keys);
    expect(execFileSync('redis-check-rdb', [join(brook.dir, 'dump.rdb')]).toString()).toContain('RDB looks OK');
    const redis = track(await startRedis(['--dir', brook.dir]));
    expect(await images(redis, keys)).toEqual(expected);
  });
});

async function waitLoaded(c: Redis): Promise<void> {
  for (;;) {
    const reply = await c.ping().catch((e: unknown) => (e as Error).message);
    if (reply === 'PONG') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('while loading, and a bad file', () => {
  it('answers -LOADING to commands without the loading flag and reports loading_* in INFO until the data set is in', async () => {
    const redis = track(await startRedis(['--enable-debug-command', 'yes']));
    const rc = client(redis);
    await rc.call('debug', 'populate', '500000');
    await rc.save();
    const brook = track(await startBrookProcess(['--dir', redis.dir]));
    // Without ioredis's ready check, which would wait for loading:0 before sending anything.
    const c = new Redis({ port: brook.port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
    clients.push(c);
    await expect(c.get('key:1')).rejects.toThrow('LOADING Redis is loading the dataset in memory');
    const info = await c.info('persistence');
    expect(info).toContain('loading:1');
    expect(info).toMatch(/loading_total_bytes:[1-9]\d*\r\n/);
    expect(info).toMatch(/loading_loaded_perc:\d+\.\d\d\r\n/);
    await waitLoaded(c);
    expect(await c.info('persistence')).toContain('loading:0');
    expect(await c.dbsize()).toBe(500_000);
    expect(await c.get('key:499999')).toBe('value:499999');
  });

  it('refuses a corrupt file and exits with status 1, as redis-server does', async () => {
    const redis = track(await startRedis(['--enable-debug-command', 'yes']));
    const rc = client(redis);
    await rc.call('debug', 'populate', '1000');
    await rc.save();
    const bad = mkdtempSync(join(tmpdir(), 'brook-bad-'));
    const bytes = readFileSync(join(redis.dir, 'dump.rdb'));
    bytes[bytes.length - 3] ^= 0xff; // in the checksum
    writeFileSync(join(bad, 'dump.rdb'), bytes);
    const codes: (number | null)[] = [];
    const outputs: string[] = [];
    for (const cmd of [process.execPath, 'redis-server']) {
      const common = ['--port', String(await freePort()), '--bind', '127.0.0.1', '--dir', bad, '--save', ''];
      const args = cmd === 'redis-server' ? common : [BROOK_BIN, ...common];
      try {
        execFileSync(cmd, args, { timeout: 20000, stdio: 'pipe' });
        codes.push(0);
      } catch (e) {
        const err = e as { status: number | null; stdout: Buffer; stderr: Buffer };
        codes.push(err.status);
        outputs.push(err.stdout.toString() + err.stderr.toString());
      }
    }
    expect(codes).toEqual([1, 1]);
    for (const out of outputs) expect(out).toContain('Internal error in RDB reading offset');
  });
});
