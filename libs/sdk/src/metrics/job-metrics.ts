import type { BeforeApplicationShutdown, LoggerService } from '@nestjs/common';
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
import { errorText } from '../errors.js';

/** A queue whose job counts feed the `brook_queue_jobs` gauge (the SDK's Queue is one). */
export interface JobCountsSource {
  readonly name: string;
  getJobCounts(): Promise<Record<string, number>>;
}

/** What the metrics read of a job a worker finished (the SDK's Job). */
export interface FinishedJob {
  readonly name: string;
  /** When the worker took it (ms since the epoch). */
  processedOn?: number;
  /** Set once the job failed finally (or completed); absent after a failed attempt that will be retried. */
  finishedOn?: number;
}

/** The `metrics` option: `true` for prom-client's default registry, or the registry to use. */
export type BrookMetricsOption = boolean | { registry?: Registry };

/** Seconds; from a quick handler to a five-minute batch job. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The three job metrics of one prom-client registry. A registry refuses a second metric of the
 * same name, so every app (and every JobMetrics) using that registry shares this set: several
 * apps in one process, as in tests or a process hosting two modules, report into the same series.
 */
class RegistryJobMetrics {
  /** Every live app's metrics on this registry: their queues are read on each scrape. */
  readonly apps = new Set<JobMetrics>();
  readonly jobs: Counter<'queue' | 'name' | 'status'>;
  readonly duration: Histogram<'queue' | 'name' | 'status'>;

  constructor(registry: Registry) {
    const apps = this.apps;
    new Gauge({
      name: 'brook_queue_jobs',
      help: 'Jobs per queue and state (waiting counts paused and prioritized jobs), read from the server on each scrape',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        // Counts are read on scrape, not kept in memory: another process may have changed them.
        const counts = await Promise.all([...apps].map((app) => app.jobCounts()));
        for (const [queue, byState] of counts.flat())
          for (const [state, count] of Object.entries(byState)) this.set({ queue, state }, count);
      },
    });
    this.jobs = new Counter({
      name: 'brook_jobs_total',
      help: 'Job attempts finished by this process, by queue, job name and status (completed, retried, failed finally, stalled: taken back from a dead worker)',
      labelNames: ['queue', 'name', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'brook_job_duration_seconds',
      help: 'How long processors of this process ran per job attempt',
      labelNames: ['queue', 'name', 'status'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }
}

const perRegistry = new WeakMap<Registry, RegistryJobMetrics>();

function metricsOf(registry: Registry): RegistryJobMetrics {
  let set = perRegistry.get(registry);
  if (!set) {
    if (registry.getSingleMetric('brook_jobs_total')) {
      // Registered by another copy of the SDK (two installs in node_modules): its series would be shadowed.
      throw new Error(
        'brook_jobs_total is already in this prom-client registry, from another copy of @brook/sdk; pass metrics: { registry }',
      );
    }
    set = new RegistryJobMetrics(registry);
    perRegistry.set(registry, set);
  }
  return set;
}

/**
 * An app's job metrics: its queues are counted on scrape, and its workers' events are turned
 * into outcomes: `completed`, `failed` (finally: the job is now a dead letter) or `retried` (the
 * attempt failed and another is scheduled). Shutdown takes the app's queues out of the gauge (the
 * counters keep their totals, as Prometheus counters must).
 */
export class JobMetrics implements BeforeApplicationShutdown {
  private readonly metrics: RegistryJobMetrics;

  constructor(
    option: Exclude<BrookMetricsOption, false>,
    private readonly queues: () => Iterable<JobCountsSource>,
    private readonly logger: LoggerService,
  ) {
    this.metrics = metricsOf((option === true ? undefined : option.registry) ?? defaultRegistry);
    this.metrics.apps.add(this);
  }

  /** A worker's event (@OnJobEvent's events); only outcomes and stalls count, each once. Never throws. */
  onJobEvent(queue: string, event: string, job: FinishedJob): void {
    if (event === 'completed') this.record(queue, job, 'completed');
    else if (event === 'failed') this.record(queue, job, job.finishedOn !== undefined ? 'failed' : 'retried');
    else if (event === 'stalled') {
      // Taken back from a worker that died: counted here (it never got an outcome), and once more
      // as failed when it stalled too often. Its duration is unknown (the worker died mid-way).
      this.metrics.jobs.inc({ queue, name: job.name, status: 'stalled' });
      if (job.finishedOn !== undefined) this.metrics.jobs.inc({ queue, name: job.name, status: 'failed' });
    }
  }

  /** [queue, counts] of every queue of this app; a queue whose counts cannot be read is logged and left out. */
  async jobCounts(): Promise<[string, Record<string, number>][]> {
    const read = await Promise.all(
      [...this.queues()].map(async (queue): Promise<[string, Record<string, number>] | null> => {
        try {
          return [queue.name, await queue.getJobCounts()];
        } catch (e) {
          this.logger.error(`Metrics: reading the job counts of queue ${queue.name}: ${errorText(e)}`);
          return null;
        }
      }),
    );
    return read.filter((entry) => entry !== null);
  }

  /** Before the connections close: a scrape from then on no longer reads this app's queues. */
  beforeApplicationShutdown(): void {
    this.metrics.apps.delete(this);
  }

  private record(queue: string, job: FinishedJob, status: 'completed' | 'failed' | 'retried'): void {
    const labels = { queue, name: job.name, status };
    this.metrics.jobs.inc(labels);
    if (job.processedOn !== undefined) this.metrics.duration.observe(labels, Math.max(0, Date.now() - job.processedOn) / 1000);
  }
}
