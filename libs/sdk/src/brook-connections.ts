import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { closeRedis, createRedis, duplicateRedis } from './connection.js';
import { startEmbeddedBrook, type EmbeddedBrook } from './embedded.js';
import { DEFAULT_PREFIX } from './keys.js';
import type { BrookModuleOptions, BrookSerializer } from './options.js';
import { JSON_SERIALIZER } from './serializer.js';
import { defaultConsumerName } from './stream-consumer.js';

export const DEFAULT_SHUTDOWN_TIMEOUT = 10000;

/**
 * What one app shares across its publisher and handlers: the command connection, the embedded
 * Brook when there is one, and the resolved settings. Closed last on shutdown
 * (onApplicationShutdown), after the handlers stopped (beforeApplicationShutdown), so that a
 * handler finishing during shutdown can still publish.
 */
export class BrookConnections implements OnApplicationShutdown {
  readonly logger = new Logger('Brook');
  readonly prefix: string;
  readonly serializer: BrookSerializer;
  /** This app's consumer name in every group it joins. */
  readonly consumerName = defaultConsumerName();
  readonly shutdownTimeout: number;

  private constructor(
    options: BrookModuleOptions,
    readonly commands: Redis,
    private readonly embedded: EmbeddedBrook | null,
  ) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.serializer = options.serializer ?? JSON_SERIALIZER;
    this.shutdownTimeout = options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
  }

  static async open(options: BrookModuleOptions): Promise<BrookConnections> {
    const embedded = options.embedded ? await startEmbeddedBrook(options.embedded === true ? {} : options.embedded) : null;
    const logger = new Logger('Brook');
    const commands = createRedis(embedded?.connection ?? options.connection, 'commands', logger);
    return new BrookConnections(options, commands, embedded);
  }

  /** A further connection to the same server (a subscriber, a blocking loop, transactions: see duplicateRedis). */
  duplicate(role: string, overrides: RedisOptions = {}): Redis {
    return duplicateRedis(this.commands, role, this.logger, overrides);
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.commands);
    await this.embedded?.close();
  }
}
