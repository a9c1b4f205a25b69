import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Module, type DynamicModule, type INestMicroservice, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BrookServer } from './brook-server.js';
import { ConfigStore } from './config/config-store.js';
import { ServerModule } from './server.module.js';
import { RespServer } from './resp-server.strategy.js';

/** Reads redis-server style arguments: an optional config file path first, then `--name value...`. */
export function loadConfig(args: readonly string[]): ConfigStore {
  const config = new ConfigStore();
  let rest = args;
  let text: string | null = null;
  if (rest.length > 0 && !rest[0].startsWith('--')) {
    const file = resolve(rest[0]);
    text = readFileSync(file, 'utf8');
    config.configFile = file;
    rest = rest.slice(1);
  }
  config.load(text, rest);
  return config;
}

@Module({})
class EmbeddedBrookModule {}

/** The root module for a Brook server: the server itself plus modules that may add @Command providers. */
export function brookRootModule(server: BrookServer, imports: (Type | DynamicModule)[] = []): DynamicModule {
  return { module: EmbeddedBrookModule, imports: [ServerModule.forServer(server), ...imports] };
}

/**
 * Boots Brook inside a process as a Nest microservice whose strategy is RespServer (embedded
 * mode and in-process tests; the brook-server executable does the same in apps/brook).
 */
export async function startBrook(
  config: ConfigStore,
  opts: { imports?: (Type | DynamicModule)[]; logger?: LoggerService | false } = {},
): Promise<{ app: INestMicroservice; server: BrookServer }> {
  const server = new BrookServer(config);
  const app = await NestFactory.createMicroservice(brookRootModule(server, opts.imports), {
    strategy: new RespServer(server),
    logger: opts.logger ?? false,
  });
  await app.listen();
  // SHUTDOWN stops an embedded server too; the brook-server executable also exits the process.
  server.on('shutdown', () => void app.close());
  return { app, server };
}
