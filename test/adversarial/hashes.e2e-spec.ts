/**
 * Hostile input against the hash commands, side by side with Redis: random-draw counts near
 * ±2^63 (no allocation beyond the hash, refused where Redis refuses), HSCAN with huge COUNT or
 * forged cursors on a large hash, and HGETALL of a 1M-field hash, which blocks Redis's loop too:
 * another client's PING may wait about as long as it waits on Redis, not more.
 */
import { describe, expect, it } from '@jest/globals';
import { decodeReply } from '../support/resp-value.js';
import { adversarialSuite, call, MAX_PING_MS, underAttack, fill, drain, bulkSize } from './harness.js';

const suite = adversarialSuite();

describe('HRANDFIELD counts near ±2^63', () => {
  const counts = [
    ['-4611686018427387904', 'WITHVALUES'],
    ['4611686018427387904', 'WITHVALUES'],
    ['-9223372036854775807', 'WITHVALUES'],
    ['-9223372036854775808'],
    ['9223372036854775807'],
    ['9223372036854775807', 'WITHVALUES'],
    ['4611686018427387903', 'WITHVALUES'],
  ];

  it.each(counts.map((c) => [c.join(' '), c] as const))(
    'HRANDFIELD h %s replies as Redis at once, allocating nothing beyond the hash',
    async (_label, count) => {
      for (const t of suite.both()) await fill(t, 'HSET', 'h', 1000, (j) => [`f${j}`, `v${j}`]);
      const argv = ['HRANDFIELD', 'h', ...count];
      const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, async () => call(t, ...argv))));
      // Positive counts return the whole hash (hashtable order differs): compare as sets.
      const norm = (reply: string): unknown => {
        const v = decodeReply(reply);
        return Array.isArray(v) ? [...v].map(String).sort() : v;
      };
      expect(norm(b.result)).toEqual(norm(r.result));
      expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
    },
  );

  it('a huge negative count without WITHVALUES is refused by Brook (Redis would write draws until memory runs out)', async () => {
    await fill(suite.brook, 'HSET', 'h', 10, (j) => [`f${j}`, `v${j}`]);
    const res = await underAttack(suite.brook, async () => call(suite.brook, 'HRANDFIELD', 'h', '-4611686018427387904'));
    expect(res.result).toBe('-ERR value is out of range\r\n');
    expect(res.maxPingMs).toBeLessThan(MAX_PING_MS);
    // The bound is far above any real use: a million draws still come back.
    const tail = await drain(suite.brook, ['HRANDFIELD', 'h', '-1000000'], '*1000000\r\n'.length + 1000000 * bulkSize(2));
    expect(tail).toMatch(/\$2\r\nf\d\r\n$/);
  });
});

describe('HSCAN on a large hashtable', () => {
  it('COUNT near 2^63 and forged cursors cost no more than on Redis', async () => {
    for (const t of suite.both()) await fill(t, 'HSET', 'big', 200000, (j) => [`f${j}`, `v${j}`]);
    for (const argv of [
      ['HSCAN', 'big', '0', 'COUNT', '9223372036854775807', 'MATCH', 'nomatch*'],
      ['HSCAN', 'big', '18446744073709551615', 'COUNT', '10'],
      ['HSCAN', 'big', '123456789012', 'MATCH', 'x'],
    ]) {
      const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, async () => call(t, ...argv))));
      expect(b.result.startsWith('*2\r\n')).toBe(true);
      expect(r.result.startsWith('*2\r\n')).toBe(true);
      expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 3 * r.maxPingMs));
    }
  });
});

describe('HGETALL of a 1M-field hash', () => {
  it('blocks other clients about as long as Redis does', async () => {
    const n = 1000000;
    let hgetallBytes = `*${2 * n}\r\n`.length;
    for (let i = 0; i < n; i++) hgetallBytes += 2 * bulkSize(String(i).length + 1);
    for (const t of suite.both()) await fill(t, 'HSET', 'huge', n, (j) => [`f${j}`, `v${j}`]);
    const results = [];
    for (const t of suite.both()) {
      results.push(await underAttack(t, async () => drain(t, ['HGETALL', 'huge'], hgetallBytes), 512 * 1024 * 1024));
    }
    const [b, r] = results;
    // Both sent exactly the bytes of the whole hash, ending with a value (orders differ).
    for (const tail of [b.result, r.result]) expect(tail).toMatch(/\r\nv\d+\r\n$/);
    console.log(`HGETALL of ${n} fields: max PING wait brook ${b.maxPingMs.toFixed(0)} ms, redis ${r.maxPingMs.toFixed(0)} ms`);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 5 * r.maxPingMs));
    for (const t of suite.both()) expect(await call(t, 'DEL', 'huge')).toBe(':1\r\n');
  }, 120000);
});
