#!/usr/bin/env node
/**
 * node test/bench/rdb-codec.js [--keys N]: the RDB codec against Redis 7.0 on N small string keys
 * (default 1M, DEBUG POPULATE's key:i → value:i). Times, in this process, RdbWriter writing them
 * and RdbReader reading Redis's own dump.rdb of the same keys; and, for reference, Redis's SAVE and
 * its start-up load of that file. Prints file sizes too. Run `npm run build` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './servers.js';

const argv = process.argv.slice(2);
const KEYS = Number(argv[argv.indexOf('--keys') + 1] || 1000000) || 1000000;
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist/apps/brook/libs', p)).href);
const { RdbWriter, RdbReader } = await dist('persistence/src/index.js');

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const cli = (port, ...args) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

async function startRedis(dir) {
  const port = await freePort();
  const t0 = process.hrtime.bigint();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'local'],
    {
      stdio: 'ignore',
    },
  );
  for (;;) {
    const up = await new Promise((r) => {
      const s = new Socket();
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
      s.connect(port, '127.0.0.1');
    });
    if (up && cli(port, 'PING') === 'PONG') break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { port, proc, readySeconds: seconds(t0) };
}

const dir = mkdtempSync(join(tmpdir(), 'rdb-bench-'));
try {
  const redis = await startRedis(dir);
  cli(redis.port, 'DEBUG', 'POPULATE', String(KEYS));
  let t0 = process.hrtime.bigint();
  cli(redis.port, 'SAVE');
  const redisSave = seconds(t0);
  redis.proc.kill('SIGKILL');
  const file = readFileSync(join(dir, 'dump.rdb'));

  const reloaded = await startRedis(dir);
  reloaded.proc.kill('SIGKILL');

  t0 = process.hrtime.bigint();
  const reader = new RdbReader(file);
  const keys = [];
  for (let item = reader.next(); item.kind !== 'eof'; item = reader.next()) if (item.kind === 'entry') keys.push(item);
  const readSeconds = seconds(t0);
  if (keys.length !== KEYS) throw new Error(`read ${keys.length} keys, expected ${KEYS}`);

  t0 = process.hrtime.bigint();
  let size = 0;
  const writer = new RdbWriter({ compression: true, checksum: true }, (chunk) => (size += chunk.length));
  writer.header([
    ['redis-ver', '7.0.15'],
    ['redis-bits', 64],
    ['ctime', Math.floor(Date.now() / 1000)],
    ['used-mem', 0],
    ['aof-base', 0],
  ]);
  writer.selectDb(0, keys.length, 0);
  for (const k of keys) writer.entry(k.key, k.value, k.expireAtMs);
  writer.end();
  const writeSeconds = seconds(t0);

  console.log(`RDB codec, ${KEYS} small string keys (node ${process.version}):`);
  console.log(`  Brook RdbWriter (in memory, CRC64 + LZF on): ${writeSeconds.toFixed(3)} s, ${size} bytes`);
  console.log(`  Redis SAVE (to disk):                        ${redisSave.toFixed(3)} s, ${statSync(join(dir, 'dump.rdb')).size} bytes`);
  console.log(`  Brook RdbReader of Redis's file (+ values):  ${readSeconds.toFixed(3)} s`);
  console.log(`  Redis start-up with that file (to PONG):     ${reloaded.readySeconds.toFixed(3)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
