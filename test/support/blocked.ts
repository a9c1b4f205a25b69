import 'reflect-metadata';
import { afterAll, beforeAll } from '@jest/globals';
import { Injectable, Module, type INestMicroservice } from '@nestjs/common';
import type { Session } from '@brook/commands';
import { Command, loadConfig, startBrook } from '@brook/server';
import { RawClient, encodeCommand } from './raw-client.js';
import { freePort, startBrookProcess, startRedis, type RunningServer } from './servers.js';

/** Waits until INFO on `admin`'s server counts `n` blocked clients (the commands sent before have run). */
export async function waitBlockedClients(admin: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await admin.call('INFO', 'clients')).includes(`blocked_clients:${n}\r\n`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never reached blocked_clients:${n}`);
}

/** The servers a blocking scenario runs on, with the same expectations on both. */
export const SERVERS = ['brook', 'redis'] as const;

/** A server for a describe block of blocking scenarios, an admin connection and the clients that block. */
export interface BlockingSuite {
  readonly server: RunningServer;
  /** Sets up and observes; never blocks. */
  readonly admin: RawClient;
  /** A new connection, closed after the suite. */
  connect(): Promise<RawClient>;
  blockedClients(n: number): Promise<void>;
  /** Sends a command that blocks, and waits until the server counts `blocked` blocked clients. */
  block(c: RawClient, blocked: number, ...argv: string[]): Promise<void>;
}

/** Starts Brook (as a process) or a real redis-server for the enclosing describe block. */
export function blockingSuite(kind: (typeof SERVERS)[number]): BlockingSuite {
  let server: RunningServer | undefined;
  let admin: RawClient | undefined;
  const opened: RawClient[] = [];
  beforeAll(async () => {
    server = kind === 'brook' ? await startBrookProcess() : await startRedis();
    admin = await RawClient.connect(server.port);
  });
  afterAll(async () => {
    for (const c of opened) c.close();
    admin?.close();
    await server?.stop();
  });
  const suite: BlockingSuite = {
    get server() {
      if (server === undefined) throw new Error('the server starts in beforeAll');
      return server;
    },
    get admin() {
      if (admin === undefined) throw new Error('the admin connection opens in beforeAll');
      return admin;
    },
    async connect() {
      const c = await RawClient.connect(suite.server.port);
      opened.push(c);
      return c;
    },
    blockedClients: (n) => waitBlockedClients(suite.admin, n),
    async block(c, blocked, ...argv) {
      c.write(encodeCommand(argv));
      await waitBlockedClients(suite.admin, blocked);
    },
  };
  return suite;
}

/** TEST.NESTED cmd args...: runs one command nested, as EXEC will (Brook has no MULTI yet). */
@Injectable()
class Nested {
  @Command({ name: 'test.nested', arity: -2, flags: ['write'] })
  nested(c: Session, argv: string[]): void {
    c.server.call(c, argv.slice(1));
  }
}

@Module({ providers: [Nested] })
class NestedModule {}

/** An in-process Brook with TEST.NESTED, and a real Redis to run the same commands inside MULTI. */
export interface NestedSuite {
  readonly brook: RawClient;
  readonly oracle: RawClient;
}

/** For the enclosing describe block: where a blocking command may not block (nested, as inside MULTI/EXEC). */
export function nestedSuite(): NestedSuite {
  let app: INestMicroservice | undefined;
  let redis: RunningServer | undefined;
  let brook: RawClient | undefined;
  let oracle: RawClient | undefined;
  beforeAll(async () => {
    const port = await freePort();
    ({ app } = await startBrook(loadConfig(['--port', String(port), '--bind', '127.0.0.1', '--save', '']), { imports: [NestedModule] }));
    brook = await RawClient.connect(port);
    redis = await startRedis();
    oracle = await RawClient.connect(redis.port);
  });
  afterAll(async () => {
    brook?.close();
    oracle?.close();
    await app?.close();
    await redis?.stop();
  });
  return {
    get brook() {
      if (brook === undefined) throw new Error('Brook starts in beforeAll');
      return brook;
    },
    get oracle() {
      if (oracle === undefined) throw new Error('Redis starts in beforeAll');
      return oracle;
    },
  };
}
