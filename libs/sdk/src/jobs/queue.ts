import type { Job } from './job.js';
import type { JobOptions, JobState } from './job-options.js';
import { JobSchedulers, type JobTemplate, type RepeatOptions } from './job-schedulers.js';
import type { JobStore } from './job-store.js';

export interface QueueDefinition {
  name: string;
  /** Merged under each job's own options. */
  defaultJobOptions?: JobOptions;
}

/** Checks job data at add() when asked (`validate: true`); provided by the processor explorer. */
export type AddValidator = (queue: string, jobName: string, data: unknown) => Promise<void>;

/** A job queue, injected with @InjectQueue(name). Adding needs no processor in this app; any process connected to the server can run the jobs. */
// The contract's defaults (as BullMQ's): a Queue without type arguments carries anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Queue<T = any, R = any> {
  readonly name: string;
  private readonly schedulers: JobSchedulers;

  constructor(
    private readonly store: JobStore,
    private readonly defaults: JobOptions,
    private readonly validateData: AddValidator,
  ) {
    this.name = store.queueName;
    this.schedulers = new JobSchedulers(store);
  }

  /** Adds a job; with `jobId`, while a job with that id exists (in any state) it is returned instead and nothing is added. */
  async add(name: string, data: T, opts: JobOptions = {}): Promise<Job<T, R>> {
    const [job] = await this.addBulk([{ name, data, opts }]);
    return job;
  }

  /** Adds the jobs atomically (all or none), each as add() would: a `jobId` that exists, or repeats an earlier entry, returns that job. */
  async addBulk(jobs: { name: string; data: T; opts?: JobOptions }[]): Promise<Job<T, R>[]> {
    const entries = jobs.map(({ name, data, opts }) => ({ name, data, opts: { ...this.defaults, ...opts } }));
    for (const { name, data, opts } of entries) if (opts.validate === true) await this.validateData(this.name, name, data);
    return this.store.addBulk<T, R>(entries);
  }

  getJob(id: string): Promise<Job<T, R> | undefined> {
    return this.store.getJob<T, R>(id);
  }

  getJobs(states: JobState[], start?: number, end?: number): Promise<Job<T, R>[]> {
    return this.store.getJobs<T, R>(states, start, end);
  }

  /** Paused and prioritized jobs count as waiting. */
  getJobCounts(): Promise<Record<JobState, number>> {
    return this.store.getJobCounts();
  }

  /** Workers everywhere stop taking jobs (running ones finish); adds still queue. */
  pause(): Promise<void> {
    return this.store.pause();
  }

  resume(): Promise<void> {
    return this.store.resume();
  }

  isPaused(): Promise<boolean> {
    return this.store.isPaused();
  }

  /** Removes waiting (and, when asked, delayed) jobs. */
  drain(includeDelayed = false): Promise<void> {
    return this.store.drain(includeDelayed);
  }

  clean(graceMs: number, limit: number, state: 'completed' | 'failed' | 'waiting' | 'delayed'): Promise<string[]> {
    return this.store.clean(graceMs, limit, state);
  }

  /** failed → waiting (dead letters replayed, attempts reset); returns how many. */
  retryJobs(opts: { state?: 'failed'; count?: number } = {}): Promise<number> {
    return this.store.retryJobs(opts.count);
  }

  /**
   * Deletes the queue and all its jobs (pausing it first). Refuses while a worker runs one of its
   * jobs, unless `force` (BullMQ's option).
   */
  obliterate(opts: { force?: boolean } = {}): Promise<void> {
    return this.store.obliterate(opts.force === true);
  }

  /** Lines `job.log()` added to a job, oldest first (or newest first when !asc), and how many there are (BullMQ's getJobLogs). */
  getJobLogs(id: string, start = 0, end = -1, asc = true): Promise<{ logs: string[]; count: number }> {
    return this.store.getJobLogs(id, start, end, asc);
  }

  /**
   * Creates or replaces a job scheduler: one job from `template` per slot (`every` ms, or each time
   * of a cron `pattern` in `tz`), up to `limit` jobs, exactly once per slot however many workers
   * run, surviving restarts. Replacing it drops its pending job and restarts the limit count.
   */
  upsertJobScheduler(id: string, repeat: RepeatOptions, template: JobTemplate<T>): Promise<void> {
    return this.schedulers.upsert(id, repeat, template);
  }

  /** Deletes a job scheduler and its pending job; false when there was none. */
  removeJobScheduler(id: string): Promise<boolean> {
    return this.schedulers.remove(id);
  }
}
