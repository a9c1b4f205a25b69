import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_DELAY_MS, setLongTimeout } from './long-timeout.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('setLongTimeout', () => {
  it('does not fire early for delays Node clamps to 1 ms (which plain setTimeout does)', async () => {
    const delay = MAX_TIMER_DELAY_MS + 1000;
    let plainFired = false;
    let longFired = false;
    // Node prints a TimeoutOverflowWarning for the plain timer: that is the behaviour guarded against.
    const plain = setTimeout(() => (plainFired = true), delay);
    const long = setLongTimeout(() => (longFired = true), 3_000_000_000);
    await sleep(50);
    clearTimeout(plain);
    long.clear();
    expect(plainFired).toBe(true);
    expect(longFired).toBe(false);
  });

  it('fires once after a short delay, not before it', async () => {
    const start = performance.now();
    const times: number[] = [];
    setLongTimeout(() => times.push(performance.now() - start), 30);
    await sleep(100);
    expect(times).toHaveLength(1);
    expect(times[0]).toBeGreaterThanOrEqual(30);
  });

  it('never fires before its delay by performance.now(), though Node timers may (their clock is the loop’s cached ms)', async () => {
    const early: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const delay = 1 + (i % 20) + i / 40;
        const start = performance.now();
        return new Promise<void>((done) =>
          setLongTimeout(() => {
            if (performance.now() - start < delay) early.push(delay);
            done();
          }, delay),
        );
      }),
    );
    expect(early).toEqual([]);
  });

  it('clear() cancels it; a negative delay fires as soon as possible', async () => {
    let cleared = false;
    let negative = false;
    setLongTimeout(() => (cleared = true), 10).clear();
    setLongTimeout(() => (negative = true), -5);
    await sleep(40);
    expect(cleared).toBe(false);
    expect(negative).toBe(true);
  });
});
