/**
 * BrookClient: Nest's ClientProxy over Brook (or Redis 7) streams. `emit` appends an event entry to
 * the pattern's stream; `send` appends a request entry carrying this client's reply stream, and the
 * server's replies come back on that stream (read with XREAD BLOCK). Requests are entries, not
 * pub/sub messages, so a request sent while no server runs waits in the stream and the server that
 * starts takes it — unless the client's `timeout` has passed by then (see `deadline` in packets.ts).
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ClientProxy, type MsPattern, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { closeRedis, createRedis, DEFAULT_PREFIX, duplicateRedis, PAYLOAD_FIELD } from '@brook/sdk';
import type { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import { CLIENT_CLOSED, NOT_CONNECTED, RequestTimeoutError, TRANSACTION_DISCARDED } from './errors.js';
import { patternStreamKey, replyStreamKey } from './keys.js';
import type { EventEntry, ReplyPacket, RequestEntry } from './packets.js';
import { ReplyReader } from './reply-reader.js';
import type { BrookTransportOptions } from './transport-options.js';
import { ConnectionListeners, trackStatus, whenReady, type BrookEventsMap, type BrookStatus } from './status.js';

export interface BrookClientOptions extends BrookTransportOptions {
  /** ms to wait for a request's first reply, and then for each next one (default 30000). */
  timeout?: number;
  /** Approximate cap on each pattern stream's length when appending (XADD MAXLEN ~; default 100000). */
  maxLen?: number;
}

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_MAX_LEN = 100_000;
/** A reply stream left behind by a client that died without close() expires after an hour without requests. */
const REPLY_STREAM_TTL_MS = 3_600_000;
const REPLY_STREAM_GROUP = 'replies';

interface Connections {
  commands: Redis;
  replies: Redis;
  reader: ReplyReader;
}

/** Status is typed `string` in the base class because ClientsModule's `customClass` accepts only `ClientProxy<…, string>`. */
export class BrookClient extends ClientProxy<BrookEventsMap> {
  private readonly logger = new Logger(BrookClient.name);
  private readonly prefix: string;
  private readonly timeout: number;
  private readonly maxLen: number;
  private readonly replyKey: string;
  private readonly listeners = new ConnectionListeners();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; route: string }>();
  private opening?: Promise<Connections>;
  private connections?: Connections;
  private closing = false;

  constructor(private readonly options: BrookClientOptions = {}) {
    super();
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.maxLen = options.maxLen ?? DEFAULT_MAX_LEN;
    this.replyKey = replyStreamKey(this.prefix, randomUUID());
  }

  /** Idempotent: `send`/`emit` call it every time. A failed attempt is forgotten so the next call retries. */
  connect(): Promise<Connections> {
    this.closing = false;
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  /** Fails what still waits for a reply, stops reading, deletes the reply stream, closes the connections. */
  async close(): Promise<void> {
    this.closing = true;
    const opening = this.opening;
    this.opening = undefined;
    for (const id of [...this.routingMap.keys()]) this.settle(id, { id, err: new Error(CLIENT_CLOSED), isDisposed: true });
    const connections = await opening?.catch(() => undefined);
    if (!connections) return;
    this.connections = undefined;
    await connections.reader.stop();
    try {
      await connections.commands.del(this.replyKey);
    } catch (err) {
      this.logger.warn(`Could not delete ${this.replyKey} (it expires within an hour): ${(err as Error).message}`);
    }
    await closeRedis(connections.commands);
    this.listeners.detachAll();
    this._status$.next('disconnected');
  }

  override get status(): Observable<BrookStatus> {
    return super.status as Observable<BrookStatus>;
  }

  override on<K extends keyof BrookEventsMap>(event: K, callback: BrookEventsMap[K]): void {
    this.listeners.add(event as string, callback as (role: string, ...args: unknown[]) => void);
  }

  /** `[commands, replies]`: the ioredis connections (the second one is blocked in XREAD). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's ClientProxy.unwrap signature
  unwrap<T>(): T {
    if (!this.connections) throw new Error(NOT_CONNECTED);
    return [this.connections.commands, this.connections.replies] as T;
  }

  protected publish(partial: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const packet = this.assignPacketId(partial);
    const route = this.normalizePattern(packet.pattern as MsPattern);
    const entry: RequestEntry = { ...packet, replyTo: this.replyKey, deadline: Date.now() + this.timeout };
    this.routingMap.set(packet.id, callback);
    this.arm(packet.id, route);
    this.request(route, entry).catch((err: unknown) => this.settle(packet.id, { id: packet.id, err, isDisposed: true }));
    return () => this.forget(packet.id);
  }

  /** Resolves with the entry ID once the event is in the stream. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const pattern = packet.pattern as MsPattern;
    const entry: EventEntry = { pattern, data: packet.data as unknown, ...(packet.metadata && { metadata: packet.metadata }) };
    return (await this.append(this.normalizePattern(pattern), entry)) as T;
  }

  private async append(route: string, entry: EventEntry): Promise<string> {
    const { commands } = await this.connect();
    const id = await commands.xadd(
      patternStreamKey(this.prefix, route),
      'MAXLEN',
      '~',
      this.maxLen,
      '*',
      PAYLOAD_FIELD,
      JSON.stringify(entry),
    );
    return id!;
  }

  /**
   * Appends a request together with (re)creating this client's reply stream and renewing its
   * expiry, in one MULTI/EXEC: servers reply with XADD NOMKSTREAM, so a request always has a
   * stream to be answered on (also after the broker restarted empty), while a reply arriving after
   * close() does not bring the deleted stream back. XGROUP CREATE … MKSTREAM is the standard way to
   * create an empty stream; its BUSYGROUP error when the stream exists is expected.
   */
  private async request(route: string, entry: RequestEntry): Promise<void> {
    const { commands } = await this.connect();
    const result = await commands
      .multi()
      .xgroup('CREATE', this.replyKey, REPLY_STREAM_GROUP, '$', 'MKSTREAM')
      .pexpire(this.replyKey, REPLY_STREAM_TTL_MS)
      .xadd(patternStreamKey(this.prefix, route), 'MAXLEN', '~', this.maxLen, '*', PAYLOAD_FIELD, JSON.stringify(entry))
      .exec();
    if (!result) throw new Error(TRANSACTION_DISCARDED);
    const failed = result.slice(1).find(([err]) => err !== null);
    if (failed) throw failed[0]!;
  }

  private async open(): Promise<Connections> {
    const commands = createRedis(this.options.connection, 'client', this.logger);
    const replies = duplicateRedis(commands, 'client replies', this.logger);
    this.listeners.attach('commands', commands);
    this.listeners.attach('replies', replies);
    trackStatus(
      commands,
      (status) => this._status$.next(status),
      () => this.closing,
    );
    try {
      await Promise.all([whenReady(commands), whenReady(replies)]);
    } catch (err) {
      commands.disconnect();
      replies.disconnect();
      throw err;
    }
    const reader = new ReplyReader(replies, this.replyKey, (packet) => this.receive(packet), this.logger);
    reader.start();
    this.connections = { commands, replies, reader };
    return this.connections;
  }

  private receive(packet: ReplyPacket): void {
    if (!this.routingMap.has(packet.id)) return; // timed out or unsubscribed: nobody waits for it
    if (packet.isDisposed || packet.err !== undefined) this.settle(packet.id, packet);
    else {
      this.arm(packet.id, this.timers.get(packet.id)?.route ?? '');
      const callback = this.routingMap.get(packet.id) as (packet: WritePacket) => void;
      callback(packet);
    }
  }

  /** (Re)starts the wait for the next reply to request `id`. */
  private arm(id: string, route: string): void {
    clearTimeout(this.timers.get(id)?.timer);
    const timer = setTimeout(
      () => this.settle(id, { id, err: new RequestTimeoutError(route, this.timeout), isDisposed: true }),
      this.timeout,
    );
    this.timers.set(id, { timer, route });
  }

  /** Hands the last packet of request `id` to its observer and forgets the request. */
  private settle(id: string, packet: ReplyPacket): void {
    const callback = this.routingMap.get(id) as ((packet: WritePacket) => void) | undefined;
    this.forget(id);
    callback?.(packet);
  }

  private forget(id: string): void {
    clearTimeout(this.timers.get(id)?.timer);
    this.timers.delete(id);
    this.routingMap.delete(id);
  }
}
