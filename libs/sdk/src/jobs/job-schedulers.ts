import { CronExpressionParser } from 'cron-parser';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Job } from './job.js';
import { checkJobOptions, type JobOptions } from './job-options.js';
import type { JobStore } from './job-store.js';
import { execOrConflict } from './queue-context.js';
import { CONFLICT } from '../transactions.js';

export interface RepeatOptions {
  /** ms between slots; slots are the multiples of `every` since the epoch. */
  every?: number;
  /** A cron pattern (5 fields, or 6 with seconds first). */
  pattern?: string;
  /** IANA time zone for `pattern` (default the process's). */
  tz?: string;
  /** Jobs created at most, in total. */
  limit?: number;
}

export interface JobTemplate<T> {
  name: string;
  data?: T;
  opts?: JobOptions;
}

/** A scheduler as stored in the `schedulers` hash (JSON): its repeat, template, jobs created, and the pending slot's job id. */
interface SchedulerRecord {
  repeat: RepeatOptions;
  /** data: serialized, in base64 (a serializer may produce binary). */
  template: { name: string; data: string; opts: JobOptions };
  created: number;
  next?: string;
}

/**
 * Job schedulers: each keeps exactly one pending job, for its next slot, with the id
 * `repeat-<scheduler>-<slot ms>`. When a worker takes that job it creates the following slot's
 * job, in a transaction that checks the scheduler still points at the job taken — so across any
 * number of workers each slot gets one job — and the pending job lives on the server, so the
 * schedule survives restarts of every app.
 */
export class JobSchedulers {
  constructor(private readonly store: JobStore) {}

  async upsert<T>(id: string, repeat: RepeatOptions, template: JobTemplate<T>): Promise<void> {
    if (id === '' || id.includes(':')) throw new RangeError(`scheduler id must be non-empty and without ':', not '${id}'`);
    if ((repeat.every === undefined) === (repeat.pattern === undefined))
      throw new RangeError('a job scheduler needs exactly one of every and pattern');
    if (repeat.every !== undefined && (!Number.isInteger(repeat.every) || repeat.every < 1))
      throw new RangeError(`every must be a positive integer (ms)`);
    nextSlot(repeat, Date.now()); // an invalid pattern or zone throws here, before anything is written
    const opts = template.opts ?? {};
    checkJobOptions(opts);
    const record: SchedulerRecord = {
      repeat,
      template: {
        name: template.name,
        data: Buffer.from(this.store.ctx.serializer.serialize(template.data ?? {})).toString('base64'),
        opts,
      },
      created: 0,
    };
    await this.store.ctx.transactions.run(async (redis) => {
      const { keys } = this.store.ctx;
      await redis.watch(keys.schedulers, keys.delayed, keys.wait);
      const previous = parseRecord(await redis.hget(keys.schedulers, id));
      const multi = redis.multi();
      if (previous?.next !== undefined) await this.removePending(redis, multi, previous.next);
      return execOrConflict(await this.scheduleSlot(redis, multi, id, record, Date.now()));
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.store.ctx.transactions.run(async (redis) => {
      const { keys } = this.store.ctx;
      await redis.watch(keys.schedulers, keys.delayed, keys.wait);
      const record = parseRecord(await redis.hget(keys.schedulers, id));
      if (!record) return false;
      const multi = redis.multi().hdel(keys.schedulers, id);
      if (record.next !== undefined) await this.removePending(redis, multi, record.next);
      return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : true;
    });
  }

  /** Called by the worker that took `job`: creates the job of the scheduler's following slot, once. */
  async scheduleAfter(job: Job): Promise<void> {
    const scheduler = job.scheduler;
    if (scheduler === undefined) return;
    await this.store.ctx.transactions.run(async (redis) => {
      const { keys } = this.store.ctx;
      await redis.watch(keys.schedulers);
      const record = parseRecord(await redis.hget(keys.schedulers, scheduler));
      if (record?.next !== job.id) return undefined;
      const slot = job.timestamp + (job.opts.delay ?? 0);
      return execOrConflict(await this.scheduleSlot(redis, redis.multi(), scheduler, record, Math.max(Date.now(), slot + 1)));
    });
  }

  /** Adds the job of the first slot at or after `from` (unless the limit is reached) and saves the record pointing at it. */
  private async scheduleSlot(
    redis: Redis,
    multi: ChainableCommander,
    id: string,
    record: SchedulerRecord,
    from: number,
  ): Promise<ChainableCommander> {
    const { keys } = this.store.ctx;
    const { limit } = record.repeat;
    if (limit !== undefined && record.created >= limit) {
      return multi.hset(keys.schedulers, id, JSON.stringify({ ...record, next: undefined }));
    }
    // A slot whose job still exists (started, or kept after it finished) already had its job.
    let slot = nextSlot(record.repeat, from);
    await redis.watch(keys.job(`repeat-${id}-${slot}`));
    while ((await redis.exists(keys.job(`repeat-${id}-${slot}`))) === 1) {
      slot = nextSlot(record.repeat, slot + 1);
      await redis.watch(keys.job(`repeat-${id}-${slot}`));
    }
    const jobId = `repeat-${id}-${slot}`;
    const now = Date.now();
    const opts: JobOptions = { ...record.template.opts, jobId, delay: Math.max(slot - now, 0) };
    const seq = opts.delay === 0 ? await this.store.ctx.nextSeq(redis) : 0;
    this.store.writeNewJob(multi, {
      id: jobId,
      name: record.template.name,
      data: Buffer.from(record.template.data, 'base64'),
      opts,
      timestamp: now,
      seq,
      extra: { scheduler: id },
    });
    return multi.hset(
      keys.schedulers,
      id,
      JSON.stringify({ ...record, created: record.created + 1, next: jobId } satisfies SchedulerRecord),
    );
  }

  /** Deletes a scheduler's job if it has not started yet (a started one is its worker's to finish); needs wait and delayed watched. */
  private async removePending(redis: Redis, multi: ChainableCommander, jobId: string): Promise<void> {
    const { keys } = this.store.ctx;
    const [delayed, waiting] = await Promise.all([redis.zscore(keys.delayed, jobId), redis.zscore(keys.wait, jobId)]);
    if (delayed === null && waiting === null) return;
    this.store.ctx.deleteJob(multi.zrem(keys.delayed, jobId).zrem(keys.wait, jobId), jobId);
  }
}

function parseRecord(text: string | null): SchedulerRecord | undefined {
  return text === null ? undefined : (JSON.parse(text) as SchedulerRecord);
}

/** The first slot at or after `from` (ms). */
export function nextSlot(repeat: RepeatOptions, from: number): number {
  if (repeat.every !== undefined) return Math.ceil(from / repeat.every) * repeat.every;
  const cron = CronExpressionParser.parse(repeat.pattern ?? '', {
    currentDate: new Date(from - 1),
    ...(repeat.tz ? { tz: repeat.tz } : {}),
  });
  return cron.next().getTime();
}
