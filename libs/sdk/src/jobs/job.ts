import type { JobOptions, JobState } from './job-options.js';

/** What a Job asks of its queue's store; the store implements it. */
export interface JobBackend {
  readonly queueName: string;
  updateProgress(job: Job, progress: number | object): Promise<void>;
  log(id: string, line: string): Promise<void>;
  getState(id: string): Promise<JobState | 'unknown'>;
  waitUntilFinished(id: string, timeoutMs?: number): Promise<unknown>;
  retry(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The fields of a job as stored (see queue-keys.ts). */
export interface JobFields<T> {
  id: string;
  name: string;
  data: T;
  opts: JobOptions;
  attemptsMade: number;
  /** Times the job was taken back from a worker that stopped renewing its lock. */
  stalls: number;
  progress: number | object;
  /** The job scheduler that created it, if any. */
  scheduler?: string;
  returnvalue?: unknown;
  failedReason?: string;
  stacktrace: string[];
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
}

/** A snapshot of one job, read when it was returned; its methods act on the job on the server. */
// The contract's defaults (as BullMQ's): a Job without type arguments carries anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Job<T = any, R = any> {
  readonly id: string;
  readonly name: string;
  readonly queueName: string;
  data: T;
  opts: JobOptions;
  /** Times a processor was called for it. */
  attemptsMade: number;
  progress: number | object;
  returnvalue?: R;
  failedReason?: string;
  stacktrace: string[];
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
  /** @internal stalls, for the retry decision (attempts count tries that ended, not ones lost to a crash). */
  readonly stalls: number;
  /** @internal the job scheduler that created it. */
  readonly scheduler?: string;

  constructor(
    private readonly backend: JobBackend,
    fields: JobFields<T>,
  ) {
    this.queueName = backend.queueName;
    this.id = fields.id;
    this.name = fields.name;
    this.data = fields.data;
    this.opts = fields.opts;
    this.attemptsMade = fields.attemptsMade;
    this.stalls = fields.stalls;
    if (fields.scheduler !== undefined) this.scheduler = fields.scheduler;
    this.progress = fields.progress;
    if (fields.returnvalue !== undefined) this.returnvalue = fields.returnvalue as R;
    if (fields.failedReason !== undefined) this.failedReason = fields.failedReason;
    this.stacktrace = fields.stacktrace;
    this.timestamp = fields.timestamp;
    if (fields.processedOn !== undefined) this.processedOn = fields.processedOn;
    if (fields.finishedOn !== undefined) this.finishedOn = fields.finishedOn;
  }

  async updateProgress(progress: number | object): Promise<void> {
    await this.backend.updateProgress(this, progress);
    this.progress = progress;
  }

  log(line: string): Promise<void> {
    return this.backend.log(this.id, line);
  }

  getState(): Promise<JobState | 'unknown'> {
    return this.backend.getState(this.id);
  }

  /** Resolves with the return value once the job completed (in any process); rejects with Error(failedReason) once it failed finally. */
  async waitUntilFinished(timeoutMs?: number): Promise<R> {
    return (await this.backend.waitUntilFinished(this.id, timeoutMs)) as R;
  }

  /** Moves a failed job back to waiting, with its attempts reset. */
  retry(): Promise<void> {
    return this.backend.retry(this.id);
  }

  /** Deletes the job, unless a worker is running it. */
  remove(): Promise<void> {
    return this.backend.remove(this.id);
  }
}
