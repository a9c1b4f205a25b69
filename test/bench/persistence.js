/**
 * RDB snapshots, Brook (forkless BGSAVE) against Redis (fork): for N string keys of 16 bytes,
 * - BGSAVE time, from the reply to rdb_bgsave_in_progress:0 (polled every 10 ms);
 * - extra memory during a BGSAVE under a concurrent SET load over the same keys (redis-benchmark
 *   -r): Brook's peak RSS rise while the save runs, next to the rise over the same time under the
 *   same load without a save (V8's garbage alone); Redis's rdb_last_cow_size (the pages its fork
 *   copied, which Redis measures) and the child's peak private memory;
 * - the file size;
 * - load time at start-up, as each server logs it ("DB loaded from disk: S seconds").
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeSet } from './load.js';
import { connect, freePort, rssBytes, spawnClient } from './servers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const key = (i) => `key:${String(i).padStart(12, '0')}`; // redis-benchmark's key:__rand_int__ form
const VALUE = 'x'.repeat(16);

async function field(client, name) {
  const info = await client.info('persistence');
  return new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1];
}

/** Private memory of a process in bytes (smaps_rollup), 0 once it is gone. */
function privateBytes(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return [...text.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB/gm)].reduce((n, m) => n + Number(m[1]) * 1024, 0);
  } catch {
    return 0;
  }
}

/** Runs `during` while sampling the peak RSS of `pid` (and of the server's children, for Redis's fork). */
async function peakWhile(server, during) {
  let peak = 0;
  let childPeak = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, rssBytes(server.pid));
      for (const child of childrenOf(server.pid)) childPeak = Math.max(childPeak, privateBytes(child));
      await sleep(10);
    }
  })();
  const result = await during();
  done = true;
  await sampler;
  return { peak, childPeak, result };
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** BGSAVE and wait for its end; returns the elapsed ms. */
async function bgsave(client) {
  const t0 = performance.now();
  await client.bgsave();
  while ((await field(client, 'rdb_bgsave_in_progress')) !== '0') await sleep(10);
  return performance.now() - t0;
}

function writeLoad(port, keys) {
  return spawnClient('redis-benchmark', [
    '-p',
    String(port),
    '-t',
    'set',
    '-n',
    '100000000',
    '-r',
    String(keys),
    '-d',
    '16',
    '-P',
    '16',
    '-q',
  ]);
}

/** One server: fill, BGSAVE alone, BGSAVE under load (and the same time under load without it), file size. */
export async function snapshotRun(start, keys, log) {
  const server = await start();
  try {
    const client = await connect(server.port);
    log(`${server.name}: filling ${keys} keys`);
    await pipeSet(server.port, keys, key, () => VALUE);
    await sleep(1000);
    const rssBefore = rssBytes(server.pid);
    const quietMs = await bgsave(client);
    log(`${server.name}: BGSAVE ${Math.round(quietMs)} ms`);
    const fileBytes = statSync(join(server.dir, 'dump.rdb')).size;
    // A copy for the load test: the server's directory goes when it stops.
    const copyDir = mkdtempSync(join(tmpdir(), `bench-rdb-${server.name.toLowerCase()}-`));
    copyFileSync(join(server.dir, 'dump.rdb'), join(copyDir, 'dump.rdb'));

    const load = writeLoad(server.port, keys);
    await sleep(1000);
    const loadedRss = rssBytes(server.pid);
    const withSave = await peakWhile(server, () => bgsave(client));
    const underLoadMs = withSave.result;
    const baseline = rssBytes(server.pid);
    const without = await peakWhile(server, () => sleep(underLoadMs));
    load.kill('SIGKILL');
    const cow = Number(await field(client, 'rdb_last_cow_size'));
    client.disconnect();
    return {
      name: server.name,
      keys,
      rssBefore,
      quietMs,
      underLoadMs,
      fileBytes,
      extraWithSave: withSave.peak - loadedRss,
      extraWithoutSave: without.peak - baseline,
      childPrivatePeak: withSave.childPeak,
      cow,
      copyDir,
    };
  } finally {
    await server.stop();
  }
}

/** Start-up load of dump.rdb in `dir`: spawns the server there and reads the load time it logs. */
export async function loadRun(name, cmd, args, dir, log) {
  const port = await freePort();
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--loglevel', 'notice'];
  const proc = spawn(cmd, [...args, ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 120000;
  let seconds = null;
  while (seconds === null && Date.now() < deadline && proc.exitCode === null) {
    const m = /DB loaded from disk: ([\d.]+) seconds/.exec(out);
    if (m) seconds = Number(m[1]);
    else await sleep(20);
  }
  proc.kill('SIGKILL');
  log(`${name}: loaded in ${seconds} s`);
  return seconds;
}

export function persistenceMarkdown(brook, redis, loads) {
  const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
  const rows = [
    ['BGSAVE, no other load', `${Math.round(brook.quietMs)} ms`, `${Math.round(redis.quietMs)} ms`],
    ['BGSAVE under a SET -P 16 load', `${Math.round(brook.underLoadMs)} ms`, `${Math.round(redis.underLoadMs)} ms`],
    ['RSS of the data set before', mb(brook.rssBefore), mb(redis.rssBefore)],
    [
      'extra memory during BGSAVE under load',
      `${mb(brook.extraWithSave)} (peak RSS rise; same load without a save: ${mb(brook.extraWithoutSave)}; rdb_last_cow_size ${mb(brook.cow)})`,
      `${mb(redis.cow)} (rdb_last_cow_size; child private peak ${mb(redis.childPrivatePeak)})`,
    ],
    ['file size', `${brook.fileBytes} B`, `${redis.fileBytes} B`],
    ['start-up load', `${loads.brook} s`, `${loads.redis} s`],
  ];
  return [
    `### RDB snapshots (${brook.keys.toLocaleString('en-US')} keys of 16 bytes)`,
    '',
    '| | Brook | Redis |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
