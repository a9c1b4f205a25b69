import type { Keyspace } from './keyspace.js';

/** Keys examined per database per cycle before the stale ratio may stop the walk. */
const MIN_KEYS_PER_DB = 1000;
/** Keep walking a database while more than this share of the last batch had expired. */
const STALE_RATIO = 0.1;
const BATCH = 64;

/**
 * Active expiry: reclaims expired keys nobody touches. Each cycle walks the expiry tables with
 * persistent iterators (resuming where the last cycle stopped), for at most a time budget
 * (25% of the cycle period, like Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC), and keeps going on
 * a database only while batches still find many expired keys.
 */
export class ActiveExpiry {
  private timer: NodeJS.Timeout | null = null;
  private walkers: (Iterator<[string, number]> | null)[] = [];
  /** The table each walker iterates: FLUSHDB/SWAPDB replace tables, which restarts the walk. */
  private walked: unknown[] = [];
  private nextDb = 0;

  constructor(
    private readonly ks: Keyspace,
    private hz = 10,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.cycle(), Math.max(1, Math.floor(1000 / this.hz)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  setHz(hz: number): void {
    this.hz = hz;
    if (this.timer) this.start();
  }

  /** One bounded pass; returns the number of keys reclaimed. */
  cycle(budgetMs = 250 / this.hz): number {
    const ks = this.ks;
    const start = performance.now();
    const now = ks.tick();
    let reclaimed = 0;
    const dbs = ks.dbs;
    for (let d = 0; d < dbs.length; d++) {
      const dbIndex = (this.nextDb + d) % dbs.length;
      const db = dbs[dbIndex];
      if (db.expires.size === 0) {
        this.walkers[dbIndex] = null;
        continue;
      }
      if (this.walked[dbIndex] !== db.expires) {
        this.walkers[dbIndex] = null;
        this.walked[dbIndex] = db.expires;
      }
      let walked = 0;
      for (;;) {
        let expiredInBatch = 0;
        let n = 0;
        for (; n < BATCH; n++) {
          let it = this.walkers[dbIndex];
          if (!it) it = this.walkers[dbIndex] = db.expires.entries();
          const r = it.next();
          if (r.done) {
            this.walkers[dbIndex] = null;
            break;
          }
          const [key, at] = r.value;
          if (at <= now) {
            db.expireKey(key);
            expiredInBatch++;
          }
        }
        walked += n;
        reclaimed += expiredInBatch;
        if (n < BATCH) break; // finished a full pass over this db
        if (performance.now() - start > budgetMs) {
          this.nextDb = dbIndex;
          this.account(start);
          return reclaimed;
        }
        if (walked >= MIN_KEYS_PER_DB && expiredInBatch <= BATCH * STALE_RATIO) break;
      }
    }
    this.nextDb = 0;
    this.account(start);
    return reclaimed;
  }

  private account(start: number): void {
    this.ks.stats.expireCycleTimeUsedMs += performance.now() - start;
  }
}
