export interface OnMessageOptions {
  /** Pub/sub only: PSUBSCRIBE to a glob pattern instead of SUBSCRIBE to one channel. */
  pattern?: boolean;
  /** Present = durable: the stream is consumed through this consumer group (at-least-once). */
  group?: string;
  /** Handlers in flight per instance (default 1). */
  concurrency?: number;
  /** Deliveries before an entry goes to the dead-letter stream `<stream>:dead` (default 5). */
  maxDeliveries?: number;
  /** ms before an unacknowledged entry is reclaimed by another consumer (default 30000). */
  visibilityTimeout?: number;
}

export interface OnMessageMetadata {
  channel: string;
  options: OnMessageOptions;
}

export const ON_MESSAGE_METADATA = 'brook:on-message';

/**
 * Marks a provider method as a message handler: `handler(payload, context: MessageContext)`.
 * Without `group` it receives pub/sub messages on the channel (at-most-once); with `group` it
 * consumes the stream `<prefix>:<channelOrStream>` through that consumer group (at-least-once).
 * The decorator only records metadata (several may stack on one method); the module's explorer
 * reads it at bootstrap.
 */
export function OnMessage(channelOrStream: string, options: OnMessageOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(ON_MESSAGE_METADATA, method) ?? []) as OnMessageMetadata[];
    Reflect.defineMetadata(ON_MESSAGE_METADATA, [...existing, { channel: channelOrStream, options }], method);
    return descriptor;
  };
}
