/**
 * At-least-once across crashes and deploys, in the three modes: a worker process killed with
 * SIGKILL mid-job leaves the job active until its lock expires, then another worker runs it (or
 * fails it once it stalled more than maxStalledCount times); app.close() lets running jobs
 * finish, and leaves the ones that outlive shutdownTimeout to stall recovery, never marked done;
 * a finish whose reply a dropped connection lost is recognised as done when it runs again.
 * The worker process runs the built SDK (npm run build first).
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Job, Queue } from '@brook/sdk';
import { killWorker, spawnChildWorker } from '../support/child-worker.js';
import { sample } from '../support/prometheus.js';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { ReplyDroppingProxy } from '../support/reply-dropping-proxy.js';
import { ROOT } from '../support/servers.js';
import { JobApps, processorFor, queueOf, startJobsApp } from './jobs-app.js';

const WORKER = join(ROOT, 'test/jobs/fixtures/crash-worker.mjs');
const LOCK_MS = 500;

let queueCounter = 0;
const freshQueue = (): string => `crash${++queueCounter}`;

describeSdkModes('job workers that die or shut down', (target) => {
  const apps = new JobApps(target);
  let worker: ChildProcess | undefined;

  afterEach(async () => {
    await killWorker(worker);
    worker = undefined;
    await apps.closeAll();
  });
  afterAll(() => apps.closeHost());

  /** Adds a job, lets a worker process start it, and kills that process with SIGKILL. */
  async function killWorkerMidJob(name: string): Promise<{ queue: Queue; job: Job }> {
    const queue = queueOf(await apps.start([name]), name);
    const { proc, output } = spawnChildWorker(WORKER, [target.url, name, String(LOCK_MS)]);
    worker = proc;
    await waitUntil(() => output().includes('ready\n') || proc.exitCode !== null, 'the worker process');
    expect(output()).toContain('ready\n');
    const job = await queue.add('work', { n: 1 });
    await waitUntil(() => output().includes(`started ${job.id} 1\n`), `the worker to start job ${job.id}`);
    await killWorker(proc);
    expect(await job.getState()).toBe('active');
    return { queue, job };
  }

  it('a job of a killed worker is run by another worker after lockDuration', async () => {
    const name = freshQueue();
    const { job } = await killWorkerMidJob(name);
    const stalled: unknown[] = [];
    const registry = new Registry();
    const app = await apps.start(
      [name],
      [
        processorFor(
          name,
          { lockDuration: LOCK_MS },
          (_d, j) => `finished on attempt ${j.attemptsMade}`,
          (event, args) => {
            if (event === 'stalled') stalled.push(args);
          },
        ),
      ],
      { metrics: { registry } },
    );
    const queue = queueOf(app, name);
    expect(await job.waitUntilFinished(20000)).toBe('finished on attempt 2');
    expect(await queue.getJob(job.id)).toMatchObject({ attemptsMade: 2 });
    expect(await queue.getJobCounts()).toMatchObject({ active: 0, completed: 1, failed: 0 });
    await waitUntil(() => stalled.length === 1, 'the stalled event');
    expect(stalled[0]).toEqual([expect.objectContaining({ id: job.id }), false]);
    const metrics = await registry.metrics();
    expect(sample(metrics, 'brook_jobs_total', { queue: name, name: 'work', status: 'stalled' })).toBe(1);
    expect(sample(metrics, 'brook_jobs_total', { queue: name, name: 'work', status: 'completed' })).toBe(1);
    expect(sample(metrics, 'brook_jobs_total', { queue: name, name: 'work', status: 'failed' })).toBeUndefined();
  });

  it('puts back the jobs of a take whose worker died between its two steps (a claim past its deadline)', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    await queue.pause();
    const job = await queue.add('work', { n: 2 });
    // What a worker killed after the first MULTI of a take leaves (see queue-keys.ts).
    const base = `brook:queue:${name}`;
    const redis = new Redis(target.port, '127.0.0.1');
    try {
      await redis
        .multi()
        .zrangestore(`${base}:claim:dead`, `${base}:wait`, '0', '0')
        .zremrangebyrank(`${base}:wait`, 0, 0)
        .zadd(`${base}:claims`, Date.now() - 1, 'dead')
        .exec();
    } finally {
      redis.disconnect();
    }
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0 });
    expect(await job.getState()).toBe('active');
    await queue.resume();
    await apps.start([], [processorFor(name, { lockDuration: LOCK_MS }, () => 'recovered')]);
    expect(await job.waitUntilFinished(20000)).toBe('recovered');
    expect(await queue.getJob(job.id)).toMatchObject({ attemptsMade: 1 });
  });

  it('puts back the delayed jobs of a promotion whose worker died between its two steps', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    const job = await queue.add('work', { n: 3 }, { delay: 1 });
    // What a worker killed after the first MULTI of a promotion leaves (see queue-keys.ts).
    const base = `brook:queue:${name}`;
    const redis = new Redis(target.port, '127.0.0.1');
    try {
      await waitUntil(async () => Number((await redis.zscore(`${base}:delayed`, job.id)) ?? Infinity) < Date.now(), 'the job to be due');
      await redis
        .multi()
        .zrangestore(`${base}:promotion:dead`, `${base}:delayed`, '-inf', String(Date.now()), 'BYSCORE')
        .zremrangebyscore(`${base}:delayed`, '-inf', Date.now())
        .zadd(`${base}:promotions`, Date.now() - 1, 'dead')
        .exec();
      expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0 });
      await apps.start([], [processorFor(name, { lockDuration: LOCK_MS }, () => 'recovered')]);
      expect(await job.waitUntilFinished(20000)).toBe('recovered');
      expect(await redis.exists(`${base}:promotion:dead`)).toBe(0);
      expect(await redis.zcard(`${base}:promotions`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('a job that stalls more than maxStalledCount times fails, saying so', async () => {
    const name = freshQueue();
    const { queue, job } = await killWorkerMidJob(name);
    const ran: string[] = [];
    await apps.start([], [processorFor(name, { lockDuration: LOCK_MS, maxStalledCount: 0 }, (_d, j) => ran.push(j.id))]);
    await expect(job.waitUntilFinished(20000)).rejects.toThrow(/stalled more than allowable limit \(maxStalledCount 0\)/);
    expect(ran).toEqual([]);
    const [dead] = await queue.getJobs(['failed']);
    expect(dead).toMatchObject({ id: job.id, attemptsMade: 1 });
    expect(dead.failedReason).toMatch(/stalled/);
  });

  it('app.close() lets a running job finish, and its queues work until the processor stopped', async () => {
    const name = freshQueue();
    const follow = freshQueue();
    const holder: { queue?: Queue } = {};
    let started = false;
    const app = await apps.start(
      [name, follow],
      [
        processorFor(name, { shutdownTimeout: 10000 }, async () => {
          started = true;
          await new Promise((r) => setTimeout(r, 300));
          await holder.queue?.add('follow-up', {});
          return 'done';
        }),
      ],
    );
    holder.queue = queueOf(app, follow);
    const job = await queueOf(app, name).add('slow', {});
    await waitUntil(() => started, 'the job to start');
    await apps.closeAll();
    const observer = await apps.start([name, follow]);
    expect(await queueOf(observer, name).getJob(job.id)).toMatchObject({ returnvalue: 'done' });
    expect(await queueOf(observer, follow).getJobCounts()).toMatchObject({ waiting: 1 });
  });

  it('a job still running at shutdownTimeout is left active, then recovered, never marked done', async () => {
    const name = freshQueue();
    let started = false;
    await apps.start(
      [],
      [
        processorFor(name, { shutdownTimeout: 200, lockDuration: LOCK_MS }, async () => {
          started = true;
          await new Promise((r) => setTimeout(r, 2000));
          return 'too late';
        }),
      ],
    );
    const producer = await apps.start([name]);
    const job = await queueOf(producer, name).add('long', {});
    await waitUntil(() => started, 'the job to start');
    await apps.closeAll();
    const queue = queueOf(await apps.start([name]), name);
    const left = await queue.getJob(job.id);
    expect(left).toMatchObject({ attemptsMade: 1, finishedOn: undefined });
    expect(await left?.getState()).toBe('active');
    await apps.start([], [processorFor(name, { lockDuration: LOCK_MS }, (_d, j) => `recovered on attempt ${j.attemptsMade}`)]);
    expect(await left?.waitUntilFinished(20000)).toBe('recovered on attempt 2');
  });

  it('a finish whose EXEC committed but whose reply was lost (connection dropped) is recognised as done when it runs again', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    const proxy = await ReplyDroppingProxy.start(target.port);
    const runs: string[] = [];
    const completed: string[] = [];
    const processor = processorFor(
      name,
      {},
      (data, job) => {
        runs.push(job.id);
        return data;
      },
      (event, [job]) => {
        if (event === 'completed') completed.push((job as Job).id);
      },
    );
    const worker = await startJobsApp({ connection: proxy.url }, [], [processor]);
    try {
      // The completion's MULTI is the one that writes to `completed` (kept) or deletes the job (removeOnComplete: true).
      for (const removeOnComplete of [false, true]) {
        proxy.dropReplyTo(removeOnComplete ? `:queue:${name}:events` : `:queue:${name}:completed`);
        const job = await queue.add('echo', { removeOnComplete }, { removeOnComplete });
        await waitUntil(
          () => completed.includes(job.id),
          () => `the completed event of job ${job.id} (runs ${runs.join()}, dropped ${String(proxy.dropped)})`,
          8000,
        );
        expect(proxy.dropped).toBe(removeOnComplete ? 2 : 1);
        expect(runs.filter((id) => id === job.id)).toEqual([job.id]);
        expect(await job.waitUntilFinished(5000)).toEqual({ removeOnComplete });
        expect(await job.getState()).toBe(removeOnComplete ? 'unknown' : 'completed');
      }
      expect(completed).toHaveLength(2);
      expect(await queue.getJobCounts()).toMatchObject({ active: 0, waiting: 0, completed: 1 });
    } finally {
      await worker.close();
      await proxy.close();
    }
  });
});
