import { Logger } from '@nestjs/common';
import { Err, type Command, type KeyWaiter } from '@brook/commands';
import { setLongTimeout, type Keyspace, type LongTimeout } from '@brook/storage';
import type { Client } from './client.js';

/** One client blocked on keys: where, on what, and how its command finishes. */
interface Wait {
  readonly client: Client;
  readonly db: number;
  readonly keys: readonly string[];
  readonly waiter: KeyWaiter;
  timer: LongTimeout | null;
  /** The command that blocked and how long its first run took (set by the dispatcher once it returns). */
  call: BlockedCall | null;
}

/** What Redis keeps of a blocked command to account for it when it is served (c->lastcmd, c->duration). */
export interface BlockedCall {
  readonly cmd: Command;
  readonly argv: readonly string[];
  readonly usec: number;
}

/**
 * Accounts for a blocked command that ended: served (`replyUs`: the time its reply took) or ended
 * by CLIENT UNBLOCK (`replyUs` null); `failed`: its reply was an error.
 */
export type OnUnblocked = (c: Client, call: BlockedCall, replyUs: number | null, failed: boolean) => void;

/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK... and @Command modules), as
 * Redis's blocked.c: per database and key the waits in the order they blocked; a write to a key
 * somebody waits on marks it ready, and the post-command phase serves the ready keys, each key's
 * waiters first come first served, every one re-checking the key (an earlier one may have taken
 * what it waited for). Writes to keys nobody waits on cost one map lookup, and only while some
 * client is blocked.
 */
export class BlockedClients {
  private readonly logger = new Logger('brook');
  /** Per database: key → waits, oldest first. */
  private readonly byKey: Map<string, Wait[]>[];
  private readonly byClient = new Map<Client, Wait>();
  /** Keys written since the last serving, per database, each once. */
  private ready: Set<string>[];
  private scheduled = false;
  private timedWaits = 0;

  /**
   * `schedule` runs the serving after the current outermost command (BrookServer.afterCommand);
   * `onUnblocked` accounts for a command served after it blocked or ended by CLIENT UNBLOCK (not
   * one that timed out).
   */
  constructor(
    ks: Keyspace,
    private readonly schedule: (work: () => void) => void,
    private readonly onUnblocked: OnUnblocked,
  ) {
    this.byKey = ks.dbs.map(() => new Map<string, Wait[]>());
    this.ready = ks.dbs.map(() => new Set());
    ks.onKeyModified((db, key) => {
      if (this.byClient.size !== 0 && this.byKey[db].has(key)) this.markReady(db, key);
    });
    // FLUSHDB, FLUSHALL, SWAPDB: any waited key of that database may have changed (Redis's scanDatabaseForReadyKeys).
    ks.onDbFlushed((db) => {
      for (const key of this.byKey[db].keys()) this.markReady(db, key);
    });
  }

  get size(): number {
    return this.byClient.size;
  }

  /** Waits with a timeout (INFO clients_in_timeout_table: Redis keeps only those in its timeout table). */
  get timed(): number {
    return this.timedWaits;
  }

  /** Blocks `c` on `keys` of its database; later commands of `c` wait behind it. */
  block(c: Client, keys: readonly string[], timeoutMs: number, waiter: KeyWaiter): void {
    const wait: Wait = { client: c, db: c.db.id, keys: [...new Set(keys)], waiter, timer: null, call: null };
    const waiting = this.byKey[wait.db];
    for (const key of wait.keys) {
      const list = waiting.get(key);
      if (list === undefined) waiting.set(key, [wait]);
      else list.push(wait);
    }
    this.byClient.set(c, wait);
    if (timeoutMs > 0) {
      this.timedWaits++;
      wait.timer = setLongTimeout(() => {
        wait.waiter.timeout(c);
        this.finish(wait);
      }, timeoutMs);
    }
    c.blocked = true;
    c.hold();
  }

  /** The dispatcher's note of the command that just blocked `c`, for its accounting when served. */
  noteCall(c: Client, call: BlockedCall): void {
    const wait = this.byClient.get(c);
    if (wait !== undefined) wait.call = call;
  }

  /** CLIENT UNBLOCK: the timeout reply or the UNBLOCKED error; false when `c` waits on no key. */
  unblock(c: Client, error: boolean): boolean {
    const wait = this.byClient.get(c);
    if (wait === undefined) return false;
    if (error) c.w.error(Err.unblocked);
    else wait.waiter.timeout(c);
    this.finish(wait);
    if (wait.call !== null) this.onUnblocked(c, wait.call, null, error);
    return true;
  }

  /** A closing client stops waiting, without a reply. */
  remove(c: Client): void {
    const wait = this.byClient.get(c);
    if (wait !== undefined) this.finish(wait);
  }

  private markReady(db: number, key: string): void {
    this.ready[db].add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.serveReady);
  }

  /**
   * Serves the keys that became ready. Serving can write keys (BLMOVE pushes to another list),
   * which schedules another round: the post-command phase runs until nothing is ready.
   */
  private readonly serveReady = (): void => {
    this.scheduled = false;
    const ready = this.ready;
    this.ready = ready.map(() => new Set());
    for (let db = 0; db < ready.length; db++) for (const key of ready[db]) this.serveKey(db, key);
  };

  /** Offers the key to the clients waiting on it when it became ready, in the order they blocked. */
  private serveKey(db: number, key: string): void {
    const list = this.byKey[db].get(key);
    if (list === undefined) return;
    for (const wait of list.slice()) {
      if (this.byClient.get(wait.client) !== wait) continue;
      let served: boolean;
      const errors = wait.client.w.errors;
      const start = performance.now();
      try {
        served = wait.waiter.serve(wait.client, key);
      } catch (e) {
        this.logger.error(`serving a blocked client failed: ${(e as Error).stack ?? String(e)}`);
        wait.client.w.error(`ERR internal error serving a blocked client: ${(e as Error).message.replace(/[\r\n]/g, ' ')}`);
        served = true;
      }
      if (!served) continue;
      const replyUs = (performance.now() - start) * 1000;
      this.finish(wait);
      if (wait.call !== null) this.onUnblocked(wait.client, wait.call, replyUs, wait.client.w.errors !== errors);
    }
  }

  /** Ends a wait: off every key, timer cleared, the reply sent, held commands resumed. */
  private finish(wait: Wait): void {
    this.byClient.delete(wait.client);
    if (wait.timer !== null) {
      wait.timer.clear();
      this.timedWaits--;
    }
    const waiting = this.byKey[wait.db];
    for (const key of wait.keys) {
      const list = waiting.get(key)!;
      list.splice(list.indexOf(wait), 1);
      if (list.length === 0) waiting.delete(key);
    }
    wait.client.blocked = false;
    wait.client.release();
  }
}
