/**
 * maxmemory and the eight maxmemory-policy values: each server is filled past a 4 MB limit with
 * 1 KB values, then the accounted used_memory must come back under the limit (plus one value's
 * margin) and the keys left must be the ones the policy keeps: touched keys under LRU/LFU, keys
 * without a TTL under volatile-*, the latest-expiring under volatile-ttl. The OOM error, the reads
 * that still work and OBJECT FREQ/IDLETIME are compared with a real redis-server.
 */
import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { pairClients } from '../support/differential.js';
import { serverPair, serverPool } from '../support/servers.js';
import { eventually, waitUntil } from '../support/wait.js';

const MAXMEMORY = 4 * 1024 * 1024;
const VALUE = 'v'.repeat(1000);
/** What one more key may add before the next command evicts again. */
const MARGIN = 2 * 1024;
/** Fresh keys written between two reads of the hot set. */
const BATCH = 400;
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

async function infoField(r: Redis, section: string, field: string): Promise<number> {
  return Number(new RegExp(`${field}:(\\d+)`).exec(await r.info(section))![1]);
}

/** SETs `prefix:i` for each i, pipelined; `ttlMs(i)` gives a PX. Returns the error texts of refused writes. */
async function fill(r: Redis, prefix: string, ids: number[], ttlMs?: (i: number) => number): Promise<string[]> {
  const p = r.pipeline();
  for (const i of ids) {
    if (ttlMs) p.set(`${prefix}:${i}`, VALUE, 'PX', ttlMs(i));
    else p.set(`${prefix}:${i}`, VALUE);
  }
  const replies = (await p.exec()) ?? [];
  return replies.flatMap(([err]) => (err ? [err.message] : []));
}

/** How many of `prefix:i` exist. */
async function present(r: Redis, prefix: string, ids: number[]): Promise<number> {
  const p = r.pipeline();
  for (const i of ids) p.exists(`${prefix}:${i}`);
  return ((await p.exec()) ?? []).reduce((n, [, v]) => n + (v as number), 0);
}

/** The accounted memory settles under maxmemory plus a margin once eviction has caught up. */
async function expectWithinLimit(r: Redis): Promise<void> {
  const within = await eventually(async () => (await infoField(r, 'memory', 'used_memory')) <= MAXMEMORY + MARGIN, 10_000);
  expect({ used: await infoField(r, 'memory', 'used_memory'), within }).toEqual({ used: expect.any(Number), within: true });
}

const pool = serverPool();

async function start(policy: string, extra: string[] = []): Promise<Redis> {
  const server = await pool.brook(['--maxmemory', String(MAXMEMORY), '--maxmemory-policy', policy, ...extra]);
  return pool.client(server);
}

describe.each([
  ['allkeys-lru', false],
  ['volatile-lru', true],
  ['allkeys-lfu', false],
  ['volatile-lfu', true],
])('%s', (policy, volatile) => {
  // LFU counters grow by one per access with lfu-log-factor 0, and never decay with lfu-decay-time 0.
  const lfu = policy.endsWith('-lfu');

  it('keeps the keys in use: the hot set and the latest writes survive, the untouched go', async () => {
    const r = await start(policy, lfu ? ['--lfu-log-factor', '0', '--lfu-decay-time', '0'] : []);
    const ttl = volatile ? (): number => 3_600_000 : undefined;
    const hot = range(0, 100);
    const cold = range(0, 2800);
    if (volatile) await fill(r, 'persistent', range(0, 300));
    await fill(r, 'hot', hot, ttl);
    await fill(r, 'cold', cold, ttl);
    expect(await infoField(r, 'stats', 'evicted_keys')).toBe(0);
    // The LRU clock counts seconds: the writes that follow must come at least a second after the cold ones.
    if (!lfu) await new Promise((resolve) => setTimeout(resolve, 2100));
    // Fresh keys written in batches, the hot set read before each batch. Under LRU the hot reads
    // come a second after the batch before them: the clock counts seconds, and in a tie with fresh
    // keys a sampled hot key could go (rarely, as in Redis), which is not what this test is about.
    const fresh = range(0, 2800);
    for (let b = 0; b < fresh.length; b += BATCH) {
      if (!lfu && b > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
      const p = r.pipeline();
      for (const i of hot) p.get(`hot:${i}`);
      await p.exec();
      expect(await fill(r, 'fresh', fresh.slice(b, b + BATCH), ttl)).toEqual([]);
    }
    await expectWithinLimit(r);
    expect(await infoField(r, 'stats', 'evicted_keys')).toBeGreaterThan(1000);
    expect(await present(r, 'hot', hot)).toBe(hot.length);
    if (volatile) expect(await present(r, 'persistent', range(0, 300))).toBe(300);
    if (lfu) {
      // LFU_INIT_VAL (5), plus one per read.
      expect(await r.call('OBJECT', 'FREQ', 'hot:0')).toBe(5 + fresh.length / BATCH);
    } else {
      // The untouched cold keys went first: nearly every fresh key is still there.
      expect(await present(r, 'fresh', fresh)).toBeGreaterThan(fresh.length * 0.95);
      expect(await present(r, 'cold', cold)).toBeLessThan(cold.length * 0.5);
    }
  });
});

describe('volatile-random', () => {
  it('evicts only keys with a TTL, then refuses writes with the OOM error while reads work', async () => {
    const r = await start('volatile-random');
    await fill(r, 'persistent', range(0, 1000));
    const volatile = range(0, 4000);
    expect(await fill(r, 'volatile', volatile, () => 3_600_000)).toEqual([]);
    await expectWithinLimit(r);
    expect(await present(r, 'persistent', range(0, 1000))).toBe(1000);
    expect(await present(r, 'volatile', volatile)).toBeLessThan(volatile.length);
    // No TTL left to evict once persistent keys fill the memory: denyoom commands are refused.
    const errors = await fill(r, 'more', range(0, 4000));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set([OOM]));
    expect(await present(r, 'volatile', volatile)).toBe(0);
    expect(await r.get('persistent:0')).toBe(VALUE);
    expect(await r.del('persistent:0')).toBe(1);
  });
});

describe('allkeys-random', () => {
  it('evicts old and new keys alike and stays within the limit; each eviction is an `evicted` event', async () => {
    const r = await start('allkeys-random', ['--notify-keyspace-events', 'Ee']);
    const subscriber = r.duplicate();
    const evicted = new Set<string>();
    subscriber.on('message', (_channel: string, key: string) => evicted.add(key));
    await subscriber.subscribe('__keyevent@0__:evicted');
    await fill(r, 'old', range(0, 3000));
    expect(await fill(r, 'new', range(0, 3000))).toEqual([]);
    await expectWithinLimit(r);
    const [old, fresh] = [await present(r, 'old', range(0, 3000)), await present(r, 'new', range(0, 3000))];
    expect(old).toBeLessThan(3000);
    expect(fresh).toBeLessThan(3000);
    expect(old + fresh).toBeGreaterThan(3000);
    const count = await infoField(r, 'stats', 'evicted_keys');
    await waitUntil(
      () => evicted.size === count,
      () => `${count} evicted events, got ${evicted.size}`,
    );
    for (const key of [...evicted].slice(0, 100)) expect(await r.exists(key)).toBe(0);
    subscriber.disconnect();
  });
});

describe('volatile-ttl', () => {
  it('evicts the keys that expire soonest, never the persistent ones', async () => {
    const r = await start('volatile-ttl');
    await fill(r, 'persistent', range(0, 500));
    const keys = range(0, 4400);
    // Key i expires i seconds after the first: the earliest written expire soonest.
    expect(await fill(r, 'ttl', keys, (i) => 3_600_000 + i * 1000)).toEqual([]);
    await expectWithinLimit(r);
    expect(await present(r, 'persistent', range(0, 500))).toBe(500);
    const quarter = keys.length / 4;
    const soonest = await present(r, 'ttl', keys.slice(0, quarter));
    const latest = await present(r, 'ttl', keys.slice(-quarter));
    expect(latest).toBeGreaterThan(quarter * 0.95);
    expect(soonest).toBeLessThan(quarter * 0.5);
  });
});

describe('noeviction beside Redis', () => {
  const pair = serverPair(['--maxmemory-policy', 'noeviction'], ['--maxmemory-policy', 'noeviction']);
  const { same } = pairClients(pair);

  it('refuses denyoom commands with Redis’s error, in and out of MULTI; reads and deletes still run', async () => {
    await same('SET', 'k', 'v');
    await same('RPUSH', 'list', 'a', 'b');
    await same('CONFIG', 'SET', 'maxmemory', '1');
    try {
      expect(await same('SET', 'x', 'y')).toBe(`-${OOM}\r\n`);
      await same('INCR', 'counter');
      await same('LPUSH', 'list', 'c');
      await same('GET', 'k');
      await same('LRANGE', 'list', '0', '-1');
      await same('EXISTS', 'k');
      await same('LPOP', 'list');
      await same('MULTI');
      await same('SET', 'a', 'b');
      await same('GET', 'k');
      await same('EXEC');
      await same('MULTI');
      await same('DISCARD');
    } finally {
      await same('CONFIG', 'SET', 'maxmemory', '0');
    }
    await same('SET', 'x', 'y');
  });
});

describe('OBJECT FREQ and IDLETIME beside Redis', () => {
  const pair = serverPair(
    ['--maxmemory-policy', 'allkeys-lfu', '--lfu-log-factor', '0', '--lfu-decay-time', '0'],
    ['--maxmemory-policy', 'allkeys-lfu', '--lfu-log-factor', '0', '--lfu-decay-time', '0'],
  );
  const { same } = pairClients(pair);

  it('counts each access under lfu-log-factor 0, from LFU_INIT_VAL', async () => {
    await same('SET', 's', 'v');
    await same('RPUSH', 'l', 'a');
    await same('OBJECT', 'FREQ', 's');
    for (let i = 0; i < 7; i++) {
      await same('GET', 's');
      await same('LLEN', 'l');
    }
    expect(await same('OBJECT', 'FREQ', 's')).toBe(':12\r\n');
    await same('OBJECT', 'FREQ', 'l');
    await same('OBJECT', 'IDLETIME', 's');
    await same('OBJECT', 'FREQ', 'missing');
  });

  it('IDLETIME is 0 right after a write under LRU and noeviction alike', async () => {
    for (const policy of ['allkeys-lru', 'noeviction', 'volatile-ttl']) {
      await same('CONFIG', 'SET', 'maxmemory-policy', policy);
      await same('SET', 'fresh', 'v');
      await same('OBJECT', 'IDLETIME', 'fresh');
      await same('OBJECT', 'FREQ', 'fresh');
    }
  });
});

describe('CONFIG SET maxmemory at run time', () => {
  it('evicts at once down to a lower limit, and the policy can change meanwhile', async () => {
    const r = await start('noeviction');
    await r.config('SET', 'maxmemory', '0');
    await fill(r, 'k', range(0, 3000));
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    await r.config('SET', 'maxmemory', String(MAXMEMORY / 2));
    await waitUntil(async () => (await infoField(r, 'memory', 'used_memory')) <= MAXMEMORY / 2 + MARGIN, 'eviction to the new limit');
    expect(await r.dbsize()).toBeLessThan(3000);
    expect(await infoField(r, 'memory', 'maxmemory')).toBe(MAXMEMORY / 2);
  });

  it('evicts nothing while clients are paused, and catches up after', async () => {
    const r = await start('allkeys-random');
    await fill(r, 'k', range(0, 2000));
    await r.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    await r.config('SET', 'maxmemory', String(MAXMEMORY / 4));
    expect(await infoField(r, 'stats', 'evicted_keys')).toBe(0);
    expect(await r.dbsize()).toBe(2000);
    await r.call('CLIENT', 'UNPAUSE');
    await waitUntil(async () => (await infoField(r, 'memory', 'used_memory')) <= MAXMEMORY / 4 + MARGIN, 'eviction after the pause');
    expect(await infoField(r, 'stats', 'evicted_keys')).toBeGreaterThan(0);
  });
});
