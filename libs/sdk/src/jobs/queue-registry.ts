import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BrookConnections } from '../brook-connections.js';
import type { PayloadTransform } from '../payload-validation.js';
import { JobStore } from './job-store.js';
import { Queue, type QueueDefinition } from './queue.js';
import { QueueContext } from './queue-context.js';

/**
 * The app's queues by name: one JobStore (and transaction pool) per queue, shared by its
 * injected Queue and its processors, and the @OnJob data classes used by `add(…, { validate: true })`.
 */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly stores = new Map<string, JobStore>();
  private readonly queues = new Map<string, Queue>();
  private readonly validators = new Map<string, Map<string | undefined, PayloadTransform>>();

  constructor(private readonly brook: BrookConnections) {}

  store(name: string): JobStore {
    let store = this.stores.get(name);
    if (!store) {
      store = new JobStore(new QueueContext(name, this.brook));
      this.stores.set(name, store);
    }
    return store;
  }

  queue(definition: QueueDefinition): Queue {
    let queue = this.queues.get(definition.name);
    if (!queue) {
      queue = new Queue(this.store(definition.name), definition.defaultJobOptions ?? {}, (q, job, data) => this.validate(q, job, data));
      this.queues.set(definition.name, queue);
    }
    return queue;
  }

  /** Every queue registered in this app (for the metrics). */
  all(): Queue[] {
    return [...this.queues.values()];
  }

  /** Registers the data check of an @OnJob handler (jobName undefined: the catch-all handler). */
  addValidator(queue: string, jobName: string | undefined, transform: PayloadTransform): void {
    const byName = this.validators.get(queue) ?? new Map<string | undefined, PayloadTransform>();
    byName.set(jobName, transform);
    this.validators.set(queue, byName);
  }

  private async validate(queue: string, jobName: string, data: unknown): Promise<void> {
    const byName = this.validators.get(queue);
    const transform = byName?.get(jobName) ?? byName?.get(undefined);
    if (!transform)
      throw new Error(`add(…, { validate: true }): no @OnJob handler for '${jobName}' of queue ${queue} in this app to validate against`);
    await transform(data);
  }

  /** After the processors stopped (beforeApplicationShutdown), so queues stay usable until then. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.close()));
  }
}
