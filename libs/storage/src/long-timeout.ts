/**
 * Longest delay Node's timers honour: setTimeout/setInterval fire after 1 ms for any delay of
 * 2^31 ms (about 24.8 days) or more, so `CLIENT PAUSE 3000000000` would end at once.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface LongTimeout {
  /** Cancels the callback if it has not run yet. */
  clear(): void;
}

/**
 * setTimeout for delays of any length: waits in steps of at most MAX_TIMER_DELAY_MS until the
 * whole delay has passed, then runs `callback` once. Every timer armed from a user's value goes
 * through this (CLIENT PAUSE now; BLPOP/BRPOP/BLMOVE/XREAD BLOCK/WAIT timeouts when they come).
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  const deadline = performance.now() + Math.max(0, delayMs);
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = deadline - performance.now();
    timer = setTimeout(left > MAX_TIMER_DELAY_MS ? arm : callback, Math.min(Math.max(0, left), MAX_TIMER_DELAY_MS));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
