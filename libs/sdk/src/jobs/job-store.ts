import type { ChainableCommander, Redis } from 'ioredis';
import { Job, type JobBackend, type JobFields } from './job.js';
import { checkJobOptions, JOB_STATES, type JobOptions, type JobState } from './job-options.js';
import { OutcomeListener, type Outcome } from './outcome-listener.js';
import { execOrConflict, type QueueContext } from './queue-context.js';
import { readyMarker } from './queue-keys.js';
import { CONFLICT } from '../transactions.js';

/** A job about to be written by writeNewJob. */
export interface NewJob {
  id: string;
  name: string;
  /** Serialized. */
  data: string | Buffer;
  opts: JobOptions;
  timestamp: number;
  seq: number;
  extra?: Record<string, string | number>;
}

/** A job for addBulk, its options merged with the queue's defaults. */
export interface JobToAdd<T> {
  name: string;
  data: T;
  opts: JobOptions;
}

/** Events searched for the outcome of a job that finished and was removed before its waiter came. */
const RECENT_EVENTS = 1000;
/** Waiting jobs resume() wakes workers for (one marker each). */
const RESUME_MARKERS = 1000;
/** Keys looked at (SCAN COUNT) and deleted per command by obliterate. */
const OBLITERATE_BATCH = 500;

/**
 * The producer and admin side of one queue: adding, reading and managing jobs. The worker side
 * (taking, finishing, recovering) is in worker-transitions.ts.
 */
export class JobStore implements JobBackend {
  /** Told when a job of this queue reports progress in this process (for @OnJobEvent('progress')). */
  readonly progressListeners = new Set<(job: Job, progress: number | object) => void>();

  private readonly outcomes: OutcomeListener;

  constructor(readonly ctx: QueueContext) {
    this.outcomes = new OutcomeListener(ctx);
  }

  get queueName(): string {
    return this.ctx.name;
  }

  /**
   * Adds jobs in one MULTI/EXEC: all or none. An entry whose jobId names a job that exists (or an
   * earlier entry of the same call) gets that job instead, and adds nothing. A run whose connection
   * dropped before EXEC's reply runs again; the ids it generated are then looked up like jobIds,
   * so a job whose EXEC did commit is returned, not added twice.
   */
  async addBulk<T, R>(entries: JobToAdd<T>[]): Promise<Job<T, R>[]> {
    for (const { opts } of entries) checkJobOptions(opts);
    const { keys, serializer } = this.ctx;
    const serialized = entries.map(({ data }) => serializer.serialize(data));
    const jobIds = [...new Set(entries.flatMap(({ opts }) => opts.jobId ?? []))];
    const generated = entries.filter(({ opts }) => opts.jobId === undefined).length;
    const ready = entries.filter(({ opts }) => (opts.delay ?? 0) <= 0).length;
    // Taken by the first run that got them; kept by later runs (an aborted EXEC used none of them).
    let generatedIds: string[] = [];
    const attempt = async (redis: Redis, afterLoss: boolean): Promise<Job<T, R>[] | typeof CONFLICT> => {
      const looked = afterLoss ? [...jobIds, ...generatedIds] : jobIds;
      // One round trip: the watch on the named jobs, their hashes, and the ids and sequence numbers
      // (numbers left unused by a dedupe or an aborted EXEC are only gaps).
      const [, hashes, lastId, firstSeq] = await Promise.all([
        looked.length > 0 ? redis.watch(...looked.map((id) => keys.job(id))) : undefined,
        Promise.all(looked.map((id) => redis.hgetallBuffer(keys.job(id)))),
        generated > 0 && generatedIds.length === 0 ? redis.incrby(keys.id, generated) : 0,
        ready > 0 ? this.ctx.nextSeq(redis, ready) : 0,
      ]);
      if (generated > 0 && generatedIds.length === 0)
        generatedIds = Array.from({ length: generated }, (_, i) => String(lastId - generated + 1 + i));
      const known = new Map<string, Job<T, R>>();
      looked.forEach((id, i) => {
        const job = this.jobFromHash<T, R>(id, hashes[i]);
        if (job) known.set(id, job);
      });
      const multi = redis.multi();
      const timestamp = Date.now();
      let nextGenerated = 0;
      let seq = firstSeq;
      let writes = 0;
      const added = entries.map(({ name, data, opts }, i) => {
        const id = opts.jobId ?? generatedIds[nextGenerated++];
        const existing = known.get(id);
        if (existing) return existing;
        this.writeNewJob(multi, { id, name, data: serialized[i], opts, timestamp, seq: (opts.delay ?? 0) > 0 ? 0 : seq++ });
        writes++;
        const fields: JobFields<T> = { id, name, data, opts, attemptsMade: 0, stalls: 0, progress: 0, stacktrace: [], timestamp };
        const job = new Job<T, R>(this, fields);
        known.set(id, job);
        return job;
      });
      if (writes > 0 && (await execOrConflict(multi)) === CONFLICT) return CONFLICT;
      return added;
    };
    // Nothing to watch on a first run: the shared connection does (ioredis sends a MULTI block in one write).
    return jobIds.length > 0 ? this.ctx.transactions.run(attempt) : this.ctx.transactions.runUnwatched(attempt);
  }

  /**
   * Adds the creation of a job to a transaction: its hash, then `wait` (at `seq`, from nextSeq) or
   * `delayed` (opts.delay after timestamp). `extra` fields go into the hash too.
   */
  writeNewJob(multi: ChainableCommander, job: NewJob): ChainableCommander {
    const { keys } = this.ctx;
    const { id, opts, timestamp } = job;
    const delay = opts.delay ?? 0;
    const priority = opts.priority ?? 0;
    multi.hset(keys.job(id), {
      ...job.extra,
      name: job.name,
      data: job.data,
      opts: JSON.stringify(opts),
      priority,
      attemptsMade: 0,
      stalls: 0,
      progress: '0',
      stacktrace: '[]',
      timestamp,
    });
    if (delay > 0) return this.ctx.queueDelayed(multi, id, timestamp + delay);
    return this.ctx.queueReady(multi, id, priority, job.seq);
  }

  getJob<T, R>(id: string): Promise<Job<T, R> | undefined> {
    return this.readJob<T, R>(this.ctx.commands, id);
  }

  /** Jobs in the given states: waiting and delayed in the order they will run, active by lock deadline, finished newest first. */
  async getJobs<T, R>(states: JobState[], start = 0, end = -1): Promise<Job<T, R>[]> {
    const redis = this.ctx.commands;
    const ids: string[] = [];
    for (const state of new Set(states)) {
      const key = this.stateKey(state);
      const finished = state === 'completed' || state === 'failed';
      ids.push(
        ...(finished ? await redis.zrange(key, String(start), String(end), 'REV') : await redis.zrange(key, String(start), String(end))),
      );
    }
    const jobs = await Promise.all(ids.map((id) => this.readJob<T, R>(redis, id)));
    return jobs.filter((j): j is Job<T, R> => j !== undefined);
  }

  async getJobCounts(): Promise<Record<JobState, number>> {
    const counts = await this.perState((key, pipeline) => pipeline.zcard(key));
    return Object.fromEntries(JOB_STATES.map((state, i) => [state, counts[i] as number])) as Record<JobState, number>;
  }

  async getState(id: string): Promise<JobState | 'unknown'> {
    const scores = await this.perState((key, pipeline) => pipeline.zscore(key, id));
    const index = scores.findIndex((score) => score !== null);
    if (index >= 0) return JOB_STATES[index];
    // In no state but still there: in a worker's claim on its way to active, or (for an instant too)
    // in a promotion on its way to waiting (see queue-keys.ts); told as active either way.
    return (await this.ctx.commands.exists(this.ctx.keys.job(id))) === 1 ? 'active' : 'unknown';
  }

  /** One command per state (in JOB_STATES order) in one round trip; their replies, or the first error. */
  private async perState(command: (key: string, pipeline: ChainableCommander) => void): Promise<unknown[]> {
    const pipeline = this.ctx.commands.pipeline();
    for (const state of JOB_STATES) command(this.stateKey(state), pipeline);
    return ((await pipeline.exec()) ?? []).map(([err, reply]) => {
      if (err) throw err;
      return reply;
    });
  }

  stateKey(state: JobState): string {
    const { keys } = this.ctx;
    const byState: Record<JobState, string> = {
      waiting: keys.wait,
      delayed: keys.delayed,
      active: keys.active,
      completed: keys.completed,
      failed: keys.failed,
    };
    return byState[state];
  }

  async updateProgress(job: Job, progress: number | object): Promise<void> {
    const key = this.ctx.keys.job(job.id);
    await this.ctx.transactions.run(async (redis) => {
      await redis.watch(key);
      if ((await redis.exists(key)) === 0) throw new Error(`job ${job.id} of queue ${this.queueName} does not exist`);
      return execOrConflict(redis.multi().hset(key, 'progress', JSON.stringify(progress)));
    });
    for (const listener of this.progressListeners) listener(job, progress);
  }

  async log(id: string, line: string): Promise<void> {
    const { keys } = this.ctx;
    await this.ctx.transactions.run(async (redis) => {
      await redis.watch(keys.job(id));
      if ((await redis.exists(keys.job(id))) === 0) throw new Error(`job ${id} of queue ${this.queueName} does not exist`);
      return execOrConflict(redis.multi().rpush(keys.logs(id), line));
    });
  }

  /**
   * Waits for the job's final outcome, recorded by whichever process ran it. Interest is
   * registered with the queue's OutcomeListener before the state is read, so an outcome recorded
   * in between is not missed; one recorded earlier is in the job's hash or, if the job was removed
   * since, among the recent events.
   */
  async waitUntilFinished(id: string, timeoutMs?: number): Promise<unknown> {
    const { outcome, cancel } = await this.outcomes.listen(id);
    let timer: NodeJS.Timeout | undefined;
    try {
      const state = await this.getState(id);
      const job = state === 'unknown' ? undefined : await this.readJob(this.ctx.commands, id);
      if (job && state === 'completed') return job.returnvalue;
      if (job && state === 'failed') throw new Error(job.failedReason ?? 'failed');
      if (!job) {
        const recorded = await this.recentOutcome(id);
        if (recorded) return this.settleOutcome(recorded);
        if (state === 'unknown') throw new Error(`job ${id} of queue ${this.queueName} does not exist`);
      }
      const expired = new Promise<never>((_, reject) => {
        if (timeoutMs !== undefined) {
          timer = setTimeout(
            () => reject(new Error(`job ${id} of queue ${this.queueName} did not finish within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }
      });
      return this.settleOutcome(await Promise.race([outcome, expired]));
    } finally {
      clearTimeout(timer);
      cancel();
    }
  }

  /** The outcome of a job finished and removed already, if still among the recent events. */
  private async recentOutcome(id: string): Promise<Outcome | undefined> {
    const entries = await this.ctx.commands.xrevrangeBuffer(this.ctx.keys.events, '+', '-', 'COUNT', RECENT_EVENTS);
    for (const [, fields] of entries) {
      const entry = new Map<string, Buffer>();
      for (let i = 0; i + 1 < fields.length; i += 2) entry.set(String(fields[i]), fields[i + 1]);
      if (entry.get('id')?.toString() !== id) continue;
      return {
        event: entry.get('event')?.toString() === 'completed' ? 'completed' : 'failed',
        detail: entry.get('detail') ?? Buffer.alloc(0),
      };
    }
    return undefined;
  }

  private settleOutcome({ event, detail }: Outcome): unknown {
    if (event === 'failed') throw new Error(detail.toString());
    return detail.length === 0 ? undefined : this.ctx.serializer.deserialize(detail);
  }

  /** Closes the queue's connections (at app shutdown, after its processors stopped). */
  async close(): Promise<void> {
    await Promise.all([this.ctx.transactions.close(), this.outcomes.close()]);
  }

  /** failed → waiting, attempts reset (a dead letter replayed). */
  async retry(id: string): Promise<void> {
    const moved = await this.retryFailed([id]);
    if (moved === 0) throw new Error(`job ${id} of queue ${this.queueName} is not failed`);
  }

  /** Moves up to `count` failed jobs (oldest first; all when count is absent) back to waiting; returns how many. */
  async retryJobs(count?: number): Promise<number> {
    const ids = await this.ctx.commands.zrange(this.ctx.keys.failed, '0', String(count === undefined ? -1 : count - 1));
    return ids.length === 0 ? 0 : this.retryFailed(ids);
  }

  private retryFailed(ids: string[]): Promise<number> {
    const { keys } = this.ctx;
    return this.ctx.transactions.run(async (redis) => {
      await redis.watch(keys.failed);
      const scores = await Promise.all(ids.map((id) => redis.zscore(keys.failed, id)));
      const failed = ids.filter((_, i) => scores[i] !== null);
      if (failed.length === 0) return 0;
      const priorities = await Promise.all(failed.map((id) => redis.hget(keys.job(id), 'priority')));
      let seq = await this.ctx.nextSeq(redis, failed.length);
      const multi = redis.multi().zrem(keys.failed, ...failed);
      failed.forEach((id, i) => {
        multi.hset(keys.job(id), { attemptsMade: 0, stalls: 0 }).hdel(keys.job(id), 'failedReason', 'finishedOn', 'processedOn');
        this.ctx.queueReady(multi, id, Number(priorities[i] ?? 0), seq++);
      });
      return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : failed.length;
    });
  }

  /** Deletes a job in any state but active (a running job is its worker's until it finishes or stalls). */
  async remove(id: string): Promise<void> {
    const { keys } = this.ctx;
    await this.ctx.transactions.run(async (redis) => {
      await redis.watch(keys.active);
      if ((await redis.zscore(keys.active, id)) !== null)
        throw new Error(`job ${id} of queue ${this.queueName} is active and cannot be removed`);
      const multi = redis.multi().zrem(keys.wait, id).zrem(keys.delayed, id).zrem(keys.completed, id).zrem(keys.failed, id);
      return execOrConflict(this.ctx.deleteJob(multi.zrem(keys.marker, readyMarker(id)), id));
    });
  }

  /** Removes waiting jobs, and delayed ones too when asked. */
  async drain(includeDelayed: boolean): Promise<void> {
    const { keys } = this.ctx;
    const sets = includeDelayed ? [keys.wait, keys.delayed] : [keys.wait];
    await this.ctx.transactions.run(async (redis) => {
      await redis.watch(...sets);
      const ids = (await Promise.all(sets.map((key) => redis.zrange(key, '0', '-1')))).flat();
      // The ready jobs' markers (score 0) go too; the delayed marker only wakes a worker for nothing.
      const multi = redis
        .multi()
        .del(...sets)
        .zremrangebyscore(keys.marker, 0, 0);
      for (const id of ids) this.ctx.deleteJob(multi, id);
      return execOrConflict(multi);
    });
  }

  /**
   * Deletes up to `limit` jobs (0 = no limit) of a state that are older than `graceMs`: by
   * finishedOn for completed and failed, by creation for waiting and delayed. Returns their ids.
   */
  clean(graceMs: number, limit: number, state: 'completed' | 'failed' | 'waiting' | 'delayed'): Promise<string[]> {
    const { keys } = this.ctx;
    const key = this.stateKey(state);
    const field = state === 'completed' || state === 'failed' ? 'finishedOn' : 'timestamp';
    return this.ctx.transactions.run(async (redis) => {
      await redis.watch(key);
      const cutoff = Date.now() - graceMs;
      const ids = await redis.zrange(key, '0', '-1');
      const times = await Promise.all(ids.map((id) => redis.hget(keys.job(id), field)));
      const old = ids.filter((_, i) => Number(times[i] ?? 0) <= cutoff).slice(0, limit > 0 ? limit : undefined);
      if (old.length === 0) return [];
      const multi = redis.multi().zrem(key, ...old);
      for (const id of old) this.ctx.deleteJob(multi, id);
      return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : old;
    });
  }

  async pause(): Promise<void> {
    await this.ctx.commands.set(this.ctx.keys.paused, '1');
  }

  /**
   * Workers consumed the markers of jobs added while paused (and took nothing): markers for the
   * head of `wait` wake as many idle workers again; each keeps taking while jobs remain.
   */
  async resume(): Promise<void> {
    const { keys } = this.ctx;
    const head = await this.ctx.commands.zrange(keys.wait, '0', String(RESUME_MARKERS - 1));
    const multi = this.ctx.commands.multi().del(keys.paused);
    if (head.length > 0) multi.zadd(keys.marker, ...head.flatMap((id) => [0, readyMarker(id)]));
    await execOrConflict(multi);
  }

  async isPaused(): Promise<boolean> {
    return (await this.ctx.commands.exists(this.ctx.keys.paused)) === 1;
  }

  /**
   * Deletes every key of the queue, in batches (the queue may hold millions of jobs). Refuses while
   * a worker runs a job unless `force` (then its worker finds the job gone when it finishes).
   * The queue is paused first, so no worker takes a job meanwhile; jobs added during the sweep may survive it.
   */
  async obliterate(force: boolean): Promise<void> {
    const { keys } = this.ctx;
    await this.ctx.transactions.run(async (redis) => {
      const [, active] = await Promise.all([redis.watch(keys.active, keys.claims), redis.zcard(keys.active)]);
      if (active > 0 && !force) throw new Error(`Cannot obliterate queue ${this.queueName} with active jobs`);
      return execOrConflict(redis.multi().set(keys.paused, '1'));
    });
    const redis = this.ctx.commands;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.base}:*`, 'COUNT', OBLITERATE_BATCH);
      cursor = next;
      const doomed = found.filter((key) => key !== keys.paused);
      if (doomed.length > 0) await redis.del(...doomed);
    } while (cursor !== '0');
    await redis.del(keys.paused);
  }

  /** Lines added by job.log(), oldest first (newest first when !asc), from `start` to `end` (inclusive, as LRANGE); and how many there are. */
  async getJobLogs(id: string, start: number, end: number, asc: boolean): Promise<{ logs: string[]; count: number }> {
    const key = this.ctx.keys.logs(id);
    // Newest first: the same positions counted from the end of the list.
    const [from, to] = asc ? [start, end] : [-(end + 1), -(start + 1)];
    const [logs, count] = await Promise.all([this.ctx.commands.lrange(key, from, to), this.ctx.commands.llen(key)]);
    return { logs: asc ? logs : logs.reverse(), count };
  }

  async readJob<T, R>(redis: Redis, id: string): Promise<Job<T, R> | undefined> {
    return this.jobFromHash<T, R>(id, await redis.hgetallBuffer(this.ctx.keys.job(id)));
  }

  /** The job stored in `hash` (HGETALL of its key); undefined when the job does not exist. */
  jobFromHash<T, R>(id: string, hash: Partial<Record<string, Buffer>>): Job<T, R> | undefined {
    const text = (field: string): string | undefined => hash[field]?.toString();
    const name = text('name');
    const data = hash.data;
    if (name === undefined || data === undefined) return undefined;
    const number = (field: string): number | undefined => (hash[field] === undefined ? undefined : Number(text(field)));
    const returnvalue = hash.returnvalue;
    const failedReason = text('failedReason');
    const scheduler = text('scheduler');
    const processedOn = number('processedOn');
    const finishedOn = number('finishedOn');
    const fields: JobFields<T> = {
      id,
      name,
      data: this.ctx.serializer.deserialize(data) as T,
      opts: JSON.parse(text('opts') ?? '{}') as JobOptions,
      attemptsMade: number('attemptsMade') ?? 0,
      stalls: number('stalls') ?? 0,
      progress: JSON.parse(text('progress') ?? '0') as number | object,
      stacktrace: JSON.parse(text('stacktrace') ?? '[]') as string[],
      timestamp: number('timestamp') ?? 0,
      ...(returnvalue !== undefined && returnvalue.length > 0 ? { returnvalue: this.ctx.serializer.deserialize(returnvalue) } : {}),
      ...(failedReason !== undefined ? { failedReason } : {}),
      ...(scheduler !== undefined ? { scheduler } : {}),
      ...(processedOn !== undefined ? { processedOn } : {}),
      ...(finishedOn !== undefined ? { finishedOn } : {}),
    };
    return new Job<T, R>(this, fields);
  }
}
