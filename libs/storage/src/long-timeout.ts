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
 * setTimeout for delays of any length and never early: waits in steps of at most
 * MAX_TIMER_DELAY_MS until the whole delay has passed, then runs `callback` once. Node's timers
 * count from the event loop's cached millisecond clock, so one may fire a millisecond or so before
 * its delay has passed by performance.now(); such a wake-up waits for the rest. Every timer armed
 * from a user's value goes through this (CLIENT PAUSE, blocking-command timeouts).
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  const deadline = performance.now() + Math.max(0, delayMs);
  let timer: NodeJS.Timeout;
  const wait = (): void => {
    const left = deadline - performance.now();
    if (left > 0) timer = setTimeout(wait, Math.min(Math.ceil(left), MAX_TIMER_DELAY_MS));
    else callback();
  };
  timer = setTimeout(wait, Math.min(Math.ceil(Math.max(0, deadline - performance.now())), MAX_TIMER_DELAY_MS));
  return { clear: () => clearTimeout(timer) };
}
