/**
 * Hostile loads on a server with a memory limit, side by side with Redis: one value bigger than
 * the whole limit, and a flood of pipelined writes that keeps eviction busy. Eviction works in
 * time-budgeted slices, so PING keeps being answered, and memory comes back under the limit.
 */
import { describe, expect, it } from '@jest/globals';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { eventually } from '../support/wait.js';
import { adversarialSuite, call, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';

const LIMIT = ['--maxmemory', String(4 * MB), '--maxmemory-policy', 'allkeys-lru'];
const suite = adversarialSuite(LIMIT, LIMIT);

const usedMemory = async (t: Target): Promise<number> => Number(/used_memory:(\d+)/.exec(await call(t, 'INFO', 'memory'))![1]);

describe('eviction under hostile writes', () => {
  // Redis refuses it (-OOM): its used_memory counts the 8 MB query buffer holding the argument.
  // Brook's counts the data only (client buffers have limits of their own), so it stores the value
  // and the next write evicts it.
  it('one value bigger than maxmemory is stored, then evicted by the next write', async () => {
    const t = suite.brook;
    await call(t, 'FLUSHALL');
    expect(await call(t, 'SET', 'huge', Buffer.alloc(8 * MB, 'h'))).toBe('+OK\r\n');
    expect(await call(t, 'SET', 'small', 'v')).toBe('+OK\r\n');
    expect(await call(t, 'EXISTS', 'huge')).toBe(':0\r\n');
    expect(await call(t, 'GET', 'small')).toBe('$1\r\nv\r\n');
    expect(await call(t, 'PING')).toBe('+PONG\r\n');
  });

  it('a flood of 100k pipelined writes: PING answered throughout, memory back under the limit', async () => {
    const value = Buffer.alloc(1000, 'x');
    const flood = Buffer.concat(Array.from({ length: 100_000 }, (_, i) => encodeCommand(['SET', `flood:${i}`, value])));
    const attack = async (t: Target): Promise<string[]> => {
      const c = await RawClient.connect(t.port);
      try {
        c.write(flood);
        const replies = new Set<string>();
        for (let i = 0; i < 100_000; i++) replies.add((await c.read(60_000)).toString('latin1'));
        return [...replies];
      } finally {
        c.close();
      }
    };
    const brook = await underAttack(suite.brook, attack);
    const redis = await underAttack(suite.redis, attack);
    expect(brook.result).toEqual(['+OK\r\n']);
    expect(brook.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 3 * redis.maxPingMs));
    expect(await eventually(async () => (await usedMemory(suite.brook)) <= 4 * MB + 2048, 10_000)).toBe(true);
    expect(Number(/evicted_keys:(\d+)/.exec(await call(suite.brook, 'INFO', 'stats'))![1])).toBeGreaterThan(90_000);
  }, 120_000);
});
