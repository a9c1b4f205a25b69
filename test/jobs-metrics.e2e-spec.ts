/**
 * Job metrics (BrookModule.forRoot({ metrics })): the gauge of job counts read from the server
 * on scrape, the outcome counter and the duration histogram fed by the workers, in the three modes.
 */
import { afterEach, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Registry, register as defaultRegistry } from 'prom-client';
import { BrookModule, OnJob, Processor, getQueueToken, type BrookModuleOptions, type Queue } from '@brook/sdk';
import { sample } from './support/prometheus.js';
import { describeSdkModes, waitUntil } from './support/sdk-modes.js';

const QUEUE = 'metered';

@Processor(QUEUE, { concurrency: 4 })
@Injectable()
class MeteredProcessor {
  @OnJob('double')
  double(data: { n: number }): number {
    return data.n * 2;
  }

  @OnJob('broken')
  broken(): never {
    throw new Error('broken on purpose');
  }
}

async function startJobsApp(options: BrookModuleOptions, withProcessor: boolean): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [BrookModule.forRoot(options), BrookModule.registerQueue({ name: QUEUE })],
    providers: withProcessor ? [MeteredProcessor] : [],
  }).compile();
  await app.init();
  return app;
}

describeSdkModes('job metrics', (target) => {
  const apps: TestingModule[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  it('counts outcomes and durations per queue, job name and status, and the queue per state on scrape', async () => {
    const registry = new Registry();
    const app = await startJobsApp(target.hostOptions({ prefix: `m1-${target.mode}`, metrics: { registry } }), true);
    apps.push(app);
    const queue = app.get<Queue>(getQueueToken(QUEUE));

    const doubles = await Promise.all([1, 2, 3].map((n) => queue.add('double', { n })));
    const broken = await queue.add('broken', {}, { attempts: 2, backoff: 300 });
    await queue.add('double', { n: 4 }, { delay: 600_000 });
    expect(await Promise.all(doubles.map((j) => j.waitUntilFinished(30_000)))).toEqual([2, 4, 6]);
    await expect(broken.waitUntilFinished(30_000)).rejects.toThrow('broken on purpose');

    // Workers record outcomes as their events fire, just after the state change: poll for them.
    let text = '';
    await waitUntil(async () => {
      text = await registry.metrics();
      return (sample(text, 'brook_jobs_total', { queue: QUEUE, name: 'broken', status: 'failed' }) ?? 0) >= 1;
    }, 'the final failure to be counted');
    expect(sample(text, 'brook_jobs_total', { queue: QUEUE, name: 'double', status: 'completed' })).toBe(3);
    expect(sample(text, 'brook_jobs_total', { queue: QUEUE, name: 'broken', status: 'retried' })).toBe(1);
    expect(sample(text, 'brook_jobs_total', { queue: QUEUE, name: 'broken', status: 'failed' })).toBe(1);
    expect(sample(text, 'brook_job_duration_seconds_count', { queue: QUEUE, name: 'double', status: 'completed' })).toBe(3);
    expect(sample(text, 'brook_job_duration_seconds_bucket', { queue: QUEUE, name: 'double', status: 'completed', le: '+Inf' })).toBe(3);

    expect(sample(text, 'brook_queue_jobs', { queue: QUEUE, state: 'completed' })).toBe(3);
    expect(sample(text, 'brook_queue_jobs', { queue: QUEUE, state: 'failed' })).toBe(1);
    expect(sample(text, 'brook_queue_jobs', { queue: QUEUE, state: 'delayed' })).toBe(1);
    expect(sample(text, 'brook_queue_jobs', { queue: QUEUE, state: 'waiting' })).toBe(0);
    expect(sample(text, 'brook_queue_jobs', { queue: QUEUE, state: 'active' })).toBe(0);
  });

  it("reads the gauge from the server: an app without workers sees another app's jobs, and counts none itself", async () => {
    const prefix = `m2-${target.mode}`;
    const workerRegistry = new Registry();
    const producerRegistry = new Registry();
    const worker = await startJobsApp(target.hostOptions({ prefix, metrics: { registry: workerRegistry } }), true);
    apps.push(worker);
    const producer = await startJobsApp(target.clientOptions({ prefix, metrics: { registry: producerRegistry } }), false);
    apps.push(producer);
    const queue = producer.get<Queue>(getQueueToken(QUEUE));

    const jobs = await Promise.all([5, 6].map((n) => queue.add('double', { n })));
    expect(await Promise.all(jobs.map((j) => j.waitUntilFinished(30_000)))).toEqual([10, 12]);

    const text = await producerRegistry.metrics();
    expect(sample(text, 'brook_queue_jobs', { queue: QUEUE, state: 'completed' })).toBe(2);
    expect(sample(text, 'brook_jobs_total', { queue: QUEUE })).toBeUndefined();
    await waitUntil(
      async () => sample(await workerRegistry.metrics(), 'brook_jobs_total', { queue: QUEUE, status: 'completed' }) === 2,
      "the worker app's counter",
    );
  });

  it("uses prom-client's default registry with metrics: true, and leaves it once the app closed", async () => {
    const app = await startJobsApp(target.hostOptions({ prefix: `m3-${target.mode}`, metrics: true }), true);
    apps.push(app);
    await (await app.get<Queue>(getQueueToken(QUEUE)).add('double', { n: 1 })).waitUntilFinished(30_000);
    expect(sample(await defaultRegistry.metrics(), 'brook_queue_jobs', { queue: QUEUE, state: 'completed' })).toBe(1);

    await apps.pop()?.close();
    expect(sample(await defaultRegistry.metrics(), 'brook_queue_jobs', { queue: QUEUE })).toBeUndefined();
  });
});
