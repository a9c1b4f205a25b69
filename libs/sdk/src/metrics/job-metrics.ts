import type { LoggerService } from '@nestjs/common';
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
import { errorText } from '../errors.js';

/** A queue whose job counts feed the `brook_queue_jobs` gauge (the SDK's Queue is one). */
export interface JobCountsSource {
  readonly name: string;
  getJobCounts(): Promise<Record<string, number>>;
}

/**
 * One attempt of a job, as a worker finished it: `completed`, `failed` (finally: it is now a dead
 * letter) or `retried` (this attempt failed and another is scheduled).
 */
export interface JobOutcome {
  queue: string;
  name: string;
  status: 'completed' | 'failed' | 'retried';
  /** How long the processor ran for this attempt. */
  durationMs: number;
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
  /** Queues of every live app on this registry, read on each scrape. */
  readonly sources = new Map<JobCountsSource, LoggerService>();
  readonly jobs: Counter<'queue' | 'name' | 'status'>;
  readonly duration: Histogram<'queue' | 'name' | 'status'>;

  constructor(registry: Registry) {
    const sources = this.sources;
    new Gauge({
      name: 'brook_queue_jobs',
      help: 'Jobs per queue and state (waiting counts paused and prioritized jobs), read from the server on each scrape',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        // Counts are read on scrape, not kept in memory: another process may have changed them.
        await Promise.all(
          [...sources].map(async ([source, logger]) => {
            try {
              for (const [state, count] of Object.entries(await source.getJobCounts())) this.set({ queue: source.name, state }, count);
            } catch (e) {
              logger.error(`Metrics: reading the job counts of queue ${source.name}: ${errorText(e)}`);
            }
          }),
        );
      },
    });
    this.jobs = new Counter({
      name: 'brook_jobs_total',
      help: 'Job attempts finished by this process, by queue, job name and status (completed, retried, failed finally)',
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
 * An app's job metrics: the queues it registered are counted on scrape, and its workers'
 * outcomes are recorded as they happen. close() takes its queues out of the gauge (the
 * counters keep their totals, as Prometheus counters must).
 */
export class JobMetrics {
  readonly registry: Registry;
  private readonly metrics: RegistryJobMetrics;
  private readonly tracked = new Set<JobCountsSource>();

  constructor(
    option: Exclude<BrookMetricsOption, false>,
    private readonly logger: LoggerService,
  ) {
    this.registry = (option === true ? undefined : option.registry) ?? defaultRegistry;
    this.metrics = metricsOf(this.registry);
  }

  track(queue: JobCountsSource): void {
    this.tracked.add(queue);
    this.metrics.sources.set(queue, this.logger);
  }

  record(outcome: JobOutcome): void {
    const labels = { queue: outcome.queue, name: outcome.name, status: outcome.status };
    this.metrics.jobs.inc(labels);
    this.metrics.duration.observe(labels, Math.max(0, outcome.durationMs) / 1000);
  }

  close(): void {
    for (const queue of this.tracked) this.metrics.sources.delete(queue);
    this.tracked.clear();
  }
}
