/**
 * @OnMessage without a group: pub/sub delivery (SUBSCRIBE and PSUBSCRIBE) through
 * BrookPublisher and through a plain Redis client (channels are not prefixed), and payload
 * validation (an invalid message is logged and dropped), in the three modes.
 */
import 'reflect-metadata';
import { afterEach, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsInt, IsString, Min } from 'class-validator';
import { Redis } from 'ioredis';
import { BrookModule, BrookPublisher, OnMessage, type BrookModuleOptions, type MessageContext } from '@brook/sdk';
import { Test } from '@nestjs/testing';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { closeApps, startApp } from './sdk-app.js';

const received: { handler: string; payload: unknown; context: MessageContext }[] = [];

class Greeting {
  @IsString()
  text!: string;

  @IsInt()
  @Min(1)
  times!: number;
}

@Injectable()
class NewsListener {
  @OnMessage('news')
  onNews(payload: unknown, context: MessageContext): void {
    received.push({ handler: 'news', payload, context });
  }

  @OnMessage('sport.*', { pattern: true })
  onSport(payload: unknown, context: MessageContext): void {
    received.push({ handler: 'sport', payload, context });
  }

  @OnMessage('greetings')
  greet(payload: Greeting, context: MessageContext): void {
    received.push({ handler: 'greetings', payload, context });
  }
}

@Module({})
class ConfigModule {}

describeSdkModes('@OnMessage pub/sub', (target) => {
  const apps: TestingModule[] = [];

  afterEach(async () => {
    await closeApps(apps);
    received.length = 0;
  });

  async function subscribedCount(redis: Redis, channel: string): Promise<number> {
    const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    return n;
  }

  it('delivers published messages to every subscribed app, by channel and by pattern', async () => {
    apps.push(await startApp(target.hostOptions(), [NewsListener]));
    apps.push(await startApp(target.clientOptions(), [NewsListener]));
    const publisher = apps[0].get(BrookPublisher);
    expect(await publisher.publish('news', { headline: 'Brook ships' })).toBe(2);
    await publisher.publish('sport.tennis', { score: '6-4' });
    await waitUntil(() => received.length === 4, 'four deliveries');
    expect(received.filter((r) => r.handler === 'news').map((r) => [r.payload, r.context])).toEqual([
      [{ headline: 'Brook ships' }, { channel: 'news' }],
      [{ headline: 'Brook ships' }, { channel: 'news' }],
    ]);
    expect(received.filter((r) => r.handler === 'sport').map((r) => r.context)).toEqual([
      { channel: 'sport.tennis', pattern: 'sport.*' },
      { channel: 'sport.tennis', pattern: 'sport.*' },
    ]);
  });

  it('channels are not prefixed: any Redis client can publish to a handler', async () => {
    apps.push(await startApp(target.hostOptions({ prefix: 'myapp' }), [NewsListener]));
    const plain = new Redis(target.port, '127.0.0.1');
    try {
      await waitUntil(async () => (await subscribedCount(plain, 'news')) === 1, 'the subscription');
      expect(await plain.publish('news', JSON.stringify({ from: 'redis-cli' }))).toBe(1);
      await waitUntil(() => received.length === 1, 'the delivery');
      expect(received[0].payload).toEqual({ from: 'redis-cli' });
    } finally {
      plain.disconnect();
    }
  });

  it('validates a class-typed payload: an invalid message is dropped, a valid one arrives as an instance', async () => {
    apps.push(await startApp(target.hostOptions(), [NewsListener]));
    const publisher = apps[0].get(BrookPublisher);
    expect(await publisher.publish('greetings', { text: 'hi', times: 0 })).toBe(1);
    await publisher.publish('greetings', 'not even an object');
    await publisher.publish('greetings', { text: 'hello', times: 2 });
    // Messages on one connection arrive in order: once the valid one is in, the invalid ones were handled.
    await waitUntil(() => received.length === 1, 'the valid greeting');
    expect(received[0].payload).toBeInstanceOf(Greeting);
    expect(received[0].payload).toEqual(Object.assign(new Greeting(), { text: 'hello', times: 2 }));
  });

  it('a custom serializer encodes what the publisher sends and decodes what handlers get', async () => {
    const serializer = {
      serialize: (value: unknown) => Buffer.from(`v1:${JSON.stringify(value)}`),
      deserialize: (raw: Buffer) => ({ decoded: JSON.parse(raw.toString().replace(/^v1:/, '')) as unknown }),
    };
    apps.push(await startApp(target.hostOptions({ serializer }), [NewsListener]));
    const plain = new Redis(target.port, '127.0.0.1');
    try {
      await plain.subscribe('news');
      const raw = new Promise<string>((resolve) => plain.once('message', (_channel: string, message: string) => resolve(message)));
      await apps[0].get(BrookPublisher).publish('news', { a: 1 });
      expect(await raw).toBe('v1:{"a":1}');
      await waitUntil(() => received.length === 1, 'the delivery');
      expect(received[0].payload).toEqual({ decoded: { a: 1 } });
    } finally {
      plain.disconnect();
    }
  });

  it('forRootAsync (useFactory with inject, useClass) configures the same module', async () => {
    const OPTIONS = Symbol('options');
    const options = target.clientOptions();
    class OptionsFactory {
      createBrookOptions(): BrookModuleOptions {
        return options;
      }
    }
    // The host: in embedded mode it owns the server the other two connect to.
    apps.push(await startApp(target.hostOptions(), []));
    const configModule = { module: ConfigModule, providers: [{ provide: OPTIONS, useValue: options }], exports: [OPTIONS] };
    const viaFactory = await Test.createTestingModule({
      imports: [BrookModule.forRootAsync({ imports: [configModule], useFactory: (o: BrookModuleOptions) => o, inject: [OPTIONS] })],
      providers: [NewsListener],
    })
      .compile()
      .then(async (m) => m.init());
    apps.push(viaFactory);
    const viaClass = await Test.createTestingModule({
      imports: [BrookModule.forRootAsync({ useClass: OptionsFactory })],
      providers: [NewsListener],
    })
      .compile()
      .then(async (m) => m.init());
    apps.push(viaClass);
    expect(await apps[0].get(BrookPublisher).publish('news', 1)).toBe(2);
    await waitUntil(() => received.length === 2, 'both deliveries');
  });
});
