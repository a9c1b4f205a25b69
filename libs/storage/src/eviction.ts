import { idleMs, lfuCounter } from './access.js';
import type { Database } from './database.js';
import type { KeyTable } from './key-table.js';
import type { Keyspace } from './keyspace.js';
import type { Value } from './types/object.js';

/** performEvictions' outcome: under the limit, still over it when the time budget ran out, or nothing left to evict. */
export type EvictionResult = 'ok' | 'running' | 'fail';

/** EVPOOL_SIZE: the best candidates kept between evictions, across databases. */
const POOL_SIZE = 16;

/** One eviction candidate: a higher score is evicted first (idle time, 255 - LFU counter, or how soon it expires). */
interface Candidate {
  readonly score: number;
  readonly key: string;
  readonly db: number;
}

/**
 * Eviction as Redis's evict.c does it: while the accounted memory (Keyspace.dataBytes) is over
 * maxmemory, pick a victim by the policy and delete it through the normal path
 * (Database.evictKey: WATCH, the `evicted` event, DEL in the change feed). LRU, LFU and TTL
 * policies sample `maxmemory-samples` keys of each database into a 16-entry pool sorted by score
 * and evict the best entry still present; random policies take a random key, visiting the
 * databases in turn. One call is bounded by maxmemory-eviction-tenacity's time budget; the caller
 * carries on in a later turn while it answers `running`.
 */
export class Evictor {
  maxmemory = 0;
  policy = 'noeviction';
  samples = 5;
  tenacity = 10;
  /** Eviction passes that ended over the limit have been over since then (ms), or 0. */
  private exceededSince = 0;
  private exceededTotal = 0;
  private readonly pool: Candidate[] = [];
  private nextDb = 0;

  constructor(private readonly ks: Keyspace) {}

  /**
   * The memory eviction compares with maxmemory (INFO used_memory while maxmemory is set): the
   * data set as accounted. The runtime's own heap (code, Nest, buffers) is outside it, as the
   * brook-server launcher adds headroom for it to the V8 heap limit it sizes from maxmemory.
   */
  used(): number {
    return this.ks.dataBytes();
  }

  /** A new policy: candidates scored under the old one mean nothing now. */
  setPolicy(policy: string): void {
    this.policy = policy;
    this.pool.length = 0;
  }

  /** INFO total_eviction_exceeded_time (ms): time spent over maxmemory, including the current stretch. */
  totalExceededMs(now: number): number {
    return this.exceededTotal + this.currentExceededMs(now);
  }

  /** INFO current_eviction_exceeded_time (ms). */
  currentExceededMs(now: number): number {
    return this.exceededSince === 0 ? 0 : now - this.exceededSince;
  }

  /** performEvictions: evicts until under maxmemory, out of candidates, or out of time. */
  evict(): EvictionResult {
    const result = this.run();
    const now = Date.now();
    if (result !== 'ok') {
      if (this.exceededSince === 0) this.exceededSince = now;
    } else if (this.exceededSince !== 0) {
      this.exceededTotal += now - this.exceededSince;
      this.exceededSince = 0;
    }
    return result;
  }

  private run(): EvictionResult {
    const over = this.used() - this.maxmemory;
    if (over <= 0) return 'ok';
    if (this.policy === 'noeviction') return 'fail';
    const start = performance.now();
    const budgetMs = timeBudgetMs(this.tenacity);
    let freed = 0;
    for (let n = 1; freed < over; n++) {
      const victim = this.victim();
      if (victim === null) return 'fail';
      const [db, key] = victim;
      const before = db.accountedBytes();
      db.evictKey(key);
      freed += before - db.accountedBytes();
      // As Redis, the clock is read every 16 keys.
      if ((n & 15) === 0 && performance.now() - start > budgetMs) return this.used() > this.maxmemory ? 'running' : 'ok';
    }
    return 'ok';
  }

  /** The next key to evict, or null when the policy finds none. */
  private victim(): [Database, string] | null {
    const allkeys = this.policy.startsWith('allkeys-');
    const dbs = this.ks.dbs;
    if (this.policy.endsWith('-random')) {
      for (let i = 0; i < dbs.length; i++) {
        const db = dbs[(this.nextDb = (this.nextDb + 1) % dbs.length)];
        const picked = (allkeys ? db.keys : db.expires).pick();
        if (picked !== undefined) return [db, picked[0]];
      }
      return null;
    }
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const table = allkeys ? db.keys : db.expires;
        if (table.size === 0) continue;
        total += table.size;
        this.populate(db, table, allkeys);
      }
      if (total === 0) return null;
      // The best candidates are at the end; a candidate deleted since it was pooled is a ghost.
      for (let c = this.pool.pop(); c !== undefined; c = this.pool.pop()) {
        const db = dbs[c.db];
        if ((allkeys ? db.keys : db.expires).has(c.key)) return [db, c.key];
      }
    }
  }

  /** evictionPoolPopulate: scores `samples` random keys of `table` into the pool. */
  private populate(db: Database, table: KeyTable<unknown>, allkeys: boolean): void {
    const ks = this.ks;
    const pool = this.pool;
    for (let i = 0; i < this.samples; i++) {
      const [key, entry] = table.pick()!;
      let score: number;
      if (this.policy === 'volatile-ttl') {
        score = Number.MAX_SAFE_INTEGER - (entry as number);
      } else {
        const value = allkeys ? (entry as Value) : db.keys.get(key);
        if (value === undefined) continue;
        const word = db.accessWord(key, value);
        score = ks.lfu ? 255 - lfuCounter(word, ks.now, ks.lfuDecayTime) : idleMs(word, ks.lruClock);
      }
      if (pool.some((c) => c.db === db.id && c.key === key)) continue;
      let k = 0;
      while (k < pool.length && pool[k].score < score) k++;
      if (pool.length === POOL_SIZE) {
        // Full: a candidate worse than all is dropped, else the worst pooled one makes room.
        if (k === 0) continue;
        pool.shift();
        k--;
      }
      pool.splice(k, 0, { score, key, db: db.id });
    }
  }
}

/** evictionTimeLimitUs, in ms: 50 µs per step of tenacity up to 10, then 15% more per step, unlimited at 100. */
function timeBudgetMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * Math.pow(1.15, tenacity - 10)) / 1000;
  return Infinity;
}
