#!/usr/bin/env node
/**
 * npm run bench [-- options]: Brook against a real redis-server on this machine.
 *
 *   (default)          throughput (redis-benchmark, interleaved rounds) of strings and of the
 *                      collection commands, memory per key and per collection element, PUBLISH fan-out
 *   --scale            only the scale check (20M keys in one database; ~10 minutes, ~3 GB)
 *   --lazyfree         only DEL/UNLINK of one big collection per type (10M elements; ~15 minutes)
 *   --streams          only the stream benchmarks: XADD throughput, stream memory per entry and
 *                      the consumer-group driver (stream-groups.js; ~2 minutes)
 *   --streams-scale    only the 10M-entry stream check (load time, RSS; Brook and Redis)
 *   --throughput, --memory   only that part of the default run
 *   --pubsub           only the PUBLISH fan-out (1, 100 and 1000 subscribers; part of the default run, ~1 minute)
 *   --sdk              only the Nest SDK: @OnMessage consumer groups and client.send (sdk.js; ~3 minutes)
 *   --jobs             only the SDK's job queues, with BullMQ on Redis for reference (jobs.js; ~4 minutes)
 *   --persistence      only RDB snapshots: BGSAVE time, extra memory under a write load, file size and
 *                      start-up load time (persistence.js; 1M keys, ~2 minutes)
 *   --all              all of the above
 *   --write            also insert the results as a dated section into docs/BENCHMARKS.md
 *   --rounds R         throughput rounds (default 5)
 *   --requests N       redis-benchmark -n at -P 1 (default 100000; -P 16 uses 5 × N)
 *   --memory-keys N    keys for the memory test (default 1000000)
 *   --collection-rounds R, --collection-requests N
 *                      rounds and -n at -P 1 for the collection tests (default 3 and 50000)
 *   --collection-elements N  elements per collection memory workload (default 1000000)
 *   --memory-types T,...     workloads of the memory test: string, list, hash, set, zset (default all)
 *   --keys N           keys for the scale check (default 20000000)
 *   --persistence-keys N     keys of the snapshot benchmark (default 1000000)
 *   --lazyfree-elements N    elements of the collection DEL/UNLINK remove (default 10000000)
 *   --group-entries N, --group-producers N, --group-consumers N, --group-rounds R
 *                      the consumer-group driver: entries per run (default 200000), producers
 *                      (default 4), consumers (default 4), interleaved rounds (default 3)
 *   --stream-entries N entries of the --streams-scale stream (default 10000000)
 *
 * Needs the built server (npm ci builds it) and redis-server, redis-benchmark, redis-cli on PATH.
 */
import { existsSync } from 'node:fs';
import { cpus, freemem } from 'node:os';
import { parseArgs } from 'node:util';
import { lazyfreeRun } from './lazyfree.js';
import { COLLECTION_TYPES, collectionWorkload, measureMemory, stringWorkload } from './memory.js';
import {
  collectionMemoryMarkdown,
  collectionTargets,
  lazyfreeMarkdown,
  memoryMarkdown,
  scaleMarkdown,
  streamGroupsMarkdown,
  streamScaleMarkdown,
  throughputMarkdown,
  writeSection,
} from './report.js';
import { scaleRun } from './scale.js';
import { loadRun, persistenceMarkdown, snapshotRun } from './persistence.js';
import { streamGroups } from './stream-groups.js';
import { pubsubFanout, pubsubMarkdown } from './pubsub.js';
import { jobsBench, jobsMarkdown } from './jobs.js';
import { sdkBench, sdkMarkdown } from './sdk.js';
import { BROOK_BIN, BROOK_MAIN, hasTool, startBrook, startRedis, stopAll } from './servers.js';
import { COLLECTION_TESTS, STREAM_TESTS, throughput } from './throughput.js';

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

const { values: opts } = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    streams: { type: 'boolean', default: false },
    pubsub: { type: 'boolean', default: false },
    sdk: { type: 'boolean', default: false },
    jobs: { type: 'boolean', default: false },
    'streams-scale': { type: 'boolean', default: false },
    'group-entries': { type: 'string', default: '200000' },
    'group-producers': { type: 'string', default: '4' },
    'group-consumers': { type: 'string', default: '4' },
    'group-rounds': { type: 'string', default: '3' },
    'stream-entries': { type: 'string', default: '10000000' },
    lazyfree: { type: 'boolean', default: false },
    persistence: { type: 'boolean', default: false },
    'persistence-keys': { type: 'string', default: '1000000' },
    throughput: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '100000' },
    'memory-keys': { type: 'string', default: '1000000' },
    'collection-rounds': { type: 'string', default: '3' },
    'collection-requests': { type: 'string', default: '50000' },
    'collection-elements': { type: 'string', default: '1000000' },
    'memory-types': { type: 'string', default: ['string', ...COLLECTION_TYPES].join(',') },
    'lazyfree-elements': { type: 'string', default: '10000000' },
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

const size = {
  rounds: count('rounds'),
  requests: count('requests'),
  memoryKeys: count('memory-keys'),
  collectionRounds: count('collection-rounds'),
  collectionRequests: count('collection-requests'),
  collectionElements: count('collection-elements'),
  keys: count('keys'),
  lazyfreeElements: count('lazyfree-elements'),
  persistenceKeys: count('persistence-keys'),
  groupEntries: count('group-entries'),
  groupProducers: count('group-producers'),
  groupConsumers: count('group-consumers'),
  groupRounds: count('group-rounds'),
  streamEntries: count('stream-entries'),
};

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

/**
 * The string tests, then the collection tests and the stream tests (fewer rounds and requests: there
 * are fourteen); with `streamsOnly`, just the stream tests.
 */
async function runThroughput({ streamsOnly = false } = {}) {
  const requests = (pipeline) => (pipeline === 1 ? size.requests : size.requests * 5);
  const collectionRequests = (pipeline) => (pipeline === 1 ? size.collectionRequests : size.collectionRequests * 5);
  const rounds = size.collectionRounds;
  const brook = await startBrook();
  const redis = await startRedis();
  try {
    const parts = [];
    if (!streamsOnly) {
      const strings = await throughput(brook, redis, { rounds: size.rounds, requests, log });
      parts.push(throughputMarkdown(strings, { rounds: size.rounds, requests }));
      const collections = await throughput(brook, redis, { rounds, requests: collectionRequests, tests: COLLECTION_TESTS, log });
      parts.push(
        throughputMarkdown(collections, {
          rounds,
          requests: collectionRequests,
          title: 'Throughput: collections',
          targets: collectionTargets,
        }),
      );
    }
    const streams = await throughput(brook, redis, { rounds, requests: collectionRequests, tests: STREAM_TESTS, log });
    parts.push(
      throughputMarkdown(streams, { rounds, requests: collectionRequests, title: 'Throughput: streams', targets: collectionTargets }),
    );
    return parts.join('\n\n');
  } finally {
    await brook.stop();
    await redis.stop();
  }
}

/** The memory test's workloads (--memory-types), or exit with a usage message. */
function memoryTypes() {
  const known = ['string', ...COLLECTION_TYPES];
  const types = opts['memory-types'].split(',');
  const unknown = types.filter((t) => !known.includes(t));
  if (unknown.length > 0) {
    log(`--memory-types: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
    process.exit(1);
  }
  return types;
}

/** Strings, then each collection type in one key and in keys of 10 elements (from a warm baseline). */
async function runMemory(types = memoryTypes()) {
  const parts = [];
  if (types.includes('string')) {
    const strings = stringWorkload(size.memoryKeys);
    const brook = await measureMemory(() => startBrook({ gc: true }), strings, log);
    const redis = await measureMemory(startRedis, strings, log);
    parts.push(memoryMarkdown(brook, redis));
  }
  const rows = [];
  for (const type of COLLECTION_TYPES.filter((t) => types.includes(t))) {
    for (const perKey of [0, 10]) {
      const w = collectionWorkload(type, size.collectionElements, perKey);
      const options = { settleMs: 2000, warm: true };
      const b = await measureMemory(() => startBrook({ gc: true }), w, log, options);
      const r = await measureMemory(startRedis, w, log, options);
      rows.push({ type, label: w.label, brook: b, redis: r });
    }
  }
  if (rows.length > 0) parts.push(collectionMemoryMarkdown(rows));
  return parts.join('\n\n');
}

/** DEL and UNLINK of one big collection of each type, Brook and Redis. */
async function runLazyfree() {
  const rows = [];
  for (const type of COLLECTION_TYPES) {
    for (const command of ['DEL', 'UNLINK']) {
      const job = { type, elements: size.lazyfreeElements, command };
      const brook = await lazyfreeRun(startBrook, job, log);
      const redis = await lazyfreeRun(startRedis, job, log);
      rows.push({ ...job, brook, redis });
    }
  }
  return lazyfreeMarkdown(rows);
}

/** The consumer-group driver: N producers, M consumers of one group, Brook and Redis interleaved. */
async function runStreamGroups() {
  const brook = await startBrook();
  const redis = await startRedis();
  try {
    const result = await streamGroups(brook, redis, {
      rounds: size.groupRounds,
      entries: size.groupEntries,
      producers: size.groupProducers,
      consumers: size.groupConsumers,
      log,
    });
    return streamGroupsMarkdown(result);
  } finally {
    await brook.stop();
    await redis.stop();
  }
}

/** PUBLISH to 1, 100 and 1000 subscribers, Brook and Redis interleaved. */
async function runPubsub() {
  const brook = await startBrook();
  const redis = await startRedis();
  try {
    return pubsubMarkdown(await pubsubFanout(brook, redis, { rounds: size.collectionRounds, log }), size.collectionRounds);
  } finally {
    await brook.stop();
    await redis.stop();
  }
}

/** Suites of their own flag (and --all), each against a fresh Brook and Redis pair: its driver and its markdown writer. */
const PAIRED_SUITES = [
  { flag: 'sdk', title: 'Nest SDK', bench: sdkBench, markdown: sdkMarkdown },
  { flag: 'jobs', title: 'job queues', bench: jobsBench, markdown: jobsMarkdown },
];

async function runPaired({ bench, markdown }) {
  const brook = await startBrook();
  const redis = await startRedis();
  try {
    return markdown(await bench(brook, redis, { log }));
  } finally {
    await brook.stop();
    await redis.stop();
  }
}

/** All stream benchmarks of the default run, and the consumer-group driver. */
async function runStreams() {
  return [await runThroughput({ streamsOnly: true }), await runMemory(['stream']), await runStreamGroups()].join('\n\n');
}

/** One stream of --stream-entries entries (10M by default) loaded into each server: load time, RSS. */
async function runStreamScale() {
  const w = collectionWorkload('stream', size.streamEntries, 0);
  const brook = await measureMemory(() => startBrook({ gc: true }), w, log, { settleMs: 2000 });
  const redis = await measureMemory(startRedis, w, log, { settleMs: 2000 });
  return streamScaleMarkdown(brook, redis);
}

/** BGSAVE and start-up load, Brook then Redis, on the same keys (persistence.js). */
async function runPersistence() {
  const brook = await snapshotRun(() => startBrook(), size.persistenceKeys, log);
  const redis = await snapshotRun(() => startRedis(), size.persistenceKeys, log);
  const loads = {
    brook: await loadRun('Brook', process.execPath, [BROOK_BIN], brook.copyDir, log),
    redis: await loadRun('Redis', 'redis-server', [], redis.copyDir, log),
  };
  return persistenceMarkdown(brook, redis, loads);
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
  const only =
    opts.scale ||
    opts.lazyfree ||
    opts.throughput ||
    opts.memory ||
    opts.streams ||
    opts['streams-scale'] ||
    opts.pubsub ||
    opts.persistence ||
    PAIRED_SUITES.some((suite) => opts[suite.flag]);
  const parts = [];
  if (opts.all || !only || opts.throughput) parts.push(await runThroughput());
  if (opts.all || !only || opts.memory) parts.push(await runMemory());
  if (parts.length) {
    print(parts.join('\n\n'));
    save(opts.throughput === opts.memory ? 'throughput and memory' : opts.throughput ? 'throughput' : 'memory', parts);
  }
  if (opts.all || !only || opts.pubsub) {
    const markdown = await runPubsub();
    print(markdown);
    save('pub/sub', [markdown]);
  }
  if (opts.streams || opts.all) {
    // --all already ran the stream throughput and memory rows above: only the driver is left.
    const markdown = opts.all ? await runStreamGroups() : await runStreams();
    print(markdown);
    save(opts.all ? 'stream consumer groups' : 'streams', [markdown]);
  }
  for (const suite of PAIRED_SUITES) {
    if (!opts[suite.flag] && !opts.all) continue;
    const markdown = await runPaired(suite);
    print(markdown);
    save(suite.title, [markdown]);
  }
  if (opts['streams-scale'] || opts.all) {
    const markdown = await runStreamScale();
    print(markdown);
    save(`stream scale (${size.streamEntries.toLocaleString('en-US')} entries)`, [markdown]);
  }
  if (opts.persistence || opts.all) {
    const markdown = await runPersistence();
    print(markdown);
    save(`RDB snapshots (${size.persistenceKeys.toLocaleString('en-US')} keys)`, [markdown]);
  }
  if (opts.lazyfree || opts.all) {
    const markdown = await runLazyfree();
    print(markdown);
    save(`DEL and UNLINK (${size.lazyfreeElements.toLocaleString('en-US')} elements)`, [markdown]);
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
