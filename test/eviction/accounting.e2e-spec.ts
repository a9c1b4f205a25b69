/**
 * The memory eviction counts (INFO used_memory while maxmemory is set) against what the data
 * really costs: its growth while loading each kind of value is compared with the heap's growth
 * measured after full GCs, and the figure kept write by write equals the one a fresh pass over
 * the keys computes (CONFIG SET maxmemory 0, then a limit again).
 */
import { describe, expect, it } from '@jest/globals';
import { Redis, type ChainableCommander } from 'ioredis';
import { GC_ENV, heapAfterGc } from '../support/heap.js';
import { serverPool } from '../support/servers.js';
import { waitUntil } from '../support/wait.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, j) => j);

/** Kinds of value: [name, keys, the commands writing key i]; collections are written a piece at a time. */
const KINDS: [string, number, (key: string, i: number) => (string | number)[][]][] = [
  ['string', 40_000, (k, i) => [['SET', k, `value-${i}-${'v'.repeat(40)}`]]],
  ['counter', 40_000, (k, i) => [['SET', k, i * 1000]]],
  ['small hash', 10_000, (k) => range(10).map((j) => ['HSET', k, `field${j}`, `value${j}`])],
  ['list', 200, (k) => range(10).map((j) => ['RPUSH', k, ...range(100).map((e) => `element-${j}-${e}`)])],
  ['set', 200, (k) => range(5).map((j) => ['SADD', k, ...range(100).map((e) => `member-${j}-${e}`)])],
  ['sorted set', 200, (k) => range(5).map((j) => ['ZADD', k, ...range(100).flatMap((e) => [j * 100 + e, `member-${j}-${e}`])])],
  ['stream', 100, (k) => range(300).map((j) => ['XADD', k, '*', 'field', `value-${j}`])],
];

const usedMemory = async (r: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);

describe('used_memory under maxmemory', () => {
  const pool = serverPool();

  it('grows as the heap does when data is loaded (within 30%), for every kind of value', async () => {
    const server = await pool.brook(['--maxmemory', '1gb'], GC_ENV);
    const r = pool.client(server);
    const pid = Number(/process_id:(\d+)/.exec(await r.info('server'))![1]);
    const ratios: Record<string, number> = {};
    for (const [kind, keys, commands] of KINDS) {
      // Each load on a connection of its own, closed before the heap is measured: its buffers are not data.
      const load = async (prefix: string, count: number): Promise<void> => {
        const loader = new Redis({ port: server.port, host: '127.0.0.1' });
        const pipeline: ChainableCommander = loader.pipeline();
        for (let i = 0; i < count; i++) for (const [name, ...args] of commands(`${prefix}:${i}`, i)) pipeline.call(name as string, ...args);
        await pipeline.exec();
        loader.disconnect();
        await waitUntil(async () => /connected_clients:1\r/.test(await r.info('clients')), 'the loader gone', 20_000);
      };
      await load('warm', 50);
      await r.flushall();
      const [heapBefore, usedBefore] = [await heapAfterGc(server, pid), await usedMemory(r)];
      await load(kind, keys);
      const heapGrowth = (await heapAfterGc(server, pid)) - heapBefore;
      ratios[kind] = Math.round((((await usedMemory(r)) - usedBefore) / heapGrowth) * 100) / 100;
      await r.flushall();
      expect(await usedMemory(r)).toBe(0);
    }
    for (const [kind, ratio] of Object.entries(ratios))
      expect({ kind, ratio, close: ratio > 0.7 && ratio < 1.3 }).toEqual({ kind, ratio, close: true });
  }, 180_000);

  it('kept write by write, it equals a fresh count of the same keys', async () => {
    const server = await pool.brook(['--maxmemory', '1gb', '--maxmemory-policy', 'allkeys-lru']);
    const r = pool.client(server);
    for (const [kind, , commands] of KINDS) {
      const pipeline = r.pipeline();
      for (let i = 0; i < 50; i++) for (const [name, ...args] of commands(`${kind}:${i}`, i)) pipeline.call(name as string, ...args);
      await pipeline.exec();
    }
    // Writes that shrink, delete, rename, move and expire keys.
    await r.call('LTRIM', 'list:0', '0', '9');
    await r.call('SREM', 'set:0', 'member-0-0', 'member-0-1');
    await r.call('XTRIM', 'stream:0', 'MAXLEN', '10');
    await r.call('DEL', 'string:1', 'small hash:1');
    await r.call('RENAME', 'string:2', 'renamed');
    await r.call('MOVE', 'string:3', '5');
    await r.call('COPY', 'list:1', 'copied', 'DB', '3');
    await r.call('EXPIRE', 'string:4', '1000');
    await r.call('SWAPDB', '0', '5');
    await r.call('APPEND', 'counter:5', 'xyz');
    const kept = await usedMemory(r);
    expect(kept).toBeGreaterThan(0);
    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'maxmemory', '1gb');
    expect(await usedMemory(r)).toBe(kept);
    await r.flushall();
    expect(await usedMemory(r)).toBe(0);
  });
});
