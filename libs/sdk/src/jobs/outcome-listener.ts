import type { Redis } from 'ioredis';
import { closeRedis } from '../connection.js';
import { errorText } from '../errors.js';
import type { QueueContext } from './queue-context.js';

/** A final outcome as recorded in the events stream: the serialized return value, or the failure reason. */
export interface Outcome {
  event: 'completed' | 'failed';
  detail: Buffer;
}

interface Waiter {
  deliver(outcome: Outcome): void;
  abandon(error: Error): void;
}

/** How long one blocking read waits before reading again (and noticing a close). */
const BLOCK_MS = 1000;
/** Events read per round trip. */
const READ_COUNT = 500;
/** Pause after a failed read (the server unreachable), so the loop does not spin. */
const ERROR_PAUSE_MS = 1000;

/**
 * One reader of a queue's events stream per app, started by the first waitUntilFinished and
 * shared by all of them: a blocking XREAD loop on a connection of its own that hands each
 * outcome to the waiters of its job. A waiter registers before it checks the job's state, so an
 * outcome is either already in the job's hash or read by this loop afterwards.
 */
export class OutcomeListener {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private started: Promise<void> | undefined;
  private redis: Redis | undefined;
  private readonly closing = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly ctx: QueueContext) {}

  /** Outcomes of job `id` recorded from now on; call `cancel` when no longer interested. */
  async listen(id: string): Promise<{ outcome: Promise<Outcome>; cancel: () => void }> {
    this.started ??= this.start();
    await this.started;
    let waiter: Waiter | undefined;
    const outcome = new Promise<Outcome>((deliver, abandon) => (waiter = { deliver, abandon }));
    if (!waiter) throw new Error('unreachable: a Promise executor runs at once');
    // Observed later through Promise.race; a close before then must not be an unhandled rejection.
    outcome.catch(() => undefined);
    const registered = waiter;
    const forJob = this.waiters.get(id) ?? new Set<Waiter>();
    forJob.add(registered);
    this.waiters.set(id, forJob);
    const cancel = (): void => {
      forJob.delete(registered);
      if (forJob.size === 0 && this.waiters.get(id) === forJob) this.waiters.delete(id);
    };
    return { outcome, cancel };
  }

  /** Stops reading; waiters still waiting reject (the app is closing). */
  async close(): Promise<void> {
    this.closing.abort();
    for (const waiter of [...this.waiters.values()].flatMap((set) => [...set])) {
      waiter.abandon(new Error(`queue ${this.ctx.name} closed while waiting for a job to finish`));
    }
    this.waiters.clear();
    if (this.redis) this.redis.disconnect();
    await this.loop;
    if (this.redis) await closeRedis(this.redis);
  }

  /** A method, not a field read: the loop must see a close that happened during an await. */
  private isClosing(): boolean {
    return this.closing.signal.aborted;
  }

  private async start(): Promise<void> {
    const redis = this.ctx.brook.duplicate(`queue ${this.ctx.name} outcomes`);
    this.redis = redis;
    const last = await redis.xrevrange(this.ctx.keys.events, '+', '-', 'COUNT', 1);
    this.loop = this.read(redis, last.length > 0 ? last[0][0] : '0-0');
  }

  private async read(redis: Redis, from: string): Promise<void> {
    let cursor = from;
    while (!this.isClosing()) {
      try {
        const reply = await redis.xreadBuffer('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.ctx.keys.events, cursor);
        for (const [entryId, fields] of reply ? reply[0][1] : []) {
          cursor = entryId.toString();
          const entry = new Map<string, Buffer>();
          for (let i = 0; i + 1 < fields.length; i += 2) entry.set(String(fields[i]), fields[i + 1]);
          const id = entry.get('id')?.toString();
          const waiting = id === undefined ? undefined : this.waiters.get(id);
          if (!waiting) continue;
          const outcome: Outcome = {
            event: entry.get('event')?.toString() === 'completed' ? 'completed' : 'failed',
            detail: entry.get('detail') ?? Buffer.alloc(0),
          };
          for (const waiter of waiting) waiter.deliver(outcome);
        }
      } catch (e) {
        if (this.isClosing()) return;
        this.ctx.brook.logger.error(`Queue ${this.ctx.name}: reading job outcomes failed: ${errorText(e)}`);
        await new Promise((r) => setTimeout(r, ERROR_PAUSE_MS));
      }
    }
  }
}
