/**
 * Hostile patterns and cursors against the keyspace commands, side by side with Redis: glob
 * patterns built to backtrack exponentially (CVE-2022-36021) through every command that matches
 * them, random patterns whose results must equal Redis's, and forged or reused SCAN cursors on a
 * large keyspace, which must cost no more than Redis's O(1) bucket cursor.
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { bulks } from '../support/resp-value.js';
import { rng } from '../support/rng.js';
import { adversarialSuite, call, MAX_PING_MS, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();

describe('glob patterns that backtrack exponentially', () => {
  const stars = 'a*'.repeat(20) + 'b';
  const cases: [string, string[]][] = [
    ['KEYS', ['KEYS', stars]],
    ['SCAN MATCH', ['SCAN', '0', 'MATCH', stars, 'COUNT', '1000']],
    ['CONFIG GET', ['CONFIG', 'GET', '*?*?*?*?*?*?*?*?*!']],
    ['COMMAND LIST FILTERBY PATTERN', ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', '*?*?*?*?*?*?*?*?*?*?*?*!']],
  ];

  it.each(cases)('%s answers at once, as Redis does, and the server keeps serving', async (_name, argv) => {
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      await call(t, 'SET', 'a'.repeat(40), 'v');
      await call(t, 'SET', 'a'.repeat(100) + 'c', 'v');
    }
    const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, async () => call(t, ...argv))));
    expect(b.result).toBe(r.result);
    expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
  });

  it('random patterns over awkward keys give exactly the keys Redis gives', async () => {
    const random = rng(20261126);
    const alphabet = ['a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\x00', '\xe9', '\xc9', '\xff', 'z'];
    const word = (max: number): string => {
      let s = '';
      const n = Math.floor(random() * max);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return s;
    };
    const keys = new Set<string>();
    while (keys.size < 300) keys.add(word(8) || 'k');
    const clients = await Promise.all(suite.both().map((t) => RawClient.connect(t.port)));
    try {
      for (const c of clients) {
        await c.call('FLUSHALL');
        for (const k of keys) await c.call('SET', Buffer.from(k, 'latin1'), 'v');
      }
      const differ: string[] = [];
      for (let i = 0; i < 400; i++) {
        const pattern = Buffer.from(word(7), 'latin1');
        const [b, r] = await Promise.all(clients.map(async (c) => bulks(await c.call('KEYS', pattern)).sort()));
        if (JSON.stringify(b) !== JSON.stringify(r))
          differ.push(`${JSON.stringify(pattern.toString('latin1'))}: brook ${b.length} redis ${r.length}`);
      }
      expect(differ).toEqual([]);
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('SCAN cursors on a large keyspace', () => {
  const KEYS = 1_000_000;

  /** Times `n` SCAN calls from the given cursors, in ms, on one connection. */
  async function timeScans(t: Target, cursors: string[]): Promise<{ ms: number; replies: string[] }> {
    const c = await RawClient.connect(t.port);
    try {
      const replies: string[] = [];
      const start = performance.now();
      for (const cur of cursors) replies.push(await c.call('SCAN', cur, 'COUNT', '10'));
      return { ms: performance.now() - start, replies };
    } finally {
      c.close();
    }
  }

  it('forged and reused cursors cost what they cost Redis (no walk to their position)', async () => {
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      expect(await call(t, 'DEBUG', 'POPULATE', String(KEYS))).toBe('+OK\r\n');
    }
    const random = rng(5);
    const forged = ['0', '1', '4294967295', '18446744073709551615', '9007199254740993'];
    for (let i = 0; i < 300; i++) forged.push(String(Math.floor(random() * 2 ** 40)));
    // A cursor Brook really issued, far into an iteration, used over and over (a retrying client).
    const c = await RawClient.connect(suite.brook.port);
    let cursor = '0';
    for (let i = 0; i < 200; i++) cursor = bulks(await c.call('SCAN', cursor, 'COUNT', '1000'))[0];
    const again = await c.call('SCAN', cursor, 'COUNT', '10');
    c.close();
    const reused = Array<string>(100).fill(cursor);

    const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, () => timeScans(t, [...forged, ...reused]))));
    // Every reply is a well-formed page whose cursor is a valid position; the reused cursor pages agree.
    for (const reply of b.result.replies) expect(reply).toMatch(/^\*2\r\n\$\d+\r\n\d+\r\n\*\d+\r\n/);
    expect(b.result.replies.slice(forged.length).every((x) => x === again)).toBe(true);
    // Generous against machine noise: a walk to the cursor's position would cost seconds here.
    expect(b.result.ms).toBeLessThan(Math.max(1000, r.result.ms * 5));
    expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
  });
});
