/**
 * BrookServer: a Nest microservice transport (CustomTransportStrategy) over Brook (or Redis 7)
 * streams. Every registered pattern has a stream (`<prefix>:<pattern>`), consumed through the
 * server's consumer group by the SDK's StreamConsumer, so competing instances of a service share
 * the work (each entry handled once), and events keep the SDK's durable rules: acknowledged only
 * after the handler succeeded, reclaimed after `visibilityTimeout`, dead-lettered to
 * `<prefix>:<pattern>:dead` after `maxDeliveries`. A request is acknowledged once its last reply
 * is written; an error the handler returns (RpcException) is a reply, not a failure to retry.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler, type WritePacket } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import {
  closeRedis,
  createRedis,
  DEFAULT_PREFIX,
  errorText,
  isNonRetryable,
  NonRetryableError,
  PAYLOAD_FIELD,
  StreamConsumer,
  type StreamEntryMeta,
} from '@brook/sdk';
import type { Redis } from 'ioredis';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import { BrookContext } from './brook-context.js';
import { CLIENT_GONE, EXPIRED_REQUEST, MALFORMED_ENTRY, NOT_CONNECTED } from './errors.js';
import { isReplyStreamKey, patternDeadLetterKey, patternStreamKey } from './keys.js';
import { encodeReply, isRequest, isTransportPacket, parseJson, type EventEntry, type ReplyPacket, type RequestEntry } from './packets.js';
import { ConnectionListeners, trackStatus, whenReady, type BrookEventsMap, type BrookStatus } from './status.js';
import type { BrookTransportOptions } from './transport-options.js';

export interface BrookServerOptions extends BrookTransportOptions {
  /** The consumer group of this service: its instances share the work, each entry handled once. */
  group: string;
  /** This instance's name in the group (default: host-pid-random, unique per process). */
  consumer?: string;
  /** Deliveries of an event before it goes to `<prefix>:<pattern>:dead` (default 5). */
  maxDeliveries?: number;
  /** ms an entry may stay unacknowledged before another instance reclaims it (default 30000). */
  visibilityTimeout?: number;
  /** Approximate cap on each reply stream (XADD MAXLEN ~; default 1000). */
  maxLen?: number;
  /** Handlers in flight at once per pattern in this instance (default 1). */
  concurrency?: number;
  /** ms close() waits for handlers in flight before closing anyway (default 10000). */
  shutdownTimeout?: number;
}

const DEFAULT_REPLY_MAX_LEN = 1000;
const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;

/** Give it to `@MessagePattern(p, BROOK_TRANSPORT)` to bind a handler to this transport only (hybrid apps). */
export const BROOK_TRANSPORT = Symbol('BROOK_TRANSPORT');

export class BrookServer extends Server<BrookEventsMap, BrookStatus> implements CustomTransportStrategy {
  override readonly transportId = BROOK_TRANSPORT;
  /** Event handler failures come back to this transport, which leaves the entry pending for redelivery. */
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(BrookServer.name);
  private readonly prefix: string;
  private readonly consumerName: string;
  private readonly listeners = new ConnectionListeners();
  private readonly consumers: StreamConsumer[] = [];
  private commands?: Redis;
  private closing = false;

  constructor(private readonly options: BrookServerOptions) {
    super();
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.consumerName = options.consumer ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      await this.close();
      callback(err);
      return;
    }
    callback();
  }

  /** Stops fetching, lets handlers in flight finish (up to `shutdownTimeout`), then closes the connection. */
  async close(): Promise<void> {
    this.closing = true;
    const timeout = this.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop(timeout)));
    const commands = this.commands;
    this.commands = undefined;
    if (commands) await closeRedis(commands);
    this.listeners.detachAll();
    this._status$.next('disconnected');
  }

  on<K extends keyof BrookEventsMap>(event: K, callback: BrookEventsMap[K]): void {
    this.listeners.add(event as string, callback as (role: string, ...args: unknown[]) => void);
  }

  /** The ioredis connection for commands (each consumer loop has its own blocking one). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's Server.unwrap signature
  unwrap<T>(): T {
    if (!this.commands) throw new Error(NOT_CONNECTED);
    return this.commands as T;
  }

  private async start(): Promise<void> {
    this.closing = false;
    const commands = createRedis(this.options.connection, 'server', this.logger);
    this.commands = commands;
    this.listeners.attach('commands', commands);
    trackStatus(
      commands,
      (status) => this._status$.next(status),
      () => this.closing,
    );
    await whenReady(commands);
    for (const [route, handler] of this.messageHandlers) {
      const stream = patternStreamKey(this.prefix, route);
      const consumer = new StreamConsumer(
        commands,
        {
          stream,
          group: this.options.group,
          consumer: this.consumerName,
          concurrency: this.options.concurrency,
          maxDeliveries: this.options.maxDeliveries,
          visibilityTimeout: this.options.visibilityTimeout,
          deadLetterStream: patternDeadLetterKey(this.prefix, route),
        },
        (payload, meta) => this.handleEntry(route, handler, stream, payload, meta),
        this.logger,
      );
      this.consumers.push(consumer);
      await consumer.start();
    }
  }

  /** A rejection leaves the entry pending (redelivered, then dead-lettered); NonRetryableError dead-letters it at once. */
  private async handleEntry(route: string, handler: MessageHandler, stream: string, payload: Buffer, meta: StreamEntryMeta): Promise<void> {
    const packet = parseJson(payload);
    if (!isTransportPacket(packet)) throw new NonRetryableError(MALFORMED_ENTRY(stream, meta.id));
    const context = new BrookContext([stream, meta.id, meta.deliveryCount, this.options.group]);
    if (!isRequest(packet)) return this.runEvent(handler, packet, context);
    if (typeof packet.replyTo !== 'string' || !isReplyStreamKey(this.prefix, packet.replyTo)) {
      throw new NonRetryableError(MALFORMED_ENTRY(stream, meta.id));
    }
    if (typeof packet.deadline === 'number' && packet.deadline < Date.now()) {
      this.logger.warn(EXPIRED_REQUEST(stream, meta.id));
      return;
    }
    if (handler.isEventHandler) return this.reply(packet, { err: NO_MESSAGE_HANDLER, isDisposed: true });
    return this.answer(handler, packet, context);
  }

  /** Like Nest's handleEvent, but waits for the handler (and its Observable) so failures reach the consumer. */
  private runEvent(handler: MessageHandler, packet: EventEntry, context: BrookContext): Promise<void> {
    return new Promise((resolve, reject) => {
      this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const result: unknown = await handler(packet.data, context);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          resolve();
        } catch (err) {
          reject(handlerFailure(err));
        } finally {
          runEndHook();
        }
      });
    });
  }

  /** Runs a request handler through Nest's handleRequest and resolves once the last reply is written. */
  private answer(handler: MessageHandler, packet: RequestEntry, context: BrookContext): Promise<void> {
    return new Promise((resolve, reject) => {
      let failed: unknown;
      const respond = async (reply: WritePacket): Promise<void> => {
        try {
          await this.reply(packet, reply);
        } catch (err) {
          failed ??= err;
        }
        if (!reply.isDisposed) return;
        if (failed === undefined) resolve();
        else reject(handlerFailure(failed));
      };
      // A handler that throws outside Nest's exception zone becomes an error reply, never a rejection.
      const produce = async (): Promise<Observable<unknown>> => {
        try {
          const result: unknown = await handler(packet.data, context);
          return this.transformToObservable<unknown>(result);
        } catch (err: unknown) {
          return throwError(() => err);
        }
      };
      this.handleRequest(context, produce, respond);
    });
  }

  /**
   * XADD to the client's reply stream, bounded. NOMKSTREAM: a client that closed deleted its
   * stream, and a late reply must not bring it back (the client recreates it with each request).
   */
  private async reply(request: RequestEntry, reply: WritePacket): Promise<void> {
    if (!this.commands) throw new Error(NOT_CONNECTED);
    const packet: ReplyPacket = { ...reply, id: request.id };
    const maxLen = this.options.maxLen ?? DEFAULT_REPLY_MAX_LEN;
    const id = await this.commands.xadd(request.replyTo, 'NOMKSTREAM', 'MAXLEN', '~', maxLen, '*', PAYLOAD_FIELD, encodeReply(packet));
    if (id === null) this.logger.debug(CLIENT_GONE(request.replyTo, request.id));
  }
}

/**
 * What Nest's exception filters made of a handler's error, as the Error the consumer records in a
 * dead letter: an RpcException's message (or object, whose `nonRetryable: true` dead-letters at
 * once); any other error arrives as Nest's "Internal server error" (Nest logs the original).
 */
function handlerFailure(err: unknown): Error {
  if (err instanceof Error) return err;
  const message =
    typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' ? err.message : errorText(err);
  return isNonRetryable(err) ? new NonRetryableError(message) : new Error(message);
}
