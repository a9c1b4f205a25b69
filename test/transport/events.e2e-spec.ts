/**
 * BrookServer events in the three modes: `emit()` appends to the pattern's stream, consumed
 * through the service's group with the SDK's durable rules (ack after success, redelivery after
 * visibilityTimeout, dead letters after maxDeliveries), and graceful close.
 */
import 'reflect-metadata';
import { beforeEach, expect, it } from '@jest/globals';
import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload, RpcException } from '@nestjs/microservices';
import type { BrookContext } from '@brook/transport';
import { firstValueFrom } from 'rxjs';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { pendingCount, transportFixture } from './transport-fixture.js';

interface Handled {
  n: number;
  stream: string;
  id: string;
  deliveryCount: number;
  group: string;
}

const handled: Handled[] = [];
let failUntilDelivery = 0;
/** The graceful-close test holds its handler here until it has called close(). */
let gate: Promise<void> = Promise.resolve();
let started = false;
let finished = false;

function record(n: number, ctx: BrookContext): void {
  handled.push({ n, stream: ctx.getStream(), id: ctx.getId(), deliveryCount: ctx.getDeliveryCount(), group: ctx.getGroup() });
}

/**
 * Nest 12 types `@EventPattern('literal')` for a typed events map whose handlers take `...args: unknown[]`
 * after the payload, which rejects `@Ctx() ctx: BrookContext`; the plain MethodDecorator overload does not.
 */
function OnEvent(pattern: string): MethodDecorator {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- selects the untyped overload
  return EventPattern<string>(pattern);
}

@Controller()
class EventsController {
  @OnEvent('orders.created')
  created(@Payload() n: number, @Ctx() ctx: BrookContext): void {
    record(n, ctx);
  }

  @OnEvent('orders.flaky')
  async flaky(@Payload() n: number, @Ctx() ctx: BrookContext): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (ctx.getDeliveryCount() < failUntilDelivery) throw new Error(`flaky failure on delivery ${ctx.getDeliveryCount()}`);
    record(n, ctx);
  }

  @OnEvent('orders.poison')
  poison(@Payload() n: number, @Ctx() ctx: BrookContext): never {
    record(n, ctx);
    throw new RpcException('cannot process this order');
  }

  @OnEvent('orders.invalid')
  invalid(@Payload() n: number, @Ctx() ctx: BrookContext): never {
    record(n, ctx);
    throw new RpcException({ message: 'order is malformed', nonRetryable: true });
  }

  @OnEvent('orders.slow')
  async slow(@Payload() n: number, @Ctx() ctx: BrookContext): Promise<void> {
    started = true;
    await gate;
    record(n, ctx);
    finished = true;
  }
}

@Module({ controllers: [EventsController] })
class EventsModule {}

describeSdkModes('transport events', (target) => {
  const fx = transportFixture(target);
  beforeEach(() => {
    handled.length = 0;
    failUntilDelivery = 0;
    started = finished = false;
  });

  it('emit() resolves with the entry ID; @Ctx() tells stream, ID, delivery count and group', async () => {
    await fx.startService(EventsModule, { group: 'billing' });
    const client = fx.client();
    const id = await firstValueFrom(client.emit<string>('orders.created', 7));
    await waitUntil(() => handled.length === 1, 'the event handled');
    expect(handled).toEqual([{ n: 7, stream: 'brook:orders.created', id, deliveryCount: 1, group: 'billing' }]);
    await waitUntil(async () => (await pendingCount(fx.redis(), 'brook:orders.created', 'billing')) === 0, 'the event acknowledged');
  });

  it('two instances of a service share the group: each event is handled exactly once', async () => {
    await fx.startService(EventsModule, { group: 'shipping', consumer: 'a', concurrency: 4 });
    await fx.startService(EventsModule, { group: 'shipping', consumer: 'b', concurrency: 4 });
    const client = fx.client();
    const count = 300;
    await Promise.all(Array.from({ length: count }, (_, n) => firstValueFrom(client.emit('orders.created', n))));
    await waitUntil(() => handled.length >= count, `${count} events handled`);
    await waitUntil(async () => (await pendingCount(fx.redis(), 'brook:orders.created', 'shipping')) === 0, 'all acknowledged');
    expect(handled.map((h) => h.n).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, n) => n));
    // Both instances are consumers of the one group.
    const consumers = (await fx.redis().xinfo('CONSUMERS', 'brook:orders.created', 'shipping')) as unknown[][];
    expect(consumers.map((c) => c[1]).sort()).toEqual(['a', 'b']);
  });

  it('a failing handler gets the event again after visibilityTimeout, and its success is acknowledged', async () => {
    failUntilDelivery = 3;
    await fx.startService(EventsModule, { group: 'retry', visibilityTimeout: 200, maxDeliveries: 5 });
    await firstValueFrom(fx.client().emit('orders.flaky', 1));
    await waitUntil(() => handled.length === 1, 'the third delivery to succeed');
    expect(handled[0]).toMatchObject({ n: 1, deliveryCount: 3 });
    await waitUntil(async () => (await pendingCount(fx.redis(), 'brook:orders.flaky', 'retry')) === 0, 'the event acknowledged');
    expect(await fx.redis().exists('brook:orders.flaky:dead')).toBe(0);
  });

  it('an event failing maxDeliveries times goes to <prefix>:<pattern>:dead with its packet and the error', async () => {
    await fx.startService(EventsModule, { group: 'poisoned', visibilityTimeout: 200, maxDeliveries: 2 });
    const id = await firstValueFrom(fx.client().emit<string>('orders.poison', 42));
    await waitUntil(async () => (await fx.redis().xlen('brook:orders.poison:dead')) === 1, 'the dead letter');
    expect(handled.map((h) => h.deliveryCount)).toEqual([1, 2]);
    const [[, fields]] = (await fx.redis().xrange('brook:orders.poison:dead', '-', '+')) as [[string, string[]]];
    const dead = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) dead.set(fields[i], fields[i + 1]);
    expect(JSON.parse(dead.get('payload')!)).toEqual({ pattern: 'orders.poison', data: 42 });
    expect(Object.fromEntries(dead)).toMatchObject({
      error: 'cannot process this order',
      stream: 'brook:orders.poison',
      id,
      group: 'poisoned',
      deliveries: '2',
    });
    expect(await pendingCount(fx.redis(), 'brook:orders.poison', 'poisoned')).toBe(0);
  });

  it('an RpcException with nonRetryable: true dead-letters the event on its first delivery', async () => {
    await fx.startService(EventsModule, { group: 'validating', visibilityTimeout: 200, maxDeliveries: 5 });
    await firstValueFrom(fx.client().emit('orders.invalid', 1));
    await waitUntil(async () => (await fx.redis().xlen('brook:orders.invalid:dead')) === 1, 'the dead letter');
    expect(handled.map((h) => h.deliveryCount)).toEqual([1]);
    const [[, fields]] = (await fx.redis().xrange('brook:orders.invalid:dead', '-', '+')) as [[string, string[]]];
    expect(fields).toEqual(expect.arrayContaining(['error', 'order is malformed', 'deliveries', '1']));
  });

  it('send() to a pattern that only has an event handler gets Nest’s no-handler error', async () => {
    await fx.startService(EventsModule, { group: 'mixed' });
    await expect(firstValueFrom(fx.client().send('orders.created', 1))).rejects.toBe(
      'There is no matching message handler defined in the remote service.',
    );
    expect(handled).toEqual([]);
  });

  it('an entry that is not a transport packet is dead-lettered at once', async () => {
    await fx.startService(EventsModule, { group: 'strict' });
    await fx.redis().xadd('brook:orders.created', '*', 'payload', 'not json');
    await waitUntil(async () => (await fx.redis().xlen('brook:orders.created:dead')) === 1, 'the dead letter');
    expect(handled).toEqual([]);
  });

  it('close() stops fetching and lets the handler in flight finish before closing; its entry is acknowledged', async () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const app = await fx.startService(EventsModule, { group: 'graceful' });
    await firstValueFrom(fx.client().emit('orders.slow', 5));
    await waitUntil(() => started, 'the handler to start');
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toBe(true);
    expect(handled).toMatchObject([{ n: 5 }]);
    expect(await pendingCount(fx.redis(), 'brook:orders.slow', 'graceful')).toBe(0);
  });

  it('close() leaves a handler that outlives shutdownTimeout unacknowledged; another instance takes the entry over', async () => {
    gate = new Promise(() => undefined);
    const app = await fx.startService(EventsModule, { group: 'abandoned', shutdownTimeout: 100 });
    await firstValueFrom(fx.client().emit('orders.slow', 6));
    await waitUntil(() => started, 'the handler to start');
    await app.close();
    expect(finished).toBe(false);
    expect(await pendingCount(fx.redis(), 'brook:orders.slow', 'abandoned')).toBe(1);
    // As after a crash of the first instance: the next one reclaims the entry once it has been idle for visibilityTimeout.
    gate = Promise.resolve();
    await fx.startService(EventsModule, { group: 'abandoned', visibilityTimeout: 200 });
    await waitUntil(() => finished, 'the second instance to finish the entry');
    expect(handled).toMatchObject([{ n: 6, deliveryCount: 2, group: 'abandoned' }]);
    await waitUntil(async () => (await pendingCount(fx.redis(), 'brook:orders.slow', 'abandoned')) === 0, 'the entry acknowledged');
  });
});
