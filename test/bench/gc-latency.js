#!/usr/bin/env node
/**
 * node test/bench/gc-latency.js [--configs a,b,...] [--redis] [--keys N] [--requests N] [--trace-dir DIR]
 *
 * GC tail latency on a large heap: loads N keys (default 20M, key:%012d so redis-benchmark's -r
 * GETs hit) into a fresh brook-server per V8 flag set, then measures GET p50/p99/max alone and
 * while a SET load overwrites random keys (writes promote values into the old generation, which
 * is what makes major GCs). Every Brook runs with --trace-gc, and the GC pauses inside each
 * measuring window are summed up per kind, so a p99 or max can be traced to its pause.
 * Progress goes to stderr, one Markdown row per server to stdout. Flag sets are named in CONFIGS;
 * `--redis` adds a real redis-server measured the same way; `--trace-dir` keeps each window's trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pipeSet } from './load.js';
import { rssBytes, spawnClient, startBrook, startRedis, stopAll } from './servers.js';
import { redisBenchmark } from './throughput.js';

/**
 * Node flags per configuration, after the launcher's own (which include --no-memory-reducer since
 * this script chose it: `memory-reducer` measures V8's default).
 */
const CONFIGS = {
  launcher: '',
  'memory-reducer': '--memory-reducer',
  'semi-64': '--max-semi-space-size=64',
  'single-threaded-gc': '--single-threaded-gc',
};

/** Concurrent writers beside the 50 GET clients: a steady stream of overwrites, not a flood. */
const WRITERS = 10;

const log = (msg) => process.stderr.write(`[gc-latency] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const keyOf = (i) => `key:${String(i).padStart(12, '0')}`;
const valueOf = (i) => `v${i}`;

const { values: opts } = parseArgs({
  options: {
    configs: { type: 'string', default: Object.keys(CONFIGS).join(',') },
    redis: { type: 'boolean', default: false },
    keys: { type: 'string', default: '20000000' },
    requests: { type: 'string', default: '2000000' },
    'trace-dir': { type: 'string' },
  },
});
const keys = Number(opts.keys);
const requests = Number(opts.requests);
const names = opts.configs.split(',').filter(Boolean);
for (const name of names) if (!(name in CONFIGS)) throw new Error(`unknown config ${name}; known: ${Object.keys(CONFIGS).join(', ')}`);

/** With --trace-dir, keeps the --trace-gc lines of one measuring window for reading later. */
function saveTrace(label, window, trace) {
  if (!opts['trace-dir'] || !trace) return;
  mkdirSync(opts['trace-dir'], { recursive: true });
  writeFileSync(join(opts['trace-dir'], `${label.split(' ')[1]}-${window}.log`), trace);
}

/**
 * GC pauses in a --trace-gc excerpt: per kind (Scavenge, Mark-Compact, ...) the count, total and
 * longest main-thread pause in ms, and the biggest incremental marking step seen.
 */
function gcPauses(trace) {
  const kinds = {};
  let biggestStep = 0;
  for (const m of trace.matchAll(/ ms: ([A-Za-z-]+(?: \([a-z]+\))?) [^,]*, ([\d.]+) \/ [\d.]+ ms(.*)/g)) {
    const k = (kinds[m[1]] ??= { count: 0, total: 0, max: 0 });
    const ms = Number(m[2]);
    k.count++;
    k.total += ms;
    k.max = Math.max(k.max, ms);
    const step = /biggest step ([\d.]+) ms/.exec(m[3]);
    if (step) biggestStep = Math.max(biggestStep, Number(step[1]));
  }
  return { kinds, biggestStep };
}

function pausesText({ kinds, biggestStep }) {
  const parts = Object.entries(kinds).map(([k, v]) => `${v.count} ${k} (${v.total.toFixed(0)} ms, max ${v.max.toFixed(1)})`);
  if (biggestStep) parts.push(`biggest marking step ${biggestStep.toFixed(1)} ms`);
  return parts.join('; ') || 'none';
}

/** A redis-benchmark SET load over the loaded keys that runs until stop() is called. */
function writeLoad(port) {
  const args = ['-p', String(port), '-t', 'set', '-c', String(WRITERS), '-r', String(keys), '-n', String(1e9), '-q', '--csv'];
  const proc = spawnClient('redis-benchmark', args);
  proc.stdin.end();
  const exited = new Promise((resolve) => proc.on('close', resolve));
  return async () => {
    proc.kill('SIGTERM');
    await exited;
  };
}

const ms = (r) => (r.error ? `error: ${r.error}` : `${r.p50.toFixed(3)} / ${r.p99.toFixed(3)} / ${r.max.toFixed(3)}`);

/** One server: load, settle, GET alone, GET under writes; returns the Markdown row. */
async function measure(label, server) {
  try {
    const loadSeconds = await pipeSet(server.port, keys, keyOf, valueOf, (n) => log(`${label}: ${n / 1e6}M keys sent`));
    log(`${label}: loaded ${keys} keys in ${loadSeconds.toFixed(1)} s`);
    await sleep(5000); // let the load's last major GC and sweeping finish before measuring
    const rssLoaded = rssBytes(server.pid);

    let from = server.output().length;
    const get = await redisBenchmark(server.port, { test: 'get', requests, keyspace: keys });
    saveTrace(label, 'get', server.output().slice(from));
    const getGc = gcPauses(server.output().slice(from));
    log(`${label}: GET ${ms(get)} ms; GC ${pausesText(getGc)}`);

    from = server.output().length;
    const stopWrites = writeLoad(server.port);
    await sleep(1000); // writers connected and running before GET starts
    const mixed = await redisBenchmark(server.port, { test: 'get', requests, keyspace: keys });
    await stopWrites();
    saveTrace(label, 'writes', server.output().slice(from));
    const mixedGc = gcPauses(server.output().slice(from));
    const rssEnd = rssBytes(server.pid);
    log(`${label}: GET under writes ${ms(mixed)} ms; GC ${pausesText(mixedGc)}`);

    const gib = (b) => (b / 2 ** 30).toFixed(2);
    const cells = [label, `${loadSeconds.toFixed(0)} s`, ms(get), ms(mixed), `${gib(rssLoaded)} → ${gib(rssEnd)} GiB`];
    if (server.name === 'Brook') cells.push(pausesText(getGc), pausesText(mixedGc));
    else cells.push('—', '—');
    return `| ${cells.join(' | ')} |`;
  } finally {
    await server.stop();
  }
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
try {
  const rows = [];
  for (const name of names) {
    // servers.js passes its environment on to the launcher, which hands these flags to the node child.
    process.env.BROOK_NODE_OPTIONS = `--trace-gc ${CONFIGS[name]}`.trim();
    rows.push(await measure(`Brook ${name}${CONFIGS[name] ? ` (\`${CONFIGS[name]}\`)` : ''}`, await startBrook()));
    log(rows.at(-1));
  }
  if (opts.redis) rows.push(await measure('Redis 7.0.15', await startRedis()));
  process.stdout.write(
    [
      `${keys} keys; redis-benchmark -c 50 -n ${requests} -r ${keys} GET, alone and beside ${WRITERS} SET clients; p50 / p99 / max in ms.`,
      '',
      '| Server | Load | GET alone | GET under writes | RSS loaded → end | GC pauses, GET alone | GC pauses, under writes |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await stopAll();
}
