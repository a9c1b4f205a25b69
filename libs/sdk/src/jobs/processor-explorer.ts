import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { BrookConnections } from '../brook-connections.js';
import { errorText } from '../errors.js';
import { JobMetrics } from '../metrics/job-metrics.js';
import { payloadTransform, type PayloadTransform } from '../payload-validation.js';
import type { Job } from './job.js';
import {
  ON_JOB_EVENT_METADATA,
  ON_JOB_METADATA,
  PROCESSOR_METADATA,
  type JobEvent,
  type OnJobMetadata,
  type ProcessorMetadata,
} from './job-decorators.js';
import { JobWorker } from './job-worker.js';
import { QueueRegistry } from './queue-registry.js';

type Method = (...args: unknown[]) => unknown;

interface JobHandler {
  invoke: Method;
  transform: PayloadTransform;
}

export const DEFAULT_LOCK_DURATION = 30000;
export const DEFAULT_MAX_STALLED_COUNT = 1;

/**
 * Finds @Processor providers once the app has bootstrapped (the SDK's discovery, as for
 * @OnMessage) and starts a JobWorker for each; stops them before the connections close.
 */
@Injectable()
export class ProcessorExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly workers: JobWorker[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly brook: BrookConnections,
    private readonly registry: QueueRegistry,
    /** null unless BrookModule.forRoot({ metrics }). */
    @Inject(JobMetrics) private readonly metrics: JobMetrics | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const meta = wrapper.metatype
        ? (Reflect.getMetadata(PROCESSOR_METADATA, wrapper.metatype) as ProcessorMetadata | undefined)
        : undefined;
      if (!meta || !wrapper.instance) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        this.brook.logger.warn(`@Processor ${wrapper.name} ignored: request-scoped providers cannot process jobs`);
        continue;
      }
      this.workers.push(this.worker(wrapper, meta));
    }
    await Promise.all(this.workers.map((w) => w.start()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  private worker(wrapper: InstanceWrapper, { queue, options }: ProcessorMetadata): JobWorker {
    const instance = wrapper.instance as object;
    const proto = Object.getPrototypeOf(instance) as Record<string, Method>;
    const handlers = new Map<string | undefined, JobHandler>();
    const listeners = new Map<JobEvent, Method[]>();
    for (const name of this.scanner.getAllMethodNames(proto)) {
      const method = proto[name];
      const onJob = Reflect.getMetadata(ON_JOB_METADATA, method) as OnJobMetadata | undefined;
      if (onJob) {
        if (handlers.has(onJob.name))
          throw new Error(`${wrapper.name}: two @OnJob handlers for ${onJob.name ?? 'every other job name'} of queue ${queue}`);
        const transform = payloadTransform(onJob.options.data);
        handlers.set(onJob.name, { invoke: method.bind(instance), transform });
        this.registry.addValidator(queue, onJob.name, transform);
      }
      for (const event of (Reflect.getMetadata(ON_JOB_EVENT_METADATA, method) ?? []) as JobEvent[]) {
        listeners.set(event, [...(listeners.get(event) ?? []), method.bind(instance)]);
      }
    }
    if (handlers.size === 0)
      this.brook.logger.warn(`@Processor ${wrapper.name} of queue ${queue} has no @OnJob method: its jobs will fail`);
    const run = async (job: Job): Promise<unknown> => {
      const handler = handlers.get(job.name) ?? handlers.get(undefined);
      if (!handler) throw new Error(`${wrapper.name} has no @OnJob handler for job name '${job.name}'`);
      return handler.invoke(await handler.transform(job.data), job);
    };
    const emit = (event: JobEvent, ...args: unknown[]): void => {
      this.metrics?.onJobEvent(queue, event, args[0] as Job);
      for (const listener of listeners.get(event) ?? []) {
        Promise.resolve()
          .then(() => listener(...args))
          .catch((e: unknown) => this.brook.logger.error(`${wrapper.name} @OnJobEvent('${event}') threw: ${errorText(e)}`));
      }
    };
    return new JobWorker(
      this.registry.store(queue),
      {
        concurrency: options.concurrency ?? 1,
        lockDuration: options.lockDuration ?? DEFAULT_LOCK_DURATION,
        maxStalledCount: options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
        shutdownTimeout: options.shutdownTimeout ?? this.brook.shutdownTimeout,
        ...(options.limiter ? { limiter: options.limiter } : {}),
      },
      run,
      emit,
      this.brook.logger,
    );
  }
}
