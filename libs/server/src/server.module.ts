import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BrookServer } from './brook-server.js';
import { CommandExplorer } from './command-explorer.js';

/** Provides the BrookServer instance to the app and registers @Command providers into it. */
@Module({})
export class ServerModule {
  static forServer(server: BrookServer): DynamicModule {
    return {
      module: ServerModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: BrookServer, useValue: server }, CommandExplorer],
      exports: [BrookServer],
    };
  }
}
