#!/usr/bin/env node
// brook-server [path/to/redis.conf] [--option value ...]
//
// Launcher: data lives on the V8 heap, whose default limit (a few GB) is far below what a data
// store needs, so this starts the server in a Node process whose old-space limit is sized from
// `maxmemory` (when set) or from the machine's memory, then forwards signals and the exit code.
// The child holds the data and the port: it gets an IPC channel and this PID in BROOK_LAUNCHER_PID,
// and exits when the channel closes, so killing this launcher (even with SIGKILL) stops it too.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist/apps/brook/apps/brook/src/main.js');
if (!existsSync(main)) {
  process.stderr.write(`brook-server: ${main} is missing; run "npm run build" (npm ci does it) first\n`);
  process.exit(1);
}
// The server's own parser of redis.conf memory units, so the heap is sized from what it will read.
const { parseMemory } = await import(pathToFileURL(join(root, 'dist/apps/brook/libs/server/src/config/memory-units.js')).href);

/**
 * V8 GC settings for a heap that is mostly long-lived data (docs/BENCHMARKS.md, "GC and tail
 * latency at 20M keys"). --no-memory-reducer: the reducer starts a full mark of the whole heap
 * when allocation slows (e.g. right after a bulk load), and at 20M keys that mark ran in the main
 * thread's incremental steps for seconds while clients kept writing (GET p99 under a SET load
 * 50 ms with it, 3.2 ms without). Full GCs driven by heap growth still happen. BROOK_NODE_OPTIONS
 * comes later on the command line, so `--memory-reducer` there turns it back on.
 */
const GC_FLAGS = ['--no-memory-reducer'];

const args = process.argv.slice(2);
const heapMb = heapLimitMb(args);
const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...GC_FLAGS, ...nodeFlags(), main, ...args], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  env: { ...process.env, BROOK_LAUNCHER_PID: String(process.pid) },
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));

/** Node flags passed through BROOK_NODE_OPTIONS (e.g. --cpu-prof for profiling). */
function nodeFlags() {
  return (process.env.BROOK_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
}

/**
 * maxmemory plus headroom for V8's own structures and GC, or 75% of the machine's memory when
 * no maxmemory is configured (the command line wins over the config file, as in redis-server).
 */
function heapLimitMb(argv) {
  let maxmemory = 0;
  const fromFile = argv[0] && !argv[0].startsWith('-') && existsSync(argv[0]) ? readFileSync(argv[0], 'utf8') : '';
  for (const line of fromFile.split('\n')) {
    const m = /^\s*maxmemory\s+(\S+)/i.exec(line);
    if (m) maxmemory = parseMemory(m[1]);
  }
  const i = argv.lastIndexOf('--maxmemory');
  if (i >= 0 && argv[i + 1]) maxmemory = parseMemory(argv[i + 1]);
  const machine = Math.floor((totalmem() * 0.75) / 1048576);
  if (!maxmemory) return machine;
  return Math.min(machine, Math.max(1024, Math.ceil((maxmemory * 2) / 1048576)));
}
