/**
 * @OnMessage with a group: competing consumers across app instances, every group gets every
 * entry, redelivery with delivery counts, dead letters under the prefix, validation failures,
 * and graceful shutdown, in the three modes.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { Inject, Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsPositive, IsString } from 'class-validator';
import { Redis } from 'ioredis';
import { BrookConnections, BrookPublisher, OnMessage, type MessageContext } from '@brook/sdk';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { closeApps, startApp } from './sdk-app.js';

const APP = 'APP_NAME';
const handled: { app: string; handler: string; payload: unknown; context: MessageContext }[] = [];
/** Handlers of the shutdown tests park here until the test releases them. */
const gate = { release: (): void => undefined, finished: [] as string[] };

class Order {
  @IsString()
  sku!: string;

  @IsPositive()
  quantity!: number;
}

@Injectable()
class Billing {
  constructor(@Inject(APP) private readonly app: string) {}

  @OnMessage('orders', { group: 'billing', concurrency: 8 })
  bill(payload: unknown, context: MessageContext): void {
    handled.push({ app: this.app, handler: 'billing', payload, context });
  }

  @OnMessage('orders', { group: 'audit', concurrency: 8 })
  audit(payload: unknown, context: MessageContext): void {
    handled.push({ app: this.app, handler: 'audit', payload, context });
  }
}

@Injectable()
class Flaky {
  @OnMessage('flaky', { group: 'g', visibilityTimeout: 300 })
  handle(payload: unknown, context: MessageContext): void {
    handled.push({ app: '', handler: 'flaky', payload, context });
    if (context.deliveryCount! < 3) throw new Error(`not yet (delivery ${context.deliveryCount})`);
  }

  @OnMessage('poison', { group: 'g', visibilityTimeout: 300, maxDeliveries: 3 })
  poison(payload: unknown, context: MessageContext): Promise<void> {
    handled.push({ app: '', handler: 'poison', payload, context });
    return Promise.reject(new Error('poisoned'));
  }

  @OnMessage('orders-checked', { group: 'g' })
  checked(order: Order, context: MessageContext): void {
    handled.push({ app: '', handler: 'checked', payload: order, context });
  }
}

@Injectable()
class Slow {
  @OnMessage('slow', { group: 'g' })
  async handle(_payload: unknown, context: MessageContext): Promise<void> {
    handled.push({ app: '', handler: 'slow', payload: null, context });
    await new Promise<void>((r) => (gate.release = r));
    gate.finished.push(context.id!);
  }
}

describeSdkModes('@OnMessage durable groups', (target) => {
  const apps: TestingModule[] = [];
  let redis: Redis;

  afterEach(async () => {
    gate.release();
    await closeApps(apps);
    handled.length = 0;
    gate.finished.length = 0;
  });

  /** The host app (it owns the server in embedded mode), then a plain client to inspect the keys. */
  async function host(providers: Parameters<typeof startApp>[1] = []): Promise<TestingModule> {
    const app = await startApp(target.hostOptions(), [{ provide: APP, useValue: 'host' }, ...providers]);
    apps.push(app);
    return app;
  }

  beforeAll(() => {
    redis = new Redis(target.port, '127.0.0.1', { lazyConnect: true });
  });

  afterAll(() => {
    redis.disconnect();
  });

  async function pending(key: string, group: string): Promise<number> {
    const [count] = (await redis.xpending(key, group)) as [number];
    return count;
  }

  it('two instances share a group (each of 1,000 entries handled exactly once); another group gets every entry too', async () => {
    const a = await host([Billing]);
    apps.push(await startApp(target.clientOptions(), [{ provide: APP, useValue: 'b' }, Billing]));
    const publisher = a.get(BrookPublisher);
    const ids = new Set<string>();
    for (let n = 0; n < 1000; n++) ids.add(await publisher.append('orders', { n }));
    await waitUntil(() => handled.length === 2000, '1,000 entries in each group', 60000);
    for (const group of ['billing', 'audit']) {
      const mine = handled.filter((h) => h.handler === group);
      expect(new Set(mine.map((h) => h.context.id))).toEqual(ids);
      expect(mine.length).toBe(1000);
      expect(mine.every((h) => h.context.deliveryCount === 1 && h.context.stream === 'brook:orders' && h.context.group === group)).toBe(
        true,
      );
    }
    // Each app reads under its own consumer name (host-pid-random, unique per app instance).
    const names = { host: a.get(BrookConnections).consumerName, b: apps[1].get(BrookConnections).consumerName };
    expect(names.host).not.toBe(names.b);
    expect(handled.every((h) => h.context.consumer === names[h.app as 'host' | 'b'])).toBe(true);
    await waitUntil(
      async () => (await pending('brook:orders', 'billing')) + (await pending('brook:orders', 'audit')) === 0,
      'acknowledgements',
    );
  });

  it('redelivers an entry whose handler failed twice, then acknowledges it (deliveryCount 1, 2, 3)', async () => {
    const app = await host([Flaky]);
    const id = await app.get(BrookPublisher).append('flaky', { try: 'hard' });
    await waitUntil(() => handled.filter((h) => h.handler === 'flaky').length === 3, 'three deliveries');
    await waitUntil(async () => (await pending('brook:flaky', 'g')) === 0, 'the acknowledgement');
    const flaky = handled.filter((h) => h.handler === 'flaky');
    expect(flaky.map((h) => h.context.deliveryCount)).toEqual([1, 2, 3]);
    expect(flaky.every((h) => h.context.id === id)).toBe(true);
    expect(await redis.exists('brook:flaky:dead')).toBe(0);
  });

  it('moves an entry past maxDeliveries to <prefix>:<stream>:dead with the error and the payload, acknowledged', async () => {
    const app = await host([Flaky]);
    const id = await app.get(BrookPublisher).append('poison', { toxic: true });
    await waitUntil(async () => (await redis.xlen('brook:poison:dead')) === 1, 'the dead letter');
    const [[, fields]] = await redis.xrange('brook:poison:dead', '-', '+');
    const dead = new Map(fields.flatMap((f, i) => (i % 2 ? [] : [[f, fields[i + 1]]])));
    expect(JSON.parse(dead.get('payload')!)).toEqual({ toxic: true });
    expect(dead.get('error')).toBe('poisoned');
    expect([dead.get('stream'), dead.get('id'), dead.get('group'), dead.get('deliveries')]).toEqual(['brook:poison', id, 'g', '3']);
    expect(handled.filter((h) => h.handler === 'poison').map((h) => h.context.deliveryCount)).toEqual([1, 2, 3]);
    expect(await pending('brook:poison', 'g')).toBe(0);
  });

  it('validates a class-typed payload: invalid entries are dead-lettered at once with the violations, valid ones arrive as instances', async () => {
    const app = await host([Flaky]);
    const publisher = app.get(BrookPublisher);
    await publisher.append('orders-checked', { sku: 'A-1', quantity: -2 });
    await publisher.append('orders-checked', { sku: 'A-2', quantity: 3 });
    await waitUntil(() => handled.some((h) => h.handler === 'checked'), 'the valid order');
    await waitUntil(async () => (await redis.xlen('brook:orders-checked:dead')) === 1, 'the dead letter');
    const [[, fields]] = await redis.xrange('brook:orders-checked:dead', '-', '+');
    const dead = new Map(fields.flatMap((f, i) => (i % 2 ? [] : [[f, fields[i + 1]]])));
    expect(dead.get('error')).toBe('validation failed: quantity must be a positive number');
    expect(dead.get('deliveries')).toBe('1');
    expect(JSON.parse(dead.get('payload')!)).toEqual({ sku: 'A-1', quantity: -2 });
    const checked = handled.filter((h) => h.handler === 'checked');
    expect(checked).toHaveLength(1);
    expect(checked[0].payload).toBeInstanceOf(Order);
    expect(checked[0].payload).toEqual(Object.assign(new Order(), { sku: 'A-2', quantity: 3 }));
    await waitUntil(async () => (await pending('brook:orders-checked', 'g')) === 0, 'the acknowledgements');
  });

  it('append() returns the entry ID of <prefix>:<stream>, and maxLen caps the stream (MAXLEN ~)', async () => {
    const app = await startApp(target.hostOptions({ prefix: 'shop' }));
    apps.push(app);
    const publisher = app.get(BrookPublisher);
    const first = await publisher.append('events', { n: 0 });
    expect(await redis.xrange('shop:events', first, first)).toEqual([[first, ['payload', '{"n":0}']]]);
    for (let n = 1; n < 1000; n++) await publisher.append('capped', { n }, { maxLen: 10 });
    const length = await redis.xlen('shop:capped');
    // Approximate trimming removes whole stream nodes (100 entries each by default), never below maxLen.
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThanOrEqual(200);
  });

  it('app.close() stops fetching, lets the handler in flight finish, and acknowledges it', async () => {
    const owner = await host();
    const worker = await startApp(target.clientOptions(), [Slow]);
    const id = await owner.get(BrookPublisher).append('slow', { n: 1 });
    await waitUntil(() => handled.length === 1, 'the handler to start');
    const closing = worker.close();
    // Appended while closing: the worker must not fetch it.
    await owner.get(BrookPublisher).append('slow', { n: 2 });
    gate.release();
    await closing;
    expect(gate.finished).toEqual([id]);
    expect(handled).toHaveLength(1);
    expect(await pending('brook:slow', 'g')).toBe(0);
  });

  it('app.close() leaves a handler that outlives shutdownTimeout unacknowledged, for redelivery', async () => {
    const owner = await host();
    const worker = await startApp(target.clientOptions({ shutdownTimeout: 100 }), [Slow]);
    await owner.get(BrookPublisher).append('slow', { n: 3 });
    await waitUntil(() => handled.length === 1, 'the handler to start');
    await worker.close();
    gate.release();
    await waitUntil(() => gate.finished.length === 1, 'the late handler to finish');
    expect(await pending('brook:slow', 'g')).toBe(1);
  });
});
