/**
 * Hostile set commands side by side with Redis: an intersection of a huge set with a tiny one
 * must cost the tiny one (both start from the smallest set), huge counts for SPOP/SRANDMEMBER are
 * refused or clamped to the set as in Redis, and a whole-set read of a large set keeps another
 * client's PING within what Redis itself gives.
 */
import { describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { adversarialSuite, call, MAX_PING_MS, underAttack, type Target, fill } from './harness.js';

const suite = adversarialSuite();

/**
 * Sends `argv` then PING on a fresh connection and resolves with the reply's first line once the
 * PONG arrives (RawClient re-parses its buffer on each chunk, too slow for a reply of megabytes).
 */
function bigReplyHead(port: number, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let tail = '';
    socket.on('data', (d) => {
      chunks.push(d);
      tail = (tail + d.toString('latin1')).slice(-7);
      if (tail === '+PONG\r\n') {
        const head = Buffer.concat(chunks.slice(0, 2)).toString('latin1');
        socket.end();
        resolve(head.slice(0, head.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    socket.write(Buffer.concat([encodeCommand(argv), encodeCommand(['PING'])]));
  });
}

describe('sets under hostile input', () => {
  it('SINTER/SINTERCARD/SINTERSTORE of a 300k-member set with a 3-member one cost the small one', async () => {
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      await fill(t, 'SADD', 'huge', 300000, (j) => [`m${j}`]);
      await call(t, 'SADD', 'tiny', 'm1', 'm7', 'nope');
    }
    const attack = async (t: Target) => {
      const c = await RawClient.connect(t.port);
      try {
        const out: string[] = [];
        for (let i = 0; i < 200; i++) {
          out.push(await c.call('SINTERCARD', '2', 'huge', 'tiny'));
          out.push(await c.call('SINTERSTORE', 'dst', 'huge', 'tiny'));
        }
        return [...new Set(out)].sort().join('|');
      } finally {
        c.close();
      }
    };
    const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, attack)));
    expect(b.result).toBe(r.result);
    expect(b.result).toBe(':2\r\n');
    expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
  });

  it('huge counts: SRANDMEMBER/SPOP clamp to the set or refuse, as Redis, without allocating beyond it', async () => {
    const argvs = [
      ['SRANDMEMBER', 's', '9223372036854775807'],
      ['SRANDMEMBER', 's', '4611686018427387904'],
      ['SRANDMEMBER', 's', '-9223372036854775808'],
      ['SPOP', 's', '-4611686018427387904'],
      ['SPOP', 's', '9223372036854775807'],
    ];
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      await call(t, 'SADD', 's', '3', '1', '2');
    }
    const attack = async (t: Target) => {
      const out: string[] = [];
      for (const argv of argvs) out.push(await call(t, ...argv));
      return out;
    };
    const [b, r] = await Promise.all(suite.both().map((t) => underAttack(t, attack)));
    expect(b.result).toEqual(r.result);
    expect(b.peakRss - b.startRss).toBeLessThan(64 * 1024 * 1024);
  });

  it('a huge negative SRANDMEMBER count is refused by Brook (Redis would write draws until memory runs out)', async () => {
    await call(suite.brook, 'FLUSHALL');
    await call(suite.brook, 'SADD', 's', 'a', 'b', 'c');
    const res = await underAttack(suite.brook, async () => call(suite.brook, 'SRANDMEMBER', 's', '-9223372036854775807'));
    expect(res.result).toBe('-ERR value is out of range\r\n');
    expect(res.peakRss - res.startRss).toBeLessThan(64 * 1024 * 1024);
    // The bound is far above any real use: many draws still come back.
    expect((await call(suite.brook, 'SRANDMEMBER', 's', '-1000')).startsWith('*1000\r\n')).toBe(true);
  });

  it('SMEMBERS of a 200k-member set: another client waits no longer than Redis makes it wait (plus slack)', async () => {
    for (const t of suite.both()) {
      await call(t, 'FLUSHALL');
      await fill(t, 'SADD', 'big', 200000, (j) => [`m${j}`]);
    }
    const attack = (t: Target) => bigReplyHead(t.port, ['SMEMBERS', 'big']);
    const r = await underAttack(suite.redis, attack, 256 * 1024 * 1024);
    const b = await underAttack(suite.brook, attack, 256 * 1024 * 1024);
    expect(b.result).toBe(r.result);
    expect(b.result).toBe('*200000');
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, r.maxPingMs * 4));
  });
});
