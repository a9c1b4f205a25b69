/**
 * BrookServer/BrookClient request/response in the three modes: Nest's packets over a pattern
 * stream (requests) and the client's own reply stream (responses).
 */
import 'reflect-metadata';
import { expect, it } from '@jest/globals';
import { Controller, Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClientsModule, Ctx, MessagePattern, Payload, RpcException, type ClientProxy } from '@nestjs/microservices';
import { BrookClient, BrookContext, RequestTimeoutError } from '@brook/transport';
import type { Redis } from 'ioredis';
import { firstValueFrom, interval, map, of, take, toArray, type Observable } from 'rxjs';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { groupNames, lagOf, pendingCount, transportFixture } from './transport-fixture.js';

/** Which service instance (consumer) answered each 'math.whoami' request. */
const answeredBy: string[] = [];

@Controller()
class MathController {
  @MessagePattern('math.whoami')
  async whoami(@Ctx() ctx: BrookContext): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    answeredBy.push(ctx.getId());
    return ctx.getId();
  }

  @MessagePattern('math.sum')
  async sum(@Payload() numbers: number[]): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve));
    return numbers.reduce((a, b) => a + b, 0);
  }

  @MessagePattern({ cmd: 'double' })
  double(@Payload() n: number): number {
    return 2 * n;
  }

  @MessagePattern('math.range')
  range(@Payload() n: number): Observable<number> {
    return of(...Array.from({ length: n }, (_, i) => i));
  }

  @MessagePattern('math.ticks')
  ticks(@Payload() n: number): Observable<string> {
    return interval(5).pipe(
      take(n),
      map((i) => `tick ${i}`),
    );
  }

  @MessagePattern('math.divide')
  divide(@Payload() [a, b]: [number, number]): number {
    if (b === 0) throw new RpcException('division by zero');
    return a / b;
  }

  @MessagePattern('math.echo')
  echo(@Payload() value: unknown): unknown {
    return value;
  }

  @MessagePattern('math.context')
  context(@Ctx() ctx: BrookContext): { stream: string; id: string; deliveryCount: number; group: string } {
    return { stream: ctx.getStream(), id: ctx.getId(), deliveryCount: ctx.getDeliveryCount(), group: ctx.getGroup() };
  }
}

@Module({ controllers: [MathController] })
class MathModule {}

@Injectable()
class Calculator {
  constructor(@Inject('MATH') private readonly client: ClientProxy) {}

  sum(numbers: number[]): Promise<number> {
    return firstValueFrom(this.client.send<number, number[]>('math.sum', numbers));
  }
}

describeSdkModes('transport request/response', (target) => {
  const fx = transportFixture(target);

  it('send() gets a Promise handler’s result, for many concurrent requests', async () => {
    await fx.startService(MathModule, { group: 'math', concurrency: 8 });
    const client = fx.client();
    expect(await firstValueFrom(client.send<number, number[]>('math.sum', [1, 2, 3]))).toBe(6);
    const many = await Promise.all(
      Array.from({ length: 100 }, (_, i) => firstValueFrom(client.send<number, number[]>('math.sum', [i, i]))),
    );
    expect(many).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i));
  });

  it('two instances of a service share the requests: each is handled once, every caller gets its answer', async () => {
    await fx.startService(MathModule, { group: 'math', consumer: 'a', concurrency: 4 });
    await fx.startService(MathModule, { group: 'math', consumer: 'b', concurrency: 4 });
    answeredBy.length = 0;
    const client = fx.client();
    const ids = await Promise.all(Array.from({ length: 200 }, () => firstValueFrom(client.send<string>('math.whoami', {}))));
    expect(new Set(ids).size).toBe(200);
    expect(answeredBy.sort()).toEqual([...ids].sort());
  });

  it('a request sent while the service is down waits in its stream and is answered when it is back', async () => {
    const first = await fx.startService(MathModule, { group: 'math' });
    await first.close();
    const client = fx.client({ timeout: 30_000 });
    const answer = firstValueFrom(client.send<number, number[]>('math.sum', [20, 22]));
    await waitUntil(
      async () => (await fx.redis().xlen('brook:math.sum')) > 0 && (await lagOf(fx.redis(), 'brook:math.sum', 'math')) > 0,
      'the request to wait',
    );
    await fx.startService(MathModule, { group: 'math' });
    expect(await answer).toBe(42);
  });

  it('object patterns are routed by Nest’s normalized route, to the stream named after it', async () => {
    await fx.startService(MathModule, { group: 'math' });
    const client = fx.client();
    expect(await firstValueFrom(client.send<number, number>({ cmd: 'double' }, 21))).toBe(42);
    expect(await fx.redis().exists('brook:{"cmd":"double"}')).toBe(1);
  });

  it('an Observable handler’s values all arrive, in order, then the stream completes', async () => {
    await fx.startService(MathModule, { group: 'math' });
    const client = fx.client();
    expect(await firstValueFrom(client.send<number, number>('math.range', 50).pipe(toArray()))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(await firstValueFrom(client.send<string, number>('math.ticks', 4).pipe(toArray()))).toEqual([
      'tick 0',
      'tick 1',
      'tick 2',
      'tick 3',
    ]);
    expect(await firstValueFrom(client.send<number, number>('math.range', 0).pipe(toArray()))).toEqual([]);
  });

  it('an RpcException reaches the caller as the error, and the request is not retried', async () => {
    await fx.startService(MathModule, { group: 'math' });
    const client = fx.client();
    await expect(firstValueFrom(client.send('math.divide', [1, 0]))).rejects.toEqual({ status: 'error', message: 'division by zero' });
    expect(await firstValueFrom(client.send('math.divide', [6, 3]))).toBe(2);
    // Acknowledged once the last reply was written, which is just after the client got it.
    await waitUntil(async () => (await pendingCount(fx.redis(), 'brook:math.divide', 'math')) === 0, 'both requests acknowledged');
    expect(await fx.redis().xlen('brook:math.divide:dead')).toBe(0);
  });

  it('a request nobody answers fails with RequestTimeoutError after `timeout`', async () => {
    const client = fx.client({ timeout: 300 });
    const error = await firstValueFrom(client.send<unknown>('nobody.home', {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).pattern).toBe('nobody.home');
  });

  it('a request that waited past its deadline is skipped by the server that finally takes it', async () => {
    const client = fx.client({ timeout: 200 });
    await expect(firstValueFrom(client.send('math.echo', 'too late'))).rejects.toBeInstanceOf(RequestTimeoutError);
    // A group created from the start of the stream is handed the expired request too.
    await fx.redis().xgroup('CREATE', 'brook:math.echo', 'late', '0', 'MKSTREAM');
    await fx.startService(MathModule, { group: 'late' });
    const fresh = fx.client();
    expect(await firstValueFrom(fresh.send('math.echo', 'in time'))).toBe('in time');
    expect(await fx.redis().xlen('brook:math.echo')).toBe(2);
    await waitUntil(async () => (await pendingCount(fx.redis(), 'brook:math.echo', 'late')) === 0, 'both requests acknowledged');
    // The expired request got no reply: of the two clients' reply streams, one is empty.
    const replyStreams = await fx.redis().keys('brook:reply:*');
    const lengths = await Promise.all(replyStreams.map((key) => fx.redis().xlen(key)));
    expect(lengths.filter((n) => n === 0)).toHaveLength(1);
  });

  it('@Ctx() is a BrookContext: stream, entry ID, delivery count, group', async () => {
    await fx.startService(MathModule, { group: 'ctx-group' });
    const client = fx.client();
    const ctx = await firstValueFrom(client.send<{ stream: string; id: string; deliveryCount: number; group: string }>('math.context', {}));
    expect(ctx).toEqual({ stream: 'brook:math.context', id: expect.stringMatching(/^\d+-\d+$/), deliveryCount: 1, group: 'ctx-group' });
    const [[id]] = (await fx.redis().xrange('brook:math.context', '-', '+')) as [[string, string[]]];
    expect(ctx.id).toBe(id);
  });

  it('close() deletes the client’s reply stream', async () => {
    await fx.startService(MathModule, { group: 'math' });
    const client = fx.client();
    await firstValueFrom(client.send('math.sum', [1]));
    expect(await fx.redis().keys('brook:reply:*')).toHaveLength(1);
    await client.close();
    expect(await fx.redis().keys('brook:reply:*')).toHaveLength(0);
  });

  it('reconnects after the broker dropped every connection and lost its data (as a restart does)', async () => {
    const app = await fx.startService(MathModule, { group: 'math' });
    const client = fx.client();
    const statuses: string[] = [];
    client.status.subscribe((status) => statuses.push(status));
    expect(await firstValueFrom(client.send('math.sum', [1, 1]))).toBe(2);
    await fx.redis().flushall();
    await fx.redis().call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await waitUntil(() => statuses.includes('reconnecting') && statuses.at(-1) === 'connected', 'the client to reconnect');
    // The service recreates its group (from '$') when it finds it gone; requests sent after that are its.
    await waitUntil(async () => (await groupNames(fx.redis(), 'brook:math.sum')).includes('math'), 'the group to be recreated');
    expect(await firstValueFrom(client.send('math.sum', [2, 2]))).toBe(4);
    expect(statuses[0]).toBe('connected');
    await app.close();
    expect(statuses.at(-1)).toBe('connected');
  });

  it('status, on() and unwrap() expose the connections on both sides', async () => {
    const app = await fx.startService(MathModule, { group: 'math' });
    expect(await firstValueFrom(app.status)).toBe('connected');
    expect(await app.unwrap<Redis>().ping()).toBe('PONG');
    const client = fx.client();
    const ready: string[] = [];
    client.on('ready', (role) => ready.push(role));
    await client.connect();
    await waitUntil(() => ready.length === 2, 'both client connections ready');
    expect(ready.sort()).toEqual(['commands', 'replies']);
    expect(await firstValueFrom(client.status)).toBe('connected');
    const [commands, replies] = client.unwrap<[Redis, Redis]>();
    expect(await commands.ping()).toBe('PONG');
    expect(replies.status).toBe('ready');
  });

  it('works as a ClientsModule customClass injected into a provider', async () => {
    await fx.startService(MathModule, { group: 'math' });
    const module = await Test.createTestingModule({
      imports: [ClientsModule.register([{ name: 'MATH', customClass: BrookClient, options: { connection: target.url, timeout: 20_000 } }])],
      providers: [Calculator],
    }).compile();
    await module.init();
    try {
      expect(await module.get(Calculator).sum([4, 5])).toBe(9);
    } finally {
      await module.close();
    }
    expect(await fx.redis().keys('brook:reply:*')).toHaveLength(0);
  });
});
