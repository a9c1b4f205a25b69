import { MAX_PRIORITY } from './queue-keys.js';

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';
export const JOB_STATES: readonly JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed'];

export type Backoff = number | { type: 'fixed' | 'exponential'; delay: number; jitter?: number };
export type KeepJobs = boolean | number | { count?: number; age?: number };

export interface JobOptions {
  /** ms before the job may run. */
  delay?: number;
  /** Total tries, default 1. */
  attempts?: number;
  /** Wait between tries: a number is a fixed delay in ms; exponential doubles from `delay`; jitter 0..1 randomizes that fraction of it. */
  backoff?: Backoff;
  /** 1 = most urgent … 2^21; 0/absent = normal (after all prioritized). */
  priority?: number;
  /** Becomes job.id; add() returns the existing job while a job with this id exists. */
  jobId?: string;
  /** Completed jobs kept: true = none, false = all, a number or `{count, age (s)}`; default `{count: 1000}`. */
  removeOnComplete?: KeepJobs;
  /** Failed jobs (the dead letters) kept, as removeOnComplete; default all. */
  removeOnFail?: KeepJobs;
  /** ms; the attempt fails when exceeded. */
  timeout?: number;
  /** Validate data at add() against the @OnJob data class of a processor of this queue in this app. */
  validate?: boolean;
}

export const DEFAULT_REMOVE_ON_COMPLETE: KeepJobs = { count: 1000 };

/** Rejects options the queue cannot honour, before anything is written. */
export function checkJobOptions(opts: JobOptions): void {
  const { priority, attempts, delay } = opts;
  if (priority !== undefined && (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY)) {
    throw new RangeError(`priority must be an integer from 0 to ${MAX_PRIORITY}, not ${priority}`);
  }
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1))
    throw new RangeError(`attempts must be an integer ≥ 1, not ${attempts}`);
  if (delay !== undefined && (!Number.isFinite(delay) || delay < 0)) throw new RangeError(`delay must be a number ≥ 0, not ${delay}`);
  if (opts.jobId !== undefined && (opts.jobId === '' || opts.jobId.includes(':'))) {
    throw new RangeError(`jobId must be non-empty and without ':', not '${opts.jobId}'`);
  }
}

/** ms to wait before try number `failures + 1`, after `failures` failed tries (≥ 1). */
export function backoffDelay(backoff: Backoff | undefined, failures: number, random: () => number = Math.random): number {
  if (backoff === undefined) return 0;
  if (typeof backoff === 'number') return backoff;
  const base = backoff.type === 'exponential' ? backoff.delay * 2 ** (failures - 1) : backoff.delay;
  const jitter = Math.min(Math.max(backoff.jitter ?? 0, 0), 1);
  return Math.round(base * (1 - jitter * random()));
}

/** What to keep of finished jobs: `null` = everything. */
export interface KeepBound {
  count?: number;
  ageMs?: number;
}

export function keepBound(keep: KeepJobs | undefined): KeepBound | null {
  if (keep === undefined || keep === false) return null;
  if (keep === true) return { count: 0 };
  if (typeof keep === 'number') return { count: keep };
  return {
    ...(keep.count !== undefined ? { count: keep.count } : {}),
    ...(keep.age !== undefined ? { ageMs: keep.age * 1000 } : {}),
  };
}
