import { lfuInit, lfuTouch, lruClock } from './access.js';
import { ChangeFeed } from './change-feed.js';
import { Database } from './database.js';
import type { KeyTable } from './key-table.js';
import type { Value } from './types/object.js';
import type { KeyEventSink } from './keyspace-events.js';

export interface KeyspaceStats {
  expiredKeys: number;
  /** Keys removed to stay under maxmemory (INFO evicted_keys). */
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** Estimated share (0..1) of expired keys not yet reclaimed (INFO expired_stale_perc is this × 100). */
  expiredStalePerc: number;
  /** Active expiry cycles that stopped on their time budget (INFO expired_time_cap_reached_count). */
  expiredTimeCapReachedCount: number;
  expireCycleTimeUsedMs: number;
}

/**
 * `signalled` is false for a change Redis makes without signalModifiedKey (consumer-group state):
 * it counts as a write and wakes blocked clients, but WATCH and client tracking ignore it.
 */
export type KeyListener = (db: number, key: string, signalled: boolean) => void;
/** What emptied a database: FLUSHDB, FLUSHALL (every database in turn), or SWAPDB (its contents replaced). */
export type FlushCause = 'flushdb' | 'flushall' | 'swapdb';
/** `emptied`: the key table the database held before (FLUSHDB/FLUSHALL), or now holds in the other database (SWAPDB). */
export type FlushListener = (db: number, emptied: KeyTable<Value>, cause: FlushCause) => void;

/**
 * A point-in-time snapshot in progress: `preserve` is called before `key` of `db` changes (or is
 * removed or overwritten) while `db.keys` has entries the snapshot has not visited; it records the
 * key's current value and TTL if the walk has not reached it yet (KeyTable.takeUnwalked).
 */
export interface KeyPreserver {
  preserve(db: Database, key: string): void;
  /** Completes the walk at once (a blocking SAVE needs the one walk the tables support). */
  finishNow(): void;
}

/** Redis's lfu-log-factor and lfu-decay-time defaults. */
const LFU_LOG_FACTOR = 10;
const LFU_DECAY_TIME = 1;

/**
 * The whole data set: the numbered databases, the change feed and the cross-cutting signals.
 * Knows nothing of sockets or RESP.
 */
export class Keyspace {
  readonly dbs: Database[];
  readonly feed = new ChangeFeed();
  /** Writes since the last save (Redis's server.dirty). */
  dirty = 0;
  /** The time commands see, in ms; refreshed before each batch of commands so one batch sees one clock. */
  now = Date.now();
  /** LRU_CLOCK() of `now`, stamped on values as they are accessed. */
  lruClock = lruClock(this.now);
  /** True under an LFU maxmemory-policy: access words are LFU counters instead of LRU clocks. */
  lfu = false;
  lfuLogFactor = LFU_LOG_FACTOR;
  lfuDecayTime = LFU_DECAY_TIME;
  /**
   * Since when the access words of primitive (non-object) string values are tracked, or null.
   * See Database.atimes: tracking starts with an LRU/LFU eviction policy or the first OBJECT
   * IDLETIME/FREQ that asks about such a value, and then stays on.
   */
  trackingSince: number | null = null;
  /**
   * True while memory is accounted (maxmemory set): each database keeps what its keys cost
   * (Database.bytes), for eviction to compare with the limit. Off, a write pays one test for it.
   */
  accounting = false;
  readonly stats: KeyspaceStats = newStats();
  /**
   * The event classes (NotifyClass bits) published as keyspace notifications: 0 unless
   * notify-keyspace-events names a class and K or E, so emitting costs one AND when they are off.
   */
  notifyClasses = 0;
  /** Where enabled keyspace events go (installed by the keyspace-events family). */
  eventSink: KeyEventSink = () => undefined;
  /** The running snapshot, told of each key about to change that it has not written yet (see Database). */
  snapshot: KeyPreserver | null = null;
  private keyListeners: KeyListener[] = [];
  private flushListeners: FlushListener[] = [];

  constructor(databases = 16) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Database(i, this));
  }

  /** Advances the clock commands see. */
  tick(): number {
    const now = Date.now();
    this.now = now;
    this.lruClock = lruClock(now);
    return now;
  }

  /** Subscribes to "key K in db D changed" (WATCH, blocked clients, keyspace events). */
  onKeyModified(listener: KeyListener): () => void {
    this.keyListeners.push(listener);
    return () => {
      this.keyListeners = this.keyListeners.filter((l) => l !== listener);
    };
  }

  onDbFlushed(listener: FlushListener): () => void {
    this.flushListeners.push(listener);
    return () => {
      this.flushListeners = this.flushListeners.filter((l) => l !== listener);
    };
  }

  /** Called by Database before `key` changes while its table is being walked. */
  preserveForSnapshot(db: Database, key: string): void {
    this.snapshot?.preserve(db, key);
  }

  keyModified(db: number, key: string, signalled = true): void {
    const ls = this.keyListeners;
    for (let i = 0; i < ls.length; i++) ls[i](db, key, signalled);
  }

  dbFlushed(db: number, emptied: KeyTable<Value>, cause: FlushCause): void {
    for (const l of this.flushListeners) l(db, emptied, cause);
  }

  /** FLUSHALL: empties every database; returns the number of keys removed. */
  flushAll(): number {
    let n = 0;
    for (const db of this.dbs) n += db.flush('flushall');
    return n;
  }

  /** SWAPDB: one write even when a === b, as in Redis. */
  swap(a: number, b: number): void {
    this.dirty++;
    if (a === b) return;
    this.dbs[a].swapWith(this.dbs[b]);
    this.dbFlushed(a, this.dbs[b].keys, 'swapdb');
    this.dbFlushed(b, this.dbs[a].keys, 'swapdb');
  }

  resetStats(): void {
    Object.assign(this.stats, newStats());
  }

  // ---- memory accounting (maxmemory) ----------------------------------------------------------

  /**
   * Turns accounting on or off. Turning it on charges every key once (Database.chargeAll), a pass
   * over the data set: at start-up before any key exists, or when CONFIG SET gives a limit.
   */
  setAccounting(on: boolean): void {
    if (on === this.accounting) return;
    this.accounting = on;
    if (on) for (const db of this.dbs) db.chargeAll();
  }

  /** What the data costs now, as accounted (0 while accounting is off). */
  dataBytes(): number {
    let n = 0;
    for (const db of this.dbs) n += db.accountedBytes();
    return n;
  }

  // ---- access words (OBJECT IDLETIME/FREQ, eviction) -------------------------------------------

  /**
   * Follows maxmemory-policy: LFU policies switch access words to LFU counters (existing words are
   * reinterpreted, as in Redis: "LRU and LFU data will take some time to adjust"), and any LRU or
   * LFU eviction policy needs the access times of every value, so it starts tracking primitives.
   */
  setAccessPolicy(policy: string): void {
    this.lfu = policy.endsWith('-lfu');
    if (this.lfu || policy.endsWith('-lru')) this.trackPrimitiveAccess();
  }

  /** Starts keeping access words for primitive string values too (idempotent). */
  trackPrimitiveAccess(): void {
    if (this.trackingSince !== null) return;
    this.trackingSince = this.now;
    for (const db of this.dbs) db.startAccessTracking();
  }

  /** The access word a value gets when it is created now. */
  newAccessWord(): number {
    return this.lfu ? lfuInit(this.now) : this.lruClock;
  }

  /** The access word after an access now. */
  touchedWord(word: number): number {
    return this.lfu ? lfuTouch(word, this.now, this.lfuLogFactor, this.lfuDecayTime) : this.lruClock;
  }

  /**
   * The word of a primitive value not accessed since tracking began: all that is known is that its
   * last access was no later than that, so it reads as accessed then (idle time is a lower bound,
   * never overstated: tools that delete "cold" keys by idle time stay on the safe side).
   */
  untrackedWord(): number {
    const since = this.trackingSince ?? this.now;
    return this.lfu ? lfuInit(since) : lruClock(since);
  }
}

function newStats(): KeyspaceStats {
  return {
    expiredKeys: 0,
    evictedKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredStalePerc: 0,
    expiredTimeCapReachedCount: 0,
    expireCycleTimeUsedMs: 0,
  };
}
