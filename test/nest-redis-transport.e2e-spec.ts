/**
 * Nest's built-in Redis transport (`Transport.REDIS`, @nestjs/microservices over ioredis 6, so
 * RESP3 push messages) unchanged against a Brook server: a microservice with a message handler
 * and an event handler, and a ClientProxy sending requests (replies on `<pattern>.reply`) and events.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, EventPattern, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, toArray } from 'rxjs';
import { RawClient } from './support/raw-client.js';
import { startBrookProcess, type RunningServer } from './support/servers.js';

const events: unknown[] = [];

@Controller()
class MathController {
  @MessagePattern('math.sum')
  sum(@Payload() numbers: number[]): number {
    return numbers.reduce((a, b) => a + b, 0);
  }

  @MessagePattern('math.fail')
  fail(): never {
    throw new Error('boom');
  }

  @EventPattern('user.created')
  created(@Payload() user: unknown): void {
    events.push(user);
  }
}

@Module({ controllers: [MathController] })
class MathModule {}

let brook: RunningServer;
let app: INestMicroservice;
let client: ClientProxy;

beforeAll(async () => {
  brook = await startBrookProcess();
  const options = { host: '127.0.0.1', port: brook.port };
  app = await NestFactory.createMicroservice(MathModule, { transport: Transport.REDIS, options, logger: false });
  await app.listen();
  client = ClientProxyFactory.create({ transport: Transport.REDIS, options });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await app?.close();
  await brook?.stop();
});

describe('Nest Transport.REDIS over Brook', () => {
  it('request/response: send() gets the handler’s result through the reply channel', async () => {
    expect(await firstValueFrom(client.send<number, number[]>('math.sum', [1, 2, 3]))).toBe(6);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => firstValueFrom(client.send<number, number[]>('math.sum', [i, i]))));
    expect(many).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
  });

  it('a handler’s error reaches the caller', async () => {
    await expect(firstValueFrom(client.send('math.fail', {}))).rejects.toBeDefined();
  });

  it('events: emit() reaches the event handler, in order', async () => {
    events.length = 0;
    for (let i = 0; i < 20; i++) await firstValueFrom(client.emit('user.created', { id: i }).pipe(toArray()));
    const deadline = Date.now() + 20_000;
    while (events.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(Array.from({ length: 20 }, (_, i) => ({ id: i })));
  });

  it('the transport’s subscriptions are what Brook reports', async () => {
    const c = await RawClient.connect(brook.port);
    try {
      const numsub = await c.call('PUBSUB', 'NUMSUB', 'math.sum', 'user.created');
      expect(numsub).toBe('*4\r\n$8\r\nmath.sum\r\n:1\r\n$12\r\nuser.created\r\n:1\r\n');
    } finally {
      c.close();
    }
  });
});
