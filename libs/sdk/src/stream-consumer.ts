import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis, duplicateRedis, NO_REPLAY, reconnectDelay } from './connection.js';
import { errorText, isNonRetryable } from './errors.js';
import { Transactions } from './transactions.js';

/**
 * The entry format every SDK producer writes and every consumer reads: a stream entry whose
 * field `payload` holds the serialized message bytes. Other fields may be present and are
 * handed to the handler untouched.
 */
export const PAYLOAD_FIELD = 'payload';

export interface StreamConsumerOptions {
  /** The stream's full key, prefix included (`brook:orders`). */
  stream: string;
  group: string;
  /** This instance's name in the group; unique per process (see defaultConsumerName). */
  consumer: string;
  /** Handlers in flight at once in this instance (default 1). */
  concurrency?: number;
  /** Deliveries before an entry is dead-lettered instead of retried (default 5). */
  maxDeliveries?: number;
  /** ms an entry may stay unacknowledged before any instance reclaims it (default 30000). */
  visibilityTimeout?: number;
  /** The dead-letter stream's full key (`brook:orders:dead`). */
  deadLetterStream: string;
  /** Where a group created here starts: '$' (default) = only entries added from now on, '0' = the whole stream. */
  startId?: string;
}

export interface StreamEntryMeta {
  id: string;
  /** 1 on first delivery; Redis counts deliveries in the group's pending entries list. */
  deliveryCount: number;
  /** All fields of the entry, `payload` included. */
  fields: ReadonlyMap<string, Buffer>;
}

/** Resolve to acknowledge; reject (throw) to have the entry redelivered, or dead-lettered when retrying cannot help. */
export type StreamHandler = (payload: Buffer, meta: StreamEntryMeta) => Promise<void>;

export const DEFAULT_CONCURRENCY = 1;
export const DEFAULT_MAX_DELIVERIES = 5;
export const DEFAULT_VISIBILITY_TIMEOUT = 30000;

/** The longest one XREADGROUP waits; stop() does not wait for it (it disconnects the loop's connection). */
const BLOCK_MS = 5000;

type RawEntry = [id: Buffer, fields: Buffer[] | null];
type ReadReply = [stream: Buffer, entries: RawEntry[]][] | null;
type AutoclaimReply = [cursor: Buffer, entries: RawEntry[], deleted?: Buffer[]];
type PendingReply = [id: string, consumer: string, idle: number, deliveries: number][];

/**
 * One durable consumer of a stream through a consumer group, the engine under @OnMessage(…,
 * {group}) and the transport's @EventPattern handlers. At-least-once:
 * - the group is created at start() if missing (XGROUP CREATE … MKSTREAM);
 * - a dedicated connection runs XREADGROUP BLOCK for as many entries as there are free slots;
 * - an entry is XACKed only after its handler resolved; while the handler runs, its entry's
 *   idle time is reset every visibilityTimeout/3 so that it is not reclaimed;
 * - every instance periodically XAUTOCLAIMs entries left unacknowledged longer than
 *   visibilityTimeout (a handler failed, or its process died) and runs them again;
 * - an entry whose handler fails on delivery maxDeliveries (or throws a NonRetryableError), or
 *   that is reclaimed past maxDeliveries, is XADDed to the dead-letter stream with its payload,
 *   the error and where it came from, and XACKed, in one MULTI/EXEC, on a connection that never
 *   re-sends it (see deadLetter).
 *
 * `commands` is the caller's connection (shared, closed by the caller after stop()); the
 * blocking loop gets its own duplicate, which this consumer closes.
 */
export class StreamConsumer {
  private readonly concurrency: number;
  private readonly maxDeliveries: number;
  private readonly visibilityTimeout: number;
  private readonly inFlight = new Map<string, Promise<void>>();
  private blocking: Redis | null = null;
  private running = false;
  /** Set when stop() gave up waiting: late completions must not acknowledge on a closing connection. */
  private abandoned = false;
  private loop: Promise<void> = Promise.resolve();
  /** Where the next XAUTOCLAIM step starts ('0-0': a new sweep). */
  private sweepCursor = '0-0';
  /** Wakes the loop when a slot frees up or stop() is called. */
  private wake: (() => void) | null = null;
  /** Keeps the entries of running handlers from looking abandoned (see touch()). */
  private heartbeat: NodeJS.Timeout | null = null;
  /** Aborted by stop(): cuts the loop's backoff sleep short. */
  private stopping = new AbortController();
  /** Runs the dead-letter MULTIs; its connection opens at the first dead letter. */
  private deadLetters: Transactions | null = null;

  constructor(
    private readonly commands: Redis,
    private readonly options: StreamConsumerOptions,
    private readonly handler: StreamHandler,
    private readonly logger: LoggerService,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.maxDeliveries = Math.max(1, options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES);
    this.visibilityTimeout = Math.max(1, options.visibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT);
  }

  /** Creates the group if needed, then consumes in the background until stop(). */
  async start(): Promise<void> {
    if (this.running) return;
    await this.ensureGroup();
    this.running = true;
    this.abandoned = false;
    this.stopping = new AbortController();
    const role = `consumer ${this.options.consumer} of ${this.options.stream}/${this.options.group}`;
    this.blocking = duplicateRedis(this.commands, role, this.logger);
    this.deadLetters = new Transactions(() => duplicateRedis(this.commands, `${role} dead letters`, this.logger, NO_REPLAY), 1);
    this.loop = this.consume(this.blocking);
    this.heartbeat = setInterval(() => void this.touch(), Math.max(10, this.visibilityTimeout / 3));
    this.heartbeat.unref();
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for handlers in flight (they are acknowledged as
   * they finish), then closes the blocking connection. What is still running after the
   * timeout stays unacknowledged and is reclaimed by another instance.
   */
  async stop(timeoutMs = 10000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // A blocked XREADGROUP is abandoned rather than waited for: entries the server already gave
    // it stay pending for this consumer and are reclaimed after visibilityTimeout.
    this.blocking?.disconnect();
    this.stopping.abort();
    this.notify();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.inFlight.values()).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.abandoned = true;
      this.logger.warn(
        `${this.inFlight.size} handler(s) of ${this.options.stream}/${this.options.group} still running after ${timeoutMs} ms; left unacknowledged for redelivery`,
      );
    }
    // Only now: handlers finishing during stop() keep their entries; abandoned ones become reclaimable.
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.blocking) await closeRedis(this.blocking);
    this.blocking = null;
    await this.deadLetters?.close();
    this.deadLetters = null;
  }

  private async ensureGroup(): Promise<void> {
    const { stream, group, startId = '$' } = this.options;
    try {
      await this.commands.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
    } catch (e) {
      if (!errorText(e).startsWith('BUSYGROUP')) throw e;
    }
  }

  /**
   * The one loop that fills free slots, so `concurrency` bounds reclaimed and new entries
   * together: when a sweep is due it reclaims first (retries before new work), otherwise it
   * blocks on XREADGROUP until the next sweep is due.
   */
  private async consume(conn: Redis): Promise<void> {
    // Every instance sweeps the group for entries idle past visibilityTimeout, as often as half that.
    const period = Math.min(Math.max(this.visibilityTimeout / 2, 20), 10000);
    // The first sweep runs at once: a restarted instance picks up what a dead one left.
    let nextSweep = Date.now();
    let failures = 0;
    while (this.running) {
      const free = await this.freeSlots();
      if (this.stopped()) break;
      try {
        if (Date.now() >= nextSweep) {
          // A sweep that stopped early (no slot left) resumes from its cursor as soon as a slot frees.
          if (await this.reclaim(free)) nextSweep = Date.now() + period;
        } else {
          await this.read(conn, free, Math.min(BLOCK_MS, nextSweep - Date.now()));
        }
        failures = 0;
      } catch (e) {
        if (this.stopped()) break;
        failures++;
        await this.onError(e, failures);
      }
    }
  }

  private async read(conn: Redis, count: number, blockMs: number): Promise<void> {
    const reply: ReadReply = await conn.xreadgroupBuffer(
      'GROUP',
      this.options.group,
      this.options.consumer,
      'COUNT',
      count,
      'BLOCK',
      Math.max(1, Math.ceil(blockMs)),
      'STREAMS',
      this.options.stream,
      '>',
    );
    // '>' hands out entries never delivered before: this is their first delivery.
    for (const [, entries] of reply ?? []) for (const entry of entries) this.dispatch(entry, 1);
  }

  private async onError(e: unknown, failures: number): Promise<void> {
    const text = errorText(e);
    if (text.startsWith('NOGROUP')) {
      // The stream or the group was deleted under us: recreate it rather than stop consuming.
      this.logger.warn(`${this.options.stream}/${this.options.group} disappeared; recreating the group`);
      await this.ensureGroup().catch((err: unknown) => {
        this.logger.error(`Recreating ${this.options.group}: ${errorText(err)}`);
      });
    } else {
      this.logger.error(`Consuming ${this.options.stream}/${this.options.group}: ${text}`);
    }
    await this.sleep(reconnectDelay(failures));
  }

  /**
   * One XAUTOCLAIM step of the sweep over the group's pending entries, for at most `free`
   * entries; true when the sweep is complete (the cursor is back at 0-0).
   */
  private async reclaim(free: number): Promise<boolean> {
    const { stream, group, consumer } = this.options;
    // ioredis has no Buffer variant of XAUTOCLAIM; its reply is an array in RESP2 and RESP3 alike.
    const [next, entries] = (await this.commands.callBuffer(
      'XAUTOCLAIM',
      stream,
      group,
      consumer,
      this.visibilityTimeout,
      this.sweepCursor,
      'COUNT',
      free,
    )) as AutoclaimReply;
    this.sweepCursor = next.toString();
    // Entries deleted from the stream come back with null fields (Redis drops them from the PEL).
    const live = entries.filter((e): e is [Buffer, Buffer[]] => e[1] !== null);
    if (live.length > 0) {
      // XAUTOCLAIM counted this delivery in the PEL; read the counts back. The entries are now
      // ours and not idle, so no other instance changes them before we run them.
      const pipeline = this.commands.pipeline();
      for (const [id] of live) pipeline.xpending(stream, group, id, id, 1);
      const counts = (await pipeline.exec()) ?? [];
      live.forEach((entry, i) => {
        const deliveries = (counts[i]?.[1] as PendingReply | undefined)?.[0]?.[3];
        if (deliveries !== undefined) this.dispatch(entry, deliveries);
      });
    }
    return this.sweepCursor === '0-0';
  }

  /**
   * Resets the idle time of the entries whose handlers are still running (XCLAIM to ourselves
   * with JUSTID, which does not count a delivery), so a handler slower than visibilityTimeout
   * is not taken for a dead consumer; only entries of dead or stopped consumers go idle.
   */
  private async touch(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const { stream, group, consumer } = this.options;
    try {
      await this.commands.call('XCLAIM', stream, group, consumer, 0, ...this.inFlight.keys(), 'JUSTID');
    } catch (e) {
      this.logger.error(`Refreshing running entries of ${stream}/${group}: ${errorText(e)}`);
    }
  }

  private dispatch([rawId, rawFields]: RawEntry, deliveryCount: number): void {
    const id = rawId.toString();
    if (this.inFlight.has(id)) return;
    const fields = new Map<string, Buffer>();
    const list = rawFields ?? [];
    for (let i = 0; i + 1 < list.length; i += 2) fields.set(list[i].toString(), list[i + 1]);
    const run = this.process(id, fields, deliveryCount).finally(() => {
      this.inFlight.delete(id);
      this.notify();
    });
    this.inFlight.set(id, run);
  }

  /** Never rejects: every outcome is an acknowledgement, a dead letter, or an entry left pending, and is logged. */
  private async process(id: string, fields: Map<string, Buffer>, deliveryCount: number): Promise<void> {
    const { stream, group } = this.options;
    const payload = fields.get(PAYLOAD_FIELD);
    try {
      if (payload === undefined) {
        await this.deadLetter(id, fields, deliveryCount, `entry has no '${PAYLOAD_FIELD}' field`);
      } else if (deliveryCount > this.maxDeliveries) {
        // Its last permitted delivery was never acknowledged: the consumer died or hung on it.
        await this.deadLetter(id, fields, deliveryCount - 1, `not acknowledged after ${deliveryCount - 1} deliveries`);
      } else {
        let failure: unknown = null;
        try {
          await this.handler(payload, { id, deliveryCount, fields });
        } catch (e) {
          failure = e ?? new Error('handler failed');
        }
        if (this.abandoned) return;
        if (failure === null) {
          await this.commands.xack(stream, group, id);
        } else if (isNonRetryable(failure) || deliveryCount >= this.maxDeliveries) {
          await this.deadLetter(id, fields, deliveryCount, errorText(failure));
        } else {
          this.logger.warn(
            `Handler for ${stream}/${group} entry ${id} failed (delivery ${deliveryCount} of ${this.maxDeliveries}): ${errorText(failure)}; redelivered after ${this.visibilityTimeout} ms`,
          );
        }
      }
    } catch (e) {
      // The acknowledgement itself failed (connection lost): the entry stays pending and is reclaimed.
      this.logger.error(`Acknowledging ${stream}/${group} entry ${id}: ${errorText(e)}`);
    }
  }

  /**
   * Moves an entry to the dead-letter stream and acknowledges it, atomically (MULTI/EXEC). Not on
   * the shared connection, which re-sends what was in flight when it dropped: an EXEC that had
   * committed would add a second dead letter. Here a drop fails the run, and the run after it
   * first looks whether the entry is still pending for this consumer (WATCH cannot see a group's
   * changes): if not, the earlier EXEC committed (or another consumer took the entry over).
   */
  private async deadLetter(id: string, fields: Map<string, Buffer>, deliveries: number, error: string): Promise<void> {
    const { stream, group, consumer, deadLetterStream } = this.options;
    const payload = fields.get(PAYLOAD_FIELD) ?? Buffer.alloc(0);
    if (!this.deadLetters) throw new Error(`${stream}/${group} is stopped`);
    const moved = await this.deadLetters.runUnwatched(async (redis, afterLoss) => {
      if (afterLoss && (await redis.xpending(stream, group, id, id, 1, consumer)).length === 0) return false;
      const result = await redis
        .multi()
        .xadd(
          deadLetterStream,
          '*',
          PAYLOAD_FIELD,
          payload,
          'error',
          error,
          'stream',
          stream,
          'id',
          id,
          'group',
          group,
          'deliveries',
          deliveries,
        )
        .xack(stream, group, id)
        .exec();
      const failed = result?.find(([err]) => err !== null);
      if (!result || failed) throw failed?.[0] ?? new Error('MULTI/EXEC was discarded');
      return true;
    });
    if (!moved) return;
    this.logger.error(`${stream}/${group} entry ${id} moved to ${deadLetterStream} after ${deliveries} deliveries: ${error}`);
  }

  /** A call, not a property read, so the compiler does not assume it unchanged across awaits. */
  private stopped(): boolean {
    return !this.running;
  }

  private async freeSlots(): Promise<number> {
    while (this.running && this.inFlight.size >= this.concurrency) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.concurrency - this.inFlight.size;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Sleeps, cut short by stop(). */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** A consumer name unique to this process: host, PID and a random part (PIDs repeat across containers). */
export function defaultConsumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
