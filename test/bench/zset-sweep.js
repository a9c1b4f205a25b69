/**
 * The sorted-set sweep: ZRANK and ZRANGE <rank> <rank+9> on one sorted set of 1k, 100k, 1M and
 * 10M members, Brook and Redis side by side (one server at a time, pinned like the other benches),
 * printing the time per op — it must grow like log n, not n. Then bytes per member (INFO
 * used_memory delta, Brook after a forced GC) for 1M members in one key and for 100k keys of 10
 * members, against Redis's.
 *
 *   node test/bench/zset-sweep.js [sizes...]   (default 1000 100000 1000000 10000000)
 *   node test/bench/zset-sweep.js --memory     (the memory shapes only)
 *
 * Loading uses `redis-cli --pipe` with ZADDs of 100 members each; ops go over one connection in
 * pipelined batches of BATCH commands, so the figure is the server's cost per op plus a shared,
 * small client cost.
 */
import { once } from 'node:events';
import { Socket } from 'node:net';
import { forceGc, spawnClient, startBrook, startRedis, stopAll } from './servers.js';

const PAIRS_PER_ZADD = 100;
const CHUNK_COMMANDS = 1000;
const OPS = 20000;
const BATCH = 100;

const member = (i) => `m:${String(i).padStart(12, '0')}`;

/** One command in RESP multibulk form (ASCII arguments). */
function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** Streams the commands `gen(i)` for i in [0, count) into redis-cli --pipe; throws unless all succeeded. */
async function pipe(port, count, gen) {
  const cli = spawnClient('redis-cli', ['-p', String(port), '--pipe']);
  let output = '';
  cli.stdout.on('data', (d) => (output += d));
  cli.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => cli.on('close', resolve));
  for (let i = 0; i < count;) {
    let chunk = '';
    for (const end = Math.min(count, i + CHUNK_COMMANDS); i < end; i++) chunk += resp(gen(i));
    if (!cli.stdin.write(chunk)) await once(cli.stdin, 'drain');
  }
  cli.stdin.end();
  const code = await exited;
  const m = /errors: (\d+), replies: (\d+)/.exec(output);
  if (code !== 0 || !m || m[1] !== '0' || Number(m[2]) !== count) throw new Error(`loading failed:\n${output}`);
}

/** ZADD z with members [0, n), score i for member i. */
function loadOneKey(port, n) {
  return pipe(port, Math.ceil(n / PAIRS_PER_ZADD), (c) => {
    const args = ['ZADD', 'z'];
    for (let i = c * PAIRS_PER_ZADD; i < Math.min(n, (c + 1) * PAIRS_PER_ZADD); i++) args.push(String(i), member(i));
    return args;
  });
}

/** A raw pipelined connection: sends a batch and waits until it has seen `lines` reply lines. */
async function rawConnection(port) {
  const socket = new Socket();
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', resolve);
  });
  let waiting = null;
  let seen = 0;
  socket.on('data', (d) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) seen++;
    if (waiting && seen >= waiting.lines) waiting.resolve();
  });
  return {
    async send(bytes, lines) {
      seen = 0;
      const done = new Promise((resolve) => (waiting = { lines, resolve }));
      socket.write(bytes);
      await done;
      waiting = null;
    },
    close: () => socket.destroy(),
  };
}

/** Microseconds per op of OPS commands made by `make(random rank)`, each replying `linesPerReply` lines. */
async function timeOps(port, n, make, linesPerReply) {
  const conn = await rawConnection(port);
  try {
    const batches = [];
    for (let b = 0; b < OPS / BATCH; b++) {
      let s = '';
      for (let i = 0; i < BATCH; i++) s += resp(make(Math.floor(Math.random() * Math.max(1, n - 10))));
      batches.push(Buffer.from(s, 'latin1'));
    }
    await conn.send(batches[0], BATCH * linesPerReply); // warm-up
    const started = process.hrtime.bigint();
    for (const batch of batches) await conn.send(batch, BATCH * linesPerReply);
    return Number(process.hrtime.bigint() - started) / 1e3 / OPS;
  } finally {
    conn.close();
  }
}

async function sweepOne(start, n) {
  const server = await start();
  try {
    const t0 = Date.now();
    await loadOneKey(server.port, n);
    const loadSeconds = (Date.now() - t0) / 1000;
    const zrank = await timeOps(server.port, n, (r) => ['ZRANK', 'z', member(r)], 1);
    // ZRANGE r r+9: "*10" then 10 bulks of 2 lines.
    const zrange = await timeOps(server.port, n, (r) => ['ZRANGE', 'z', String(r), String(r + 9)], 21);
    return { loadSeconds, zrank, zrange };
  } finally {
    await server.stop();
  }
}

/** INFO used_memory (Brook: after a forced full GC). */
async function usedMemory(server) {
  await forceGc(server);
  const conn = new Socket();
  await new Promise((resolve) => conn.connect(server.port, '127.0.0.1', resolve));
  let text = '';
  conn.write(resp(['INFO', 'memory']));
  while (!/used_memory:\d+/.test(text)) text += (await once(conn, 'data'))[0].toString('latin1');
  conn.destroy();
  return Number(/used_memory:(\d+)/.exec(text)[1]);
}

async function memoryOne(start, shape) {
  const server = await start();
  try {
    const before = await usedMemory(server);
    if (shape === 'one') await loadOneKey(server.port, 1000000);
    else {
      await pipe(server.port, 100000, (k) => {
        const args = ['ZADD', `key:${k}`];
        for (let i = 0; i < 10; i++) args.push(String(i), member(i));
        return args;
      });
    }
    const after = await usedMemory(server);
    return (after - before) / 1000000;
  } finally {
    await server.stop();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const memoryOnly = args.includes('--memory');
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  if (!memoryOnly) {
    console.log(
      '| members | Brook ZRANK µs/op | Redis ZRANK µs/op | Brook ZRANGE r r+9 µs/op | Redis ZRANGE r r+9 µs/op | load s Brook / Redis |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|');
    for (const n of sizes.length > 0 ? sizes : [1000, 100000, 1000000, 10000000]) {
      const b = await sweepOne(() => startBrook(), n);
      const r = await sweepOne(() => startRedis(), n);
      const f = (x) => x.toFixed(2);
      console.log(
        `| ${n} | ${f(b.zrank)} | ${f(r.zrank)} | ${f(b.zrange)} | ${f(r.zrange)} | ${b.loadSeconds.toFixed(1)} / ${r.loadSeconds.toFixed(1)} |`,
      );
    }
  }
  console.log('\n| shape | Brook B/member | Redis B/member | Brook/Redis |');
  console.log('|---|---:|---:|---:|');
  for (const shape of ['one', 'many']) {
    const b = await memoryOne(() => startBrook({ gc: true }), shape);
    const r = await memoryOne(() => startRedis(), shape);
    const label = shape === 'one' ? '1M members in one key' : '100k keys × 10 members';
    console.log(`| ${label} | ${b.toFixed(1)} | ${r.toFixed(1)} | ${(b / r).toFixed(2)} |`);
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
