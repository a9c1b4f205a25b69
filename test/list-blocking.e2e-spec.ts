/**
 * Blocking list pops with real clients racing, each scenario run on Brook and on a real
 * redis-server with the same expectations: FIFO among waiters, several keys, BLMOVE chains served
 * in the same turn, timeouts, CLIENT UNBLOCK, disconnects, retyped keys, command statistics; then
 * ioredis and node-redis consumers used as a work queue, and the change feed's forms.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RawClient, encodeCommand } from './support/raw-client.js';
import { SERVERS, blockingSuite, transactionSuite } from './support/blocked.js';
import { startBrookProcess, type RunningServer } from './support/servers.js';
import { changeFeedSuite } from './support/change-feed.js';

describe.each(SERVERS)('blocking list pops on %s', (kind) => {
  const t = blockingSuite(kind);
  const { connect, block, blockedClients } = t;

  const reply = async (c: RawClient) => (await c.read()).toString('latin1');

  it('serves waiters first come first served, one element each, from a push of several', async () => {
    await t.admin.call('FLUSHALL');
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await block(a, 1, 'BLPOP', 'q', '0');
    await block(b, 2, 'BRPOP', 'q', '0');
    await block(c, 3, 'BLPOP', 'q', '0');
    expect(await t.admin.call('RPUSH', 'q', 'x', 'y', 'z')).toBe(':3\r\n');
    expect(await reply(a)).toBe('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    expect(await reply(b)).toBe('*2\r\n$1\r\nq\r\n$1\r\nz\r\n');
    expect(await reply(c)).toBe('*2\r\n$1\r\nq\r\n$1\r\ny\r\n');
    expect(await t.admin.call('EXISTS', 'q')).toBe(':0\r\n');
    await blockedClients(0);
  });

  it('a waiter on several keys is served from the key that was pushed; BLMPOP takes up to its count', async () => {
    await t.admin.call('FLUSHALL');
    const [a, b] = [await connect(), await connect()];
    await block(a, 1, 'BLPOP', 'k1', 'k2', 'k3', '0');
    await block(b, 2, 'BLMPOP', '0', '2', 'k4', 'k3', 'RIGHT', 'COUNT', '3');
    await t.admin.call('RPUSH', 'k3', '1', '2', '3', '4', '5');
    expect(await reply(a)).toBe('*2\r\n$2\r\nk3\r\n$1\r\n1\r\n');
    expect(await reply(b)).toBe('*2\r\n$2\r\nk3\r\n*3\r\n$1\r\n5\r\n$1\r\n4\r\n$1\r\n3\r\n');
    expect(await t.admin.call('LRANGE', 'k3', '0', '-1')).toBe('*1\r\n$1\r\n2\r\n');
  });

  it('BLMOVE into a list another client waits on serves that client in the same turn', async () => {
    await t.admin.call('FLUSHALL');
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await block(a, 1, 'BLPOP', 'dst', '0');
    await block(b, 2, 'BLMOVE', 'src', 'mid', 'RIGHT', 'LEFT', '0');
    await block(c, 3, 'BRPOPLPUSH', 'mid', 'dst', '0');
    await t.admin.call('RPUSH', 'src', 'job');
    expect(await reply(b)).toBe('$3\r\njob\r\n');
    expect(await reply(c)).toBe('$3\r\njob\r\n');
    expect(await reply(a)).toBe('*2\r\n$3\r\ndst\r\n$3\r\njob\r\n');
    expect(await t.admin.call('DBSIZE')).toBe(':0\r\n');
  });

  it('times out with the null reply of each command, not before the timeout', async () => {
    await t.admin.call('FLUSHALL');
    const c = await connect();
    const cases: [string[], string, number][] = [
      [['BLPOP', 'q', '0.1'], '*-1\r\n', 100],
      [['BRPOP', 'q', 'q2', '0.05'], '*-1\r\n', 50],
      [['BLMPOP', '0.05', '1', 'q', 'LEFT'], '*-1\r\n', 50],
      // Redis 7.0 times out every blocked list command with a null array, BLMOVE too.
      [['BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0.05'], '*-1\r\n', 50],
      [['BRPOPLPUSH', 'q', 'd', '0.05'], '*-1\r\n', 50],
    ];
    for (const [argv, nil, ms] of cases) {
      const start = performance.now();
      expect(await c.call(...argv)).toBe(nil);
      // Correctness, not speed: a timeout never fires early (the clock's own rounding allowed).
      expect(performance.now() - start).toBeGreaterThanOrEqual(ms - 1);
    }
    await c.call('HELLO', '3');
    expect(await c.call('BLPOP', 'q', '0.01')).toBe('_\r\n');
    expect(await c.call('BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0.01')).toBe('_\r\n');
  });

  it('CLIENT UNBLOCK answers as a timeout or with the UNBLOCKED error, and the client carries on', async () => {
    await t.admin.call('FLUSHALL');
    const c = await connect();
    const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
    await block(c, 1, 'BLPOP', 'q', '0');
    expect(await t.admin.call('CLIENT', 'UNBLOCK', id)).toBe(':1\r\n');
    expect(await reply(c)).toBe('*-1\r\n');
    await block(c, 1, 'BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0');
    expect(await t.admin.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(':1\r\n');
    expect(await reply(c)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    expect(await t.admin.call('CLIENT', 'UNBLOCK', id)).toBe(':0\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });

  it('a disconnected waiter is forgotten: the next one gets the element', async () => {
    await t.admin.call('FLUSHALL');
    const [gone, b] = [await connect(), await connect()];
    await block(gone, 1, 'BLPOP', 'q', '0');
    await block(b, 2, 'BLPOP', 'q', '0');
    gone.close();
    await blockedClients(1);
    await t.admin.call('RPUSH', 'q', 'x');
    expect(await reply(b)).toBe('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    await blockedClients(0);
  });

  it('a waited key set to another type keeps BLPOP waiting; BLMOVE onto a non-list fails with WRONGTYPE when served', async () => {
    await t.admin.call('FLUSHALL');
    const [a, b] = [await connect(), await connect()];
    await block(a, 1, 'BLPOP', 'q', '0');
    await t.admin.call('SET', 'q', 'string');
    await t.admin.call('DEL', 'q');
    await t.admin.call('SADD', 'q', 'm');
    await blockedClients(1);
    await t.admin.call('DEL', 'q');
    await t.admin.call('LPUSH', 'q', 'x');
    expect(await reply(a)).toBe('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    await t.admin.call('SET', 'dst', 'string');
    await block(b, 1, 'BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0');
    await t.admin.call('RPUSH', 'src', 'v');
    expect(await reply(b)).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(await t.admin.call('LRANGE', 'src', '0', '-1')).toBe('*1\r\n$1\r\nv\r\n');
  });

  it('counts a blocking pop once in INFO commandstats whether served at once, after blocking or on timeout', async () => {
    await t.admin.call('FLUSHALL');
    await t.admin.call('CONFIG', 'RESETSTAT');
    const c = await connect();
    await t.admin.call('RPUSH', 'q', 'x');
    await c.call('BLPOP', 'q', '0');
    await c.call('BLPOP', 'q', '0.01');
    await block(c, 1, 'BLPOP', 'q', '0');
    await t.admin.call('RPUSH', 'q', 'y');
    await reply(c);
    const stats = await t.admin.call('INFO', 'commandstats');
    expect(/cmdstat_blpop:calls=(\d+)/.exec(stats)?.[1]).toBe('3');
  });
});

describe('blocking pops as a work queue: ioredis and node-redis consumers, several producers', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startBrookProcess();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('every pushed item is popped exactly once, none lost', async () => {
    const PRODUCERS = 3;
    const PER_PRODUCER = 400;
    const total = PRODUCERS * PER_PRODUCER;
    const seen = new Map<string, number>();
    let taken = 0;
    const io = [0, 1].map(() => new Redis({ port: server.port, host: '127.0.0.1' }));
    const nr = [0, 1].map(() => createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false } }));
    await Promise.all(nr.map((c) => c.connect()));
    const record = (item: string) => {
      seen.set(item, (seen.get(item) ?? 0) + 1);
      taken++;
    };
    // Consumers stop once every item is in; short timeouts let them notice.
    const consumers = [
      ...io.map(async (c, i) => {
        while (taken < total) {
          const r = i === 0 ? await c.blpop('jobs', 0.05) : await c.blmove('jobs', `done:${i}`, 'LEFT', 'RIGHT', 0.05);
          if (r === null) continue;
          record(Array.isArray(r) ? r[1] : r);
        }
      }),
      ...nr.map(async (c, i) => {
        while (taken < total) {
          if (i === 0) {
            const r = await c.blPop('jobs', 0.05);
            if (r !== null) record(r.element);
          } else {
            const r = await c.blMove('jobs', 'done:nr', 'RIGHT', 'LEFT', 0.05);
            if (r !== null) record(r);
          }
        }
      }),
    ];
    const producers = Array.from({ length: PRODUCERS }, async (_, p) => {
      const c = new Redis({ port: server.port, host: '127.0.0.1' });
      for (let i = 0; i < PER_PRODUCER; i += 4) {
        await c.rpush('jobs', ...[0, 1, 2, 3].map((k) => `p${p}:${i + k}`));
        if (i % 40 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      c.disconnect();
    });
    await Promise.all([...producers, ...consumers]);
    expect(taken).toBe(total);
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const c of io) c.disconnect();
    await Promise.all(nr.map((c) => c.quit()));
  }, 60_000);
});

describe('blocking pops: the change feed', () => {
  const suite = changeFeedSuite();

  it('a served blocking pop is fed, after the push that served it, as the non-blocking command that took effect', async () => {
    const port = suite.client.socket.remotePort as number;
    const cases: [string[], string[][]][] = [
      [['BLPOP', 'q', '0'], [['LPOP', 'q']]],
      [['BRPOP', 'x', 'q', '0'], [['RPOP', 'q']]],
      [['BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '5'], [['LPOP', 'q', '2']]],
      [['BLMOVE', 'q', 'd', 'RIGHT', 'LEFT', '0'], [['LMOVE', 'q', 'd', 'RIGHT', 'LEFT']]],
      [['BRPOPLPUSH', 'q', 'd', '0'], [['RPOPLPUSH', 'q', 'd']]],
    ];
    const waiter = await RawClient.connect(port);
    for (const [argv, served] of cases) {
      waiter.write(encodeCommand(argv));
      for (let i = 0; i < 200 && !suite.server.info(['clients']).includes('blocked_clients:1\r\n'); i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await suite.fedArgv('RPUSH', 'q', 'a', 'b')).toEqual([['RPUSH', 'q', 'a', 'b'], ...served]);
      await waiter.read();
      await suite.client.call('DEL', 'q', 'd');
    }
    waiter.close();
  });
});

describe('blocking list commands inside MULTI/EXEC', () => {
  const n = transactionSuite();

  it('reply at once what Redis replies: a null array, or a null bulk for BLMOVE and BRPOPLPUSH', async () => {
    const { brook, redis } = await n.exec([
      ['BLPOP', 'missing', '0'],
      ['BRPOP', 'missing', 'other', '0'],
      ['BLMPOP', '0', '1', 'missing', 'LEFT'],
      ['BLMOVE', 'missing', 'dst', 'LEFT', 'RIGHT', '0'],
      ['BRPOPLPUSH', 'missing', 'dst', '0'],
    ]);
    expect(brook).toBe(redis);
    expect(brook).toBe('*5\r\n*-1\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n');
  });
});
