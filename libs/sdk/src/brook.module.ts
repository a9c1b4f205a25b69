import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BrookConnections } from './brook-connections.js';
import { BrookPublisher } from './brook-publisher.js';
import { BROOK_OPTIONS } from './brook.constants.js';
import { getQueueToken } from './jobs/job-decorators.js';
import { ProcessorExplorer } from './jobs/processor-explorer.js';
import type { QueueDefinition } from './jobs/queue.js';
import { QueueRegistry } from './jobs/queue-registry.js';
import { MessageExplorer } from './message-explorer.js';
import { JobMetrics } from './metrics/job-metrics.js';
import type { BrookModuleOptions } from './options.js';

/** For forRootAsync's useClass / useExisting. */
export interface BrookOptionsFactory {
  createBrookOptions(): BrookModuleOptions | Promise<BrookModuleOptions>;
}

export interface BrookModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => BrookModuleOptions | Promise<BrookModuleOptions>;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useClass?: Type<BrookOptionsFactory>;
  useExisting?: Type<BrookOptionsFactory>;
}

/**
 * Brook messaging and job queues for a Nest app: the BrookPublisher, @OnMessage handlers on any
 * provider, queues (registerQueue, @InjectQueue) and @Processor providers.
 * Global: import it once, in the root module.
 */
@Module({})
export class BrookModule {
  static forRoot(options: BrookModuleOptions = {}): DynamicModule {
    return BrookModule.build([{ provide: BROOK_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: BrookModuleAsyncOptions): DynamicModule {
    return BrookModule.build(BrookModule.asyncOptionsProviders(options), options.imports);
  }

  private static build(optionsProviders: Provider[], imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: BrookModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...optionsProviders,
        { provide: BrookConnections, useFactory: (options: BrookModuleOptions) => BrookConnections.open(options), inject: [BROOK_OPTIONS] },
        BrookPublisher,
        MessageExplorer,
        QueueRegistry,
        {
          provide: JobMetrics,
          useFactory: (options: BrookModuleOptions, brook: BrookConnections, registry: QueueRegistry) =>
            options.metrics ? new JobMetrics(options.metrics, () => registry.all(), brook.logger) : null,
          inject: [BROOK_OPTIONS, BrookConnections, QueueRegistry],
        },
        ProcessorExplorer,
      ],
      exports: [BrookPublisher, BROOK_OPTIONS, QueueRegistry],
    };
  }

  /** Job queues for @InjectQueue(name), in the module that imports this (BrookModule.forRoot must be imported once too). */
  static registerQueue(...queues: QueueDefinition[]): DynamicModule {
    const providers: Provider[] = queues.map((definition) => ({
      provide: getQueueToken(definition.name),
      useFactory: (registry: QueueRegistry) => registry.queue(definition),
      inject: [QueueRegistry],
    }));
    return { module: BrookModule, providers, exports: providers };
  }

  private static asyncOptionsProviders(options: BrookModuleAsyncOptions): Provider[] {
    if (options.useFactory) {
      return [{ provide: BROOK_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
    }
    const factory = options.useClass ?? options.useExisting;
    if (!factory) throw new Error('BrookModule.forRootAsync needs useFactory, useClass or useExisting');
    const fromFactory: Provider = {
      provide: BROOK_OPTIONS,
      useFactory: (f: BrookOptionsFactory) => f.createBrookOptions(),
      inject: [factory],
    };
    return options.useClass ? [fromFactory, { provide: options.useClass, useClass: options.useClass }] : [fromFactory];
  }
}
