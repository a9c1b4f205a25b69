import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis } from '../connection.js';
import { errorText, isNonRetryable } from '../errors.js';
import type { Job } from './job.js';
import type { JobEvent } from './job-decorators.js';
import { JobSchedulers } from './job-schedulers.js';
import { DELAYED_MARKER } from './queue-keys.js';
import type { JobStore } from './job-store.js';
import { WorkerTransitions, type RateLimit } from './worker-transitions.js';

export interface JobWorkerOptions {
  concurrency: number;
  lockDuration: number;
  maxStalledCount: number;
  shutdownTimeout: number;
  limiter?: RateLimit;
}

/**
 * Longest an idle worker waits before taking and promoting anyway: a marker can be lost (a worker
 * killed holding it), and jobs due while every worker was busy have nobody holding their marker.
 */
const IDLE_POLL_MS = 1000;
/** How long after a due time a wait the server has not timed out yet is ended from here (see awaitMarker). */
const UNBLOCK_SLACK_MS = 3;
/** Pause after an error of the fetch loop (the server unreachable), so it does not spin. */
const ERROR_PAUSE_MS = 1000;

export type RunJob = (job: Job) => Promise<unknown>;
export type EmitJobEvent = (event: JobEvent, ...args: unknown[]) => void;

interface Running {
  job: Job;
  token: string;
  renewal: NodeJS.Timeout;
  done: Promise<void>;
}

/**
 * One processor instance's worker: a loop that promotes due delayed jobs, takes waiting jobs (as
 * many as it has free slots), and, when there are none, blocks on the queue's `marker` (BZPOPMIN,
 * see queue-keys.ts) until the next delayed job it answers for is due. A marker wakes one worker:
 * a job's marker the worker that takes it, the delayed marker the worker that then promotes the due
 * jobs at their time (and answers for the next ones) — no herd of workers racing for each event.
 * Without free slots it sleeps until one frees. Locks of running jobs are renewed every
 * lockDuration/2, and jobs of dead workers are taken back every lockDuration/2.
 */
export class JobWorker {
  private readonly transitions: WorkerTransitions;
  private readonly schedulers: JobSchedulers;
  /** Jobs taken and not yet recorded as finished (their handler running, or their outcome being written). */
  private readonly running = new Map<string, Running>();
  /** Of those, the ones whose handler runs. */
  private handling = 0;
  /** The connection idle waits block on (BZPOPMIN of the marker); nothing else runs on it. */
  private blocker: Redis | undefined;
  private blockerId: number | undefined;
  private stopping = false;
  /** Set once shutdown gave up waiting: results of jobs still running are dropped (they stall, as if the process had died). */
  private abandoned = false;
  private loop: Promise<void> | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** Due time of the delayed job this worker answers for (it popped the delayed marker with it); promotion runs when it passes. */
  private nextDue: number | undefined;
  private lastPromotion = 0;
  private readonly progressListener = (job: Job, progress: number | object): void => {
    if (this.running.has(job.id)) this.emit('progress', job, progress);
  };

  constructor(
    private readonly store: JobStore,
    private readonly options: JobWorkerOptions,
    private readonly run: RunJob,
    private readonly emit: EmitJobEvent,
    private readonly logger: Logger,
  ) {
    this.transitions = new WorkerTransitions(store);
    this.schedulers = new JobSchedulers(store);
  }

  async start(): Promise<void> {
    const { ctx } = this.store;
    this.blocker = ctx.brook.duplicate(`queue ${ctx.name} wake-ups`);
    const blocker = this.blocker;
    // Its id, for CLIENT UNBLOCK, is new after each reconnect. Started once it is known (the connection is up).
    const readId = async (): Promise<void> => {
      this.blockerId = await blocker.client('ID');
    };
    blocker.on('ready', () => void readId().catch(() => undefined));
    await readId();
    this.store.progressListeners.add(this.progressListener);
    this.stallTimer = setInterval(() => void this.recoverStalled(), Math.max(this.options.lockDuration / 2, 50));
    this.loop = this.fetchLoop();
  }

  /** Stops taking jobs, waits up to shutdownTimeout for running ones, then leaves the rest to stall recovery. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.stallTimer);
    this.wake();
    // A blocked BZPOPMIN is abandoned, not waited for; a marker it popped meanwhile is lost (IDLE_POLL_MS covers it).
    this.blocker?.disconnect();
    await this.loop;
    await this.handOverDelayedMarker();
    const allDone = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.shutdownTimeout)));
    if ((await Promise.race([allDone, timedOut])) === 'timeout') {
      this.abandoned = true;
      for (const r of this.running.values()) clearInterval(r.renewal);
      this.logger.warn(`Queue ${this.store.queueName}: ${this.running.size} job(s) still running at shutdown are left to stall recovery`);
    }
    clearTimeout(timer);
    this.store.progressListeners.delete(this.progressListener);
    if (this.blocker) await closeRedis(this.blocker);
  }

  /** Gives the delayed marker this worker answers for back to the queue, for another worker to take. */
  private async handOverDelayedMarker(): Promise<void> {
    if (this.nextDue === undefined) return;
    try {
      await this.store.ctx.commands.zadd(this.store.ctx.keys.marker, 'LT', this.nextDue, DELAYED_MARKER);
    } catch (e) {
      this.logger.warn(`Queue ${this.store.queueName}: handing over the delayed marker at shutdown failed: ${errorText(e)}`);
    }
  }

  /**
   * Moves due delayed jobs to wait when the one this worker answers for is due, and at least every
   * IDLE_POLL_MS. The next due time then goes back to the delayed marker (promoteDue), for one idle
   * worker to answer for: a worker keeping it would be busy when it comes, and one that polls must
   * not keep it either (every worker would then promote at that time).
   */
  private async promoteIfDue(): Promise<void> {
    const now = Date.now();
    const held = this.nextDue !== undefined && this.nextDue <= now;
    if (!held && now - this.lastPromotion < IDLE_POLL_MS) return;
    this.lastPromotion = now;
    if (held) this.nextDue = undefined;
    await this.transitions.promoteDue(this.options.lockDuration, held);
  }

  /** Ms until this worker has to promote: the delayed job it answers for is due, or its poll. */
  private untilPromotion(): number {
    return Math.max(0, Math.min(this.nextDue ?? Infinity, this.lastPromotion + IDLE_POLL_MS) - Date.now());
  }

  /**
   * Blocks on the queue's marker for up to `ms`: a job's marker (take it), or the delayed marker
   * (answer for its due time). Redis times blocked clients out in its cron, up to 100 ms late (hz
   * 10): when the wait ends at a due time, CLIENT UNBLOCK from the command connection ends it
   * UNBLOCK_SLACK_MS after, unless the server's own timeout came first (Brook's is on time).
   */
  private async awaitMarker(ms: number): Promise<void> {
    const { blocker, blockerId, nextDue } = this;
    if (ms <= 0 || !blocker) return;
    const { keys, commands } = this.store.ctx;
    const cut =
      blockerId !== undefined && nextDue !== undefined && nextDue - Date.now() <= ms
        ? setTimeout(() => {
            // Not allowed to (ACL) or failed: the server's timeout still ends the wait.
            commands.client('UNBLOCK', blockerId).catch(() => undefined);
          }, ms + UNBLOCK_SLACK_MS)
        : undefined;
    try {
      // BZPOPMIN's timeout is in seconds, fractions allowed; 0 would block forever.
      const popped = await blocker.bzpopmin(keys.marker, Math.max(ms, 1) / 1000).catch((e: unknown) => {
        if (this.stopping) return null;
        throw e;
      });
      if (popped?.[1] === DELAYED_MARKER) this.nextDue = earliest(this.nextDue, Number(popped[2]));
    } finally {
      clearTimeout(cut);
    }
  }

  /** Ends the current sleep, or the next one when the loop is busy (a wake-up during a fetch must not be lost). */
  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    if (wakeUp) wakeUp();
    else this.woken = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), Math.max(ms, 0));
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async fetchLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.promoteIfDue();
        // Handlers run up to `concurrency`; outcomes still being recorded count too, up to as many again.
        const { concurrency } = this.options;
        const free = Math.min(concurrency - this.handling, 2 * concurrency - this.running.size);
        if (free <= 0) {
          await this.sleep(this.untilPromotion());
          continue;
        }
        const { taken, limitedForMs } = await this.transitions.take(free, this.options.lockDuration, this.options.limiter);
        for (const { job, token } of taken) this.launch(job, token);
        for (const { job } of taken) if (job.scheduler !== undefined) await this.schedulers.scheduleAfter(job);
        if (taken.length > 0) continue;
        if (limitedForMs !== undefined) await this.sleep(Math.min(limitedForMs, this.untilPromotion()));
        else await this.awaitMarker(this.untilPromotion());
      } catch (e) {
        this.logger.error(`Queue ${this.store.queueName}: fetching jobs failed: ${errorText(e)}`);
        await this.sleep(ERROR_PAUSE_MS);
      }
    }
  }

  private launch(job: Job, token: string): void {
    const { lockDuration } = this.options;
    const renewal = setInterval(() => {
      this.transitions.renew(job.id, token, lockDuration).then(
        (held) => {
          if (!held) this.logger.warn(`Queue ${this.store.queueName}: job ${job.id} lost its lock while running`);
        },
        (e: unknown) => this.logger.error(`Queue ${this.store.queueName}: renewing the lock of job ${job.id} failed: ${errorText(e)}`),
      );
    }, lockDuration / 2);
    const running: Running = { job, token, renewal, done: Promise.resolve() };
    this.running.set(job.id, running);
    this.handling++;
    running.done = this.process(running).finally(() => {
      clearInterval(renewal);
      this.running.delete(job.id);
      this.wake();
    });
  }

  private async process({ job, token }: Running): Promise<void> {
    this.emit('active', job);
    let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, result: await this.withTimeout(job) };
    } catch (e) {
      outcome = { ok: false, error: e };
    }
    // The handler's slot is free now: the next take overlaps the recording of this outcome (as
    // BullMQ's fetch-next), which saves a take's round trips per job at low concurrency.
    this.handling--;
    this.wake();
    if (this.abandoned) return;
    if (outcome.ok) await this.recordCompleted(job, token, outcome.result);
    else await this.recordFailed(job, token, outcome.error);
  }

  private async recordCompleted(job: Job, token: string, result: unknown): Promise<void> {
    if ((await this.settle(() => this.transitions.complete(job, token, result))) !== true) return;
    job.returnvalue = result;
    this.emit('completed', job, result);
  }

  private async recordFailed(job: Job, token: string, error: unknown): Promise<void> {
    const reason = errorText(error);
    const outcome = await this.settle(() =>
      this.transitions.fail(job, token, reason, error instanceof Error ? error.stack : undefined, !isNonRetryable(error)),
    );
    if (outcome === undefined || outcome === 'lost') return;
    job.failedReason = reason;
    // The server's record says so too; listeners (metrics) tell a final failure by it.
    if (outcome === 'failed') job.finishedOn = Date.now();
    this.emit('failed', job, error);
    if (outcome === 'failed') this.logger.warn(`Queue ${this.store.queueName}: job ${job.id} (${job.name}) failed: ${reason}`);
  }

  /** Runs a finishing transition; an error is logged (the job then stalls and is retried), never thrown. */
  private async settle<T>(transition: () => Promise<T>): Promise<T | undefined> {
    try {
      return await transition();
    } catch (e) {
      this.logger.error(`Queue ${this.store.queueName}: recording a job's outcome failed: ${errorText(e)}`);
      return undefined;
    }
  }

  private withTimeout(job: Job): Promise<unknown> {
    const timeout = job.opts.timeout;
    if (timeout === undefined) return this.run(job);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`job ${job.id} timed out after ${timeout} ms`)), timeout);
    });
    return Promise.race([this.run(job), expired]).finally(() => clearTimeout(timer));
  }

  private async recoverStalled(): Promise<void> {
    try {
      for (const { id, failed } of await this.transitions.recoverStalled(this.options.maxStalledCount)) {
        this.logger.warn(
          `Queue ${this.store.queueName}: job ${id} stalled (its worker stopped renewing its lock); ${failed ? 'failed' : 'queued again'}`,
        );
        const job = await this.store.getJob(id);
        if (job) this.emit('stalled', job, failed);
      }
    } catch (e) {
      this.logger.error(`Queue ${this.store.queueName}: recovering stalled jobs failed: ${errorText(e)}`);
    }
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
