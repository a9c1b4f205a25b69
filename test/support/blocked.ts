import { afterAll, beforeAll } from '@jest/globals';
import { RawClient, encodeCommand } from './raw-client.js';
import { serverPair, startBrookProcess, startRedis, type RunningServer } from './servers.js';

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

/** A Brook and a real Redis side by side, to run the same transaction on both. */
export interface TransactionSuite {
  readonly brook: RawClient;
  readonly oracle: RawClient;
  /** MULTI, the commands (each must be QUEUED), EXEC on both servers: the two EXEC replies. */
  exec(commands: readonly string[][]): Promise<{ brook: string; redis: string }>;
}

/** For the enclosing describe block: where a blocking command may not block (inside MULTI/EXEC). */
export function transactionSuite(): TransactionSuite {
  const servers = serverPair();
  let brook: RawClient | undefined;
  let oracle: RawClient | undefined;
  beforeAll(async () => {
    [brook, oracle] = await Promise.all([RawClient.connect(servers.brook.port), RawClient.connect(servers.redis.port)]);
  });
  afterAll(() => {
    brook?.close();
    oracle?.close();
  });
  const connected = (c: RawClient | undefined): RawClient => {
    if (c === undefined) throw new Error('the servers start in beforeAll');
    return c;
  };
  const execOn = async (c: RawClient, commands: readonly string[][]): Promise<string> => {
    if ((await c.call('MULTI')) !== '+OK\r\n') throw new Error('MULTI refused');
    for (const argv of commands) {
      const queued = await c.call(...argv);
      if (queued !== '+QUEUED\r\n') throw new Error(`${argv.join(' ')} not queued: ${queued}`);
    }
    return c.call('EXEC');
  };
  return {
    get brook() {
      return connected(brook);
    },
    get oracle() {
      return connected(oracle);
    },
    async exec(commands) {
      const [b, r] = await Promise.all([execOn(connected(brook), commands), execOn(connected(oracle), commands)]);
      return { brook: b, redis: r };
    },
  };
}
