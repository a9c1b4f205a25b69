import { heapPrimitive, heapString } from './footprint.js';
import { KeyTable } from './key-table.js';
import type { Keyspace } from './keyspace.js';
import { Ev, NotifyClass, type KeyEvent } from './keyspace-events.js';
import type { Value } from './types/object.js';

/** A database's tables (Database.tables). */
export interface DbTables {
  readonly keys: KeyTable<Value>;
  readonly expires: KeyTable<number>;
  readonly hugeExpires: ReadonlyMap<string, bigint> | null;
}

/**
 * One numbered database: the key table plus a second table of absolute expiry times (ms), as in
 * Redis. Every mutation goes through `modified`, the single door for WATCH, blocked-client wake-ups,
 * keyspace events and the dirty counter.
 *
 * Lookups come in the flavours of Redis's lookupKey flags: `get` (a write or an inspection that
 * counts as an access), `read` (also counts keyspace hits/misses), `probe` (hits/misses but no
 * access: LOOKUP_NOTOUCH) and `peek` (neither). All of them expire a key whose time has passed.
 *
 * Keyspace events leave from here too: a write names its event where it signals the change
 * (`set(..., Ev.set)`, `modified(key, Ev.lpush)`), and `new`, `del`, `expired`, `keymiss` and the
 * TTL events come from the methods that do those things, in the order Redis emits them.
 *
 * A running snapshot (BGSAVE) walks the key table while writes continue. Every path to a change
 * passes a pre-mutation check here first: `peek` (under every lookup, and commands look a value up
 * before editing it in place), `set`/`put` (overwrites), `remove` (DEL, expiry, RENAME/MOVE) and the
 * TTL writers. While the table has entries the walk has not reached, the key is handed to the
 * snapshot (Keyspace.preserveForSnapshot), which writes its current value first. FLUSHDB/FLUSHALL
 * and SWAPDB replace or exchange whole tables, and the walk keeps the tables it started on.
 */
export class Database {
  keys = new KeyTable<Value>();
  expires = new KeyTable<number>();
  /**
   * Access words (LRU clock or LFU counter) of keys holding primitive string values, which have
   * no field to keep one. Object values keep theirs in RedisObject.lru. Null until tracking starts
   * (Keyspace.trackPrimitiveAccess): costing a Map entry per key and a Map write per access, it is
   * only paid for once an LRU/LFU eviction policy or OBJECT IDLETIME/FREQ needs it.
   */
  atimes: KeyTable<number> | null = null;
  /**
   * Exact expiry times beyond 2^53 ms (PEXPIREAT 9223372036854775807 and the like): `expires`
   * holds them rounded, which is exact enough to decide expiry; TTL replies and persistence read
   * the exact value (getExpireExact). Null while there are none, which is always in practice.
   */
  private hugeExpires: Map<string, bigint> | null = null;
  /**
   * While the keyspace accounts memory (Keyspace.accounting, on while maxmemory is set): what this
   * database's keys and values cost on the heap, each key charged its name, its table entry and its
   * value's footprint (footprint.ts) when stored and recharged after each write to it, so the
   * figure follows the data without measuring the heap (whose garbage counts until a GC).
   */
  bytes = 0;

  constructor(
    readonly id: number,
    private readonly ks: Keyspace,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** Looks a key up for writing or inspection: lazy expiry and an access, no hit/miss stats. */
  get(key: string): Value | undefined {
    const v = this.peek(key);
    if (v === undefined) return undefined;
    if (typeof v === 'object') v.lru = this.ks.lfu ? this.ks.touchedWord(v.lru) : this.ks.lruClock;
    else if (this.atimes !== null) this.touchPrimitive(key);
    return v;
  }

  /** Looks a key up on behalf of a read command: also counts keyspace hits and misses. */
  read(key: string): Value | undefined {
    const v = this.get(key);
    if (v === undefined) this.miss(key);
    else this.ks.stats.keyspaceHits++;
    return v;
  }

  /**
   * A lookup that is not an access (EXISTS, TYPE, TTL, OBJECT): lazy expiry and hit/miss stats;
   * a miss is a keymiss event unless `missEvent` is false (OBJECT: LOOKUP_NONOTIFY).
   */
  probe(key: string, missEvent = true): Value | undefined {
    const v = this.peek(key);
    if (v === undefined) this.miss(key, missEvent);
    else this.ks.stats.keyspaceHits++;
    return v;
  }

  /** Lazy expiry only: no access, no stats (KEYS, SCAN, RANDOMKEY, internal checks). */
  peek(key: string): Value | undefined {
    const v = this.keys.get(key);
    if (v === undefined) return undefined;
    // Every write finds its value through here before changing it in place (LPUSH, HSET, XACK...).
    if (this.keys.walking) this.ks.preserveForSnapshot(this, key);
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return v;
  }

  exists(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /** True when the key's TTL has passed; it stays until reclaimed (Redis's keyIsExpired, for KEYS). */
  isExpired(key: string): boolean {
    if (this.expires.size === 0) return false;
    const at = this.expires.get(key);
    return at !== undefined && at <= this.ks.now;
  }

  /** Stores a value and drops any TTL (SET semantics) unless keepTtl; `ev` is the write's event. */
  set(key: string, value: Value, keepTtl = false, ev?: KeyEvent): void {
    const added = this.adding(key);
    if (this.keys.walking) this.ks.preserveForSnapshot(this, key);
    this.stampNew(key, value, true);
    if (this.ks.accounting) this.recharge(key, value);
    this.keys.set(key, value);
    if (!keepTtl && this.expires.size !== 0) this.dropExpire(key);
    if (added) this.notify(Ev.new, key);
    this.modified(key, ev);
  }

  /**
   * Stores a new value with exactly this expiry time (undefined: none), replacing any key as a
   * delete then add would (COPY, RESTORE): the value starts a fresh access history.
   */
  put(key: string, value: Value, expireAt: number | bigint | undefined, ev: KeyEvent): void {
    if (this.keys.walking) this.ks.preserveForSnapshot(this, key);
    this.stampNew(key, value, false);
    if (this.ks.accounting) this.recharge(key, value);
    this.keys.set(key, value);
    if (expireAt !== undefined) this.storeExpire(key, expireAt);
    else if (this.expires.size !== 0) this.dropExpire(key);
    this.notify(Ev.new, key);
    this.modified(key, ev);
  }

  /** Sizes the tables for a snapshot's RESIZEDB hint before its keys are loaded into this (empty) database. */
  reserve(keys: number, expires: number): void {
    this.keys.reserve(keys);
    this.expires.reserve(expires);
  }

  /** Adds a key read from a snapshot file (start-up, DEBUG RELOAD): no events, no dirty count, as Redis's dbAddRDBLoad. */
  loadKey(key: string, value: Value, expireAt: number | bigint | undefined): void {
    this.stampNew(key, value, false);
    if (this.ks.accounting) this.recharge(key, value);
    this.keys.set(key, value);
    if (expireAt !== undefined) this.storeExpire(key, expireAt);
  }

  /**
   * Moves a live key, with its TTL and access word, to `toKey` in `to` (this database for
   * RENAME, another for MOVE), replacing what was there. One write; both keys are signalled.
   * Events as Redis's delete-then-add: `new` for the target, then `fromEv` and `toEv`.
   */
  moveKey(key: string, to: Database, toKey: string, fromEv: KeyEvent, toEv: KeyEvent): void {
    const v = this.keys.get(key)!;
    const at = this.getExpireExact(key);
    const atime = this.atimes?.get(key);
    this.remove(key);
    if (to.keys.walking) this.ks.preserveForSnapshot(to, toKey);
    if (this.ks.accounting) to.recharge(toKey, v);
    to.keys.set(toKey, v);
    if (at !== undefined) to.storeExpire(toKey, at);
    else if (to.expires.size !== 0) to.dropExpire(toKey);
    if (to.atimes !== null) {
      if (atime !== undefined) to.atimes.set(toKey, atime);
      else to.atimes.delete(toKey);
    }
    to.notify(Ev.new, toKey);
    this.ks.keyModified(this.id, key);
    this.notify(fromEv, key);
    to.modified(toKey, toEv);
  }

  /**
   * Removes a key; true when it existed (expired keys count as absent). Emits `del`, after
   * `cause` when the key goes because a command emptied it (LPOP of the last element: lpop, del).
   */
  delete(key: string, cause?: KeyEvent): boolean {
    if (this.peek(key) === undefined) return false;
    this.remove(key);
    if (cause !== undefined) this.notify(cause, key);
    this.modified(key, Ev.del);
    return true;
  }

  /** Absolute expiry time in ms, or undefined when the key is persistent. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /** The exact expiry time: a bigint only beyond 2^53 ms (see hugeExpires). */
  getExpireExact(key: string): number | bigint | undefined {
    const at = this.getExpire(key);
    if (at === undefined || this.hugeExpires === null) return at;
    return this.hugeExpires.get(key) ?? at;
  }

  setExpire(key: string, atMs: number | bigint): void {
    this.storeExpire(key, atMs);
    this.modified(key, Ev.expire);
  }

  /** Removes a TTL; true when there was one. */
  persist(key: string): boolean {
    if (this.expires.size === 0 || !this.expires.has(key)) return false;
    this.dropExpire(key);
    this.modified(key, Ev.persist);
    return true;
  }

  private storeExpire(key: string, atMs: number | bigint): void {
    if (this.keys.walking) this.ks.preserveForSnapshot(this, key);
    const rounded = Number(atMs);
    this.expires.set(key, rounded);
    if (typeof atMs === 'bigint' && !Number.isSafeInteger(rounded)) (this.hugeExpires ??= new Map()).set(key, atMs);
    else if (this.hugeExpires !== null) this.hugeExpires.delete(key);
  }

  private dropExpire(key: string): void {
    if (this.keys.walking) this.ks.preserveForSnapshot(this, key);
    this.expires.delete(key);
    if (this.hugeExpires !== null) this.hugeExpires.delete(key);
  }

  /** Signals that `key` changed: WATCH, waiters, the dirty counter and the write's event. Call once per change. */
  modified(key: string, ev?: KeyEvent): void {
    this.ks.dirty++;
    if (this.ks.accounting) this.refreshCost(key);
    this.ks.keyModified(this.id, key);
    if (ev !== undefined && (this.ks.notifyClasses & ev.cls) !== 0) this.ks.eventSink(this.id, ev, key);
  }

  /**
   * Emits an event that signals no change of its own: a second event of one write (SET EX: set,
   * then expire), or one of a write that changed nothing Redis still reports (XGROUP SETID...).
   */
  notify(ev: KeyEvent, key: string): void {
    if ((this.ks.notifyClasses & ev.cls) !== 0) this.ks.eventSink(this.id, ev, key);
  }

  /** True when a write is about to add `key` and `new` events are on (Redis's dbAdd emits it). */
  private adding(key: string): boolean {
    return (this.ks.notifyClasses & NotifyClass.new) !== 0 && this.peek(key) === undefined;
  }

  private miss(key: string, event = true): void {
    this.ks.stats.keyspaceMisses++;
    if (event) this.notify(Ev.keymiss, key);
  }

  /**
   * A consumer-group change (XREADGROUP, XACK, XCLAIM, XGROUP SETID...): a write that wakes blocked
   * clients, but Redis does not signal it as a key modification, so WATCH and tracking ignore it.
   */
  modifiedGroups(key: string, ev?: KeyEvent): void {
    this.ks.dirty++;
    if (this.ks.accounting) this.refreshCost(key);
    this.ks.keyModified(this.id, key, false);
    if (ev !== undefined) this.notify(ev, key);
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
    this.notify(Ev.expired, key);
    this.ks.keyModified(this.id, key);
    if (this.ks.feed.active) this.ks.feed.emit(this.id, ['DEL', key]);
  }

  /**
   * Removes a key to bring memory under maxmemory (Eviction), telling everyone as Redis's
   * performEvictions does: the stats, WATCH, the `evicted` event, and the feed (as DEL).
   */
  evictKey(key: string): void {
    this.remove(key);
    this.ks.stats.evictedKeys++;
    this.ks.keyModified(this.id, key);
    this.notify(Ev.evicted, key);
    if (this.ks.feed.active) this.ks.feed.emit(this.id, ['DEL', key]);
  }

  /** Removes without signalling (callers signal). */
  private remove(key: string): void {
    if (this.keys.walking) this.ks.preserveForSnapshot(this, key);
    if (this.ks.accounting) {
      const old = this.keys.get(key);
      if (old !== undefined) this.bytes -= keyCost(key, old);
    }
    this.keys.delete(key);
    if (this.expires.size !== 0) this.dropExpire(key);
    if (this.atimes !== null) this.atimes.delete(key);
  }

  /** Empties the database; returns how many keys it held. */
  flush(cause: 'flushdb' | 'flushall' = 'flushdb'): number {
    const n = this.keys.size;
    const emptied = this.keys;
    this.keys = new KeyTable();
    this.expires = new KeyTable();
    this.hugeExpires = null;
    this.bytes = 0;
    if (this.atimes !== null) this.atimes = new KeyTable();
    if (n > 0) this.ks.dirty += n;
    this.ks.dbFlushed(this.id, emptied, cause);
    return n;
  }

  /** Moves the incremental resizes of this database's tables along for up to `ms`. */
  rehashFor(ms: number): void {
    const deadline = performance.now() + ms;
    for (const t of [this.keys, this.expires, this.atimes]) {
      const left = deadline - performance.now();
      if (t !== null && left > 0) t.rehashFor(left);
    }
  }

  /** The tables behind this database now: a snapshot walks them even after FLUSHDB or SWAPDB replaces them here. */
  tables(): DbTables {
    return { keys: this.keys, expires: this.expires, hugeExpires: this.hugeExpires };
  }

  /** Exchanges contents with another database (SWAPDB); clients keep their db numbers. */
  swapWith(other: Database): void {
    const k = this.keys;
    const e = this.expires;
    const a = this.atimes;
    const h = this.hugeExpires;
    const b = this.bytes;
    this.bytes = other.bytes;
    other.bytes = b;
    this.keys = other.keys;
    this.expires = other.expires;
    this.atimes = other.atimes;
    this.hugeExpires = other.hugeExpires;
    other.keys = k;
    other.expires = e;
    other.atimes = a;
    other.hugeExpires = h;
  }

  // ---- access words ---------------------------------------------------------------------------

  /** The access word of a live key's value (OBJECT IDLETIME/FREQ, eviction sampling). */
  accessWord(key: string, v: Value): number {
    if (typeof v === 'object') return v.lru;
    this.ks.trackPrimitiveAccess();
    return this.atimes!.get(key) ?? this.ks.untrackedWord();
  }

  /** Sets a live key's access word (RESTORE IDLETIME/FREQ, a loaded RDB's IDLE/FREQ). */
  setAccessWord(key: string, v: Value, word: number): void {
    if (typeof v === 'object') v.lru = word;
    else {
      this.ks.trackPrimitiveAccess();
      this.atimes!.set(key, word);
    }
  }

  /** Called by Keyspace.trackPrimitiveAccess. */
  startAccessTracking(): void {
    this.atimes ??= new KeyTable();
  }

  /**
   * A value entering the table gets a fresh access word (createObject's lru), except that under
   * LFU an overwrite (`inherit`) passes the old value's touched counter on, as dbOverwrite does.
   */
  private stampNew(key: string, value: Value, inherit: boolean): void {
    const ks = this.ks;
    if (ks.lfu) {
      const old = inherit ? this.keys.get(key) : undefined;
      const word = old === undefined ? ks.newAccessWord() : ks.touchedWord(this.accessWord(key, old));
      if (typeof value === 'object') value.lru = word;
      else if (this.atimes !== null) this.atimes.set(key, word);
    } else if (typeof value === 'object') value.lru = ks.lruClock;
    else if (this.atimes !== null) this.atimes.set(key, ks.lruClock);
  }

  private touchPrimitive(key: string): void {
    const ks = this.ks;
    const atimes = this.atimes!;
    atimes.set(key, ks.lfu ? ks.touchedWord(atimes.get(key) ?? ks.untrackedWord()) : ks.lruClock);
  }

  // ---- memory accounting (Keyspace.accounting) -----------------------------------------------

  /** Charges every key afresh (accounting starts: maxmemory set); one pass over the keys. */
  chargeAll(): void {
    let bytes = 0;
    this.keys.forEach((key, v) => {
      if (typeof v === 'object') v.cost = v.footprint(FOOTPRINT_SAMPLES);
      bytes += keyCost(key, v);
    });
    this.bytes = bytes;
  }

  /** Bytes accounted to this database: its keys and values, plus one table entry per TTL and per tracked access word. */
  accountedBytes(): number {
    return this.bytes + KeyTable.ENTRY_BYTES * (this.expires.size + (this.atimes === null ? 0 : this.atimes.size));
  }

  /** `value` is about to be stored under `key`: uncharges what the key held, charges the value. */
  private recharge(key: string, value: Value): void {
    const old = this.keys.get(key);
    if (old !== undefined) this.bytes -= keyCost(key, old);
    if (typeof value === 'object') value.cost = value.footprint(FOOTPRINT_SAMPLES);
    this.bytes += keyCost(key, value);
  }

  /** After a write: a value changed in place (LPUSH, HSET, XADD...) is charged its new footprint. */
  private refreshCost(key: string): void {
    const v = this.keys.get(key);
    if (v === undefined || typeof v !== 'object') return;
    const cost = v.footprint(FOOTPRINT_SAMPLES);
    this.bytes += cost - v.cost;
    v.cost = cost;
  }
}

/** Elements sampled per collection when it is charged (MEMORY USAGE's default, OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
const FOOTPRINT_SAMPLES = 5;

/** What a key costs: its name, its table entry and its value (an object's last charged footprint). */
function keyCost(key: string, v: Value): number {
  return heapString(key.length) + KeyTable.ENTRY_BYTES + (typeof v === 'object' ? v.cost : heapPrimitive(v));
}
