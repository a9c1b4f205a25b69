/**
 * Handlers keep working when the server drops the app's connections (reconnect with backoff,
 * resubscribe, resume the consumer loop), and `concurrency` bounds the handlers in flight, in
 * the three modes.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { BrookPublisher, OnMessage, type MessageContext } from '@brook/sdk';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { closeApps, startApp } from './sdk-app.js';

const seen: string[] = [];
const parallel = { now: 0, max: 0, release: [] as (() => void)[] };

@Injectable()
class Listener {
  @OnMessage('alerts')
  alert(payload: string): void {
    seen.push(`alert ${payload}`);
  }

  @OnMessage('tasks', { group: 'g' })
  task(payload: string, context: MessageContext): void {
    seen.push(`task ${payload} ${context.deliveryCount}`);
  }

  @OnMessage('batch', { group: 'g', concurrency: 4 })
  async batch(): Promise<void> {
    parallel.now++;
    parallel.max = Math.max(parallel.max, parallel.now);
    await new Promise<void>((r) => parallel.release.push(r));
    parallel.now--;
  }
}

describeSdkModes('@OnMessage resilience', (target) => {
  const apps: TestingModule[] = [];
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(target.port, '127.0.0.1', { lazyConnect: true });
  });

  afterEach(async () => {
    for (const release of parallel.release.splice(0)) release();
    await closeApps(apps);
    seen.length = 0;
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('resubscribes and resumes consuming after the server drops every connection of the app', async () => {
    const app = await startApp(target.hostOptions(), [Listener]);
    apps.push(app);
    const publisher = app.get(BrookPublisher);
    await publisher.append('tasks', 'before');
    await waitUntil(() => seen.includes('task before 1'), 'the first task');
    // CLIENT KILL skips the caller: this drops the app's command, blocking and subscriber connections.
    const killed =
      Number(await redis.call('CLIENT', 'KILL', 'TYPE', 'normal')) + Number(await redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
    expect(killed).toBeGreaterThanOrEqual(3);
    await waitUntil(async () => ((await redis.pubsub('NUMSUB', 'alerts')) as [string, number])[1] === 1, 'the resubscription');
    await publisher.publish('alerts', 'after');
    await publisher.append('tasks', 'after');
    await waitUntil(() => seen.includes('alert after') && seen.includes('task after 1'), 'delivery after the reconnect');
    await waitUntil(async () => ((await redis.xpending('brook:tasks', 'g')) as [number])[0] === 0, 'the acknowledgements');
  });

  it('runs at most `concurrency` handlers at once, and that many when entries wait', async () => {
    const app = await startApp(target.hostOptions(), [Listener]);
    apps.push(app);
    const publisher = app.get(BrookPublisher);
    for (let n = 0; n < 10; n++) await publisher.append('batch', n);
    await waitUntil(() => parallel.now === 4, 'four handlers in flight');
    // Let them through one at a time: each freed slot takes the next entry, never a fifth at once.
    let released = 0;
    while (released < 10) {
      await waitUntil(() => parallel.release.length > 0, 'a handler to release');
      parallel.release.shift()!();
      released++;
    }
    await waitUntil(async () => ((await redis.xpending('brook:batch', 'g')) as [number])[0] === 0, 'all ten acknowledged');
    expect(parallel.max).toBe(4);
  });
});
