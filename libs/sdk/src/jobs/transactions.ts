import type { Redis } from 'ioredis';
import { closeRedis } from '../connection.js';

/** Returned by a transaction body whose EXEC was aborted by WATCH: the body runs again. */
export const CONFLICT = Symbol('CONFLICT');

export type TransactionBody<T> = (redis: Redis) => Promise<T | typeof CONFLICT>;

/**
 * Runs read-modify-write transactions (WATCH, reads, MULTI … EXEC). WATCH belongs to a
 * connection, so two transactions interleaved on one connection would watch each other's keys
 * and one EXEC would drop the other's watches: each body gets a connection of its own from a
 * small pool, and runs again when its EXEC is aborted by a concurrent change.
 */
export class Transactions {
  private readonly idle: Redis[] = [];
  private readonly waiters: ((redis: Redis) => void)[] = [];
  private readonly all: Redis[] = [];

  constructor(
    private readonly open: () => Redis,
    private readonly size = 4,
  ) {}

  async run<T>(body: TransactionBody<T>): Promise<T> {
    const redis = await this.acquire();
    try {
      for (;;) {
        try {
          const result = await body(redis);
          if (result !== CONFLICT) return result;
        } finally {
          // A body that returned or threw between WATCH and EXEC must not leave its watches behind.
          // Not awaited: it reaches the server before the next body's commands on this connection,
          // and if it fails the connection is gone, which that next body sees.
          redis.unwatch().catch(() => undefined);
        }
      }
    } finally {
      this.release(redis);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.splice(0).map((r) => closeRedis(r)));
    this.idle.length = 0;
  }

  private acquire(): Promise<Redis> {
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.all.length < this.size) {
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
