/**
 * Hostile input against the GEO commands, side by side with Redis: a search whose radius covers
 * the whole earth over 1M members (Redis's loop blocks for it too: another client's PING may wait
 * about as long as on Redis, not more), and COUNT near 2^63 (nothing allocated for the count
 * itself; replies as Redis's).
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { rng } from '../support/rng.js';
import { adversarialSuite, call, MAX_PING_MS, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();
const MEMBERS = 1000000;

/** Fills `key` with `n` members m0.. at seeded positions, 10k per GEOADD (the same on both servers). */
async function fill(t: Target, key: string, n: number): Promise<void> {
  const rand = rng(11);
  const c = await RawClient.connect(t.port);
  try {
    await c.call('DEL', key);
    for (let i = 0; i < n; i += 10000) {
      const args = ['GEOADD', key];
      for (let j = i; j < Math.min(n, i + 10000); j++) args.push((rand() * 360 - 180).toFixed(6), (rand() * 170 - 85).toFixed(6), `m${j}`);
      await c.call(...args);
    }
  } finally {
    c.close();
  }
}

describe('GEOSEARCH over 1M members', () => {
  it('a radius covering the earth blocks other clients about as long as Redis does, and finds the same nearest members', async () => {
    for (const t of suite.both()) await fill(t, 'world', MEMBERS);
    const argv = ['GEOSEARCH', 'world', 'FROMLONLAT', '0', '0', 'BYRADIUS', '25000', 'km', 'COUNT', '5', 'WITHDIST'];
    const results = [];
    for (const t of suite.both()) results.push(await underAttack(t, async () => call(t, ...argv), 256 * 1024 * 1024));
    const [b, r] = results;
    expect(b.result).toBe(r.result);
    console.log(`GEOSEARCH of ${MEMBERS} members: max PING wait brook ${b.maxPingMs.toFixed(0)} ms, redis ${r.maxPingMs.toFixed(0)} ms`);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 5 * r.maxPingMs));
  }, 300000);

  it('COUNT near 2^63 (with and without ANY) allocates nothing for the count and replies as Redis', async () => {
    for (const count of [
      ['COUNT', '9223372036854775807'],
      ['COUNT', '9223372036854775807', 'ANY'],
      ['COUNT', '4611686018427387904', 'ANY', 'DESC'],
      ['COUNT', '9223372036854775808'],
    ]) {
      const argv = ['GEOSEARCH', 'world', 'FROMLONLAT', '10', '45', 'BYRADIUS', '30', 'km', 'WITHDIST', ...count];
      const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, async () => call(t, ...argv))));
      // ANY without a sort returns cell order, the same on both; sorted replies are byte-identical too.
      expect(b.result).toBe(r.result);
      expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
    }
    for (const t of suite.both()) expect(await call(t, 'DEL', 'world')).toBe(':1\r\n');
  }, 60000);
});
