import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Job } from './job.js';
import { backoffDelay, DEFAULT_REMOVE_ON_COMPLETE, keepBound, type KeepBound } from './job-options.js';
import type { JobStore } from './job-store.js';
import { execOrConflict, type QueueContext } from './queue-context.js';
import { DELAYED_MARKER, readyMarker } from './queue-keys.js';
import { CONFLICT } from '../transactions.js';

/** Stack lines kept per job, newest last. */
const STACKTRACE_KEPT = 10;
/** Promoted jobs queued in wait per transaction. */
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

/** Where a worker's first step of take or promotion puts jobs: keys of its own, registered with a deadline, taken from `origin`. */
interface Staging {
  registry: string;
  key: (token: string) => string;
  origin: string;
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
  private readonly claims: Staging;
  private readonly promotions: Staging;

  constructor(private readonly store: JobStore) {
    this.ctx = store.ctx;
    const { keys } = this.ctx;
    this.claims = { registry: keys.claims, key: (token) => keys.claim(token), origin: keys.wait };
    this.promotions = { registry: keys.promotions, key: (token) => keys.promotion(token), origin: keys.delayed };
  }

  /**
   * Takes up to `max` waiting jobs in run order, each locked by a token of its own until
   * now + lockMs. Nothing when the queue is empty or paused; when the queue's rate limit is used
   * up, how long until it allows another job. Two MULTIs, no WATCH on `wait` (see queue-keys.ts):
   * first the head of `wait` into a claim, then the claim into `active`, reading the jobs' hashes.
   */
  async take(max: number, lockMs: number, limiter?: RateLimit): Promise<TakeResult> {
    const { keys } = this.ctx;
    // A claim of its own per run: a run that lost its connection may have made its claim, which
    // then waits for recoverClaims; reusing its token would overwrite it and lose its jobs.
    let token = '';
    const claimed = await this.claim(max, limiter, (multi, count) => {
      token = randomUUID();
      const claim = keys.claim(token);
      return multi
        .exists(keys.paused)
        .zrangestore(claim, keys.wait, '0', String(count - 1))
        .zremrangebyrank(keys.wait, 0, count - 1)
        .zrange(claim, '0', '-1', 'WITHSCORES')
        .zadd(keys.claims, Date.now() + lockMs, token);
    });
    if (!('replies' in claimed)) return { taken: [], ...claimed };
    const [paused, , , members] = claimed.replies as [number, number, number, string[]];
    const ids = members.filter((_, i) => i % 2 === 0);
    if (ids.length === 0) {
      // Nothing claimed (another worker took the job of the marker that woke this one): the empty
      // claim's registration is dropped without waiting for it; if that fails, stall recovery drops it.
      this.ctx.transactions
        .runUnwatched((redis) => execOrConflict(this.release(redis.multi(), this.claims, token, members, false)))
        .catch(() => undefined);
      return { taken: [] };
    }
    if (paused === 1) {
      // Paused when the claim was made: the jobs go back where they were, without markers (resume
      // adds them), once (a run after a lost connection finds the claim gone if the earlier one put
      // them back; they may be taken since).
      await this.ctx.transactions.runUnwatched(async (redis, afterLoss) => {
        const claim = keys.claim(token);
        if (afterLoss && (await Promise.all([redis.watch(claim), redis.exists(claim)]))[1] === 0) return undefined;
        return execOrConflict(this.release(redis.multi(), this.claims, token, members, false));
      });
      return { taken: [] };
    }
    // If this process stalled for lockMs right here, another worker may have put the claim back
    // already: the jobs would then run twice (at least once, as with any lock that expires) and the
    // lock check of whichever finishes second drops its result.
    const tokens = ids.map((_, i) => `${token}:${i}`);
    const hashes = await this.ctx.transactions.runUnwatched(async (redis, afterLoss) => {
      const claim = keys.claim(token);
      if (afterLoss) {
        // The earlier run may have committed (then the claim is gone and the jobs are locked with
        // our tokens), or the claim may have been put back meanwhile: go on with what is still ours.
        const [, exists] = await Promise.all([redis.watch(claim), redis.exists(claim)]);
        if (exists === 0) return this.lockedBy(redis, ids, tokens);
      }
      const now = Date.now();
      const multi = redis.multi();
      ids.forEach((id, i) => {
        multi
          .zadd(keys.active, now + lockMs, id)
          .hset(keys.job(id), { lock: tokens[i], processedOn: now })
          .hincrby(keys.job(id), 'attemptsMade', 1)
          .hgetallBuffer(keys.job(id));
      });
      // Their markers go too: they would only wake other workers for jobs taken already.
      const replies = await execOrConflict(
        multi
          .del(claim)
          .zrem(keys.claims, token)
          .zrem(keys.marker, ...ids.map(readyMarker)),
      );
      if (replies === CONFLICT) return CONFLICT;
      return ids.map((_, i) => replies[i * 4 + 3] as Record<string, Buffer>);
    });
    const taken: TakeResult['taken'] = [];
    ids.forEach((id, i) => {
      const hash = hashes[i];
      if (hash === undefined) return;
      const job = this.store.jobFromHash(id, hash);
      if (!job) throw new Error(`job ${id} of queue ${this.ctx.name} was taken but its hash is missing`);
      taken.push({ job, token: tokens[i] });
    });
    return { taken };
  }

  /** The hashes of the jobs of `ids` that are still locked with their token (undefined for the others). */
  private async lockedBy(redis: Redis, ids: string[], tokens: string[]): Promise<(Record<string, Buffer> | undefined)[]> {
    const hashes: Partial<Record<string, Buffer>>[] = await Promise.all(ids.map((id) => redis.hgetallBuffer(this.ctx.keys.job(id))));
    return hashes.map((hash, i) => (hash.lock?.toString() === tokens[i] ? (hash as Record<string, Buffer>) : undefined));
  }

  /**
   * Runs the claiming MULTI built by `build` for up to `max` jobs and returns its replies (none:
   * nothing waiting, or the rate limit reached, for limitedForMs). With a
   * rate limit, the count is first cut to what the window allows (under WATCH of the limiter only,
   * so workers conflict only when they take at the same instant) and charged to the window in the
   * same MULTI; the window may be charged for more than were claimed when others emptied `wait`
   * meanwhile, which starts fewer jobs in that window, never more.
   */
  private async claim(
    max: number,
    limiter: RateLimit | undefined,
    build: (multi: ChainableCommander, count: number) => ChainableCommander,
  ): Promise<{ replies: unknown[] } | { limitedForMs?: number }> {
    const { keys } = this.ctx;
    if (!limiter) {
      return this.ctx.transactions.runUnwatched(async (redis) => {
        const replies = await execOrConflict(build(redis.multi(), max));
        if (replies === CONFLICT) throw new Error(`queue ${this.ctx.name}: EXEC aborted without WATCH`);
        return { replies };
      });
    }
    return this.ctx.transactions.run(async (redis) => {
      const [, used, ttl, waiting] = await Promise.all([
        redis.watch(keys.limiter),
        redis.get(keys.limiter),
        redis.pttl(keys.limiter),
        redis.zcard(keys.wait),
      ]);
      const allowed = limiter.max - Number(used ?? 0);
      if (allowed <= 0) return { limitedForMs: Math.max(ttl, 1) };
      if (waiting === 0) return {};
      const count = Math.min(max, allowed, waiting);
      const multi = redis.multi();
      // A fixed window: the first take opens it for `duration` ms; the count expires with it.
      if (used === null) multi.set(keys.limiter, count, 'PX', limiter.duration);
      else multi.incrby(keys.limiter, count);
      const replies = await execOrConflict(build(multi, count));
      return replies === CONFLICT ? CONFLICT : { replies: replies.slice(1) };
    });
  }

  /** Extends the lock; false when the job is no longer this worker's. */
  renew(id: string, token: string, lockMs: number): Promise<boolean> {
    return this.whileLocked(
      id,
      token,
      () => [],
      (multi) => multi.zadd(this.ctx.keys.active, 'XX', Date.now() + lockMs, id),
    ).then((replies) => replies !== undefined);
  }

  /** active → completed (or deleted, per removeOnComplete); false when the lock was lost. */
  async complete(job: Job, token: string, value: unknown): Promise<boolean> {
    const { keys, serializer } = this.ctx;
    const bound = keepBound(job.opts.removeOnComplete ?? DEFAULT_REMOVE_ON_COMPLETE);
    const detail = value === undefined ? '' : serializer.serialize(value);
    const deletes = bound?.count === 0;
    const done = await this.whileLocked(
      job.id,
      token,
      () => [],
      (multi, now) => {
        this.ctx.publishOutcome(multi.zrem(keys.active, job.id), job.id, 'completed', detail);
        if (deletes) return this.ctx.deleteJob(multi, job.id);
        this.endAttempt(multi.zadd(keys.completed, now, job.id), job.id, token, { returnvalue: detail, finishedOn: now });
        return this.measureFinished(multi, keys.completed);
      },
      deletes,
    );
    if (done === undefined) return false;
    if (!deletes) await this.trimIfOver(keys.completed, bound, done);
    return true;
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
    const seqs = (redis: Redis) => (retry && delay === 0 ? [this.ctx.nextSeq(redis)] : []);
    const done = await this.whileLocked(job.id, token, seqs, (multi, now, [seq]) => {
      this.endAttempt(multi.zrem(keys.active, job.id), job.id, token, { failedReason: reason, stacktrace });
      if (retry && delay > 0) this.ctx.queueDelayed(multi, job.id, now + delay);
      else if (retry) this.ctx.queueReady(multi, job.id, job.opts.priority ?? 0, seq);
      else this.measureFinished(this.finishFailed(multi, job.id, reason, now), keys.failed);
    });
    if (done === undefined) return 'lost';
    if (retry) return 'retry';
    await this.trimIfOver(keys.failed, keepBound(job.opts.removeOnFail), done);
    return 'failed';
  }

  /**
   * A transition of a job this worker runs: WATCH its hash and, in the same round trip, read its
   * lock and the numbers `numbers` asks for (sequence numbers); unless the lock is no longer
   * `token` (then undefined), EXEC the MULTI `write` fills. Returns EXEC's replies.
   *
   * A run after a lost connection may find that the earlier run's EXEC committed (the reply was
   * what got lost): its hash then names `token` as the attempt that ended (endAttempt), or, for a
   * transition that `deletes` the job, the hash is gone (nothing else deletes a job while it is
   * locked, short of a forced obliterate). That counts as done, with no replies (null).
   */
  private whileLocked(
    id: string,
    token: string,
    numbers: (redis: Redis) => Promise<number>[],
    write: (multi: ChainableCommander, now: number, numbers: number[]) => void,
    deletes = false,
  ): Promise<unknown[] | null | undefined> {
    const key = this.ctx.keys.job(id);
    return this.ctx.transactions.run(async (redis, afterLoss) => {
      const [, [lock, ended, name], ...read] = await Promise.all([
        redis.watch(key),
        redis.hmget(key, 'lock', 'ended', 'name'),
        ...numbers(redis),
      ]);
      if (lock !== token) return afterLoss && (ended === token || (deletes && name === null)) ? null : undefined;
      const multi = redis.multi();
      write(multi, Date.now(), read);
      return execOrConflict(multi);
    });
  }

  /** Adds to a MULTI the end of the attempt `token` of job `id`: its lock released, `fields` set, and `token` kept as the attempt that ended (see whileLocked). */
  private endAttempt(
    multi: ChainableCommander,
    id: string,
    token: string,
    fields: Record<string, string | number | Buffer>,
  ): ChainableCommander {
    const key = this.ctx.keys.job(id);
    return multi.hdel(key, 'lock').hset(key, { ...fields, ended: token });
  }

  /**
   * Adds to a MULTI that just added a job to the finished set `key` its size and oldest score, as
   * its last two replies: read in the same atomic step, the finish that takes the set over its
   * bound sees it, whatever other workers finish meanwhile.
   */
  private measureFinished(multi: ChainableCommander, key: string): ChainableCommander {
    return multi.zcard(key).zrange(key, '0', '0', 'WITHSCORES');
  }

  /**
   * Trims `key` when the finish whose EXEC `replies` end with its measure (its size and oldest
   * entry, WITHSCORES) took it over its bound. Without replies (a finish committed by an earlier
   * run), nothing: the next finish measures again.
   */
  private async trimIfOver(key: string, bound: KeepBound | null, replies: unknown[] | null): Promise<void> {
    if (!bound || !replies) return;
    const [size, oldest] = replies.slice(-2) as [number, string[]];
    const overCount = bound.count !== undefined && size > bound.count;
    const overAge = bound.ageMs !== undefined && oldest.length === 2 && Number(oldest[1]) <= Date.now() - bound.ageMs;
    if (overCount || overAge) await this.trim(key, bound);
  }

  /**
   * Moves the delayed jobs that are due to wait, in two steps without WATCH (see queue-keys.ts), so
   * that several workers promoting at once, and producers adding delayed jobs meanwhile, never abort
   * each other: the due jobs are moved into a promotion of this worker's (registered until now +
   * lockMs), then queued in `wait` at their priorities. When it moved some, or when `announce`, the
   * due time of the next delayed job goes to the delayed marker, for one idle worker to promote then
   * (nobody else may know it: a marker holds only the earliest due time announced). Returns how many it moved.
   */
  async promoteDue(lockMs: number, announce: boolean): Promise<number> {
    const { keys } = this.ctx;
    const { transactions } = this.ctx;
    // A promotion of its own per run, as take's claim: a run that lost its connection may have
    // committed, and its promotion then waits for stall recovery.
    let token = '';
    const staged = await transactions.runUnwatched(async (redis) => {
      token = randomUUID();
      const stage = keys.promotion(token);
      const now = Date.now();
      return execOrConflict(
        redis
          .multi()
          .zrangestore(stage, keys.delayed, '-inf', String(now), 'BYSCORE')
          .zremrangebyscore(keys.delayed, '-inf', now)
          .zadd(keys.promotions, now + lockMs, token)
          .zrange(stage, '0', '-1')
          .zrange(keys.delayed, '0', '0', 'WITHSCORES'),
      );
    });
    const [, , , due, head] = staged as [number, number, number, string[], string[]];
    const stage = keys.promotion(token);
    const announceNext = (multi: ChainableCommander): ChainableCommander =>
      head.length < 2 ? multi : multi.zadd(keys.marker, 'LT', head[1], DELAYED_MARKER);
    if (due.length === 0) {
      await transactions.runUnwatched((redis) => {
        const multi = redis.multi().zrem(keys.promotions, token);
        return execOrConflict(announce ? announceNext(multi) : multi);
      });
      return 0;
    }
    for (let from = 0; from < due.length; from += PROMOTE_BATCH) {
      const last = from + PROMOTE_BATCH >= due.length;
      await transactions.runUnwatched(async (redis, afterLoss) => {
        let batch = due.slice(from, from + PROMOTE_BATCH);
        if (afterLoss) {
          // The earlier run may have committed, or stall recovery put the promotion back: only
          // the jobs still in it are ours (WATCHed, so a recovery from now on aborts this run).
          const [, ...scores] = await Promise.all([redis.watch(stage), ...batch.map((id) => redis.zscore(stage, id))]);
          batch = batch.filter((_, i) => scores[i] !== null);
        }
        const [priorities, firstSeq] = await Promise.all([
          Promise.all(batch.map((id) => redis.hget(keys.job(id), 'priority'))),
          this.ctx.nextSeq(redis, batch.length),
        ]);
        const multi = redis.multi();
        if (batch.length > 0) multi.zrem(stage, ...batch);
        batch.forEach((id, i) => this.ctx.queueReady(multi, id, Number(priorities[i] ?? 0), firstSeq + i));
        if (last) announceNext(multi.zrem(keys.promotions, token));
        return execOrConflict(multi);
      });
    }
    return due.length;
  }

  /**
   * Takes back active jobs whose lock deadline passed (their worker died or hung): to wait, or
   * to failed once they stalled more than maxStalledCount times. Returns the ids taken back,
   * with what became of them.
   */
  async recoverStalled(maxStalledCount: number): Promise<{ id: string; failed: boolean }[]> {
    const { keys } = this.ctx;
    await this.recoverStaged(this.claims);
    await this.recoverStaged(this.promotions);
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

  /**
   * Puts back the jobs of claims (or promotions) whose worker died between their two steps (their
   * deadline passed): claimed jobs in `wait` at their old scores, promoted ones in `delayed`, with
   * markers that wake a worker for them.
   */
  private async recoverStaged(staging: Staging): Promise<void> {
    for (const token of await this.ctx.commands.zrangebyscore(staging.registry, '-inf', Date.now())) {
      await this.ctx.transactions.run(async (redis) => {
        // The owner, if alive after all, deletes the staged key when it moves the jobs on: watched.
        const key = staging.key(token);
        const [, deadline, members] = await Promise.all([
          redis.watch(key),
          redis.zscore(staging.registry, token),
          redis.zrange(key, '0', '-1', 'WITHSCORES'),
        ]);
        if (deadline === null || Number(deadline) > Date.now()) return undefined;
        return execOrConflict(this.release(redis.multi(), staging, token, members, true));
      });
    }
  }

  /**
   * Adds to `multi` the end of the claim or promotion `token`: its jobs (`members`, ZRANGE
   * WITHSCORES) back where they came from at their old scores, and when `mark` their markers
   * (claimed jobs' own; promoted ones lower the delayed marker to their due time, past already).
   */
  private release(multi: ChainableCommander, staging: Staging, token: string, members: string[], mark: boolean): ChainableCommander {
    const { marker } = this.ctx.keys;
    for (let i = 0; i + 1 < members.length; i += 2) {
      multi.zadd(staging.origin, members[i + 1], members[i]);
      if (!mark) continue;
      if (staging === this.claims) multi.zadd(marker, 0, readyMarker(members[i]));
      else multi.zadd(marker, 'LT', members[i + 1], DELAYED_MARKER);
    }
    return multi.del(staging.key(token)).zrem(staging.registry, token);
  }

  private finishFailed(multi: ChainableCommander, id: string, reason: string, now: number): ChainableCommander {
    const { keys } = this.ctx;
    multi.zadd(keys.failed, now, id).hset(keys.job(id), { failedReason: reason, finishedOn: now });
    return this.ctx.publishOutcome(multi, id, 'failed', reason);
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
