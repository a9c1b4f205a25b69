/**
 * Job schedulers, in the three modes: one job per slot (`every` and cron `pattern` with a time
 * zone) exactly once across several worker apps, `limit`, surviving a restart of the workers,
 * and removal.
 */
import 'reflect-metadata';
import { afterAll, afterEach, expect, it } from '@jest/globals';
import type { Job } from '@brook/sdk';
import { describeSdkModes, waitUntil } from '../support/sdk-modes.js';
import { JobApps, processorFor, queueOf } from './jobs-app.js';

let queueCounter = 0;
const freshQueue = (): string => `sched${++queueCounter}`;

/** The slot (ms) a scheduled job was created for, from its id `repeat-<scheduler>-<slot>`. */
const slotOf = (job: Job): number => Number(job.id.split('-').pop());

describeSdkModes('job schedulers', (target) => {
  const apps = new JobApps(target);
  afterEach(() => apps.closeAll());
  afterAll(() => apps.closeHost());

  it('creates one job per `every` slot, once across two worker apps, up to `limit`', async () => {
    const name = freshQueue();
    const ran: Job[] = [];
    const processor = processorFor(name, { concurrency: 2 }, (_d, job) => ran.push(job));
    await apps.start([], [processor]);
    await apps.start([], [processor]);
    const queue = queueOf(await apps.start([name]), name);
    await queue.upsertJobScheduler('tick', { every: 200, limit: 4 }, { name: 'tick', data: { kind: 'tick' } });
    await waitUntil(() => ran.length === 4, 'four scheduled jobs');
    const slots = ran.map(slotOf).sort((a, b) => a - b);
    expect(slots.map((s) => s - slots[0])).toEqual([0, 200, 400, 600]);
    expect(slots[0] % 200).toBe(0);
    expect(ran.every((j) => j.name === 'tick' && (j.data as { kind: string }).kind === 'tick')).toBe(true);
    for (const job of ran) expect(job.processedOn).toBeGreaterThanOrEqual(slotOf(job));
    // The limit is reached: no further job is pending.
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it('follows a cron pattern in a time zone', async () => {
    const name = freshQueue();
    const ran: Job[] = [];
    await apps.start([], [processorFor(name, {}, (_d, job) => ran.push(job))]);
    const queue = queueOf(await apps.start([name]), name);
    await queue.upsertJobScheduler('each-second', { pattern: '* * * * * *', tz: 'Asia/Kolkata', limit: 2 }, { name: 'cron' });
    await waitUntil(() => ran.length === 2, 'two cron jobs');
    const [a, b] = ran.map(slotOf);
    expect(a % 1000).toBe(0);
    expect(b - a).toBe(1000);
    await expect(queue.upsertJobScheduler('bad', { pattern: 'not a pattern' }, { name: 'x' })).rejects.toThrow();
  });

  it('survives a restart of the workers, and stops when removed', async () => {
    const name = freshQueue();
    const ran: Job[] = [];
    const processor = processorFor(name, {}, (_d, job) => ran.push(job));
    const queue = queueOf(await apps.start([name]), name);
    await queue.upsertJobScheduler('beat', { every: 250 }, { name: 'beat' });
    const first = await apps.start([], [processor]);
    await waitUntil(() => ran.length >= 1, 'a first scheduled job');
    await first.close();
    const before = ran.length;
    await apps.start([], [processor]);
    await waitUntil(() => ran.length >= before + 2, 'scheduled jobs after the restart');
    const slots = ran.map(slotOf);
    expect(new Set(slots).size).toBe(slots.length);
    expect(await queue.removeJobScheduler('beat')).toBe(true);
    expect(await queue.removeJobScheduler('beat')).toBe(false);
    const counts = await queue.getJobCounts();
    expect(counts.delayed + counts.waiting).toBe(0);
  });
});
