import { Inject, type Type } from '@nestjs/common';

export interface ProcessorOptions {
  /** Jobs run at once by this instance (default 1). */
  concurrency?: number;
  /** At most `max` jobs started per `duration` ms across every worker of the queue. */
  limiter?: { max: number; duration: number };
  /** ms a worker holds a job without renewing (renewed every lockDuration/2 while it runs); default 30000. */
  lockDuration?: number;
  /** Stalls (lock expired: the worker died or hung) a job survives before it fails; default 1. */
  maxStalledCount?: number;
  /** ms app.close() waits for running jobs before leaving them to stall recovery; default the module's shutdownTimeout. */
  shutdownTimeout?: number;
}

export interface OnJobOptions {
  /** A class with class-validator decorators: job.data is transformed into it and validated before the handler runs. */
  data?: Type;
}

export type JobEvent = 'active' | 'completed' | 'failed' | 'progress' | 'stalled';

export const PROCESSOR_METADATA = 'brook:processor';
export const ON_JOB_METADATA = 'brook:on-job';
export const ON_JOB_EVENT_METADATA = 'brook:on-job-event';

export interface ProcessorMetadata {
  queue: string;
  options: ProcessorOptions;
}

export interface OnJobMetadata {
  /** undefined: every job name no other handler of the processor takes. */
  name: string | undefined;
  options: OnJobOptions;
}

/** The injection token of queue `name`. */
export function getQueueToken(name: string): string {
  return `BrookQueue:${name}`;
}

/** Injects the Queue registered with BrookModule.registerQueue({ name }). */
export function InjectQueue(name: string): ParameterDecorator {
  return Inject(getQueueToken(name));
}

/** Marks a provider as the processor of `queue`; its @OnJob methods run the jobs. */
export function Processor(queue: string, options: ProcessorOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(PROCESSOR_METADATA, { queue, options } satisfies ProcessorMetadata, target);
  };
}

/** `handler(data, job)`: runs jobs named `name` (no name: every other name); its return value becomes job.returnvalue. */
export function OnJob(name?: string, options: OnJobOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(ON_JOB_METADATA, { name, options } satisfies OnJobMetadata, descriptor.value as object);
    return descriptor;
  };
}

/** `listener(job, resultOrErrorOrProgress)` for this processor instance's jobs ('stalled': (job, failedFinally), for jobs this instance took back from a dead worker). */
export function OnJobEvent(event: JobEvent): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(ON_JOB_EVENT_METADATA, method) ?? []) as JobEvent[];
    Reflect.defineMetadata(ON_JOB_EVENT_METADATA, [...existing, event], method);
    return descriptor;
  };
}
