/**
 * BZPOPMIN, BZPOPMAX and BZMPOP through real clients: a work queue drained by ioredis and
 * node-redis consumers racing (every item popped exactly once), FIFO among waiters, keys in
 * argument order, timeouts, a waited key retyped, the reply shapes Redis gives a served
 * client (byte for byte), and what a served pop puts into the change feed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { serverPair, startBrookProcess, type RunningServer } from './support/servers.js';
import { encodeCommand, RawClient } from './support/raw-client.js';
import { transactionSuite, waitBlockedClients } from './support/blocked.js';
import { changeFeedSuite } from './support/change-feed.js';

describe('blocking sorted-set pops', () => {
  let brook: RunningServer;
  let admin: RawClient;
  const opened: RawClient[] = [];

  async function connect(): Promise<RawClient> {
    const c = await RawClient.connect(brook.port);
    opened.push(c);
    return c;
  }

  function send(c: RawClient, ...argv: string[]): void {
    c.write(encodeCommand(argv));
  }

  const blockedClients = (n: number) => waitBlockedClients(admin, n);

  beforeAll(async () => {
    brook = await startBrookProcess();
    admin = await RawClient.connect(brook.port);
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) c.close();
    await blockedClients(0);
    await admin.call('FLUSHALL');
  });

  afterAll(async () => {
    admin?.close();
    await brook?.stop();
  });

  it('a work queue: ioredis and node-redis consumers racing on BZPOPMIN pop every item exactly once', async () => {
    const items = 600;
    const popped: string[] = [];
    let producerDone = false;
    const ioClients = [0, 1, 2].map(() => new Redis({ port: brook.port, host: '127.0.0.1', lazyConnect: true }));
    const nodeClients = [0, 1].map(() => createClient({ socket: { port: brook.port, host: '127.0.0.1', reconnectStrategy: false } }));
    for (const c of nodeClients) c.on('error', () => undefined);
    await Promise.all([...ioClients.map((c) => c.connect()), ...nodeClients.map((c) => c.connect())]);
    // A consumer stops once the producer is done and a wait times out (the queue is drained).
    const ioConsumer = async (c: Redis) => {
      for (;;) {
        const r = await c.bzpopmin('jobs', 0.2);
        if (r === null) {
          if (producerDone) return;
          continue;
        }
        expect(r[0]).toBe('jobs');
        popped.push(r[1]);
      }
    };
    const nodeConsumer = async (c: (typeof nodeClients)[number]) => {
      for (;;) {
        const r = await c.bzPopMin('jobs', 0.2);
        if (r === null) {
          if (producerDone) return;
          continue;
        }
        expect(r.key).toBe('jobs');
        popped.push(r.value);
      }
    };
    const consumers = [...ioClients.map(ioConsumer), ...nodeClients.map(nodeConsumer)];
    const producer = new Redis({ port: brook.port, host: '127.0.0.1' });
    try {
      for (let i = 0; i < items; i += 3) {
        await producer.zadd('jobs', i, `job${i}`, i + 1, `job${i + 1}`, i + 2, `job${i + 2}`);
        if (i % 60 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      producerDone = true;
      await Promise.all(consumers);
      expect(popped).toHaveLength(items);
      expect(new Set(popped).size).toBe(items);
      expect(await producer.exists('jobs')).toBe(0);
    } finally {
      producer.disconnect();
      for (const c of ioClients) c.disconnect();
      await Promise.all(nodeClients.map((c) => c.close()));
    }
  });

  it('serves waiters in the order they blocked, with Redis’s reply shapes', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    send(a, 'BZPOPMIN', 'k', '0');
    await blockedClients(1);
    send(b, 'BZPOPMAX', 'k', '0');
    await blockedClients(2);
    send(c, 'BZMPOP', '0', '1', 'k', 'MAX', 'COUNT', '5');
    await blockedClients(3);
    await admin.call('ZADD', 'k', '1', 'x', '2', 'y');
    expect((await a.read()).toString('latin1')).toBe('*3\r\n$1\r\nk\r\n$1\r\nx\r\n$1\r\n1\r\n');
    expect((await b.read()).toString('latin1')).toBe('*3\r\n$1\r\nk\r\n$1\r\ny\r\n$1\r\n2\r\n');
    await blockedClients(1);
    await admin.call('ZADD', 'k', '3', 'p', '4', 'q');
    expect((await c.read()).toString('latin1')).toBe('*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nq\r\n$1\r\n4\r\n*2\r\n$1\r\np\r\n$1\r\n3\r\n');
    expect(await admin.call('EXISTS', 'k')).toBe(':0\r\n');
  });

  it('checks several keys in argument order and serves from the key that was written', async () => {
    const a = await connect();
    await admin.call('ZADD', 'second', '5', 'm');
    await admin.call('ZADD', 'first', '7', 'n');
    expect(await a.call('BZPOPMIN', 'missing', 'first', 'second', '0')).toBe('*3\r\n$5\r\nfirst\r\n$1\r\nn\r\n$1\r\n7\r\n');
    send(a, 'BZPOPMIN', 'k1', 'k2', '0');
    await blockedClients(1);
    await admin.call('ZADD', 'k2', '1.5', 'z');
    expect((await a.read()).toString('latin1')).toBe('*3\r\n$2\r\nk2\r\n$1\r\nz\r\n$3\r\n1.5\r\n');
  });

  it('replies a null array on timeout (RESP2 *-1, RESP3 _)', async () => {
    const a = await connect();
    expect(await a.call('BZPOPMIN', 'k', '0.05')).toBe('*-1\r\n');
    expect(await a.call('BZMPOP', '0.05', '1', 'k', 'MIN')).toBe('*-1\r\n');
    await a.call('HELLO', '3');
    expect(await a.call('BZPOPMAX', 'k', '0.05')).toBe('_\r\n');
  });

  it('keeps waiting while the key holds another type, and is served once it is a sorted set again', async () => {
    const a = await connect();
    send(a, 'BZPOPMIN', 'k', '0');
    await blockedClients(1);
    await admin.call('SET', 'k', 'string');
    await admin.call('PING');
    expect(a.unread()).toBe('');
    await admin.call('DEL', 'k');
    await admin.call('ZADD', 'k', '1', 'back');
    expect((await a.read()).toString('latin1')).toBe('*3\r\n$1\r\nk\r\n$4\r\nback\r\n$1\r\n1\r\n');
  });
});

describe('blocking sorted-set pops: the same errors as Redis', () => {
  const servers = serverPair();

  it('timeouts: not a float, negative, out of range', async () => {
    const [b, r] = await Promise.all([RawClient.connect(servers.brook.port), RawClient.connect(servers.redis.port)]);
    try {
      for (const t of ['x', '-1', '1e300', 'inf', '-inf', '', '0x10p1000', ' 1', '1 ']) {
        for (const argv of [
          ['BZPOPMIN', 'k', t],
          ['BZMPOP', t, '1', 'k', 'MIN'],
        ]) {
          expect({ argv, reply: await b.call(...argv) }).toEqual({ argv, reply: await r.call(...argv) });
        }
      }
    } finally {
      b.close();
      r.close();
    }
  });
});

describe('blocking sorted-set pops: the change feed', () => {
  const suite = changeFeedSuite();

  it('a served BZPOPMIN feeds ZPOPMIN key, a served BZMPOP ZPOPMIN/ZPOPMAX key count, as Redis 7.0', async () => {
    const waiter = await RawClient.connect(suite.server.boundPort);
    try {
      waiter.write(encodeCommand(['BZPOPMIN', 'q', '0']));
      await new Promise((r) => setTimeout(r, 50));
      expect(await suite.fedArgv('ZADD', 'q', '1', 'a', '2', 'b')).toEqual([
        ['ZADD', 'q', '1', 'a', '2', 'b'],
        ['ZPOPMIN', 'q'],
      ]);
      await waiter.read();
      waiter.write(encodeCommand(['BZMPOP', '0', '1', 'q2', 'MAX', 'COUNT', '3']));
      await new Promise((r) => setTimeout(r, 50));
      expect(await suite.fedArgv('ZADD', 'q2', '1', 'a')).toEqual([
        ['ZADD', 'q2', '1', 'a'],
        ['ZPOPMAX', 'q2', '3'],
      ]);
      expect((await waiter.read()).toString('latin1')).toBe('*2\r\n$2\r\nq2\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    } finally {
      waiter.close();
    }
  });
});

describe('blocking sorted-set pops and MULTI/EXEC', () => {
  const n = transactionSuite();

  it('do not block inside MULTI: the null replies Redis gives', async () => {
    const { brook, redis } = await n.exec([
      ['BZPOPMIN', 'missing', '0'],
      ['BZPOPMAX', 'missing', 'other', '0'],
      ['BZMPOP', '0', '1', 'missing', 'MIN'],
    ]);
    expect(brook).toBe(redis);
    expect(brook).toBe('*3\r\n*-1\r\n*-1\r\n*-1\r\n');
  });

  it('serve a client blocked before the transaction only after EXEC, with the whole transaction applied', async () => {
    for (const c of [n.brook, n.oracle]) {
      const waiter = await RawClient.connect(c.socket.remotePort as number);
      waiter.write(encodeCommand(['BZPOPMIN', 'queue', '0']));
      await waitBlockedClients(c, 1);
      // Served after the first ZADD, the waiter would pop "late"; after EXEC, "early" is the minimum.
      expect(await c.call('MULTI')).toBe('+OK\r\n');
      expect(await c.call('ZADD', 'queue', '2', 'late')).toBe('+QUEUED\r\n');
      expect(await c.call('ZADD', 'queue', '1', 'early')).toBe('+QUEUED\r\n');
      expect(await c.call('EXEC')).toBe('*2\r\n:1\r\n:1\r\n');
      expect((await waiter.read()).toString('latin1')).toBe('*3\r\n$5\r\nqueue\r\n$5\r\nearly\r\n$1\r\n1\r\n');
      expect(await c.call('ZRANGE', 'queue', '0', '-1')).toBe('*1\r\n$4\r\nlate\r\n');
      waiter.close();
    }
  });
});
