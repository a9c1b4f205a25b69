/**
 * Hostile input against the list commands, side by side with Redis: counts and indexes near
 * ±2^63 (no allocation beyond the list), full scans of a 1M-element list (LPOS MAXLEN 0, LREM,
 * LRANGE 0 -1) that block Redis's loop too — another client's PING may wait about as long as it
 * waits on Redis, not more — giant elements, and blocking pops on thousands of keys.
 */
import { describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { adversarialSuite, call, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();

/** Makes `key` the list e0..e(n-1), 10k elements per RPUSH. */
async function fill(t: Target, key: string, n: number): Promise<void> {
  const c = await RawClient.connect(t.port);
  try {
    await c.call('DEL', key);
    for (let i = 0; i < n; i += 10000) {
      const args = ['RPUSH', key];
      for (let j = i; j < Math.min(n, i + 10000); j++) args.push(`e${j}`);
      await c.call(...args);
    }
  } finally {
    c.close();
  }
}

/** Sends one command and reads `bytes` bytes of reply (too big for RawClient's reparsing); returns the last 16. */
function drain(t: Target, argv: string[], bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let got = 0;
    let tail = '';
    s.on('error', reject);
    s.on('data', (d) => {
      got += d.length;
      tail = (tail + d.toString('latin1')).slice(-16);
      if (got >= bytes) {
        s.destroy();
        resolve(tail);
      }
    });
    s.connect(t.port, '127.0.0.1', () => s.write(encodeCommand(argv)));
  });
}

/** RESP2 size of a bulk string of `n` bytes. */
function bulkSize(n: number): number {
  return String(n).length + n + 5;
}

/** Runs `argv` on both servers under watch: the replies must be equal and Brook's loop no slower than `factor` × Redis's. */
async function sameUnderAttack(argv: string[], factor = 3): Promise<string> {
  const results = [];
  for (const t of suite.both()) results.push(await underAttack(t, async () => call(t, ...argv)));
  const [brook, redis] = results;
  expect({ argv, reply: brook.result }).toEqual({ argv, reply: redis.result });
  expect(brook.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, factor * redis.maxPingMs));
  return brook.result;
}

describe('counts and indexes near ±2^63 on a small list', () => {
  it('are clamped or refused as Redis does, allocating nothing beyond the list', async () => {
    for (const t of suite.both()) await fill(t, 'l', 100);
    for (const argv of [
      ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'],
      ['LRANGE', 'l', '9223372036854775807', '-9223372036854775808'],
      ['LINDEX', 'l', '-9223372036854775808'],
      ['LPOS', 'l', 'e5', 'COUNT', '9223372036854775807', 'MAXLEN', '9223372036854775807'],
      ['LPOS', 'l', 'e5', 'RANK', '-9223372036854775808', 'COUNT', '0'],
      ['LPOS', 'l', 'e5', 'RANK', '9223372036854775807'],
      ['LSET', 'l', '-9223372036854775808', 'x'],
      ['LREM', 'l', '-9223372036854775808', 'e99'],
      ['LPOP', 'l', '9223372036854775808'],
      ['LMPOP', '9223372036854775807', 'l', 'LEFT'],
      ['BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '9223372036854775807'],
      ['RPOP', 'l', '9223372036854775807'],
      ['EXISTS', 'l'],
    ]) {
      await sameUnderAttack(argv);
    }
  });
});

describe('full scans of a 1M-element list', () => {
  const n = 1000000;

  it('LPOS MAXLEN 0, LPOS COUNT 0, LREM of an absent element, LINDEX and LSET in the middle: same replies, loop held no longer than Redis holds its own', async () => {
    for (const t of suite.both()) await fill(t, 'big', n);
    await sameUnderAttack(['LPOS', 'big', 'absent', 'MAXLEN', '0']);
    await sameUnderAttack(['LPOS', 'big', 'e999999', 'RANK', '1', 'COUNT', '0', 'MAXLEN', '0']);
    await sameUnderAttack(['LREM', 'big', '0', 'absent']);
    await sameUnderAttack(['LINDEX', 'big', '500000']);
    await sameUnderAttack(['LSET', 'big', '500000', 'middle']);
    await sameUnderAttack(['LINSERT', 'big', 'AFTER', 'middle', 'after-middle']);
    await sameUnderAttack(['LREM', 'big', '-1', 'after-middle']);
    await sameUnderAttack(['LTRIM', 'big', '1', '-2']);
    await sameUnderAttack(['LLEN', 'big']);
  }, 120000);

  it('LRANGE 0 -1 blocks other clients about as long as Redis does', async () => {
    for (const t of suite.both()) await fill(t, 'huge', n);
    let bytes = `*${n}\r\n`.length;
    for (let i = 0; i < n; i++) bytes += bulkSize(String(i).length + 1);
    const results = [];
    for (const t of suite.both()) results.push(await underAttack(t, async () => drain(t, ['LRANGE', 'huge', '0', '-1'], bytes), 512 * MB));
    const [b, r] = results;
    for (const tail of [b.result, r.result]) expect(tail).toMatch(/\r\ne999999\r\n$/);
    console.log(`LRANGE 0 -1 of ${n} elements: max PING wait brook ${b.maxPingMs.toFixed(0)} ms, redis ${r.maxPingMs.toFixed(0)} ms`);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 5 * r.maxPingMs));
    for (const t of suite.both()) expect(await call(t, 'DEL', 'huge')).toBe(':1\r\n');
  }, 120000);
});

describe('giant elements', () => {
  it('a 32 MB element pushed, found, moved past and read back as Redis does, memory given back', async () => {
    const size = 32 * MB;
    const giant = Buffer.alloc(size, 'g');
    for (const t of suite.both()) {
      const res = await underAttack(
        t,
        async () => {
          const c = await RawClient.connect(t.port);
          try {
            const replies = [await c.call('RPUSH', 'g', 'small', giant, 'tail')];
            replies.push(await c.call('LPOS', 'g', 'tail'));
            replies.push(await c.call('LMOVE', 'g', 'g2', 'LEFT', 'LEFT'));
            replies.push(await drain(t, ['LINDEX', 'g', '0'], bulkSize(size)));
            replies.push(await drain(t, ['LPOP', 'g'], bulkSize(size)));
            replies.push(await c.call('LRANGE', 'g', '0', '-1'));
            replies.push(await c.call('DEL', 'g', 'g2'));
            return replies;
          } finally {
            c.close();
          }
        },
        256 * MB,
      );
      const tail = 'gggggggggggggg\r\n';
      expect(res.result).toEqual([':3\r\n', ':2\r\n', '$5\r\nsmall\r\n', tail, tail, '*1\r\n$4\r\ntail\r\n', ':2\r\n']);
    }
  }, 60000);
});

describe('blocking pops on many keys', () => {
  it('BLPOP on 20000 keys blocks, is served from the one pushed, and leaves no waiters behind', async () => {
    const keys = Array.from({ length: 20000 }, (_, i) => `wait:${i}`);
    for (const t of suite.both()) {
      const c = await RawClient.connect(t.port);
      const admin = await RawClient.connect(t.port);
      try {
        c.write(encodeCommand(['BLPOP', ...keys, '0']));
        for (let i = 0; i < 400 && !(await admin.call('INFO', 'clients')).includes('blocked_clients:1\r\n'); i++) {
          await new Promise((r) => setTimeout(r, 5));
        }
        expect(await admin.call('RPUSH', 'wait:19999', 'x')).toBe(':1\r\n');
        expect((await c.read()).toString('latin1')).toBe('*2\r\n$10\r\nwait:19999\r\n$1\r\nx\r\n');
        expect(await admin.call('INFO', 'clients')).toContain('blocked_clients:0\r\n');
      } finally {
        c.close();
        admin.close();
      }
    }
  });
});
