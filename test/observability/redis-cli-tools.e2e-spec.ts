/**
 * redis-cli's built-in tools against Brook: --bigkeys gives the same summary as against a real
 * redis-server holding the same data, --memkeys the same lines with Brook's own byte counts;
 * --stat, --latency and --latency-history print live figures.
 * stdbuf makes redis-cli flush each line, as it does on a terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { requireTool, serverPair } from '../support/servers.js';

const pair = serverPair();

beforeAll(async () => {
  requireTool('redis-cli');
  requireTool('stdbuf');
  for (const port of [pair.brook.port, pair.redis.port]) {
    const c = await RawClient.connect(port);
    for (let i = 0; i < 50; i++) await c.call('SET', `str:${i}`, 'x'.repeat(i));
    await c.call('RPUSH', 'list', ...Array.from({ length: 30 }, (_, i) => `e${i}`));
    await c.call('HSET', 'hash', 'a', '1', 'b', '2');
    await c.call('SADD', 'set', 'a', 'b', 'c');
    await c.call('ZADD', 'zset', '1', 'a', '2', 'b');
    await c.call('XADD', 'stream', '1-1', 'f', 'v');
    c.close();
  }
});

/** Runs redis-cli with line-buffered output for `ms` (or until it exits by itself), then stops it; returns what it printed. */
async function runFor(args: string[], ms: number): Promise<string> {
  const cli = spawn('stdbuf', ['-oL', 'redis-cli', ...args]);
  const exited = new Promise((r) => cli.once('exit', r));
  let out = '';
  cli.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
  cli.kill();
  await exited;
  return out;
}

/** The summary redis-cli prints after a keyspace scan (--bigkeys, --memkeys). */
function summary(port: number, tool: string): string {
  const r = spawnSync('redis-cli', ['-p', String(port), tool], { encoding: 'latin1', timeout: 30_000 });
  expect(r.status).toBe(0);
  return r.stdout.slice(r.stdout.indexOf('-------- summary -------'));
}

describe('redis-cli tools', () => {
  it('--bigkeys summarises the keyspace exactly as against Redis', () => {
    const brook = summary(pair.brook.port, '--bigkeys');
    expect(brook).toContain('Sampled 55 keys in the keyspace!');
    expect(brook).toContain(`Biggest   list found '"list"' has 30 items`);
    expect(brook).toBe(summary(pair.redis.port, '--bigkeys'));
  });

  it('--memkeys sums MEMORY USAGE per type: the same lines as against Redis, Brook’s own byte counts', () => {
    const brook = summary(pair.brook.port, '--memkeys');
    // The byte counts are each server's own (allocator size classes differ from V8's objects).
    const shape = (text: string): string =>
      text
        .replace(/'"str:\d+"'/, "'STR'")
        .replace(/\d+ bytes/g, 'B bytes')
        .replace(/avg size [\d.]+/g, 'avg size A');
    expect(shape(brook)).toBe(shape(summary(pair.redis.port, '--memkeys')));
    expect(brook).toContain(`Biggest string found '"str:49"'`);
    for (const m of brook.matchAll(/(\d+) bytes/g)) expect(Number(m[1])).toBeGreaterThan(0);
  });

  it('--stat prints a row a second with the keys, clients and requests', async () => {
    const out = await runFor(['-p', String(pair.brook.port), '--stat', '-i', '0.5'], 2500);
    const rows = out.split('\n').filter((l) => /^\d+ /.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const [keys, mem, clients, blocked, requests] = row.trim().split(/\s+/);
      expect(keys).toBe('55');
      expect(mem).toMatch(/^\d+(\.\d+)?[BKMG]$/);
      expect(Number(clients)).toBeGreaterThanOrEqual(1);
      expect(blocked).toBe('0');
      expect(Number(requests)).toBeGreaterThan(0);
    }
  });

  it('--latency and --latency-history print min, max, average and samples', async () => {
    const figures = (out: string) => out.split(/[\r\n]/).filter((l) => /^\d+ \d+ \d+\.\d\d \d+$/.test(l.trim()));
    // Without a terminal, --latency samples for a second, prints one line and exits.
    const latency = figures(await runFor(['-p', String(pair.brook.port), '--latency'], 5000));
    expect(latency.length).toBeGreaterThanOrEqual(1);
    const [min, max, , samples] = latency.at(-1)!.trim().split(' ').map(Number);
    expect(min).toBeLessThanOrEqual(max);
    expect(samples).toBeGreaterThan(0);
    const history = figures(await runFor(['-p', String(pair.brook.port), '--latency-history', '-i', '1'], 2600));
    expect(history.length).toBeGreaterThanOrEqual(1);
  });
});
