/**
 * The adversarial harness: hostile input goes to Brook and to a real redis-server side by side.
 * While an attack runs, a child process sends PING after PING to the same server and records
 * the slowest round trip (the event loop must never stall where Redis's does not), and the
 * server's resident memory is read from /proc before, at its peak and after (it must come back
 * down once the hostile client is gone).
 */
import { afterAll, beforeAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { startBrookProcess, startRedis, type RunningServer } from '../support/servers.js';
import { rssBytes as rss } from '../support/wire.js';

export { rss };

/** Longest PING round trip tolerated while an attack runs on a server whose loop must not stall. */
export const MAX_PING_MS = 100;

export interface Target {
  name: 'brook' | 'redis';
  server: RunningServer;
  port: number;
  /** PID of the process holding the data (Brook's launcher starts the server as a child). */
  pid: number;
}

export interface AdversarialSuite {
  brook: Target;
  redis: Target;
  /** Both targets, Brook first. */
  both(): Target[];
}

/** Starts Brook and Redis for the enclosing describe block (Redis with DEBUG allowed locally, like Brook's default). */
export function adversarialSuite(brookArgs: string[] = [], redisArgs: string[] = []): AdversarialSuite {
  const suite = {
    both(): Target[] {
      return [suite.brook, suite.redis];
    },
  } as AdversarialSuite;
  beforeAll(async () => {
    const [b, r] = await Promise.all([startBrookProcess(brookArgs), startRedis(['--enable-debug-command', 'local', ...redisArgs])]);
    suite.brook = { name: 'brook', server: b, port: b.port, pid: await serverPid(b.port) };
    suite.redis = { name: 'redis', server: r, port: r.port, pid: await serverPid(r.port) };
  });
  afterAll(async () => {
    await Promise.all([suite.brook?.server.stop(), suite.redis?.server.stop()]);
  });
  return suite;
}

/** Runs one command on a fresh connection to the target and returns its raw reply. */
export async function call(t: Target, ...args: (string | Buffer)[]): Promise<string> {
  const c = await RawClient.connect(t.port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

/** The server's own PID, from INFO's process_id. */
async function serverPid(port: number): Promise<number> {
  const c = await RawClient.connect(port);
  try {
    const info = await c.call('INFO', 'server');
    return Number(/process_id:(\d+)/.exec(info)![1]);
  } finally {
    c.close();
  }
}

export interface Watch {
  readonly startRss: number;
  /** Stops pinging and sampling; returns the slowest PING round trip (ms) and the RSS figures. */
  stop(): Promise<{ maxPingMs: number; peakRss: number; startRss: number }>;
}

const PINGER = join(dirname(fileURLToPath(import.meta.url)), '../support/pinger.js');

/**
 * Starts watching a server: a child process (test/support/pinger.js) keeps one PING in flight on
 * its own connection and records the slowest round trip, so the test process's own work cannot
 * inflate it; RSS is sampled here every 20 ms.
 */
export async function watch(t: Target): Promise<Watch> {
  const pinger = spawn(process.execPath, [PINGER, String(t.port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  pinger.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => pinger.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (out.startsWith('ready\n')) resolve();
    };
    pinger.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`the PING watcher exited (${code}) before its first PONG`)));
  });
  const startRss = rss(t.pid);
  let peakRss = startRss;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rss(t.pid));
    } catch {
      // the process is gone; the attack's own assertions say why
    }
  }, 20);
  return {
    startRss,
    async stop() {
      clearInterval(sampler);
      pinger.stdin.end();
      const code = await exited;
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) throw new Error(`the PING watcher failed (exit ${code}): ${out}`);
      const { maxPingMs } = JSON.parse(last) as { maxPingMs: number };
      return { maxPingMs, peakRss, startRss };
    },
  };
}

export interface AttackResult<T> {
  /** What the attack returned (replies, close behaviour...). */
  result: T;
  maxPingMs: number;
  peakRss: number;
  startRss: number;
  /** RSS once the attack ended and memory settled (see settleRss). */
  endRss: number;
}

/**
 * Runs `attack` against one target while watching it, then waits for its memory to settle.
 * `rssSlack` is how far above the starting RSS the server may stay afterwards.
 */
export async function underAttack<T>(t: Target, attack: (t: Target) => Promise<T>, rssSlack = 64 * 1024 * 1024): Promise<AttackResult<T>> {
  const w = await watch(t);
  let result: T;
  let seen: Awaited<ReturnType<Watch['stop']>>;
  try {
    result = await attack(t);
  } finally {
    seen = await w.stop();
  }
  const endRss = await settleRss(t, w.startRss + rssSlack);
  return { result, ...seen, endRss };
}

/**
 * Waits up to `ms` for the RSS to fall to `target` (V8 returns freed pages to the system on its
 * own schedule; pinging keeps the loop turning so its idle-time GC runs), returning the last reading.
 */
export async function settleRss(t: Target, target: number, ms = 15000): Promise<number> {
  const deadline = Date.now() + ms;
  const c = await RawClient.connect(t.port);
  try {
    for (;;) {
      const now = rss(t.pid);
      if (now <= target || Date.now() > deadline) return now;
      await c.call('PING');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    c.close();
  }
}

/** Sends raw bytes on a fresh connection and collects what comes back until the server closes it or `ms` pass. */
export async function sendRaw(port: number, data: Buffer | string, ms = 5000): Promise<{ reply: string; closed: boolean }> {
  const c = await RawClient.connect(port);
  c.write(data);
  try {
    const rest = await c.waitClosed(ms);
    return { reply: rest, closed: true };
  } catch {
    const reply = c.unread();
    c.close();
    return { reply, closed: false };
  }
}

export const MB = 1024 * 1024;

/** Builds `key` with `n` items, 10k per command: `command key ...item(i)` for i in [from, from + n). */
export async function fill(t: Target, command: string, key: string, n: number, item: (i: number) => string[], from = 0): Promise<void> {
  const c = await RawClient.connect(t.port);
  try {
    await c.call('DEL', key);
    for (let i = from; i < from + n; i += 10000) {
      const args = [command, key];
      for (let j = i; j < Math.min(from + n, i + 10000); j++) args.push(...item(j));
      await c.call(...args);
    }
  } finally {
    c.close();
  }
}

/** Sends commands one at a time on one connection; their raw replies (60 s each at most). */
export async function callEach(t: Target, argvs: string[][]): Promise<string[]> {
  const c = await RawClient.connect(t.port);
  try {
    const out: string[] = [];
    for (const argv of argvs) {
      c.write(encodeCommand(argv));
      out.push((await c.read(60_000)).toString('latin1'));
    }
    return out;
  } finally {
    c.close();
  }
}

/** Sends one command and reads `bytes` bytes of reply (too big for RawClient's reparsing); returns the last 32. */
export function drain(t: Target, argv: string[], bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let got = 0;
    let tail = '';
    s.on('error', reject);
    s.on('data', (d) => {
      got += d.length;
      tail = (tail + d.toString('latin1')).slice(-32);
      if (got >= bytes) {
        s.destroy();
        resolve(tail);
      }
    });
    s.connect(t.port, '127.0.0.1', () => s.write(encodeCommand(argv)));
  });
}

/** RESP2 size of a bulk string of `n` bytes. */
export function bulkSize(n: number): number {
  return String(n).length + n + 5;
}
