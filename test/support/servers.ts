/**
 * Test servers: a real brook-server (the built executable, as users run it) and a real
 * redis-server, each on a free loopback port, stopped by PID when the suite ends.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RawClient } from './raw-client.js';
import { waitUntil } from './wait.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BROOK_BIN = join(ROOT, 'bin/brook-server.js');

/** True when a Redis tool is on PATH; suites that need one say so clearly when it is missing. */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function requireTool(name: string): void {
  if (!hasTool(name)) {
    throw new Error(`${name} is not installed: apt-get install -y redis-server redis-tools (.ci/run does this)`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  port: number;
  dir: string;
  proc: ChildProcess;
  /** Everything the process printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
}

async function waitForPort(port: number, proc: ChildProcess, out: () => string, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out()}`);
    if (await listening(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${port}:\n${out()}`);
}

async function start(cmd: string, args: string[], port: number, dir: string, env?: NodeJS.ProcessEnv): Promise<RunningServer> {
  let output = '';
  const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, proc, () => output);
  return {
    port,
    dir,
    proc,
    output: () => output,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        let timer: NodeJS.Timeout | undefined;
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGKILL');
          await exited;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the built brook-server on a free port (or `port`: a restart where clients wait to
 * reconnect) with an empty data dir. Extra args go last.
 */
export async function startBrookProcess(extra: string[] = [], env?: NodeJS.ProcessEnv, port?: number): Promise<RunningServer> {
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'brook-'));
  return start(
    process.execPath,
    [BROOK_BIN, '--port', String(port), '--dir', dir, '--save', '', '--loglevel', 'warning', ...extra],
    port,
    dir,
    env,
  );
}

/** Starts a real redis-server on a free port, persistence off. */
export async function startRedis(extra: string[] = []): Promise<RunningServer> {
  requireTool('redis-server');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  return start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra],
    port,
    dir,
  );
}

/** A brook-server process and a real redis-server side by side. */
export interface ServerPair {
  brook: RunningServer;
  redis: RunningServer;
}

/**
 * The pair for the enclosing describe block (or file): started in its beforeAll with the extra
 * arguments given, stopped in its afterAll. The fields are set once beforeAll has run, so read
 * them inside tests and hooks.
 */
export function serverPair(brookArgs: string[] = [], redisArgs: string[] = []): ServerPair {
  const pair = {} as ServerPair;
  beforeAll(async () => {
    [pair.brook, pair.redis] = await Promise.all([startBrookProcess(brookArgs), startRedis(redisArgs)]);
  });
  afterAll(async () => {
    await Promise.all([pair.brook?.stop(), pair.redis?.stop()]);
  });
  return pair;
}

/** Servers started by the tests of a file as they need them, and ioredis clients to them. */
export interface ServerPool {
  brook(extra?: string[], env?: NodeJS.ProcessEnv): Promise<RunningServer>;
  redis(extra?: string[]): Promise<RunningServer>;
  /** A client that gives up at once when the server is gone (no retried commands). */
  client(server: RunningServer): Redis;
}

/** The pool of the enclosing block: clients dropped after each test, servers stopped after all. */
export function serverPool(): ServerPool {
  const servers: RunningServer[] = [];
  const clients: Redis[] = [];
  const started = async (s: Promise<RunningServer>): Promise<RunningServer> => {
    servers.push(await s);
    return servers[servers.length - 1];
  };
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  return {
    brook: (extra = [], env) => started(startBrookProcess(extra, env)),
    redis: (extra = []) => started(startRedis(extra)),
    client: (server) => {
      const c = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      clients.push(c);
      return c;
    },
  };
}

/**
 * Waits until the server on `port` runs commands: a server listens before its data set is loaded
 * (dbfilename or the AOF, as Redis does) and answers -LOADING until then.
 */
export async function waitLoaded(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    await waitUntil(async () => (await c.call('PING')) === '+PONG\r\n', `the data set of the server on port ${String(port)} to load`);
  } finally {
    c.close();
  }
}
