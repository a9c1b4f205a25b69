/**
 * Job queues end to end, in the three modes: jobs added in one app run once in processors of
 * other apps, priorities and FIFO, jobId dedupe, delays, retries with backoff, failures that
 * skip retries (UnrecoverableError, validation), waitUntilFinished from another app, events.
 */
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, afterEach, expect, it } from '@jest/globals';
import { IsInt, IsString, Min } from 'class-validator';
import { UnrecoverableError, type Job, type JobEvent } from '@brook/sdk';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { JobApps, processorFor, queueOf } from './jobs-app.js';

class OrderDto {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

/** Ms from each job's due time (added + delay) to its start, ascending. */
/** The sampling period of the event-loop delay histogram of the under-load test. */
const LOOP_SAMPLE_MS = 5;
const latenessOf = (jobs: Job[], starts: Map<string, number>): number[] =>
  jobs.map((job) => (starts.get(job.id) ?? 0) - (job.timestamp + (job.opts.delay ?? 0))).sort((a, b) => a - b);

let queueCounter = 0;
/** A queue name of its own per test, so tests sharing a server never see each other's jobs. */
const freshQueue = (): string => `q${++queueCounter}`;

describeSdkModes('job queues', (target) => {
  const apps = new JobApps(target);
  afterEach(() => apps.closeAll());
  afterAll(() => apps.closeHost());

  it('runs each job once across two worker apps; the producer waits for results', async () => {
    const name = freshQueue();
    const runs: string[] = [];
    const handle = async (data: unknown, job: Job): Promise<number> => {
      runs.push(job.id);
      await new Promise((r) => setTimeout(r, 5));
      return (data as { n: number }).n * 2;
    };
    await apps.start([], [processorFor(name, { concurrency: 3 }, handle)]);
    await apps.start([], [processorFor(name, { concurrency: 3 }, handle)]);
    const queue = queueOf(await apps.start([name]), name);
    const jobs = await queue.addBulk(Array.from({ length: 30 }, (_, n) => ({ name: 'double', data: { n } })));
    const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(20000)));
    expect(results).toEqual(Array.from({ length: 30 }, (_, n) => n * 2));
    expect(runs.sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(await queue.getJobCounts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 30, failed: 0 });
    const done = await queue.getJob(jobs[0].id);
    expect(done).toMatchObject({ name: 'double', data: { n: 0 }, attemptsMade: 1, returnvalue: 0, queueName: name });
    expect(done?.finishedOn).toBeGreaterThanOrEqual(done?.processedOn ?? Infinity);
    expect(await done?.getState()).toBe('completed');
  });

  it('runs prioritized jobs first (lower number sooner), then normal ones, FIFO within a priority', async () => {
    const name = freshQueue();
    const producer = await apps.start([name]);
    const queue = queueOf(producer, name);
    const plan: [string, number | undefined][] = [
      ['n1', undefined],
      ['p5a', 5],
      ['n2', 0],
      ['p1a', 1],
      ['p5b', 5],
      ['p1b', 1],
      ['n3', undefined],
      ['p2', 2],
    ];
    for (const [label, priority] of plan) await queue.add(label, {}, priority === undefined ? {} : { priority });
    expect((await queue.getJobCounts()).waiting).toBe(plan.length);
    expect((await queue.getJobs(['waiting'])).map((j) => j.name)).toEqual(['p1a', 'p1b', 'p2', 'p5a', 'p5b', 'n1', 'n2', 'n3']);
    const order: string[] = [];
    await apps.start([], [processorFor(name, { concurrency: 1 }, (_d, job) => order.push(job.name))]);
    await waitUntil(() => order.length === plan.length, 'every job to run');
    expect(order).toEqual(['p1a', 'p1b', 'p2', 'p5a', 'p5b', 'n1', 'n2', 'n3']);
    await expect(queue.add('bad', {}, { priority: 2 ** 21 + 1 })).rejects.toThrow(/priority/);
  });

  it('dedupes by jobId while the job exists, then accepts the id again', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    const first = await queue.add('mail', { v: 1 }, { jobId: 'welcome-42', removeOnComplete: true });
    const again = await queue.add('mail', { v: 2 }, { jobId: 'welcome-42' });
    expect(first.id).toBe('welcome-42');
    expect(again).toMatchObject({ id: 'welcome-42', data: { v: 1 } });
    expect((await queue.getJobCounts()).waiting).toBe(1);
    const seen: unknown[] = [];
    await apps.start([], [processorFor(name, {}, (data) => seen.push(data))]);
    await waitUntil(async () => (await queue.getJob('welcome-42')) === undefined, 'the job to run and be removed');
    const third = await queue.add('mail', { v: 3 }, { jobId: 'welcome-42' });
    expect(third.data).toEqual({ v: 3 });
    await waitUntil(() => seen.length === 2, 'the new job to run');
    expect(seen).toEqual([{ v: 1 }, { v: 3 }]);
  });

  it('starts delayed jobs when due, not before, and on time with two worker apps', async () => {
    const name = freshQueue();
    const starts = new Map<string, number>();
    const processor = processorFor(name, {}, (_d, job) => starts.set(job.id, Date.now()));
    await apps.start([], [processor]);
    await apps.start([], [processor]);
    const queue = queueOf(await apps.start([name]), name);
    const delays = [700, 300, 500, 400, 600, 350, 450, 550];
    const jobs = await Promise.all(delays.map((delay) => queue.add('later', { delay }, { delay })));
    expect((await queue.getJobCounts()).delayed).toBe(delays.length);
    expect(await jobs[0].getState()).toBe('delayed');
    await waitUntil(() => starts.size === delays.length, 'the delayed jobs to run');
    const lateness = latenessOf(jobs, starts);
    expect(lateness[0]).toBeGreaterThanOrEqual(0);
    // The bound is 50 ms (8–15 ms seen on a quiet machine, 45 ms medians at load 15 with
    // other suites beside it); every job within 150 ms allows for one GC pause of this process,
    // which hosts the apps. A worker that only polls (every second) fails both.
    expect(lateness[lateness.length / 2]).toBeLessThan(50);
    expect(lateness[lateness.length - 1]).toBeLessThan(150);
  });

  it('starts delayed jobs within 50 ms of due while the worker apps are busy with a stream of other jobs', async () => {
    const name = freshQueue();
    const starts = new Map<string, number>();
    let loadDone = 0;
    // Each streamed job holds the event loop for 1 ms, as a handler doing real work would (the
    // apps share this process, and in embedded mode the broker too).
    const processor = processorFor(name, { concurrency: 4 }, (data, job) => {
      if ((data as { delay?: number }).delay !== undefined) starts.set(job.id, Date.now());
      else {
        for (const until = Date.now() + 1; Date.now() < until;);
        loadDone++;
      }
    });
    await apps.start([], [processor]);
    await apps.start([], [processor]);
    const queue = queueOf(await apps.start([name]), name);
    // 150 jobs/s, below the apps' capacity, so a delayed job never queues behind a backlog: what
    // is measured is when it becomes ready with workers busy and event loops loaded. The delayed
    // jobs come once the stream is steady: a fresh server's first few hundred commands run before
    // V8 has compiled them and cost several times more.
    let streamed = 0;
    const stream = setInterval(() => {
      for (let i = 0; i < 3; i++) void queue.add('load', { n: streamed++ });
    }, 20);
    try {
      await waitUntil(() => loadDone >= 150, 'the stream to run');
      // The worker apps live in this process: its own event-loop stalls (GC of the test runner, the
      // busy handlers, in embedded mode the broker) delay any job it runs, whatever the SDK does.
      const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
      loop.enable();
      const delays = [200, 250, 300, 350, 400, 450, 500, 550, 600, 650];
      const jobs = await Promise.all(delays.map((delay) => queue.add('later', { delay }, { delay })));
      await waitUntil(() => starts.size === delays.length, 'the delayed jobs to run');
      loop.disable();
      const lateness = latenessOf(jobs, starts);
      expect(lateness[0]).toBeGreaterThanOrEqual(0);
      // The median within the 50 ms beyond what this process itself stalled (4–28 ms in 15
      // quiet runs; in CI, after a hundred suites in the same runner, embedded mode's median was
      // 67 ms). Every job within 500 ms beyond the longest stall: a straggler has reached 81 ms
      // locally and 256 ms in CI with Redis as the broker. A worker that only polled (every
      // second) fails the median.
      // The histogram holds the intervals between its samples: a stall is what exceeds the period.
      const stallMs = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
      expect(lateness[4]).toBeLessThan(50 + stallMs(loop.percentile(90)));
      expect(lateness[9]).toBeLessThan(500 + stallMs(loop.max));
    } finally {
      clearInterval(stream);
    }
    await waitUntil(async () => (await queue.getJobCounts()).completed === 10 + streamed, 'the stream to drain');
  });

  it('retries with fixed and exponential backoff, then fails finally with reason, stack and attempts', async () => {
    const name = freshQueue();
    const starts = new Map<string, number[]>();
    const events: [JobEvent, unknown[]][] = [];
    await apps.start(
      [],
      [
        processorFor(
          name,
          {},
          (data, job) => {
            const times = [...(starts.get(job.id) ?? []), Date.now()];
            starts.set(job.id, times);
            if ((data as { succeedAt: number }).succeedAt === times.length) return 'ok';
            throw new Error(`try ${times.length} failed`);
          },
          (event, args) => events.push([event, args]),
        ),
      ],
    );
    const queue = queueOf(await apps.start([name]), name);
    const fixed = await queue.add('f', { succeedAt: 3 }, { attempts: 3, backoff: 150 });
    const expo = await queue.add('e', { succeedAt: 0 }, { attempts: 3, backoff: { type: 'exponential', delay: 100 } });
    expect(await fixed.waitUntilFinished(20000)).toBe('ok');
    await expect(expo.waitUntilFinished(20000)).rejects.toThrow('try 3 failed');

    const fixedTimes = starts.get(fixed.id) ?? [];
    expect(fixedTimes).toHaveLength(3);
    expect(fixedTimes[1] - fixedTimes[0]).toBeGreaterThanOrEqual(150);
    expect(fixedTimes[2] - fixedTimes[1]).toBeGreaterThanOrEqual(150);
    const expoTimes = starts.get(expo.id) ?? [];
    expect(expoTimes[1] - expoTimes[0]).toBeGreaterThanOrEqual(100);
    expect(expoTimes[2] - expoTimes[1]).toBeGreaterThanOrEqual(200);

    const dead = await queue.getJobs(['failed']);
    expect(dead.map((j) => j.id)).toEqual([expo.id]);
    expect(dead[0]).toMatchObject({ attemptsMade: 3, failedReason: 'try 3 failed' });
    expect(dead[0].stacktrace).toHaveLength(3);
    expect(dead[0].stacktrace[2]).toContain('try 3 failed');
    expect((await queue.getJob(fixed.id))?.attemptsMade).toBe(3);
    expect(events.filter(([e]) => e === 'failed')).toHaveLength(5);
    expect(events.filter(([e]) => e === 'active')).toHaveLength(6);
    expect(events.find(([e]) => e === 'completed')?.[1][1]).toBe('ok');
  });

  it('fails at once, without retries, on UnrecoverableError and on data that fails validation', async () => {
    const name = freshQueue();
    const received: unknown[] = [];
    const handle = (data: unknown): string => {
      received.push(data);
      if (data instanceof OrderDto && data.sku === 'poison') throw new UnrecoverableError('cannot ship poison');
      return 'shipped';
    };
    await apps.start([], [processorFor(name, {}, handle, undefined, OrderDto)]);
    const queue = queueOf(await apps.start([name]), name);
    const poison = await queue.add('order', { sku: 'poison', quantity: 1 }, { attempts: 5, backoff: 10 });
    const invalid = await queue.add('order', { sku: 'x', quantity: 0 }, { attempts: 5, backoff: 10 });
    const good = await queue.add('order', { sku: 'x', quantity: 2 }, { attempts: 5 });
    await expect(poison.waitUntilFinished(20000)).rejects.toThrow('cannot ship poison');
    await expect(invalid.waitUntilFinished(20000)).rejects.toThrow(/validation failed: quantity/);
    expect(await good.waitUntilFinished(20000)).toBe('shipped');
    expect(await queue.getJob(poison.id)).toMatchObject({ attemptsMade: 1, failedReason: 'cannot ship poison' });
    expect(await queue.getJob(invalid.id)).toMatchObject({ attemptsMade: 1 });
    expect(received.every((d) => d instanceof OrderDto)).toBe(true);
    expect(received).toHaveLength(2);
  });

  it('validates at add() with validate: true against the processor of this app', async () => {
    const name = freshQueue();
    const app = await apps.start([name], [processorFor(name, {}, () => 'ok', undefined, OrderDto)]);
    const queue = queueOf(app, name);
    await expect(queue.add('order', { sku: 7, quantity: 1 }, { validate: true })).rejects.toThrow(/validation failed: sku/);
    expect((await queue.getJobCounts()).waiting).toBe(0);
    const job = await queue.add('order', { sku: 'a', quantity: 1 }, { validate: true });
    expect(await job.waitUntilFinished(20000)).toBe('ok');
    const other = freshQueue();
    const producerOnly = queueOf(await apps.start([other]), other);
    await expect(producerOnly.add('order', {}, { validate: true })).rejects.toThrow(/no @OnJob handler/);
  });

  it('reports progress and logs, and fails an attempt that exceeds its timeout', async () => {
    const name = freshQueue();
    const progress: unknown[] = [];
    await apps.start(
      [],
      [
        processorFor(
          name,
          {},
          async (data, job) => {
            if ((data as { hang?: boolean }).hang) return new Promise(() => undefined);
            await job.updateProgress(50);
            await job.updateProgress({ step: 'done' });
            await job.log('half way');
            await job.log('nearly there');
            return 'done';
          },
          (event, args) => {
            if (event === 'progress') progress.push(args[1]);
          },
        ),
      ],
    );
    const queue = queueOf(await apps.start([name]), name);
    const job = await queue.add('p', {});
    expect(await job.waitUntilFinished(20000)).toBe('done');
    expect((await queue.getJob(job.id))?.progress).toEqual({ step: 'done' });
    expect(progress).toEqual([50, { step: 'done' }]);
    expect(await queue.getJobLogs(job.id)).toEqual({ logs: ['half way', 'nearly there'], count: 2 });
    expect(await queue.getJobLogs(job.id, 0, 0, false)).toEqual({ logs: ['nearly there'], count: 2 });
    const hung = await queue.add('h', { hang: true }, { timeout: 200, attempts: 2 });
    await expect(hung.waitUntilFinished(20000)).rejects.toThrow(/timed out after 200 ms/);
    expect((await queue.getJob(hung.id))?.attemptsMade).toBe(2);
  });

  it('limits job starts globally across workers (limiter: max per duration)', async () => {
    const name = freshQueue();
    const starts: number[] = [];
    const processor = processorFor(name, { concurrency: 4, limiter: { max: 2, duration: 400 } }, () => starts.push(Date.now()));
    await apps.start([], [processor]);
    await apps.start([], [processor]);
    const queue = queueOf(await apps.start([name]), name);
    await queue.addBulk(Array.from({ length: 6 }, (_, n) => ({ name: 'limited', data: n })));
    await waitUntil(() => starts.length === 6, 'every limited job to run');
    starts.sort((a, b) => a - b);
    // Windows of 400 ms, each opened by its first start: jobs 2k and 2k+1 run in window k, so
    // start 2k is at least k windows after start 0 (less the time from opening a window to the handler).
    expect(starts[2] - starts[0]).toBeGreaterThanOrEqual(400 - 150);
    expect(starts[4] - starts[0]).toBeGreaterThanOrEqual(800 - 150);
  });

  it('waitUntilFinished rejects on its timeout, for an unknown job, and when the app closes', async () => {
    const name = freshQueue();
    const app = await apps.start([name]);
    const queue = queueOf(app, name);
    const job = await queue.add('never-run', {});
    await expect(job.waitUntilFinished(100)).rejects.toThrow(/did not finish within 100 ms/);
    const ghost = await queue.add('ghost', {});
    await ghost.remove();
    await expect(ghost.waitUntilFinished(1000)).rejects.toThrow(/does not exist/);
    const pending = job.waitUntilFinished();
    const outcome = pending.then(
      () => 'resolved',
      (e: unknown) => (e as Error).message,
    );
    await apps.closeAll();
    // "closed while waiting", or the connection's own "closed" if the close came before the state was read.
    expect(await outcome).toMatch(/closed/);
  });
});
