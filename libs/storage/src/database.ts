import { KeyTable } from './key-table.js';
import type { Keyspace } from './keyspace.js';
import type { Value } from './types/object.js';

/**
 * One numbered database: the key table plus a second table of absolute expiry times (ms), as in
 * Redis. Every mutation goes through `modified`, the single door for WATCH, blocked-client wake-ups,
 * keyspace events and the dirty counter.
 */
export class Database {
  keys = new KeyTable<Value>();
  expires = new KeyTable<number>();

  constructor(
    readonly id: number,
    private readonly ks: Keyspace,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** Looks a key up for writing or inspection: lazy expiry, no hit/miss stats. */
  get(key: string): Value | undefined {
    const v = this.keys.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return v;
  }

  /** Looks a key up on behalf of a read command: also counts keyspace hits and misses. */
  read(key: string): Value | undefined {
    const v = this.get(key);
    if (v === undefined) this.ks.stats.keyspaceMisses++;
    else this.ks.stats.keyspaceHits++;
    return v;
  }

  exists(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Stores a value and drops any TTL (SET semantics) unless keepTtl. */
  set(key: string, value: Value, keepTtl = false): void {
    this.keys.set(key, value);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    this.modified(key);
  }

  /** Removes a key; true when it existed (expired keys count as absent). */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false;
    this.remove(key);
    this.modified(key);
    return true;
  }

  /** Absolute expiry time in ms, or undefined when the key is persistent. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, atMs: number): void {
    this.expires.set(key, atMs);
    this.modified(key);
  }

  /** Removes a TTL; true when there was one. */
  persist(key: string): boolean {
    if (this.expires.size === 0 || !this.expires.delete(key)) return false;
    this.modified(key);
    return true;
  }

  /** Signals that `key` changed: WATCH, waiters and the dirty counter. Call once per change. */
  modified(key: string): void {
    this.ks.dirty++;
    this.ks.keyModified(this.id, key);
  }

  /**
   * Deletes the key when its TTL has passed, emitting the DEL into the change feed.
   * Returns true when the key was expired (and is now gone).
   */
  expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > this.ks.now) return false;
    this.expireKey(key);
    return true;
  }

  /** Removes an expired key and tells everyone: the stats, WATCH, and the feed (as DEL). */
  expireKey(key: string): void {
    this.remove(key);
    this.ks.stats.expiredKeys++;
    this.ks.keyModified(this.id, key);
    if (this.ks.feed.active) this.ks.feed.emit(this.id, ['DEL', key]);
  }

  /** Removes without signalling (callers signal). */
  private remove(key: string): void {
    this.keys.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
  }

  /** Empties the database; returns how many keys it held. */
  flush(): number {
    const n = this.keys.size;
    this.keys = new KeyTable();
    this.expires = new KeyTable();
    if (n > 0) this.ks.dirty += n;
    this.ks.dbFlushed(this.id);
    return n;
  }

  /** Exchanges contents with another database (SWAPDB); clients keep their db numbers. */
  swapWith(other: Database): void {
    const k = this.keys;
    const e = this.expires;
    this.keys = other.keys;
    this.expires = other.expires;
    other.keys = k;
    other.expires = e;
  }
}
