/**
 * Hostile client-side caching, side by side with Redis: a tracking client that reads a million
 * keys (the table's memory, a flush that drops it, a limit lowered under it), and BCAST clients
 * with thousands of prefixes (the overlap check, writes matched against every prefix). Other
 * clients must keep being served where Redis serves them, and the memory must come back.
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient, encodeCommand } from '../support/raw-client.js';
import { adversarialSuite, call, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();

/** How far above its starting RSS a server may stay once the table is gone (V8 keeps some freed pages). */
const SETTLE_SLACK = 100 * MB;

/** Brook may take as long as Redis's own slowest PING (times two for a loaded machine), or MAX_PING_MS. */
const pingBound = (redisMs: number): number => Math.max(MAX_PING_MS, redisMs * 2);
const report = (what: string, figures: Record<string, unknown>): void => console.log(`${what}: ${JSON.stringify(figures)}`);

const infoField = async (t: Target, field: string): Promise<number> =>
  Number(new RegExp(`${field}:(\\d+)`).exec(await call(t, 'INFO', 'everything'))![1]);

/** Sends `commands` pipelined in batches and reads every reply (pushes counted apart); returns the pushes' payloads. */
async function pipeline(c: RawClient, commands: string[][], batch = 100): Promise<string[]> {
  const pushes: string[] = [];
  for (let i = 0; i < commands.length; i += batch) {
    const part = commands.slice(i, i + batch);
    c.write(Buffer.concat(part.map((a) => encodeCommand(a))));
    for (let got = 0; got < part.length;) {
      const r = (await c.read(60000)).toString('latin1');
      if (r.startsWith('>')) pushes.push(r);
      else got++;
    }
  }
  return pushes;
}

const mgets = (n: number, per: number): string[][] =>
  Array.from({ length: n / per }, (_, b) => ['MGET', ...Array.from({ length: per }, (_, i) => `key:${b * per + i}`)]);

describe('a tracking client reading a million keys', () => {
  it('fills the table to the default limit without stalling others; FLUSHALL drops it with one null push and frees it', async () => {
    const growth: Record<string, number> = {};
    const ping: Record<string, number> = {};
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      const r = await underAttack(
        t,
        async () => {
          const c = await RawClient.connect(t.port);
          try {
            await c.call('HELLO', '3');
            await c.call('CLIENT', 'TRACKING', 'ON');
            const pushes = await pipeline(c, mgets(1_000_000, 1000), 10);
            const keys = await infoField(t, 'tracking_total_keys');
            const admin = await RawClient.connect(t.port);
            await admin.call('FLUSHALL');
            admin.close();
            const flush = (await c.read(10000)).toString('latin1');
            return { pushes: pushes.length, keys, flush, after: await infoField(t, 'tracking_total_keys') };
          } finally {
            c.close();
          }
        },
        SETTLE_SLACK,
      );
      // The default limit is 1000000 keys: exactly full, nothing evicted.
      expect(r.result).toEqual({ pushes: 0, keys: 1_000_000, flush: '>2\r\n$10\r\ninvalidate\r\n_\r\n', after: 0 });
      expect(r.endRss).toBeLessThanOrEqual(r.startRss + SETTLE_SLACK);
      growth[t.name] = r.peakRss - r.startRss;
      ping[t.name] = r.maxPingMs;
    }
    report('1M tracked keys', { growthMB: { brook: growth.brook / MB, redis: growth.redis / MB }, maxPingMs: ping });
    expect(ping.brook).toBeLessThan(pingBound(ping.redis));
    // The table's memory (ids per key, the keys themselves) stays within a few times Redis's radix tree.
    expect(growth.brook).toBeLessThan(Math.max(growth.redis * 4, 256 * MB));
  }, 300_000);

  it('tracking-table-max-keys lowered under a full table: evicted in bounded slices with invalidations, others still served', async () => {
    const ping: Record<string, number> = {};
    const took: Record<string, number> = {};
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      const c = await RawClient.connect(t.port);
      try {
        await c.call('HELLO', '3');
        await c.call('CLIENT', 'TRACKING', 'ON');
        await pipeline(c, mgets(50_000, 1000), 10);
        expect(await infoField(t, 'tracking_total_keys')).toBe(50_000);
        const start = performance.now();
        const r = await underAttack(t, async () => {
          await call(t, 'CONFIG', 'SET', 'tracking-table-max-keys', '1000');
          // Pushes of evicted keys stream in while the server trims; wait until it is within the limit.
          let invalidated = 0;
          while (invalidated < 49_000) {
            const push = (await c.read(120000)).toString('latin1');
            expect(push.startsWith('>2\r\n$10\r\ninvalidate\r\n*1\r\n')).toBe(true);
            // Pushes already received resolve each read at once: without a turn of this process's
            // event loop now and then, the loop here would starve the PING watcher in this process.
            if (++invalidated % 100 === 0) await new Promise((r) => setImmediate(r));
          }
          return { invalidated, keys: await infoField(t, 'tracking_total_keys') };
        });
        expect(r.result.keys).toBeLessThanOrEqual(1000);
        ping[t.name] = r.maxPingMs;
        took[t.name] = performance.now() - start;
      } finally {
        await call(t, 'CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
        c.close();
      }
    }
    report('tracking-table-max-keys 50000 -> 1000', { maxPingMs: ping, ms: took });
    expect(ping.brook).toBeLessThan(pingBound(ping.redis));
  }, 600_000);
});

describe('BCAST with thousands of prefixes', () => {
  const prefixes = (n: number, last = ''): string[] =>
    Array.from({ length: n }, (_, i) => ['PREFIX', i === n - 1 && last ? last : `p${i}:`]).flat();

  it('10k prefixes: accepted, or the overlap found at the end named exactly as Redis names it, without stalling others', async () => {
    const replies: Record<string, string[]> = {};
    const ping: Record<string, number> = {};
    for (const t of suite.both()) {
      const r = await underAttack(t, async () => {
        const c = await RawClient.connect(t.port);
        try {
          // The overlap is the last pair Redis looks at: 'p0:' starts the last prefix.
          const bad = await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', ...prefixes(10_000, 'p0:x'));
          const ok = await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', ...prefixes(10_000));
          const info = await c.call('CLIENT', 'TRACKINGINFO');
          return [bad, ok, String(info.length), String(await infoField(t, 'tracking_total_prefixes'))];
        } finally {
          c.close();
        }
      });
      replies[t.name] = r.result;
      ping[t.name] = r.maxPingMs;
    }
    report('10k prefixes', { maxPingMs: ping });
    expect(replies.brook).toEqual(replies.redis);
    expect(ping.brook).toBeLessThan(pingBound(ping.redis));
  }, 120_000);

  it('writes matched against 10k prefixes: each subscriber gets its keys, others still served', async () => {
    const results: Record<string, unknown> = {};
    const ping: Record<string, number> = {};
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      const sub = await RawClient.connect(t.port);
      const w = await RawClient.connect(t.port);
      try {
        await sub.call('HELLO', '3');
        await sub.call('CLIENT', 'TRACKING', 'ON', 'BCAST', ...prefixes(10_000));
        const r = await underAttack(t, async () => {
          await pipeline(
            w,
            Array.from({ length: 5_000 }, (_, i) => ['SET', `p${(i * 7) % 10_000}:${i}`, 'v']),
            1000,
          );
          await w.call('PING');
          const keys = new Set<string>();
          while (keys.size < 5_000) {
            const push = (await sub.read(60000)).toString('latin1');
            for (const m of push.matchAll(/\$\d+\r\n(p\d+:\d+)\r\n/g)) keys.add(m[1]);
          }
          return keys.size;
        });
        results[t.name] = r.result;
        ping[t.name] = r.maxPingMs;
      } finally {
        sub.close();
        w.close();
      }
    }
    report('5k writes against 10k prefixes', { maxPingMs: ping });
    expect(results.brook).toBe(5_000);
    expect(results.redis).toBe(5_000);
    expect(ping.brook).toBeLessThan(pingBound(ping.redis));
  }, 300_000);
});
