import type { KeyTable } from './key-table.js';
import type { Keyspace } from './keyspace.js';

/** Keys examined per database per cycle before a low stale ratio may stop the walk there. */
const MIN_KEYS_PER_DB = 1000;
/** Keep walking a database while more than this share of the last batch had expired (10%, as Redis). */
const STALE_RATIO = 0.1;
/** Keys examined (at least; groups are visited whole) between two looks at the clock. */
const BATCH = 64;
/** Share of each cycle period a slow cycle may use (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
const SLOW_TIME_PERC = 25;
/** Most time a cycle gives one database's resizing tables (Redis's incrementallyRehash: 1 ms). */
const REHASH_MS = 1;
/** Budget of a fast cycle (ACTIVE_EXPIRE_CYCLE_FAST_DURATION, 1000 us). */
const FAST_CYCLE_MS = 1;

/**
 * Active expiry: reclaims expired keys nobody touches, in time-budgeted slices that leave the
 * event loop free between them (clients keep being served).
 *
 * A slow cycle runs `hz` times a second with 25% of the period as budget. Each database's expiry
 * table is walked with a persistent scan cursor (resuming where the last cycle stopped; a full
 * pass examines every volatile key present throughout, whatever is added, removed or resized
 * meanwhile), and the walk stays on a database while batches keep finding more than 10% expired
 * keys. The same cycle moves the tables' incremental resizes along (Redis's activerehashing). When a cycle runs out of budget with work left, fast cycles of 1 ms
 * follow at most every 2 ms (Redis's beforeSleep fast cycle) until the backlog is gone.
 */
export class ActiveExpiry {
  private timer: NodeJS.Timeout | null = null;
  private fastTimer: NodeJS.Timeout | null = null;
  /** Per database: the expiry table being walked and the scan cursor into it. */
  private walks: ({ table: KeyTable<number>; cursor: number } | null)[] = [];
  private nextDb = 0;
  /** Set by a cycle that stopped on its budget (or found many stale keys): fast cycles follow. */
  private behind = false;
  /**
   * Per expiry table, Redis's running estimate of the mean TTL (ms) of its keys (INFO keyspace
   * avg_ttl). Keyed by table so it follows SWAPDB and starts over after FLUSHDB, as in Redis.
   */
  private readonly avgTtls = new WeakMap<KeyTable<number>, number>();

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

  /** INFO keyspace avg_ttl of a database: 0 until its volatile keys were sampled. */
  avgTtl(db: { readonly expires: KeyTable<number> }): number {
    return this.avgTtls.get(db.expires) ?? 0;
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
        this.avgTtls.delete(db.expires);
        continue;
      }
      let walk = this.walks[dbIndex];
      // FLUSHDB and SWAPDB replace a database's tables: walk the new one from its start.
      if (!walk || walk.table !== db.expires) walk = this.walks[dbIndex] = { table: db.expires, cursor: 0 };
      let walked = 0;
      const due: string[] = [];
      for (;;) {
        let n = 0;
        let passDone = false;
        let ttlSum = 0;
        let ttlSamples = 0;
        due.length = 0;
        while (n < BATCH) {
          walk.cursor = walk.table.scan(walk.cursor, (key, at) => {
            n++;
            if (at <= now) due.push(key);
            else {
              ttlSum += at - now;
              ttlSamples++;
            }
          });
          if (walk.cursor === 0) {
            passDone = true;
            break;
          }
        }
        // Expired after the scan steps: a table must not change while a step visits it.
        for (const key of due) db.expireKey(key);
        if (ttlSamples > 0) this.noteTtls(walk.table, Math.floor(ttlSum / ttlSamples));
        const expired = due.length;
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
    // Resizes in progress move along with what is left of the budget, 1 ms a database at most.
    for (let i = 0; i < dbs.length; i++) {
      const left = budgetMs - (performance.now() - start);
      if (left <= 0) break;
      dbs[i].rehashFor(Math.min(REHASH_MS, left));
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

  /** Redis's avg_ttl update after each sampled batch: the first sample, then avg/50*49 + sample/50. */
  private noteTtls(table: KeyTable<number>, sampleAvg: number): void {
    const avg = this.avgTtls.get(table) ?? 0;
    this.avgTtls.set(table, avg === 0 ? sampleAvg : Math.floor(avg / 50) * 49 + Math.floor(sampleAvg / 50));
  }
}
