/**
 * Managing a queue, in the three modes: counts and listings, pause/resume, drain, clean,
 * obliterate, removing jobs, dead letters (failed jobs listed, replayed, bounded), the bounds
 * on completed jobs (count, age, the default), and addBulk's atomicity.
 */
import 'reflect-metadata';
import { afterAll, afterEach, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { JobApps, processorFor, queueOf } from './jobs-app.js';

let queueCounter = 0;
const freshQueue = (): string => `admin${++queueCounter}`;
const HOUR = 3600000;

describeSdkModes('managing job queues', (target) => {
  const apps = new JobApps(target);
  afterEach(() => apps.closeAll());
  afterAll(() => apps.closeHost());

  it('counts and lists jobs by state; drain removes waiting, then delayed jobs too', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    const waiting = await queue.addBulk([1, 2, 3].map((n) => ({ name: `w${n}`, data: n })));
    await queue.add('d-late', 0, { delay: 2 * HOUR });
    await queue.add('d-soon', 0, { delay: HOUR });
    expect(await queue.getJobCounts()).toEqual({ waiting: 3, delayed: 2, active: 0, completed: 0, failed: 0 });
    expect((await queue.getJobs(['delayed'])).map((j) => j.name)).toEqual(['d-soon', 'd-late']);
    expect((await queue.getJobs(['waiting', 'delayed'], 0, 0)).map((j) => j.name)).toEqual(['w1', 'd-soon']);
    await queue.drain();
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, delayed: 2 });
    expect(await queue.getJob(waiting[0].id)).toBeUndefined();
    await queue.drain(true);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it('pause stops every worker from taking jobs (adds still queue); resume starts them again', async () => {
    const name = freshQueue();
    const ran: string[] = [];
    await apps.start([], [processorFor(name, {}, (_d, job) => ran.push(job.id))]);
    const queue = queueOf(await apps.start([name]), name);
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    await queue.addBulk([1, 2].map((n) => ({ name: 'p', data: n })));
    // Long enough for an idle worker to have taken them if pause did not hold (it is woken at once by the add).
    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toEqual([]);
    expect((await queue.getJobCounts()).waiting).toBe(2);
    await queue.resume();
    expect(await queue.isPaused()).toBe(false);
    await waitUntil(() => ran.length === 2, 'the jobs to run after resume');
  });

  it('keeps failed jobs as dead letters with reason and attempts; retryJobs and job.retry replay them', async () => {
    const name = freshQueue();
    const behaviour = { fail: true };
    await apps.start(
      [],
      [
        processorFor(name, {}, (data) => {
          if (behaviour.fail) throw new Error(`cannot handle ${String(data)}`);
          return `handled ${String(data)}`;
        }),
      ],
    );
    const queue = queueOf(await apps.start([name]), name);
    const jobs = await queue.addBulk([1, 2, 3].map((n) => ({ name: 'x', data: n, opts: { attempts: 2 } })));
    await waitUntil(async () => (await queue.getJobCounts()).failed === 3, 'three dead letters');
    const dead = await queue.getJobs(['failed']);
    expect(dead.map((j) => [j.failedReason, j.attemptsMade, j.stacktrace.length]).sort()).toEqual([
      ['cannot handle 1', 2, 2],
      ['cannot handle 2', 2, 2],
      ['cannot handle 3', 2, 2],
    ]);
    behaviour.fail = false;
    expect(await queue.retryJobs({ count: 2 })).toBe(2);
    await waitUntil(async () => (await queue.getJobCounts()).completed === 2, 'two replayed jobs to complete');
    const [left] = await queue.getJobs(['failed']);
    await left.retry();
    expect(await left.waitUntilFinished(20000)).toBe(`handled ${String(left.data)}`);
    expect(await queue.getJob(left.id)).toMatchObject({ attemptsMade: 1, failedReason: undefined });
    await expect(left.retry()).rejects.toThrow(/is not failed/);
    expect(await queue.retryJobs()).toBe(0);
    await jobs[0].remove();
    expect(await jobs[0].getState()).toBe('unknown');
    expect(await queue.getJob(jobs[0].id)).toBeUndefined();
  });

  it('bounds completed and failed jobs by removeOnComplete / removeOnFail, keeping the newest', async () => {
    const name = freshQueue();
    await apps.start(
      [],
      [
        processorFor(name, {}, (data) => {
          if ((data as number) < 0) throw new Error('negative');
          return data;
        }),
      ],
    );
    const queue = queueOf(await apps.start([name]), name);
    const ok = await queue.addBulk(Array.from({ length: 8 }, (_, n) => ({ name: 'ok', data: n, opts: { removeOnComplete: 3 } })));
    const bad = await queue.addBulk(
      Array.from({ length: 5 }, (_, n) => ({ name: 'bad', data: -1 - n, opts: { removeOnFail: { count: 2 } } })),
    );
    await Promise.all(ok.map((j) => j.waitUntilFinished(20000)));
    await Promise.all(bad.map((j) => expect(j.waitUntilFinished(20000)).rejects.toThrow('negative')));
    // The bound is applied right after each job finishes, in a transaction of its own.
    await waitUntil(async () => {
      const counts = await queue.getJobCounts();
      return counts.completed === 3 && counts.failed === 2;
    }, 'the bounds to apply');
    expect((await queue.getJobs(['completed'])).map((j) => j.data as number)).toEqual([7, 6, 5]);
    expect((await queue.getJobs(['failed'])).map((j) => j.data as number)).toEqual([-5, -4]);
    expect(await queue.getJob(ok[0].id)).toBeUndefined();
    const gone = await queue.add('gone', 1, { removeOnComplete: true });
    expect(await gone.waitUntilFinished(20000)).toBe(1);
    expect(await gone.getState()).toBe('unknown');
  });

  it('bounds completed jobs by age (removeOnComplete.age), and to the newest 1000 by default', async () => {
    const name = freshQueue();
    await apps.start([], [processorFor(name, { concurrency: 50 }, (data) => data)]);
    const queue = queueOf(await apps.start([name]), name);
    const old = await queue.addBulk([1, 2].map((n) => ({ name: 'aged', data: n, opts: { removeOnComplete: { age: 1 } } })));
    await Promise.all(old.map((j) => j.waitUntilFinished(20000)));
    await new Promise((r) => setTimeout(r, 1100));
    // The age bound is applied when a job of the set finishes: the next one.
    const young = await queue.add('aged', 3, { removeOnComplete: { age: 1 } });
    await young.waitUntilFinished(20000);
    await waitUntil(async () => (await queue.getJobCounts()).completed === 1, 'the aged jobs to go');
    expect((await queue.getJobs(['completed'])).map((j) => j.id)).toEqual([young.id]);

    const many = await queue.addBulk(Array.from({ length: 1500 }, (_, n) => ({ name: 'default', data: n })));
    // Each finish that takes the set over the bound trims it (right after, in a transaction of its own).
    await waitUntil(async () => {
      const counts = await queue.getJobCounts();
      return counts.waiting + counts.active === 0 && counts.completed === 1000;
    }, 'the 1500 jobs to finish, 1000 kept');
    // The jobs trimmed are gone with their hashes (memory stays flat), the newest are kept.
    expect(await queue.getJob(many[0].id)).toBeUndefined();
    expect((await queue.getJob(many[1499].id))?.returnvalue).toBe(1499);
  });

  it('adds a bulk atomically: another client sees none or all of it; jobIds dedupe against the queue and the bulk', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    const seen = new Set<number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) seen.add((await queue.getJobCounts()).waiting);
    })();
    for (let round = 0; round < 5; round++) {
      await queue.addBulk(Array.from({ length: 200 }, (_, n) => ({ name: 'bulk', data: n })));
      await queue.drain();
    }
    watching = false;
    await watcher;
    expect([...seen].filter((n) => n !== 0 && n !== 200)).toEqual([]);

    const first = await queue.add('named', 'first', { jobId: 'a' });
    const [again, fresh, repeated] = await queue.addBulk([
      { name: 'named', data: 'second', opts: { jobId: 'a' } },
      { name: 'named', data: 'third', opts: { jobId: 'b' } },
      { name: 'named', data: 'fourth', opts: { jobId: 'b' } },
    ]);
    expect([again.id, again.data, fresh.id, fresh.data, repeated.data]).toEqual(['a', 'first', 'b', 'third', 'third']);
    expect(first.id).toBe('a');
    expect((await queue.getJobCounts()).waiting).toBe(2);
  });

  it('obliterate refuses while a worker runs a job, unless forced', async () => {
    const name = freshQueue();
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    await apps.start(
      [],
      [
        processorFor(name, {}, async () => {
          started = true;
          await running;
          return 'late';
        }),
      ],
    );
    const queue = queueOf(await apps.start([name]), name);
    const job = await queue.add('busy', 1);
    await queue.add('waiting', 2, { delay: HOUR });
    await waitUntil(() => started, 'the job to start');
    await expect(queue.obliterate()).rejects.toThrow(`Cannot obliterate queue ${name} with active jobs`);
    expect(await queue.getJobCounts()).toMatchObject({ active: 1, delayed: 1 });
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 });
    release();
    // Its worker finds the job gone: nothing is recorded for it.
    await new Promise((r) => setTimeout(r, 200));
    expect(await queue.getJob(job.id)).toBeUndefined();
    expect(await queue.getJobCounts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 });
  });

  it('clean deletes old jobs of a state up to a limit; obliterate deletes every key of the queue', async () => {
    const name = freshQueue();
    const queue = queueOf(await apps.start([name]), name);
    const jobs = await queue.addBulk([1, 2, 3].map((n) => ({ name: 'c', data: n })));
    expect(await queue.clean(HOUR, 0, 'waiting')).toEqual([]);
    expect(await queue.clean(0, 2, 'waiting')).toEqual([jobs[0].id, jobs[1].id]);
    expect((await queue.getJobs(['waiting'])).map((j) => j.id)).toEqual([jobs[2].id]);
    await queue.add('d', 0, { delay: HOUR });
    await queue.obliterate();
    expect(await queue.getJobCounts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 });
    const redis = new Redis(target.port, '127.0.0.1');
    try {
      expect(await redis.keys(`brook:queue:${name}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
