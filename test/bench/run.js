#!/usr/bin/env node
/**
 * npm run bench [-- options]: Brook against a real redis-server on this machine.
 *
 *   (default)          throughput (redis-benchmark, interleaved rounds) and memory per key
 *   --scale            only the scale check (20M keys in one database; ~10 minutes, ~3 GB)
 *   --all              throughput, memory and scale
 *   --write            also insert the results as a dated section into docs/BENCHMARKS.md
 *   --rounds R         throughput rounds (default 5)
 *   --requests N       redis-benchmark -n at -P 1 (default 100000; -P 16 uses 5 × N)
 *   --memory-keys N    keys for the memory test (default 1000000)
 *   --keys N           keys for the scale check (default 20000000)
 *
 * Needs the built server (npm ci builds it) and redis-server, redis-benchmark, redis-cli on PATH.
 */
import { existsSync } from 'node:fs';
import { cpus, freemem } from 'node:os';
import { parseArgs } from 'node:util';
import { measureMemory } from './memory.js';
import { memoryMarkdown, scaleMarkdown, throughputMarkdown, writeSection } from './report.js';
import { scaleRun } from './scale.js';
import { BROOK_MAIN, hasTool, startBrook, startRedis, stopAll } from './servers.js';
import { throughput } from './throughput.js';

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

const { values: opts } = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '100000' },
    'memory-keys': { type: 'string', default: '1000000' },
    keys: { type: 'string', default: '20000000' },
  },
});

/** A positive integer option, or exit with a usage message. */
function count(name) {
  const n = Number(opts[name]);
  if (!Number.isSafeInteger(n) || n <= 0) {
    log(`--${name} must be a positive integer, got "${opts[name]}"`);
    process.exit(1);
  }
  return n;
}

const size = { rounds: count('rounds'), requests: count('requests'), memoryKeys: count('memory-keys'), keys: count('keys') };

/** Exits with a clear message unless the build and the Redis tools are there. */
function checkPrerequisites() {
  if (!existsSync(BROOK_MAIN)) {
    log(`Brook is not built (${BROOK_MAIN} is missing): run "npm ci" or "npm run build" first.`);
    process.exit(1);
  }
  const missing = ['redis-server', 'redis-benchmark', 'redis-cli'].filter((t) => !hasTool(t));
  if (missing.length) {
    log(`missing ${missing.join(', ')}: install them (Debian/Ubuntu: apt-get install -y redis-server redis-tools).`);
    process.exit(1);
  }
  if (!hasTool('taskset') || cpus().length < 2) log('warning: cannot pin servers and clients to separate CPUs; numbers will be noisier.');
}

const print = (markdown) => process.stdout.write(`\n${markdown}\n`);

/** With --write, adds the results as one dated section to docs/BENCHMARKS.md. */
function save(title, parts) {
  if (!opts.write) return;
  writeSection(title, parts.join('\n\n'));
  log(`wrote "${title}" to docs/BENCHMARKS.md`);
}

async function runThroughput() {
  const requests = (pipeline) => (pipeline === 1 ? size.requests : size.requests * 5);
  const brook = await startBrook();
  const redis = await startRedis();
  try {
    const rows = await throughput(brook, redis, { rounds: size.rounds, requests, log });
    return throughputMarkdown(rows, { rounds: size.rounds, requests });
  } finally {
    await brook.stop();
    await redis.stop();
  }
}

async function runMemory() {
  const brook = await measureMemory(() => startBrook({ gc: true }), size.memoryKeys, log);
  const redis = await measureMemory(startRedis, size.memoryKeys, log);
  return memoryMarkdown(brook, redis);
}

/** Brook peaked near 100 bytes per small key (RSS, 20M keys): warn before a run that cannot fit. */
async function runScale() {
  const needed = size.keys * 150;
  if (freemem() < needed)
    log(`warning: ${(freemem() / 2 ** 30).toFixed(1)} GiB free, the scale run needs about ${(needed / 2 ** 30).toFixed(1)} GiB`);
  const brook = await scaleRun(() => startBrook({ gc: true }), size.keys, log);
  const redis = await scaleRun(startRedis, size.keys, log);
  return { markdown: scaleMarkdown([brook, redis]), ok: brook.ok && redis.ok };
}

async function main() {
  checkPrerequisites();
  let ok = true;
  if (!opts.scale || opts.all) {
    const parts = [await runThroughput()];
    print(parts[0]);
    parts.push(await runMemory());
    print(parts[1]);
    save('throughput and memory', parts);
  }
  if (opts.scale || opts.all) {
    const scale = await runScale();
    print(scale.markdown);
    save(`scale (${size.keys.toLocaleString('en-US')} keys)`, [scale.markdown]);
    if (!scale.ok) {
      log('scale check FAILED: see the table above');
      ok = false;
    }
  }
  return ok;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping servers`);
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .then((ok) => process.exit(ok ? 0 : 1))
  .catch(async (e) => {
    log(`failed: ${e.stack ?? e}`);
    await stopAll();
    process.exit(1);
  });
