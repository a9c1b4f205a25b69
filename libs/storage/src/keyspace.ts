import { ChangeFeed } from './change-feed.js';
import { Database } from './database.js';

export interface KeyspaceStats {
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredStalePerc: number;
  expireCycleTimeUsedMs: number;
}

export type KeyListener = (db: number, key: string) => void;
export type FlushListener = (db: number) => void;

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
  readonly stats: KeyspaceStats = newStats();
  private keyListeners: KeyListener[] = [];
  private flushListeners: FlushListener[] = [];

  constructor(databases = 16) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Database(i, this));
  }

  /** Advances the clock commands see. */
  tick(): number {
    return (this.now = Date.now());
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

  keyModified(db: number, key: string): void {
    const ls = this.keyListeners;
    for (let i = 0; i < ls.length; i++) ls[i](db, key);
  }

  dbFlushed(db: number): void {
    for (const l of this.flushListeners) l(db);
  }

  /** FLUSHALL: empties every database; returns the number of keys removed. */
  flushAll(): number {
    let n = 0;
    for (const db of this.dbs) n += db.flush();
    return n;
  }

  swap(a: number, b: number): void {
    if (a === b) return;
    this.dbs[a].swapWith(this.dbs[b]);
    this.dbFlushed(a);
    this.dbFlushed(b);
  }

  resetStats(): void {
    Object.assign(this.stats, newStats());
  }
}

function newStats(): KeyspaceStats {
  return { expiredKeys: 0, keyspaceHits: 0, keyspaceMisses: 0, expiredStalePerc: 0, expireCycleTimeUsedMs: 0 };
}
