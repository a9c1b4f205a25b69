/**
 * Hostile HyperLogLog use side by side with Redis: one PFADD of 1M elements, a PFCOUNT over
 * hundreds of dense keys, and a sparse HLL allowed to grow far past the default limit before its
 * promotion. Each is one command in Redis too, so another client's PING may wait as long as Redis
 * makes it wait (plus slack), never longer; replies must match and memory must come back.
 */
import { describe, expect, it } from '@jest/globals';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { adversarialSuite, call, MAX_PING_MS, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();

/** Runs `argvs` in order on one fresh connection; the replies (waiting up to a minute each). */
async function run(t: Target, argvs: string[][]): Promise<string[]> {
  const c = await RawClient.connect(t.port);
  try {
    const out: string[] = [];
    for (const argv of argvs) {
      c.write(encodeCommand(argv));
      out.push((await c.read(60_000)).toString('latin1'));
    }
    return out;
  } finally {
    c.close();
  }
}

/**
 * Runs the attack on Redis then on Brook: the same replies, and Brook's longest PING wait within
 * `factor` times Redis's (at least MAX_PING_MS).
 */
async function sideBySide(attack: (t: Target) => Promise<string[]>, factor = 4): Promise<void> {
  const r = await underAttack(suite.redis, attack, 256 * 1024 * 1024);
  const b = await underAttack(suite.brook, attack, 256 * 1024 * 1024);
  expect(b.result).toEqual(r.result);
  expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, r.maxPingMs * factor));
}

describe('hyperloglog under hostile input', () => {
  it('PFADD of 1M elements in one call', async () => {
    for (const t of suite.both()) await call(t, 'FLUSHALL');
    const elements = Array.from({ length: 1_000_000 }, (_, i) => `e${i}`);
    // Parsing 1M arguments and hashing them in JS measured 3-6x Redis's C on this 2-core machine.
    await sideBySide(
      (t) =>
        run(t, [
          ['PFADD', 'h', ...elements],
          ['PFCOUNT', 'h'],
          ['STRLEN', 'h'],
        ]),
      8,
    );
  }, 180_000);

  it('PFCOUNT and PFMERGE over 500 dense keys', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `d${i}`);
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      await run(
        t,
        keys.map((k, i) => ['PFADD', k, ...Array.from({ length: 2000 }, (_, j) => `${i}:${j}`)]),
      );
    }
    await sideBySide((t) =>
      run(t, [
        ['PFCOUNT', ...keys],
        ['PFMERGE', 'all', ...keys],
        ['PFCOUNT', 'all'],
      ]),
    );
  }, 180_000);

  it('a sparse HLL grown to a 16000-byte limit, then promoted', async () => {
    for (const t of suite.both()) await call(t, 'FLUSHALL');
    const batches = Array.from({ length: 40 }, (_, b) => ['PFADD', 'sp', ...Array.from({ length: 500 }, (_, j) => `s${b * 500 + j}`)]);
    await sideBySide((t) =>
      run(t, [
        ['CONFIG', 'SET', 'hll-sparse-max-bytes', '16000'],
        ...batches,
        ['STRLEN', 'sp'],
        ['PFCOUNT', 'sp'],
        ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
      ]),
    );
  }, 180_000);
});
