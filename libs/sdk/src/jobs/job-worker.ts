import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis } from '../connection.js';
import { errorText, isNonRetryable } from '../errors.js';
import type { Job } from './job.js';
import type { JobEvent } from './job-decorators.js';
import { JobSchedulers } from './job-schedulers.js';
import { DELAYED_WAKE } from './queue-context.js';
import type { JobStore } from './job-store.js';
import { WorkerTransitions, type RateLimit } from './worker-transitions.js';

export interface JobWorkerOptions {
  concurrency: number;
  lockDuration: number;
  maxStalledCount: number;
  shutdownTimeout: number;
  limiter?: RateLimit;
}

/** Longest an idle worker sleeps before looking again, in case a wake-up message was missed (reconnect). */
const IDLE_POLL_MS = 1000;
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
 * many as it has free slots, in one transaction), and sleeps until woken (a job became ready, a
 * slot freed) or the next delayed job is due. Locks of running jobs are renewed every lockDuration/2, and
 * jobs of dead workers are taken back every lockDuration/2.
 */
export class JobWorker {
  private readonly transitions: WorkerTransitions;
  private readonly schedulers: JobSchedulers;
  /** Jobs taken and not yet recorded as finished (their handler running, or their outcome being written). */
  private readonly running = new Map<string, Running>();
  /** Of those, the ones whose handler runs. */
  private handling = 0;
  private subscriber: Redis | undefined;
  private stopping = false;
  /** Set once shutdown gave up waiting: results of jobs still running are dropped (they stall, as if the process had died). */
  private abandoned = false;
  private loop: Promise<void> | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** Due time of the earliest delayed job, as last read or announced; promotion runs when it passes. */
  private nextDue: number | undefined;
  /** Due times announced while a promotion was reading (it may have read before their job was added). */
  private announcedDue: number | undefined;
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
    this.subscriber = ctx.brook.duplicate(`queue ${ctx.name} wake-ups`);
    this.subscriber.on('message', (_channel: string, message: string) => this.onWakeMessage(message));
    await this.subscriber.subscribe(ctx.keys.wakeChannel);
    this.store.progressListeners.add(this.progressListener);
    this.stallTimer = setInterval(() => void this.recoverStalled(), Math.max(this.options.lockDuration / 2, 50));
    this.loop = this.fetchLoop();
  }

  /** Stops taking jobs, waits up to shutdownTimeout for running ones, then leaves the rest to stall recovery. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.stallTimer);
    this.wake();
    await this.loop;
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
    if (this.subscriber) await closeRedis(this.subscriber);
  }

  /** A job became ready (wake now), or delayed (wake to re-arm the timer if it is due before the one armed). */
  private onWakeMessage(message: string): void {
    if (!message.startsWith(DELAYED_WAKE)) return this.wake();
    const due = Number(message.slice(DELAYED_WAKE.length));
    this.announcedDue = earliest(this.announcedDue, due);
    if (this.nextDue !== undefined && this.nextDue <= due) return;
    this.nextDue = due;
    this.wake();
  }

  /**
   * Moves due delayed jobs to wait when the earliest one is due, and at least every IDLE_POLL_MS
   * (an announcement may have been missed while reconnecting). Costs nothing otherwise.
   */
  private async promoteIfDue(): Promise<void> {
    const now = Date.now();
    if ((this.nextDue === undefined || this.nextDue > now) && now - this.lastPromotion < IDLE_POLL_MS) return;
    this.lastPromotion = now;
    this.announcedDue = undefined;
    const found = await this.transitions.promoteDue();
    this.nextDue = earliest(found, this.announcedDue);
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
        // Handlers run up to `concurrency`; outcomes still being recorded count too, up to as many again.
        const { concurrency } = this.options;
        const free = Math.min(concurrency - this.handling, 2 * concurrency - this.running.size);
        if (free <= 0) {
          await this.sleep(IDLE_POLL_MS);
          continue;
        }
        await this.promoteIfDue();
        const { taken, limitedForMs } = await this.transitions.take(free, this.options.lockDuration, this.options.limiter);
        for (const { job, token } of taken) this.launch(job, token);
        for (const { job } of taken) if (job.scheduler !== undefined) await this.schedulers.scheduleAfter(job);
        if (taken.length > 0) continue;
        const untilDue = this.nextDue === undefined ? IDLE_POLL_MS : this.nextDue - Date.now();
        await this.sleep(Math.min(IDLE_POLL_MS, limitedForMs ?? IDLE_POLL_MS, untilDue));
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
