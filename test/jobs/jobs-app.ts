/**
 * Nest apps for the job-queue suites: BrookModule.forRoot with the given options, the queues
 * registered, and processors built per test (a queue name is fixed when @Processor is applied).
 */
import { Test, type TestingModule } from '@nestjs/testing';
import type { Provider, Type } from '@nestjs/common';
import {
  BrookModule,
  OnJob,
  OnJobEvent,
  Processor,
  getQueueToken,
  type BrookModuleOptions,
  type Job,
  type JobEvent,
  type ProcessorOptions,
  type Queue,
} from '@brook/sdk';
import type { SdkTarget } from '../support/sdk-modes.js';

export async function startJobsApp(options: BrookModuleOptions, queues: string[], providers: Provider[] = []): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [BrookModule.forRoot(options), BrookModule.registerQueue(...queues.map((name) => ({ name })))],
    providers,
  }).compile();
  await app.init();
  return app;
}

export function queueOf(app: TestingModule, name: string): Queue {
  return app.get<Queue>(getQueueToken(name));
}

export type Handle = (data: unknown, job: Job) => unknown;

/** A @Processor class for `queue` whose catch-all @OnJob calls `handle`, and whose @OnJobEvent listeners call `onEvent`. */
export function processorFor(
  queue: string,
  options: ProcessorOptions,
  handle: Handle,
  onEvent: (event: JobEvent, args: unknown[]) => void = () => undefined,
  data?: Type,
): Type {
  @Processor(queue, options)
  class TestProcessor {
    @OnJob(undefined, data ? { data } : {})
    run(payload: unknown, job: Job): unknown {
      return handle(payload, job);
    }

    @OnJobEvent('active')
    active(...args: unknown[]): void {
      onEvent('active', args);
    }

    @OnJobEvent('completed')
    completed(...args: unknown[]): void {
      onEvent('completed', args);
    }

    @OnJobEvent('failed')
    failed(...args: unknown[]): void {
      onEvent('failed', args);
    }

    @OnJobEvent('progress')
    progress(...args: unknown[]): void {
      onEvent('progress', args);
    }

    @OnJobEvent('stalled')
    stalled(...args: unknown[]): void {
      onEvent('stalled', args);
    }
  }
  return TestProcessor;
}

/**
 * Apps of one test, closed at its end. In embedded mode a host app (no queues) holds Brook for the
 * whole mode and closes last; every other app connects to it.
 */
export class JobApps {
  private host: TestingModule | undefined;
  private readonly apps: TestingModule[] = [];

  constructor(private readonly target: SdkTarget) {}

  async start(
    queues: string[],
    providers: Provider[] = [],
    extra: Omit<BrookModuleOptions, 'connection' | 'embedded'> = {},
  ): Promise<TestingModule> {
    if (this.target.mode === 'embedded' && !this.host) this.host = await startJobsApp(this.target.hostOptions(), []);
    const app = await startJobsApp(this.target.clientOptions(extra), queues, providers);
    this.apps.push(app);
    return app;
  }

  /** Closes the test's apps (not the embedded host). */
  async closeAll(): Promise<void> {
    for (const app of this.apps.splice(0).reverse()) await app.close();
  }

  async closeHost(): Promise<void> {
    await this.closeAll();
    await this.host?.close();
    this.host = undefined;
  }
}
