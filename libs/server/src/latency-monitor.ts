import type { LatencyAccess, LatencySample } from '@brook/commands';
import type { ConfigStore } from './config/config-store.js';

/** Redis's LATENCY_TS_LEN: samples kept per event, at most one per second. */
const HISTORY_LEN = 160;

interface TimeSeries {
  /** Oldest first. */
  samples: LatencySample[];
  max: number;
}

/**
 * The latency monitor (Redis's latency.c): per event ('command', 'fast-command'), the worst
 * latency of each second it went over latency-monitor-threshold ms, the last 160 such seconds and
 * the all-time maximum. `thresholdUs` is Infinity while the monitor is off (threshold 0), so the
 * dispatcher's check costs one comparison.
 */
export class LatencyMonitor implements LatencyAccess {
  private readonly events = new Map<string, TimeSeries>();
  thresholdUs = Infinity;

  constructor(config: ConfigStore) {
    this.setThreshold(config.int('latency-monitor-threshold'));
    config.onApply((name, value) => {
      if (name === 'latency-monitor-threshold') this.setThreshold(Number(value));
      return null;
    });
  }

  private setThreshold(ms: number): void {
    this.thresholdUs = ms === 0 ? Infinity : ms * 1000;
  }

  /** A sample of `ms` for `event`: a second's samples fold into its worst one. */
  add(event: string, ms: number): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = { samples: [], max: 0 };
      this.events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const now = Math.floor(Date.now() / 1000);
    const last = ts.samples.at(-1);
    if (last !== undefined && last.time === now) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    ts.samples.push({ time: now, latency: ms });
    if (ts.samples.length > HISTORY_LEN) ts.samples.shift();
  }

  latest(): [string, LatencySample, number][] {
    return [...this.events].map(([event, ts]) => [event, ts.samples[ts.samples.length - 1], ts.max]);
  }

  history(event: string): readonly LatencySample[] {
    return this.events.get(event)?.samples ?? [];
  }

  /** Forgets the named events (all when none are named); how many there were. */
  reset(events: readonly string[]): number {
    if (events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.events.delete(e)) n++;
    return n;
  }
}
