/**
 * Benchmark servers: brook-server and a real redis-server, each pinned to the server CPU on a free
 * loopback port, plus the small process helpers the modes share (pinning, RSS, stopping by PID).
 * Every server started here is registered, so an error or Ctrl-C still stops it (see stopAll).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BROOK_BIN = join(ROOT, 'bin/brook-server.js');
export const BROOK_MAIN = join(ROOT, 'dist/apps/brook/apps/brook/src/main.js');
const GC_PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'gc-on-signal.js');

/** Servers run on CPU 1 and clients (redis-benchmark, redis-cli) on CPU 0, when there are two. */
const SERVER_CPU = 1;
const CLIENT_CPU = 0;

/** The servers still running, stopped by stopAll() on any exit path. */
const running = new Set();
/** Client tools (redis-benchmark, redis-cli) still running; stopAll() kills them too. */
const clients = new Set();
/** Set by stopAll(): no new client may start against servers that are going away. */
let stopping = false;

export function hasTool(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** [command, args] running `cmd` on one CPU with taskset, or unpinned on a one-CPU machine. */
function pinned(cpu, cmd, args) {
  if (cpus().length <= cpu || !hasTool('taskset')) return [cmd, args];
  return ['taskset', ['-c', String(cpu), cmd, ...args]];
}

/**
 * Spawns a client tool pinned to the client CPU (taskset execs it, so the PID is the tool's).
 * It is registered until it exits: a redis-benchmark whose server vanished retries forever, and
 * must not outlive this script.
 */
export function spawnClient(cmd, args) {
  if (stopping) throw new Error('benchmark is stopping');
  const [pcmd, pargs] = pinned(CLIENT_CPU, cmd, args);
  const proc = spawn(pcmd, pargs, { stdio: ['pipe', 'pipe', 'pipe'] });
  clients.add(proc);
  proc.on('exit', () => clients.delete(proc));
  return proc;
}

/**
 * Runs a client tool (spawnClient) to its end, killed after timeoutMs; resolves its exit code and
 * what it printed.
 */
export function runClient(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const proc = spawnClient(cmd, args);
    proc.stdin.end();
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The median of the values (the mean of the middle two for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * One server's result over interleaved rounds: its error, or the median of each named field
 * across the rounds plus every round's rate (the spread shows how quiet the machine was).
 */
export function summarizeRounds(error, rounds, fields) {
  if (error) return { error };
  const summary = { samples: rounds.map((r) => r.rate) };
  for (const field of fields) summary[field] = median(rounds.map((r) => r[field]));
  return summary;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in bytes, from /proc (the same source for both servers). */
export function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * CPU time (user + system, seconds) a process has used, from /proc: on a shared machine the server's
 * CPU per request is steadier than requests/s, which also moves with whatever else runs.
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: /proc reports CPU times in these ticks per second (100 on Linux). */
const CLOCK_TICKS = 100;

/** PIDs of the direct children of `pid`. */
function childPids(pid) {
  const out = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter(Boolean);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns a server and waits for its port. `dataPid` picks the process whose memory is the
 * server's (the launcher's node child for Brook, the process itself for Redis).
 */
async function startServer(name, cmd, args, port, env, dataPid) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name.toLowerCase()}-`));
  let output = '';
  const [pcmd, pargs] = pinned(SERVER_CPU, cmd, [...args, '--dir', dir]);
  const proc = spawn(pcmd, pargs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const server = {
    name,
    port,
    proc,
    dir,
    /** The PID to measure and signal; known once the server listens. */
    pid: 0,
    /** Set when the server exits without being stopped. */
    crashed: false,
    output: () => output,
    stop: () => stopServer(server),
  };
  running.add(server);
  // A server that dies under load would leave redis-benchmark retrying forever: end the clients.
  proc.on('exit', () => {
    if (!running.has(server)) return;
    server.crashed = true;
    for (const c of clients) c.kill('SIGKILL');
  });
  const deadline = Date.now() + 30000;
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not start on port ${port}:\n${output}`);
    }
    await sleep(50);
  }
  server.pid = dataPid(proc.pid);
  return server;
}

/** SIGTERM, wait up to 10 s, then SIGKILL — the launcher and its node child, by PID. */
async function stopServer(server) {
  running.delete(server);
  const pids = [server.proc.pid, server.pid].filter((p) => p && alive(p));
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
  rmSync(server.dir, { recursive: true, force: true });
}

/** Kills running client tools and stops every server (used on errors and signals). */
export async function stopAll() {
  stopping = true;
  for (const proc of clients) proc.kill('SIGKILL');
  await Promise.all([...running].map((s) => s.stop()));
}

/** Last-resort synchronous cleanup when the process exits without reaching stopAll(). */
process.on('exit', () => {
  for (const proc of clients) proc.kill('SIGKILL');
  for (const s of running) for (const pid of [s.proc.pid, s.pid]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
});

/**
 * brook-server as users run it (the launcher sizes the heap), persistence off. With `gc`, the
 * node child also loads gc-on-signal.js so forceGc() can collect garbage before measuring memory.
 */
export async function startBrook({ gc = false } = {}) {
  if (!existsSync(BROOK_MAIN)) throw new Error(`${BROOK_MAIN} is missing: run "npm ci" or "npm run build" first`);
  const port = await freePort();
  const env = gc ? { BROOK_NODE_OPTIONS: `--expose-gc --import ${GC_PRELOAD}` } : {};
  const args = [BROOK_BIN, '--port', String(port), '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
  const server = await startServer('Brook', process.execPath, args, port, env, (launcherPid) => {
    // taskset execs the launcher, so its PID is the launcher's; the data lives in its one child.
    const kids = childPids(launcherPid);
    if (kids.length !== 1) throw new Error(`expected one node child of brook-server ${launcherPid}, found ${kids.length}`);
    return kids[0];
  });
  server.gc = gc;
  return server;
}

/** A real redis-server, persistence off. */
export async function startRedis() {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  return startServer('Redis', 'redis-server', args, port, {}, (pid) => pid);
}

/**
 * Runs a full GC in a Brook started with { gc: true } and returns V8's heap statistics (printed by
 * the preload); resolves null for servers without that hook (Redis has no GC to force).
 */
export async function forceGc(server) {
  if (!server.gc) return null;
  const before = server.output().length;
  process.kill(server.pid, 'SIGUSR2');
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const m = /BROOK-BENCH-HEAP (\{.*\})\n/.exec(server.output().slice(before));
    if (m) return JSON.parse(m[1]);
    await sleep(50);
  }
  throw new Error('Brook did not report a GC within 60 s');
}

/** An ioredis client for the checks (no ready check: it would need INFO). */
export async function connect(port) {
  const client = new Redis({ host: '127.0.0.1', port, enableReadyCheck: false, maxRetriesPerRequest: 0, lazyConnect: true });
  await client.connect();
  return client;
}
