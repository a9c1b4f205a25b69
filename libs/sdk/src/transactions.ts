import type { Redis } from 'ioredis';
import { closeRedis, isConnectionLoss } from './connection.js';

/** Returned by a transaction body whose EXEC was aborted by WATCH: the body runs again. */
export const CONFLICT = Symbol('CONFLICT');

/**
 * `afterLoss`: an earlier run of this body lost its connection before EXEC's reply, so its writes
 * may have landed; the body reads the server's state anew anyway, and bodies that write under
 * names they chose themselves (generated ids, claim tokens) use it to look for those writes.
 */
export type TransactionBody<T> = (redis: Redis, afterLoss: boolean) => Promise<T | typeof CONFLICT>;

/** Runs of one transaction cut short by a lost connection before it gives up: about 30 s of reconnecting, ioredis's own budget per command. */
const MAX_CONNECTION_LOSSES = 20;

/**
 * Runs read-modify-write transactions (WATCH, reads, MULTI … EXEC). WATCH belongs to a
 * connection, so two transactions interleaved on one connection would watch each other's keys
 * and one EXEC would drop the other's watches: each body gets a connection of its own from a
 * small pool, and runs again when its EXEC is aborted by a concurrent change.
 *
 * The pool's connections never replay a command (NO_REPLAY, from `open`): when one drops mid-body
 * (the server restarted), the body fails with the drop and runs again from its start once the
 * connection is back, deciding on what the server holds then, its own earlier write included if
 * that EXEC committed. A replayed MULTI block would instead run blind, without its WATCH.
 */
export class Transactions {
  private readonly idle: Redis[] = [];
  private readonly waiters: ((redis: Redis) => void)[] = [];
  private readonly all: Redis[] = [];
  /** The connection of runUnwatched's first runs. */
  private shared: Redis | undefined;
  /**
   * Set by close(): a step still running then (a stall check the worker's stop did not wait for)
   * must not open a connection nobody closes, which would reconnect forever after the app is gone.
   */
  private closed = false;

  constructor(
    private readonly open: () => Redis,
    private readonly size = 4,
  ) {}

  run<T>(body: TransactionBody<T>): Promise<T> {
    return this.inPool(body, 0);
  }

  /**
   * Like run, for a body that WATCHes nothing unless `afterLoss` (a MULTI whose EXEC cannot be
   * aborted): its first run is on one connection all such bodies share, pipelined, without
   * waiting for a pool slot; runs after a lost connection go to the pool.
   */
  async runUnwatched<T>(body: TransactionBody<T>): Promise<T> {
    if (this.closed) throw closedError();
    if (!this.shared) {
      this.shared = this.open();
      this.all.push(this.shared);
    }
    try {
      const result = await body(this.shared, false);
      if (result !== CONFLICT) return result;
      return await this.inPool(body, 0);
    } catch (e) {
      if (!this.mayRetry(e, this.shared, 0)) throw e;
      return this.inPool(body, 1);
    }
  }

  private async inPool<T>(body: TransactionBody<T>, lossesBefore: number): Promise<T> {
    const redis = await this.acquire();
    try {
      for (let losses = lossesBefore; ; losses++) {
        try {
          return await this.untilCommitted(redis, body, losses > 0);
        } catch (e) {
          if (!this.mayRetry(e, redis, losses)) throw e;
        }
      }
    } finally {
      this.release(redis);
    }
  }

  /** A run that failed with its connection runs again, within the budget; status 'end' means the app closed it: nothing brings it back. */
  private mayRetry(error: unknown, redis: Redis, losses: number): boolean {
    return isConnectionLoss(error) && losses < MAX_CONNECTION_LOSSES && redis.status !== 'end';
  }

  private async untilCommitted<T>(redis: Redis, body: TransactionBody<T>, afterLoss: boolean): Promise<T> {
    for (;;) {
      try {
        const result = await body(redis, afterLoss);
        if (result !== CONFLICT) return result;
      } finally {
        // A body that returned or threw between WATCH and EXEC must not leave its watches behind.
        // Not awaited: it reaches the server before the next body's commands on this connection,
        // and if it fails the connection is gone, which that next body sees.
        redis.unwatch().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.all.splice(0).map((r) => closeRedis(r)));
    this.idle.length = 0;
    this.shared = undefined;
  }

  private acquire(): Promise<Redis> {
    if (this.closed) return Promise.reject(closedError());
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    // The pool's own connections: runUnwatched's shared one is not a slot.
    if (this.all.length - (this.shared ? 1 : 0) < this.size) {
      const redis = this.open();
      this.all.push(redis);
      return Promise.resolve(redis);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(redis: Redis): void {
    const next = this.waiters.shift();
    if (next) next(redis);
    else this.idle.push(redis);
  }
}

function closedError(): Error {
  return new Error('closed: the app is shutting down');
}
