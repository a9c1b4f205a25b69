/**
 * Access words, as Redis keeps them in robj.lru (evict.c): either the LRU clock of the last access
 * (seconds, 24 bits, wrapping) or, under an LFU maxmemory-policy, 16 bits of minutes since the
 * last decrement and an 8-bit logarithmic access counter. OBJECT IDLETIME/FREQ and eviction read them.
 */

/** LRU_CLOCK_MAX: the clock wraps every 194 days. */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
/** LFU_INIT_VAL: new values start here so they are not evicted before they get a chance. */
export const LFU_INIT_VAL = 5;

/** LRU_CLOCK() for a time in ms (LRU_CLOCK_RESOLUTION is 1000 ms). */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / 1000) & LRU_CLOCK_MAX;
}

/** estimateObjectIdleTime: ms since the access stamped `lru`, allowing for one wrap of the clock. */
export function idleMs(lru: number, clock: number): number {
  return (clock >= lru ? clock - lru : LRU_CLOCK_MAX - lru + clock) * 1000;
}

/** LFUGetTimeInMinutes. */
function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 65535;
}

/** The LFU word of a value created now. */
export function lfuInit(nowMs: number): number {
  return (lfuMinutes(nowMs) << 8) | LFU_INIT_VAL;
}

/** LFUDecrAndReturn: the counter after one decrement per `decayTime` minutes idle. */
export function lfuCounter(word: number, nowMs: number, decayTime: number): number {
  const ldt = word >>> 8;
  const counter = word & 255;
  const now = lfuMinutes(nowMs);
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = decayTime > 0 ? Math.floor(elapsed / decayTime) : 0;
  return periods > counter ? 0 : counter - periods;
}

/** updateLFU: decay, then a logarithmic increment (LFULogIncr), stamped with the current minute. */
export function lfuTouch(word: number, nowMs: number, logFactor: number, decayTime: number): number {
  let counter = lfuCounter(word, nowMs, decayTime);
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    if (Math.random() < 1 / (base * logFactor + 1)) counter++;
  }
  return (lfuMinutes(nowMs) << 8) | counter;
}
