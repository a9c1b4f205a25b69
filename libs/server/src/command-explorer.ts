import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Handler } from '@brook/commands';
import { BrookServer } from './brook-server.js';
import { Command } from './command.decorator.js';

/** Reads @Command metadata once at bootstrap and registers each method in the command table. */
@Injectable()
export class CommandExplorer implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly server: BrookServer,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const meta = this.discovery.getMetadataByDecorator(Command, wrapper, method);
        if (!meta) continue;
        const fn = (instance[method] as Handler).bind(instance);
        // The Nest module that declares the provider plays the part of a Redis module.
        this.server.commands.register({
          group: 'module',
          summary: `Provided by ${proto.constructor.name}.${method}`,
          since: this.server.version,
          module: wrapper.host?.name ?? proto.constructor.name,
          ...meta,
          name: meta.name.toLowerCase(),
          handler: fn,
        });
      }
    }
  }
}
