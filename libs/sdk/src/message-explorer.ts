import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { BrookConnections } from './brook-connections.js';
import { NonRetryableError, errorText } from './errors.js';
import { deadLetterKey, streamKey } from './keys.js';
import type { MessageContext } from './message-context.js';
import { ON_MESSAGE_METADATA, type OnMessageMetadata } from './on-message.decorator.js';
import { payloadTransform, type PayloadTransform } from './payload-validation.js';
import { PubSubListener } from './pubsub-listener.js';
import { StreamConsumer } from './stream-consumer.js';

type HandlerMethod = (payload: unknown, context: MessageContext) => unknown;

interface FoundHandler {
  meta: OnMessageMetadata;
  name: string;
  invoke: HandlerMethod;
  transform: PayloadTransform;
}

/**
 * Finds @OnMessage methods on every provider and controller once the app has bootstrapped,
 * and wires them: pub/sub handlers to one subscriber connection, durable ones to a
 * StreamConsumer each. On shutdown it stops them before the connections close.
 */
@Injectable()
export class MessageExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: StreamConsumer[] = [];
  private readonly listener: PubSubListener;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly brook: BrookConnections,
  ) {
    this.listener = new PubSubListener(brook);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const handler of this.discover()) {
      if (handler.meta.options.group === undefined) this.subscribe(handler);
      else this.consume(handler, handler.meta.options.group);
    }
    await Promise.all(this.consumers.map((c) => c.start()));
    await this.listener.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const timeout = this.brook.shutdownTimeout;
    await Promise.all([...this.consumers.map((c) => c.stop(timeout)), this.listener.stop(timeout)]);
  }

  private discover(): FoundHandler[] {
    const found: FoundHandler[] = [];
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const method = proto[name] as HandlerMethod;
        const metas = Reflect.getMetadata(ON_MESSAGE_METADATA, method) as OnMessageMetadata[] | undefined;
        if (!metas) continue;
        if (!wrapper.isDependencyTreeStatic()) {
          this.brook.logger.warn(`@OnMessage on ${wrapper.name}.${name} ignored: request-scoped providers cannot receive messages`);
          continue;
        }
        const [paramType] = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as unknown[];
        const transform = payloadTransform(paramType);
        for (const meta of metas) found.push({ meta, name: `${wrapper.name}.${name}`, invoke: method.bind(instance), transform });
      }
    }
    return found;
  }

  /** Pub/sub: a payload that does not decode or validate is logged and dropped (there is no redelivery). */
  private subscribe({ meta, name, invoke, transform }: FoundHandler): void {
    this.listener.add(meta.channel, meta.options.pattern === true, async (raw, channel, pattern) => {
      let payload: unknown;
      try {
        payload = await transform(this.brook.serializer.deserialize(raw));
      } catch (e) {
        this.brook.logger.error(`Dropped a message on ${channel} for ${name}: ${errorText(e)}`);
        return;
      }
      await invoke(payload, pattern === undefined ? { channel } : { channel, pattern });
    });
  }

  /** Durable: a payload that does not decode or validate goes to the dead-letter stream at once. */
  private consume({ meta, invoke, transform }: FoundHandler, group: string): void {
    const { prefix } = this.brook;
    const stream = streamKey(prefix, meta.channel);
    const consumer = this.brook.consumerName;
    const options = meta.options;
    this.consumers.push(
      new StreamConsumer(
        this.brook.commands,
        {
          stream,
          group,
          consumer,
          deadLetterStream: deadLetterKey(prefix, meta.channel),
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.maxDeliveries !== undefined ? { maxDeliveries: options.maxDeliveries } : {}),
          ...(options.visibilityTimeout !== undefined ? { visibilityTimeout: options.visibilityTimeout } : {}),
        },
        async (raw, { id, deliveryCount }) => {
          let payload: unknown;
          try {
            payload = this.brook.serializer.deserialize(raw);
          } catch (e) {
            throw new NonRetryableError(`payload could not be deserialized: ${errorText(e)}`);
          }
          await invoke(await transform(payload), { channel: meta.channel, stream, id, group, consumer, deliveryCount });
        },
        this.brook.logger,
      ),
    );
  }
}
