/**
 * Figures INFO reports that need sampling over time, taken the way Redis's serverCron takes
 * them: instantaneous rates (trackInstantaneousMetric), the memory peak, and the recent largest
 * client buffers (clientsCronTrackExpansiveClients).
 */

/** Redis's STATS_METRIC_SAMPLES: an instantaneous figure is the mean of the last 16 samples. */
const SAMPLES = 16;
/** Redis samples the instantaneous metrics every 100 ms (run_with_period(100) in serverCron). */
export const SAMPLE_PERIOD_MS = 100;
/** Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS: client_recent_max_* cover the last 8 seconds. */
const PEAK_SLOTS = 8;

/** A counter's rate per second: each sample is the rate since the previous one (an integer, as in Redis). */
export class InstantaneousMetric {
  private readonly samples = new Float64Array(SAMPLES);
  private next = 0;
  private lastCount = 0;
  private lastTime = 0;

  sample(count: number, now: number): void {
    const elapsed = now - this.lastTime;
    // A counter that went down was reset (CONFIG RESETSTAT): that interval counts nothing.
    const delta = Math.max(0, count - this.lastCount);
    this.samples[this.next] = this.lastTime > 0 && elapsed > 0 ? Math.floor((delta * 1000) / elapsed) : 0;
    this.next = (this.next + 1) % SAMPLES;
    this.lastCount = count;
    this.lastTime = now;
  }

  /** The mean of the samples per second, truncated like Redis's getInstantaneousMetric. */
  get perSecond(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return Math.floor(sum / SAMPLES);
  }
}

/** The largest value seen over the last PEAK_SLOTS seconds, one slot a second. */
export class RecentPeak {
  private readonly slots = new Float64Array(PEAK_SLOTS);
  private slotSecond = 0;

  record(value: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    // Slots of seconds skipped since the last record held nothing.
    for (let s = Math.max(this.slotSecond + 1, second - PEAK_SLOTS + 1); s <= second; s++) this.slots[s % PEAK_SLOTS] = 0;
    if (second > this.slotSecond) this.slotSecond = second;
    const i = second % PEAK_SLOTS;
    if (value > this.slots[i]) this.slots[i] = value;
  }

  max(nowMs: number): number {
    this.record(0, nowMs);
    let m = 0;
    for (const s of this.slots) if (s > m) m = s;
    return m;
  }
}

/** Bytes of data Brook holds: V8's live heap plus memory outside it (Buffers). INFO used_memory. */
export function usedMemory(m: NodeJS.MemoryUsage = process.memoryUsage()): number {
  return m.heapUsed + m.external;
}

/** The counters the sampler reads (ServerStats). */
export interface SampledCounters {
  readonly commandsProcessed: number;
  readonly netInputBytes: number;
  readonly netOutputBytes: number;
}

export class Metrics {
  readonly ops = new InstantaneousMetric();
  readonly netInput = new InstantaneousMetric();
  readonly netOutput = new InstantaneousMetric();
  /** Largest used_memory seen by the sampler or by INFO (Redis: stat_peak_memory). */
  peakMemory = 0;
  /** Largest client query buffer / output beyond the reply buffer, recently (INFO client_recent_max_*). */
  readonly clientInput = new RecentPeak();
  readonly clientOutput = new RecentPeak();

  /** One tick of the 100 ms sampler. */
  sample(counters: SampledCounters, now: number): void {
    this.ops.sample(counters.commandsProcessed, now);
    this.netInput.sample(counters.netInputBytes, now);
    this.netOutput.sample(counters.netOutputBytes, now);
    this.notePeak(usedMemory());
  }

  notePeak(used: number): void {
    if (used > this.peakMemory) this.peakMemory = used;
  }
}
