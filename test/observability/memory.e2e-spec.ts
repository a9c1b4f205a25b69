/**
 * MEMORY against a real redis-server: errors, HELP, PURGE, DOCTOR's text and the STATS fields in
 * Redis's order and reply types (RESP2 and RESP3). Then MEMORY USAGE against what data really
 * costs Brook: for each kind of value, the sum of MEMORY USAGE over many keys is compared with the
 * heap's growth measured after full GCs (the server preloads test/bench/gc-on-signal.js).
 */
import { describe, expect, it } from '@jest/globals';
import { Redis, type ChainableCommander } from 'ioredis';
import { pairClients } from '../support/differential.js';
import { RawClient } from '../support/raw-client.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';
import { GC_ENV, heapAfterGc } from '../support/heap.js';
import { serverPair, serverPool } from '../support/servers.js';
import { waitUntil } from '../support/wait.js';

/** A reply with every number (integer, double, or a double as a RESP2 bulk string) replaced by N. */
function skeleton(raw: string): string {
  return raw
    .replace(/\$\d+\r\n-?[0-9.]+(e[+-]\d+)?\r\n/g, 'N\r\n')
    .replace(/:-?\d+\r\n/g, 'N\r\n')
    .replace(/,[^\r]*\r\n/g, 'N\r\n');
}

describe('MEMORY beside Redis', () => {
  const pair = serverPair();
  const { same, both } = pairClients(pair);

  it('DOCTOR finds an empty instance on both', async () => {
    const [b, r] = await both('MEMORY', 'DOCTOR');
    expect(b).toBe(r);
    expect(b).toContain('this instance is empty');
  });

  it('USAGE: nil for a missing key, and Redis’s errors', async () => {
    await same('SET', 'k', 'v');
    await same('MEMORY', 'USAGE', 'nokey');
    for (const args of [['samples', '-1'], ['samples', 'x'], ['bar'], ['samples'], ['samples', '1', 'samples']])
      await same('MEMORY', 'USAGE', 'k', ...args);
    await same('MEMORY', 'USAGE');
    await same('MEMORY', 'NOSUCH');
    await same('MEMORY', 'STATS', 'extra');
    await same('MEMORY', 'HELP');
    await same('MEMORY', 'PURGE');
    for (const samples of ['0', '1', '5']) {
      const [b] = await both('MEMORY', 'USAGE', 'k', 'SAMPLES', samples);
      expect(b).toMatch(/^:\d+\r\n$/);
    }
  });

  it('STATS has Redis’s fields, in its order, with its reply types, in RESP2 and RESP3', async () => {
    await same('SELECT', '3');
    await same('SET', 'in3', 'v');
    await same('SELECT', '0');
    const [b2, r2] = await both('MEMORY', 'STATS');
    expect(skeleton(b2)).toBe(skeleton(r2));
    const [b3, r3] = await Promise.all([RawClient.connect(pair.brook.port), RawClient.connect(pair.redis.port)]);
    try {
      await Promise.all([b3.call('HELLO', '3'), r3.call('HELLO', '3')]);
      const [b, r] = await Promise.all([b3.call('MEMORY', 'STATS'), r3.call('MEMORY', 'STATS')]);
      expect(skeleton(b)).toBe(skeleton(r));
    } finally {
      b3.close();
      r3.close();
    }
  });

  it('STATS adds up: keys counted, dataset = total - overhead, percentages consistent', async () => {
    const flat = decodeReply(await same('DBSIZE')) as number;
    const stats = decodeReply((await both('MEMORY', 'STATS'))[0]) as RespValue[];
    const field = (name: string): RespValue => stats[stats.indexOf(name) + 1];
    expect(field('keys.count')).toBe(flat + 1); // db 0's keys and the one in db 3
    expect(field('dataset.bytes')).toBe(Math.max(0, (field('total.allocated') as number) - (field('overhead.total') as number)));
    expect(field('peak.allocated') as number).toBeGreaterThanOrEqual(field('total.allocated') as number);
    expect(stats).toContain('db.3');
  });
});

const range = (n: number): number[] => Array.from({ length: n }, (_, j) => j);

type Commands = (key: string, i: number) => (string | number)[][];

/** Kinds of value, each written to many keys: [name, keys, the commands writing key i]. */
const KINDS: [string, number, Commands][] = [
  ['string', 40_000, (k, i) => [['SET', k, `value-${i}-${'v'.repeat(20)}`]]],
  ['small list', 20_000, (k) => [['RPUSH', k, ...range(10).map((j) => `elem${j}`)]]],
  ['small hash', 20_000, (k) => [['HSET', k, ...range(10).flatMap((j) => [`field${j}`, `value${j}`])]]],
  ['intset', 5_000, (k) => [['SADD', k, ...range(100).map((j) => j * 7)]]],
  ['list', 300, (k) => [['RPUSH', k, ...range(1000).map((j) => `element-${j}`)]]],
  ['hashtable', 300, (k) => [['HSET', k, ...range(500).flatMap((j) => [`field-${j}`, `value-${j}`])]]],
  ['set', 300, (k) => [['SADD', k, ...range(500).map((j) => `member-${j}`)]]],
  ['skiplist', 300, (k) => [['ZADD', k, ...range(500).flatMap((j) => [j + 0.5, `member-${j}`])]]],
  // 500 entries each, a group with 100 of them pending.
  [
    'stream',
    200,
    (k) => [
      ...range(500).map((j) => ['XADD', k, '*', 'field', `value-${j}`, 'other', 'x']),
      ['XGROUP', 'CREATE', k, 'group', '0'],
      ['XREADGROUP', 'GROUP', 'group', 'consumer', 'COUNT', 100, 'STREAMS', k, '>'],
    ],
  ],
];

describe('MEMORY USAGE tracks what the data costs', () => {
  const pool = serverPool();

  it('within 30% of the heap growth, for every kind of value', async () => {
    const server = await pool.brook([], GC_ENV);
    const r = pool.client(server);
    const pid = Number(/process_id:(\d+)/.exec(await r.info('server'))![1]);
    const ratios: Record<string, number> = {};
    for (const [kind, keys, commands] of KINDS) {
      const write = (pipeline: ChainableCommander, key: string, i: number): void => {
        for (const [name, ...args] of commands(key, i)) pipeline.call(name as string, ...args);
      };
      // Each load on a connection of its own, closed before the heap is measured: a connection's
      // buffers (sized by what it sent) are not data.
      const load = async (prefix: string, count: number): Promise<void> => {
        const loader = new Redis({ port: server.port, host: '127.0.0.1' });
        const pipeline = loader.pipeline();
        for (let i = 0; i < count; i++) write(pipeline, `${prefix}:${i}`, i);
        await pipeline.exec();
        loader.disconnect();
        await waitUntil(async () => /connected_clients:1\r/.test(await r.info('clients')), 'the loader gone', 20_000);
      };
      // Warm up: the code paths and the structures a first write creates are not data.
      await load('warm', 50);
      await r.flushall();
      const before = await heapAfterGc(server, pid);
      await load(kind, keys);
      const growth = (await heapAfterGc(server, pid)) - before;
      const usage = r.pipeline();
      for (let i = 0; i < keys; i++) usage.call('MEMORY', 'USAGE', `${kind}:${i}`, 'SAMPLES', '0');
      const total = ((await usage.exec()) ?? []).reduce((sum, [, n]) => sum + (n as number), 0);
      ratios[kind] = Math.round((total / growth) * 100) / 100;
      await r.flushall();
    }
    for (const [kind, ratio] of Object.entries(ratios))
      expect({ kind, ratio, close: ratio > 0.7 && ratio < 1.3 }).toEqual({ kind, ratio, close: true });
  });
});
