import { describe, expect, it } from '@jest/globals';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  // Figures read from a real Redis 7.0.15 (LATENCY HISTOGRAM debug, INFO latencystats after DEBUG SLEEPs).
  it('reports the bucket bounds Redis reports', () => {
    const h = new LatencyHistogram();
    for (const us of [100, 500, 1000, 2090, 16000, 33000, 135000]) h.record(us);
    expect(h.cumulative()).toEqual([
      [132, 1],
      [528, 2],
      [1056, 3],
      [2113, 4],
      [16908, 5],
      [33816, 6],
      [135266, 7],
    ]);
    expect(h.valueAtPercentile(50)).toBe(2097151);
  });

  // Derived from hdr's layout (2 significant digits), not observed: 1 s lies in the 2^30 ns step.
  it('puts sub-microsecond and over-a-second durations at the ends, as Redis clamps them', () => {
    const h = new LatencyHistogram();
    h.record(0.3);
    h.record(5e6);
    expect(h.cumulative()).toEqual([
      [1, 1],
      [1082130, 2],
    ]);
    expect(h.valueAtPercentile(100)).toBe(1002438655);
  });
});
