/**
 * SLOWLOG against a real redis-server: the same commands on both, then the entries compared with
 * what differs by nature (ids, times, durations, client ports) normalised away.
 */
import { describe, expect, it } from '@jest/globals';
import { pairClients } from '../support/differential.js';
import { RawClient } from '../support/raw-client.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';
import { serverPair } from '../support/servers.js';

const pair = serverPair();
const clients = pairClients(pair);
const { same } = clients;
const { both } = clients;

/** An entry with its nature-given figures checked and dropped: [args, client name, addr without port]. */
function normalise(entries: RespValue, port: number): unknown[] {
  expect(Array.isArray(entries)).toBe(true);
  const list = entries as RespValue[][];
  const ids = list.map((e) => e[0] as number);
  for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1] - 1);
  const now = Date.now() / 1000;
  return list.map((e) => {
    expect(e).toHaveLength(6);
    expect(Math.abs((e[1] as number) - now)).toBeLessThan(60);
    expect(e[2]).toBeGreaterThanOrEqual(0);
    expect(e[4]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(e[4]).not.toBe(`127.0.0.1:${port}`);
    return [e[3], e[5]];
  });
}

describe('SLOWLOG', () => {
  it('HELP, LEN, RESET and bad arguments reply as Redis', async () => {
    await same('SLOWLOG', 'HELP');
    await same('SLOWLOG', 'GET', 'abc');
    await same('SLOWLOG', 'GET', '-2');
    await same('SLOWLOG', 'GET', '1', '2');
    await same('SLOWLOG', 'LEN', 'x');
    await same('SLOWLOG', 'foo');
    await same('SLOWLOG');
    // A threshold no command here comes near: the log stays empty.
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '10000000');
    await same('SLOWLOG', 'RESET');
    await same('PING');
    await same('SLOWLOG', 'LEN');
  });

  it('logs every command at threshold 0, with args cut and secrets redacted as Redis', async () => {
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await same('CLIENT', 'SETNAME', 'observer');
    await same('SLOWLOG', 'RESET');
    const many = Array.from({ length: 40 }, (_, i) => `e${i}`);
    await same('RPUSH', 'slowlist', ...many);
    await same('SET', 'big', 'v'.repeat(200));
    await same('SET', 'x'.repeat(129), '1');
    await same('AUTH', 'secret');
    await same('AUTH', 'user', 'secret');
    await both('HELLO', '2', 'AUTH', 'default', 'wrong'); // the reply holds the client id
    await same('MULTI');
    await same('INCR', 'counter');
    await same('EXEC');
    await same('DEL', 'slowlist', 'big', 'counter', 'x'.repeat(129));
    const [b, r] = await both('SLOWLOG', 'GET', '-1');
    const got = normalise(decodeReply(b), pair.brook.port);
    expect(got).toEqual(normalise(decodeReply(r), pair.redis.port));
    // EXEC is not logged; INCR, run inside it, is.
    expect(got.map((e) => (e as string[][])[0][0])).toContain('INCR');
    expect(got.map((e) => (e as string[][])[0][0])).not.toContain('EXEC');
    await same('SLOWLOG', 'LEN');
  });

  it('GET count picks the newest entries, and slowlog-max-len keeps the newest', async () => {
    await same('SLOWLOG', 'RESET');
    for (let i = 0; i < 5; i++) await same('ECHO', `m${i}`);
    const [b2, r2] = await both('SLOWLOG', 'GET', '2');
    expect(normalise(decodeReply(b2), pair.brook.port)).toEqual(normalise(decodeReply(r2), pair.redis.port));
    await same('CONFIG', 'SET', 'slowlog-max-len', '3');
    await same('ECHO', 'last');
    await same('SLOWLOG', 'LEN');
    const [b, r] = await both('SLOWLOG', 'GET');
    expect(normalise(decodeReply(b), pair.brook.port)).toEqual(normalise(decodeReply(r), pair.redis.port));
    await same('CONFIG', 'SET', 'slowlog-max-len', '128');
  });

  it('a negative threshold turns logging off and keeps the entries', async () => {
    await same('SLOWLOG', 'RESET');
    await same('ECHO', 'kept');
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    await same('ECHO', 'not logged');
    await same('SLOWLOG', 'LEN');
  });

  it('logs a command slower than the threshold with its real duration', async () => {
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '20000');
    await same('SLOWLOG', 'RESET');
    await clients.brook.call('DEBUG', 'SLEEP', '0.05');
    // On a loaded machine another command may pass 20 ms too: look for this one.
    const entries = decodeReply(await clients.brook.call('SLOWLOG', 'GET')) as RespValue[][];
    const sleep = entries.find((e) => (e[3] as string[])[0] === 'DEBUG');
    expect(sleep?.[3]).toEqual(['DEBUG', 'SLEEP', '0.05']);
    expect(sleep?.[2]).toBeGreaterThanOrEqual(50000);
    expect(sleep?.[5]).toBe('observer');
  });

  it('a blocked command is logged when served, after the command that served it; not on timeout or CLIENT UNBLOCK', async () => {
    await same('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await same('DEL', 'q');
    await same('CONFIG', 'RESETSTAT');
    const waiters = await Promise.all([pair.brook, pair.redis].map((s) => RawClient.connect(s.port)));
    // Entries of both, the same once client ids (which differ by server) are hidden.
    const entries = async (): Promise<unknown[]> => {
      const [b, r] = await both('SLOWLOG', 'GET', '-1');
      const hideId = (e: unknown): unknown => {
        const [args, name] = e as [string[], string];
        return [args[1] === 'UNBLOCK' ? [...args.slice(0, 2), 'id'] : args, name];
      };
      const got = normalise(decodeReply(b), pair.brook.port).map(hideId);
      expect(got).toEqual(normalise(decodeReply(r), pair.redis.port).map(hideId));
      return got;
    };
    try {
      await Promise.all(waiters.map((w) => w.call('CLIENT', 'SETNAME', 'waiter')));
      const ids = await Promise.all(waiters.map((w) => w.call('CLIENT', 'ID')));
      // A wait that times out leaves no entry.
      await same('SLOWLOG', 'RESET');
      await Promise.all(waiters.map((w) => w.call('BLPOP', 'q', '0.05')));
      expect(await entries()).toEqual([[['SLOWLOG', 'RESET'], 'observer']]);
      // CLIENT UNBLOCK: Redis 7.0.15 accounts after resetting the client, so its entry has no arguments.
      const unblocked = waiters.map((w) => w.call('BRPOP', 'q', '0'));
      await waitBlocked();
      await same('SLOWLOG', 'RESET');
      await Promise.all([
        clients.brook.call('CLIENT', 'UNBLOCK', ids[0].slice(1, -2)),
        clients.redis.call('CLIENT', 'UNBLOCK', ids[1].slice(1, -2)),
      ]);
      expect(await unblocked[0]).toBe(await unblocked[1]);
      expect(await entries()).toEqual([
        [['CLIENT', 'UNBLOCK', 'id'], 'observer'],
        [[], 'waiter'],
        [['SLOWLOG', 'RESET'], 'observer'],
      ]);
      // Served: logged after the push that served it.
      const served = waiters.map((w) => w.call('BLPOP', 'q', '0'));
      await waitBlocked();
      await same('SLOWLOG', 'RESET');
      await same('RPUSH', 'q', 'v');
      expect(await served[0]).toBe(await served[1]);
      expect(await entries()).toEqual([
        [['BLPOP', 'q', '0'], 'waiter'],
        [['RPUSH', 'q', 'v'], 'observer'],
        [['SLOWLOG', 'RESET'], 'observer'],
      ]);
      // commandstats: calls counted once each; the unblocked BRPOP as a failed call, as Redis.
      const calls = (info: string) =>
        info
          .split('\r\n')
          .filter((l) => /^cmdstat_b[lr]pop:/.test(l))
          .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
          .sort();
      const [ib, ir] = await both('INFO', 'commandstats');
      expect(calls(ib)).toEqual(calls(ir));
      expect(calls(ib)).toContain('cmdstat_brpop:calls=1,rejected_calls=0,failed_calls=1');
    } finally {
      for (const w of waiters) w.close();
    }
  });
});

/** Until both servers count a blocked client. */
async function waitBlocked(): Promise<void> {
  for (const c of [clients.brook, clients.redis]) {
    while (!/blocked_clients:1\r\n/.test(await c.call('INFO', 'clients'))) await new Promise((r) => setTimeout(r, 10));
  }
}
