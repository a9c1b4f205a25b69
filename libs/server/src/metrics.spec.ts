import { describe, expect, it } from '@jest/globals';
import { InstantaneousMetric, RecentPeak } from './metrics.js';

describe('InstantaneousMetric', () => {
  it('averages the per-second rate of the last 16 samples, truncated like Redis', () => {
    const m = new InstantaneousMetric();
    m.sample(0, 1000);
    for (let i = 1; i <= 8; i++) m.sample(i * 100, 1000 + i * 100); // 1000/s for 8 of the 16 samples
    expect(m.perSecond).toBe(500);
    for (let i = 9; i <= 16; i++) m.sample(800, 1000 + i * 100);
    expect(m.perSecond).toBe(500);
    for (let i = 17; i <= 24; i++) m.sample(800, 1000 + i * 100);
    expect(m.perSecond).toBe(0);
  });

  it('counts nothing for the interval in which its counter was reset', () => {
    const m = new InstantaneousMetric();
    m.sample(5000, 1000);
    m.sample(10, 1100);
    expect(m.perSecond).toBe(0);
  });
});

describe('RecentPeak', () => {
  it('keeps the largest value of the last 8 seconds', () => {
    const p = new RecentPeak();
    p.record(100, 10_000);
    p.record(50, 11_000);
    expect(p.max(17_500)).toBe(100);
    expect(p.max(18_000)).toBe(50);
    expect(p.max(19_000)).toBe(0);
  });
});
