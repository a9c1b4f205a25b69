/**
 * What the transport suites share: the broker of the mode (in embedded mode, Brook started in
 * this process; the services reach it over its private unix socket, clients over TCP), Nest
 * microservices running a BrookServer, BrookClients, and a plain ioredis client to look at keys.
 * Everything started through it is closed after each test.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startEmbeddedBrook, type BrookConnection, type EmbeddedBrook } from '@brook/sdk';
import { BrookClient, BrookServer, type BrookClientOptions, type BrookServerOptions } from '@brook/transport';
import { Redis } from 'ioredis';
import type { SdkTarget } from '../support/sdk-modes.js';

export interface TransportFixture {
  /** Where services connect (the unix socket in embedded mode). */
  serverConnection(): BrookConnection;
  /** A plain ioredis client on the broker, for looking at streams and groups. */
  redis(): Redis;
  startService(module: Type, options: Omit<BrookServerOptions, 'connection'>): Promise<INestMicroservice>;
  client(options?: Omit<BrookClientOptions, 'connection'>): BrookClient;
}

export function transportFixture(target: SdkTarget): TransportFixture {
  let embedded: EmbeddedBrook | undefined;
  let inspector: Redis | undefined;
  const services: INestMicroservice[] = [];
  const clients: BrookClient[] = [];

  beforeAll(async () => {
    if (target.mode === 'embedded') embedded = await startEmbeddedBrook({ port: target.port });
    inspector = new Redis({ host: '127.0.0.1', port: target.port });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(services.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await inspector?.quit();
    await embedded?.close();
  });

  const serverConnection = (): BrookConnection => embedded?.connection ?? target.url;
  return {
    serverConnection,
    redis: () => inspector!,
    startService: async (module, options) => {
      const app = await NestFactory.createMicroservice(module, {
        strategy: new BrookServer({ ...options, connection: serverConnection() }),
        logger: false,
      });
      services.push(app);
      await app.listen();
      return app;
    },
    client: (options = {}) => {
      const client = new BrookClient({ ...options, connection: target.url });
      clients.push(client);
      return client;
    },
  };
}

/** Entries of `stream` delivered to `group` and not yet acknowledged (XPENDING summary). */
export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const [count] = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return count;
}

/** The consumer groups of `stream` ([] when it does not exist). */
export async function groupNames(redis: Redis, stream: string): Promise<string[]> {
  if ((await redis.exists(stream)) === 0) return [];
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  return groups.map((group) => String(group[1]));
}

/** Entries of `stream` not yet delivered to `group` (XINFO GROUPS `lag`, Redis 7). */
export async function lagOf(redis: Redis, stream: string, group: string): Promise<number> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const info = groups.find((g) => g[1] === group) ?? [];
  const at = info.indexOf('lag');
  return at >= 0 ? Number(info[at + 1]) : 0;
}
