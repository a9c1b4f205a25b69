import type { ChainableCommander, Redis } from 'ioredis';
import type { BrookConnections } from '../brook-connections.js';
import { NO_REPLAY } from '../connection.js';
import type { BrookSerializer } from '../options.js';
import { DELAYED_MARKER, queueKeys, readyMarker, waitScore, type QueueKeys } from './queue-keys.js';
import { CONFLICT, Transactions } from '../transactions.js';

/** Events kept in the `events` stream: enough for waiters that read it within seconds. */
const EVENTS_KEPT = 10000;

/** What every part of one queue shares: its keys, the app's connections and serializer, a transaction pool. */
export class QueueContext {
  readonly keys: QueueKeys;
  readonly serializer: BrookSerializer;
  readonly commands: Redis;
  readonly transactions: Transactions;

  constructor(
    readonly name: string,
    readonly brook: BrookConnections,
  ) {
    this.keys = queueKeys(brook.prefix, name);
    this.serializer = brook.serializer;
    this.commands = brook.commands;
    this.transactions = new Transactions(() => brook.duplicate(`queue ${name} transactions`, NO_REPLAY));
  }

  /** Queues `id` in `wait` at its priority, after everything queued before (seq from nextSeq), and wakes one idle worker. */
  queueReady(multi: ChainableCommander, id: string, priority: number, seq: number): ChainableCommander {
    return multi.zadd(this.keys.wait, waitScore(priority, seq), id).zadd(this.keys.marker, 0, readyMarker(id));
  }

  /** Puts `id` in `delayed` until `due` (ms), and moves the delayed marker to `due` if that is earlier (one idle worker takes it and promotes then). */
  queueDelayed(multi: ChainableCommander, id: string, due: number): ChainableCommander {
    return multi.zadd(this.keys.delayed, due, id).zadd(this.keys.marker, 'LT', due, DELAYED_MARKER);
  }

  /** Sequence numbers for jobs about to enter `wait`, taken before the MULTI (a number lost to an aborted EXEC is only a gap). */
  async nextSeq(redis: Redis, count = 1): Promise<number> {
    return (await redis.incrby(this.keys.seq, count)) - count + 1;
  }

  /** Records a final outcome for waitUntilFinished in any process. */
  publishOutcome(multi: ChainableCommander, id: string, event: 'completed' | 'failed', detail: string | Buffer): ChainableCommander {
    return multi.xadd(this.keys.events, 'MAXLEN', '~', EVENTS_KEPT, '*', 'event', event, 'id', id, 'detail', detail);
  }

  deleteJob(multi: ChainableCommander, id: string): ChainableCommander {
    return multi.del(this.keys.job(id), this.keys.logs(id));
  }
}

/** EXEC's results, or CONFLICT when WATCH aborted it; a command that failed inside throws. */
export async function execOrConflict(multi: ChainableCommander): Promise<unknown[] | typeof CONFLICT> {
  const replies = await multi.exec();
  if (replies === null) return CONFLICT;
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
