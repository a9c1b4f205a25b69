import { randomUUID } from 'node:crypto';
import type { Job } from './job.js';
import { backoffDelay, DEFAULT_REMOVE_ON_COMPLETE, keepBound, type KeepBound } from './job-options.js';
import type { JobStore } from './job-store.js';
import { execOrConflict, type QueueContext } from './queue-context.js';
import { CONFLICT } from './transactions.js';

/** Stack lines kept per job, newest last. */
const STACKTRACE_KEPT = 10;
/** Due jobs moved from delayed to wait per transaction. */
const PROMOTE_BATCH = 100;

/** At most `max` jobs started per `duration` ms, across every worker of the queue. */
export interface RateLimit {
  max: number;
  duration: number;
}

/** The jobs taken with their lock tokens (none: empty or paused), or the rate limit reached for this long. */
export interface TakeResult {
  taken: { job: Job; token: string }[];
  limitedForMs?: number;
}

/** What became of a failed attempt. */
export type FailureOutcome = 'retry' | 'failed' | 'lost';

/**
 * The worker side of one queue: taking a job under a lock, renewing the lock, finishing the job,
 * promoting due delayed jobs, and taking back jobs whose worker stopped renewing (stalled).
 * Every method is one transaction (see queue-keys.ts); finishing checks the worker still holds
 * the lock, so a worker that lost its job to stall recovery cannot finish it twice.
 */
export class WorkerTransitions {
  private readonly ctx: QueueContext;

  constructor(private readonly store: JobStore) {
    this.ctx = store.ctx;
  }

  /**
   * Takes up to `max` waiting jobs in run order, each locked by a token of its own until
   * now + lockMs. Nothing when the queue is empty or paused; when the queue's rate limit is used
   * up, how long until it allows another job.
   */
  async take(max: number, lockMs: number, limiter?: RateLimit): Promise<TakeResult> {
    const { keys } = this.ctx;
    return this.ctx.transactions.run(async (redis): Promise<TakeResult | typeof CONFLICT> => {
      await redis.watch(keys.wait, keys.paused, keys.limiter);
      if ((await redis.exists(keys.paused)) === 1) return { taken: [] };
      let ids = await redis.zrange(keys.wait, '0', String(max - 1));
      if (ids.length === 0) return { taken: [] };
      const used = limiter ? await redis.get(keys.limiter) : null;
      if (limiter) {
        const allowed = limiter.max - Number(used ?? 0);
        if (allowed <= 0) return { taken: [], limitedForMs: Math.max(await redis.pttl(keys.limiter), 1) };
        ids = ids.slice(0, allowed);
      }
      const now = Date.now();
      const tokens = ids.map(() => randomUUID());
      const multi = redis.multi().zrem(keys.wait, ...ids);
      ids.forEach((id, i) => {
        multi
          .zadd(keys.active, now + lockMs, id)
          .hset(keys.job(id), { lock: tokens[i], processedOn: now })
          .hincrby(keys.job(id), 'attemptsMade', 1);
      });
      // A fixed window: the first take opens it for `duration` ms; the count expires with it.
      if (limiter && used === null) multi.set(keys.limiter, ids.length, 'PX', limiter.duration);
      else if (limiter) multi.incrby(keys.limiter, ids.length);
      if ((await execOrConflict(multi)) === CONFLICT) return CONFLICT;
      const jobs = await Promise.all(ids.map((id) => this.store.readJob(redis, id)));
      return {
        taken: jobs.map((job, i) => {
          if (!job) throw new Error(`job ${ids[i]} of queue ${this.ctx.name} was taken but its hash is missing`);
          return { job, token: tokens[i] };
        }),
      };
    });
  }

  /** Extends the lock; false when the job is no longer this worker's. */
  renew(id: string, token: string, lockMs: number): Promise<boolean> {
    const { keys } = this.ctx;
    return this.ctx.transactions.run(async (redis) => {
      await redis.watch(keys.job(id));
      if ((await redis.hget(keys.job(id), 'lock')) !== token) return false;
      const multi = redis.multi().zadd(keys.active, 'XX', Date.now() + lockMs, id);
      return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : true;
    });
  }

  /** active → completed (or deleted, per removeOnComplete); false when the lock was lost. */
  async complete(job: Job, token: string, value: unknown): Promise<boolean> {
    const { keys, serializer } = this.ctx;
    const bound = keepBound(job.opts.removeOnComplete ?? DEFAULT_REMOVE_ON_COMPLETE);
    const detail = value === undefined ? '' : serializer.serialize(value);
    const done = await this.ctx.transactions.run(async (redis) => {
      await redis.watch(keys.job(job.id));
      if ((await redis.hget(keys.job(job.id), 'lock')) !== token) return false;
      const now = Date.now();
      const multi = redis.multi().zrem(keys.active, job.id);
      if (bound?.count === 0) this.ctx.deleteJob(multi, job.id);
      else
        multi
          .zadd(keys.completed, now, job.id)
          .hset(keys.job(job.id), { returnvalue: detail, finishedOn: now })
          .hdel(keys.job(job.id), 'lock');
      this.ctx.publishOutcome(multi, job.id, 'completed', detail);
      return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : true;
    });
    if (done) await this.trim(keys.completed, bound);
    return done;
  }

  /**
   * Ends a failed attempt: back to delayed (after the backoff) or wait while attempts remain and
   * the error is retryable, else active → failed, the queue's dead letters. 'lost' when the lock was lost.
   */
  async fail(job: Job, token: string, reason: string, stack: string | undefined, retryable: boolean): Promise<FailureOutcome> {
    const { keys } = this.ctx;
    const tries = job.attemptsMade - job.stalls;
    const retry = retryable && tries < (job.opts.attempts ?? 1);
    const delay = retry ? backoffDelay(job.opts.backoff, tries) : 0;
    const stacktrace = JSON.stringify([...job.stacktrace, ...(stack !== undefined ? [stack] : [])].slice(-STACKTRACE_KEPT));
    const outcome = await this.ctx.transactions.run(async (redis) => {
      await redis.watch(keys.job(job.id));
      if ((await redis.hget(keys.job(job.id), 'lock')) !== token) return 'lost' as const;
      const now = Date.now();
      const seq = retry && delay === 0 ? await this.ctx.nextSeq(redis) : 0;
      const multi = redis
        .multi()
        .zrem(keys.active, job.id)
        .hdel(keys.job(job.id), 'lock')
        .hset(keys.job(job.id), { failedReason: reason, stacktrace });
      if (retry && delay > 0) multi.zadd(keys.delayed, now + delay, job.id).publish(keys.wakeChannel, job.id);
      else if (retry) this.ctx.queueReady(multi, job.id, job.opts.priority ?? 0, seq);
      else this.finishFailed(multi, job.id, reason, now);
      return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : retry ? ('retry' as const) : ('failed' as const);
    });
    if (outcome === 'failed') await this.trim(keys.failed, keepBound(job.opts.removeOnFail));
    return outcome;
  }

  /** Moves delayed jobs that are due to wait; returns the due time of the next delayed job, if any. */
  async promoteDue(): Promise<number | undefined> {
    const { keys } = this.ctx;
    for (;;) {
      const moved = await this.ctx.transactions.run(async (redis) => {
        await redis.watch(keys.delayed);
        const due = await redis.zrangebyscore(keys.delayed, '-inf', Date.now(), 'LIMIT', 0, PROMOTE_BATCH);
        if (due.length === 0) return 0;
        const priorities = await Promise.all(due.map((id) => redis.hget(keys.job(id), 'priority')));
        let seq = await this.ctx.nextSeq(redis, due.length);
        const multi = redis.multi().zrem(keys.delayed, ...due);
        due.forEach((id, i) => this.ctx.queueReady(multi, id, Number(priorities[i] ?? 0), seq++));
        return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : due.length;
      });
      if (moved < PROMOTE_BATCH) break;
    }
    const head = await this.ctx.commands.zrange(keys.delayed, '0', '0', 'WITHSCORES');
    return head.length < 2 ? undefined : Number(head[1]);
  }

  /**
   * Takes back active jobs whose lock deadline passed (their worker died or hung): to wait, or
   * to failed once they stalled more than maxStalledCount times. Returns the ids taken back,
   * with what became of them.
   */
  async recoverStalled(maxStalledCount: number): Promise<{ id: string; failed: boolean }[]> {
    const { keys } = this.ctx;
    const expired = await this.ctx.commands.zrangebyscore(keys.active, '-inf', Date.now());
    const recovered: { id: string; failed: boolean }[] = [];
    for (const id of expired) {
      const result = await this.ctx.transactions.run(async (redis) => {
        await redis.watch(keys.active, keys.job(id));
        const deadline = await redis.zscore(keys.active, id);
        if (deadline === null || Number(deadline) > Date.now()) return undefined;
        const [stallsText, priority] = await redis.hmget(keys.job(id), 'stalls', 'priority');
        const stalls = Number(stallsText ?? 0) + 1;
        const failed = stalls > maxStalledCount;
        const now = Date.now();
        const seq = failed ? 0 : await this.ctx.nextSeq(redis);
        const multi = redis.multi().zrem(keys.active, id).hdel(keys.job(id), 'lock').hset(keys.job(id), 'stalls', stalls);
        if (failed) this.finishFailed(multi, id, `job stalled more than allowable limit (maxStalledCount ${maxStalledCount})`, now);
        else this.ctx.queueReady(multi, id, Number(priority ?? 0), seq);
        return (await execOrConflict(multi)) === CONFLICT ? CONFLICT : { id, failed };
      });
      if (result) recovered.push(result);
    }
    return recovered;
  }

  private finishFailed(multi: ReturnType<QueueContext['commands']['multi']>, id: string, reason: string, now: number): void {
    const { keys } = this.ctx;
    multi.zadd(keys.failed, now, id).hset(keys.job(id), { failedReason: reason, finishedOn: now });
    this.ctx.publishOutcome(multi, id, 'failed', reason);
  }

  /** Deletes the oldest finished jobs beyond the bound (count) and those older than it (age). */
  private async trim(key: string, bound: KeepBound | null): Promise<void> {
    if (!bound) return;
    await this.ctx.transactions.run(async (redis) => {
      await redis.watch(key);
      const excess = new Set<string>();
      if (bound.count !== undefined) {
        const size = await redis.zcard(key);
        if (size > bound.count) for (const id of await redis.zrange(key, '0', String(size - bound.count - 1))) excess.add(id);
      }
      if (bound.ageMs !== undefined) for (const id of await redis.zrangebyscore(key, '-inf', Date.now() - bound.ageMs)) excess.add(id);
      if (excess.size === 0) return undefined;
      const multi = redis.multi().zrem(key, ...excess);
      for (const id of excess) this.ctx.deleteJob(multi, id);
      return execOrConflict(multi);
    });
  }
}
