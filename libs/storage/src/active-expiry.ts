import { TableWalk } from './key-table.js';
import type { Keyspace } from './keyspace.js';

/** Keys examined per database per cycle before a low stale ratio may stop the walk there. */
const MIN_KEYS_PER_DB = 1000;
/** Keep walking a database while more than this share of the last batch had expired (10%, as Redis). */
const STALE_RATIO = 0.1;
/** Keys examined between two looks at the clock. */
const BATCH = 64;
/** Share of each cycle period a slow cycle may use (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
const SLOW_TIME_PERC = 25;
/** Budget of a fast cycle (ACTIVE_EXPIRE_CYCLE_FAST_DURATION, 1000 us). */
const FAST_CYCLE_MS = 1;

/**
 * Active expiry: reclaims expired keys nobody touches, in time-budgeted slices that leave the
 * event loop free between them (clients keep being served).
 *
 * A slow cycle runs `hz` times a second with 25% of the period as budget. Each database's expiry
 * table is walked with a persistent TableWalk (resuming where the last cycle stopped, surviving
 * inserts and deletes), and the walk stays on a database while batches keep finding more than
 * 10% expired keys. Where Redis samples random keys, Brook walks in order: over a full pass it
 * examines every volatile key exactly once, and keys that expire together (inserted together)
 * are reclaimed together. When a cycle runs out of budget with work left, fast cycles of 1 ms
 * follow at most every 2 ms (Redis's beforeSleep fast cycle) until the backlog is gone.
 */
export class ActiveExpiry {
  private timer: NodeJS.Timeout | null = null;
  private fastTimer: NodeJS.Timeout | null = null;
  private walks: (TableWalk<number> | null)[] = [];
  private nextDb = 0;
  /** Set by a cycle that stopped on its budget (or found many stale keys): fast cycles follow. */
  private behind = false;

  constructor(
    private readonly ks: Keyspace,
    private hz = 10,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.slowCycle(), Math.max(1, Math.floor(1000 / this.hz)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fastTimer) clearTimeout(this.fastTimer);
    this.timer = null;
    this.fastTimer = null;
  }

  setHz(hz: number): void {
    this.hz = hz;
    if (this.timer) this.start();
  }

  private slowCycle(): void {
    this.cycle((1000 * SLOW_TIME_PERC) / 100 / this.hz);
    this.scheduleFast();
  }

  private scheduleFast(): void {
    if (!this.behind || this.fastTimer !== null || this.timer === null) return;
    // A 1 ms cycle, then at least 1 ms for everything else: at most half the CPU, like Redis.
    this.fastTimer = setTimeout(() => {
      this.fastTimer = null;
      this.cycle(FAST_CYCLE_MS);
      this.scheduleFast();
    }, FAST_CYCLE_MS);
    this.fastTimer.unref();
  }

  /** One bounded pass over the databases; returns the number of keys reclaimed. */
  cycle(budgetMs: number = (1000 * SLOW_TIME_PERC) / 100 / this.hz): number {
    const ks = this.ks;
    const start = performance.now();
    const now = ks.tick();
    ks.scans.prune(now);
    const dbs = ks.dbs;
    let sampled = 0;
    let reclaimed = 0;
    let timedOut = false;
    let d = 0;
    for (; d < dbs.length && !timedOut; d++) {
      const dbIndex = (this.nextDb + d) % dbs.length;
      const db = dbs[dbIndex];
      if (db.expires.size === 0) {
        this.walks[dbIndex] = null;
        continue;
      }
      let walk = this.walks[dbIndex];
      // FLUSHDB and SWAPDB replace a database's tables: walk the new one from its start.
      if (!walk || walk.table !== db.expires) walk = this.walks[dbIndex] = new TableWalk(db.expires);
      let walked = 0;
      for (;;) {
        let expired = 0;
        let n = 0;
        let passDone = false;
        while (n < BATCH) {
          const e = walk.next();
          if (e === undefined) {
            walk.reset();
            passDone = true;
            break;
          }
          n++;
          if (e[1] <= now) {
            db.expireKey(e[0]);
            expired++;
          }
        }
        walked += n;
        sampled += n;
        reclaimed += expired;
        if (performance.now() - start >= budgetMs) {
          timedOut = true;
          break;
        }
        if (passDone) break;
        if (walked >= MIN_KEYS_PER_DB && expired <= BATCH * STALE_RATIO) break;
      }
    }
    // A cycle cut short resumes with the database it was on.
    this.nextDb = timedOut ? (this.nextDb + d - 1) % dbs.length : 0;
    const stats = ks.stats;
    if (sampled > 0) {
      // Redis's running estimate of the share of expired keys still in memory.
      stats.expiredStalePerc = (reclaimed / sampled) * 0.05 + stats.expiredStalePerc * 0.95;
    }
    if (timedOut) stats.expiredTimeCapReachedCount++;
    this.behind = timedOut || stats.expiredStalePerc > STALE_RATIO;
    stats.expireCycleTimeUsedMs += performance.now() - start;
    return reclaimed;
  }
}
