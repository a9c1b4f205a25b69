/**
 * The SDK's shared core against each broker: connection strings, the embedded server, and the
 * durable StreamConsumer (delivery, acknowledgement, redelivery with delivery counts, dead
 * letters, graceful stop).
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  NonRetryableError,
  StreamConsumer,
  closeRedis,
  createRedis,
  deadLetterKey,
  defaultConsumerName,
  parseConnectionUrl,
  startEmbeddedBrook,
  streamKey,
  type EmbeddedBrook,
  type StreamConsumerOptions,
  type StreamHandler,
} from '@brook/sdk';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy.js';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { freePort } from '../support/servers.js';

const logger = new Logger('sdk-core-test');

describe('connection strings', () => {
  it('reads redis:// with credentials, port and database', () => {
    expect(parseConnectionUrl('redis://alice:s%40cret@example.org:7000/3')).toEqual({
      host: 'example.org',
      port: 7000,
      username: 'alice',
      password: 's@cret',
      db: 3,
    });
  });

  it('defaults the port to 6379, and a password alone leaves the user to the server (default)', () => {
    expect(parseConnectionUrl('redis://:pw@10.0.0.1')).toEqual({ host: '10.0.0.1', port: 6379, password: 'pw' });
  });

  it('rediss:// turns TLS on; IPv6 literals lose their brackets', () => {
    expect(parseConnectionUrl('rediss://[::1]:6380')).toEqual({ host: '::1', port: 6380, tls: {} });
  });

  it('unix:// gives a socket path, with ?db= for the database', () => {
    expect(parseConnectionUrl('unix:///tmp/brook%20x/brook.sock?db=2')).toEqual({ path: '/tmp/brook x/brook.sock', db: 2 });
  });

  it('rejects other schemes and non-numeric databases', () => {
    expect(() => parseConnectionUrl('http://localhost')).toThrow(/redis:\/\/, rediss:\/\/ or unix:\/\//);
    expect(() => parseConnectionUrl('redis://localhost/abc')).toThrow(/database must be a number/);
  });
});

describe('embedded Brook', () => {
  it('answers on its private unix socket and on the TCP port it was given, and removes its directory on close', async () => {
    const port = await freePort();
    const brook = await startEmbeddedBrook({ port, config: { databases: '4' } });
    const unix = createRedis(brook.connection, 'test unix', logger);
    const tcp = createRedis(`redis://127.0.0.1:${port}/3`, 'test tcp', logger);
    await unix.set('k', 'v');
    expect(await unix.get('k')).toBe('v');
    expect(await tcp.get('k')).toBeNull();
    expect(await tcp.config('GET', 'databases')).toEqual(['databases', '4']);
    await closeRedis(unix);
    await closeRedis(tcp);
    await brook.close();
    expect(existsSync(dirname(brook.connection.path!))).toBe(false);
  });
});

describeSdkModes('StreamConsumer', (target) => {
  let embedded: EmbeddedBrook | undefined;
  let redis: Redis;
  const consumers: StreamConsumer[] = [];

  beforeAll(async () => {
    if (target.mode === 'embedded') embedded = await startEmbeddedBrook({ port: target.port });
    // Embedded: the private unix socket; the others: TCP (as the host app and other processes do).
    redis = createRedis(embedded?.connection ?? target.url, 'test commands', logger);
  });

  afterAll(async () => {
    for (const c of consumers) await c.stop(1000);
    await closeRedis(redis);
    await embedded?.close();
  });

  function consumer(stream: string, handler: StreamHandler, extra: Partial<StreamConsumerOptions> = {}): StreamConsumer {
    const c = new StreamConsumer(
      redis,
      {
        stream: streamKey('brook', stream),
        deadLetterStream: deadLetterKey('brook', stream),
        group: 'g',
        consumer: defaultConsumerName(),
        ...extra,
      },
      handler,
      logger,
    );
    consumers.push(c);
    return c;
  }

  async function append(stream: string, value: unknown): Promise<string> {
    return (await redis.xadd(streamKey('brook', stream), '*', 'payload', JSON.stringify(value)))!;
  }

  async function pending(stream: string): Promise<number> {
    const summary = (await redis.xpending(streamKey('brook', stream), 'g')) as [number, ...unknown[]];
    return summary[0];
  }

  it('creates its group with MKSTREAM, hands each entry to the handler once, and acknowledges it', async () => {
    const seen: { n: number; id: string; deliveryCount: number }[] = [];
    const c = consumer('rt', (payload, meta) => {
      seen.push({ n: (JSON.parse(payload.toString()) as { n: number }).n, id: meta.id, deliveryCount: meta.deliveryCount });
      return Promise.resolve();
    });
    await c.start();
    expect(await redis.exists(streamKey('brook', 'rt'))).toBe(1);
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await append('rt', { n }));
    await waitUntil(() => seen.length >= 20, '20 deliveries');
    await waitUntil(async () => (await pending('rt')) === 0, 'acknowledgements');
    expect(seen.map((s) => s.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(seen.map((s) => s.id)).toEqual(ids);
    expect(seen.every((s) => s.deliveryCount === 1)).toBe(true);
    await c.stop();
  });

  it('redelivers a failed entry after visibilityTimeout with a growing delivery count, then acknowledges it', async () => {
    const counts: number[] = [];
    const c = consumer(
      'retry',
      (_payload, meta) => {
        counts.push(meta.deliveryCount);
        return meta.deliveryCount < 3 ? Promise.reject(new Error(`attempt ${meta.deliveryCount}`)) : Promise.resolve();
      },
      { visibilityTimeout: 200 },
    );
    await c.start();
    await append('retry', { hello: 'again' });
    await waitUntil(() => counts.length >= 3, 'three deliveries');
    await waitUntil(async () => (await pending('retry')) === 0, 'the acknowledgement');
    expect(counts).toEqual([1, 2, 3]);
    expect(await redis.exists(deadLetterKey('brook', 'retry'))).toBe(0);
    await c.stop();
  });

  it('dead-letters an entry that fails maxDeliveries times, with its payload, error and origin, and acknowledges it', async () => {
    let calls = 0;
    const c = consumer(
      'poison',
      () => {
        calls++;
        return Promise.reject(new Error('cannot digest'));
      },
      { visibilityTimeout: 200, maxDeliveries: 2 },
    );
    await c.start();
    const id = await append('poison', { bad: true });
    const dead = deadLetterKey('brook', 'poison');
    await waitUntil(async () => (await redis.xlen(dead)) === 1, 'the dead letter');
    const [[, fields]] = await redis.xrange(dead, '-', '+');
    const record = Object.fromEntries(fields.flatMap((_, i) => (i % 2 ? [] : [[fields[i], fields[i + 1]]]))) as Record<string, string>;
    expect(record).toEqual({
      payload: JSON.stringify({ bad: true }),
      error: 'cannot digest',
      stream: 'brook:poison',
      id,
      group: 'g',
      deliveries: '2',
    });
    expect(calls).toBe(2);
    expect(await pending('poison')).toBe(0);
    await c.stop();
  });

  it('dead-letters at once on a NonRetryableError', async () => {
    let calls = 0;
    const c = consumer('invalid', () => {
      calls++;
      return Promise.reject(new NonRetryableError('payload.amount must be positive'));
    });
    await c.start();
    await append('invalid', { amount: -1 });
    const dead = deadLetterKey('brook', 'invalid');
    await waitUntil(async () => (await redis.xlen(dead)) === 1, 'the dead letter');
    const [[, fields]] = await redis.xrange(dead, '-', '+');
    expect(fields).toEqual(expect.arrayContaining(['error', 'payload.amount must be positive', 'deliveries', '1']));
    expect(calls).toBe(1);
    expect(await pending('invalid')).toBe(0);
    await c.stop();
  });

  it('dead-letters once when the connection drops after the dead-letter EXEC committed, before its reply', async () => {
    const proxy = await ReplyDroppingProxy.start(target.port);
    const commands = createRedis(proxy.url, 'test commands through a proxy', logger);
    const c = new StreamConsumer(
      commands,
      {
        stream: streamKey('brook', 'dropped'),
        deadLetterStream: deadLetterKey('brook', 'dropped'),
        group: 'g',
        consumer: defaultConsumerName(),
      },
      () => Promise.reject(new NonRetryableError('refused')),
      logger,
    );
    try {
      await c.start();
      const dead = deadLetterKey('brook', 'dropped');
      proxy.dropReplyTo(dead);
      await append('dropped', { n: 1 });
      await waitUntil(async () => proxy.dropped === 1 && (await pending('dropped')) === 0, 'the dead letter');
      // A connection that re-sent the MULTI on reconnecting would add the second entry within its reconnect delay (50 ms).
      await new Promise((r) => setTimeout(r, 300));
      expect(await redis.xlen(dead)).toBe(1);
    } finally {
      await c.stop();
      await closeRedis(commands);
      await proxy.close();
    }
  });

  it('dead-letters, without running it again, an entry reclaimed after its last permitted delivery was never acknowledged', async () => {
    const hung = consumer('abandoned', () => new Promise<void>(() => undefined), { maxDeliveries: 1 });
    await hung.start();
    const id = await append('abandoned', { stuck: true });
    await waitUntil(async () => (await pending('abandoned')) === 1, 'the first delivery');
    // Gives up on the handler as a dying process would: the entry stays pending, unacknowledged.
    await hung.stop(10);
    let ran = 0;
    const rescuer = consumer(
      'abandoned',
      () => {
        ran++;
        return Promise.resolve();
      },
      { maxDeliveries: 1, visibilityTimeout: 100 },
    );
    await rescuer.start();
    const dead = deadLetterKey('brook', 'abandoned');
    await waitUntil(async () => (await redis.xlen(dead)) === 1, 'the dead letter');
    const [[, fields]] = await redis.xrange(dead, '-', '+');
    expect(fields).toEqual(expect.arrayContaining(['error', 'not acknowledged after 1 deliveries', 'id', id, 'deliveries', '1']));
    expect(ran).toBe(0);
    expect(await pending('abandoned')).toBe(0);
    await rescuer.stop();
  });

  it('keeps a handler slower than visibilityTimeout from being redelivered to another consumer while it runs', async () => {
    const deliveries: string[] = [];
    let release: () => void = () => undefined;
    const slow = consumer(
      'heartbeat',
      async (_payload, meta) => {
        deliveries.push(`slow ${meta.deliveryCount}`);
        await new Promise<void>((r) => (release = r));
      },
      { visibilityTimeout: 1000 },
    );
    const other = consumer(
      'heartbeat',
      (_payload, meta) => {
        deliveries.push(`other ${meta.deliveryCount}`);
        return Promise.resolve();
      },
      { visibilityTimeout: 1000 },
    );
    await slow.start();
    await append('heartbeat', { long: 'job' });
    await waitUntil(() => deliveries.length === 1, 'the slow handler to start');
    await other.start();
    // Several visibility timeouts pass while the handler runs; the other consumer sweeps all along.
    await new Promise((r) => setTimeout(r, 3000));
    release();
    await waitUntil(async () => (await pending('heartbeat')) === 0, 'the acknowledgement');
    expect(deliveries).toEqual(['slow 1']);
    await slow.stop();
    await other.stop();
  });

  it('bounds reclaimed and new entries together by concurrency', async () => {
    let now = 0;
    let max = 0;
    const done = new Set<string>();
    const c = consumer(
      'bounded',
      async (_payload, meta) => {
        now++;
        max = Math.max(max, now);
        await new Promise((r) => setTimeout(r, 20));
        now--;
        if (meta.deliveryCount === 1) throw new Error('first delivery fails');
        done.add(meta.id);
      },
      { concurrency: 2, visibilityTimeout: 100 },
    );
    await c.start();
    for (let n = 0; n < 8; n++) await append('bounded', { n });
    await waitUntil(() => done.size === 8, 'every entry on its second delivery');
    await waitUntil(async () => (await pending('bounded')) === 0, 'the acknowledgements');
    expect(max).toBeLessThanOrEqual(2);
    await c.stop();
  });

  it('stop() stops fetching, lets the handler in flight finish, and acknowledges it', async () => {
    let release: () => void = () => undefined;
    const started: string[] = [];
    const finished: string[] = [];
    const c = consumer('drain', async (_payload, meta) => {
      started.push(meta.id);
      await new Promise<void>((r) => (release = r));
      finished.push(meta.id);
    });
    await c.start();
    const id = await append('drain', { slow: true });
    await waitUntil(() => started.length === 1, 'the handler to start');
    const stopped = c.stop(30000);
    await append('drain', { after: 'stop' });
    release();
    await stopped;
    expect(finished).toEqual([id]);
    expect(started).toEqual([id]);
    // The first entry is acknowledged; the one added during stop() was never read.
    expect(await pending('drain')).toBe(0);
    const info = (await redis.xinfo('GROUPS', streamKey('brook', 'drain'))) as unknown[][];
    expect(info[0]).toEqual(expect.arrayContaining(['last-delivered-id', id]));
  });
});
