import type { Redis } from 'ioredis';
import type { BrookConnections } from './brook-connections.js';
import { closeRedis } from './connection.js';
import { errorText } from './errors.js';

/** Receives one pub/sub message: the raw bytes, the channel it came on, and the pattern that matched (PSUBSCRIBE). */
export type PubSubHandler = (payload: Buffer, channel: string, pattern?: string) => Promise<void>;

/**
 * The app's subscriptions, on one dedicated connection (a subscribed connection runs nothing
 * else). At-most-once, as Redis pub/sub: a message published while this app is not subscribed
 * (down, reconnecting) is not received. ioredis subscribes again after a reconnect.
 */
export class PubSubListener {
  private readonly channels = new Map<string, PubSubHandler[]>();
  private readonly patterns = new Map<string, PubSubHandler[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private subscriber: Redis | null = null;

  constructor(private readonly brook: BrookConnections) {}

  add(channel: string, pattern: boolean, handler: PubSubHandler): void {
    const table = pattern ? this.patterns : this.channels;
    table.set(channel, [...(table.get(channel) ?? []), handler]);
  }

  get empty(): boolean {
    return this.channels.size === 0 && this.patterns.size === 0;
  }

  async start(): Promise<void> {
    if (this.empty || this.subscriber) return;
    const sub = this.brook.duplicate('subscriber');
    this.subscriber = sub;
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const name = channel.toString();
      for (const handler of this.channels.get(name) ?? []) this.run(handler, message, name);
    });
    sub.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) => {
      const glob = pattern.toString();
      for (const handler of this.patterns.get(glob) ?? []) this.run(handler, message, channel.toString(), glob);
    });
    if (this.channels.size > 0) await sub.subscribe(...this.channels.keys());
    if (this.patterns.size > 0) await sub.psubscribe(...this.patterns.keys());
  }

  /** Stops receiving, waits up to `timeoutMs` for handlers in flight, then closes the connection. */
  async stop(timeoutMs: number): Promise<void> {
    const sub = this.subscriber;
    if (!sub) return;
    this.subscriber = null;
    sub.removeAllListeners('messageBuffer');
    sub.removeAllListeners('pmessageBuffer');
    await closeRedis(sub);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.inFlight).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) this.brook.logger.warn(`${this.inFlight.size} pub/sub handler(s) still running after ${timeoutMs} ms at shutdown`);
  }

  private run(handler: PubSubHandler, message: Buffer, channel: string, pattern?: string): void {
    const done = handler(message, channel, pattern)
      .catch((e: unknown) => {
        this.brook.logger.error(`Handler for pub/sub message on ${channel} failed (the message is not redelivered): ${errorText(e)}`);
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
