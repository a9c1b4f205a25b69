/**
 * At-least-once across a crash: a consumer process is killed with SIGKILL while its handler
 * holds an entry, and another instance of the group reclaims the entry after its
 * visibilityTimeout and finishes it, in the three modes. The worker process runs the built SDK
 * (npm run build first).
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { BrookPublisher, OnMessage, type MessageContext } from '@brook/sdk';
import { killWorker, spawnChildWorker } from '../support/child-worker.js';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { ROOT } from '../support/servers.js';
import { closeApps, startApp } from './sdk-app.js';

const WORKER = join(ROOT, 'test/sdk/fixtures/crash-worker.mjs');
const finished: MessageContext[] = [];

@Injectable()
class Survivor {
  @OnMessage('jobs', { group: 'workers', visibilityTimeout: 500 })
  handle(_payload: unknown, context: MessageContext): void {
    finished.push(context);
  }
}

describeSdkModes('a consumer process killed mid-message', (target) => {
  const apps: TestingModule[] = [];
  let worker: ChildProcess | undefined;

  afterEach(async () => {
    await killWorker(worker);
    await closeApps(apps);
    finished.length = 0;
  });

  it('leaves its entry pending; another instance reclaims it and finishes it (deliveryCount 2)', async () => {
    const host = await startApp(target.hostOptions());
    apps.push(host);
    const child = spawnChildWorker(WORKER, [target.url, 'jobs', 'workers']);
    worker = child.proc;
    await waitUntil(() => child.output().includes('ready\n') || child.proc.exitCode !== null, 'the worker process');
    expect(child.output()).toContain('ready\n');
    const id = await host.get(BrookPublisher).append('jobs', { job: 1 });
    await waitUntil(() => child.output().includes(`started ${id} 1\n`), `the worker to start ${id}`);
    await killWorker(child.proc);

    const redis = new Redis(target.port, '127.0.0.1');
    try {
      const [[, owner, , deliveries]] = (await redis.xpending('brook:jobs', 'workers', '-', '+', 10)) as [string, string, number, number][];
      expect(deliveries).toBe(1);
      apps.push(await startApp(target.clientOptions(), [Survivor]));
      await waitUntil(() => finished.length === 1, 'the survivor to finish the entry');
      expect(finished[0]).toMatchObject({ id, deliveryCount: 2, stream: 'brook:jobs', group: 'workers' });
      expect(finished[0].consumer).not.toBe(owner);
      await waitUntil(async () => ((await redis.xpending('brook:jobs', 'workers')) as [number])[0] === 0, 'the acknowledgement');
      expect(await redis.exists('brook:jobs:dead')).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
