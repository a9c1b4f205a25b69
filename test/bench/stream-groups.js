#!/usr/bin/env node
/**
 * Consumer-group throughput: N producers XADD (pipelined a little) while M consumers of one group
 * XREADGROUP COUNT 100 BLOCK 1000 and XACK what they got, until a fixed number of entries has been
 * consumed. Each entry carries its send time, so the driver also reports producer-to-consumer
 * latency (p50/p99). Brook and Redis run in interleaved rounds, one server under load at a time;
 * the medians are reported.
 *
 * The driver itself runs as a child process pinned to the client CPU (like redis-benchmark):
 * `node stream-groups.js <port> <entries> <producers> <consumers>` prints one JSON line.
 */
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { cpuSeconds, runClient, summarizeRounds } from './servers.js';

const STREAM = 'bench:groups';
const GROUP = 'g';
/** XADDs per producer pipeline (awaited before the next). */
const PIPELINE = 10;
const COUNT = 100;
const BLOCK_MS = 1000;
const RUN_TIMEOUT_MS = 5 * 60 * 1000;

/** The command in RESP (ASCII arguments). */
function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/**
 * A lean RESP2 connection for the driver: a client library's per-command cost would make the
 * driver, not the server, the bottleneck. Replies decode to strings, numbers, null and arrays.
 */
class Conn {
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.waiting = []; // { n, resolve, reject, replies }
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), d]) : d;
      this.pos = 0;
      this.drain();
    });
    const fail = (e) => {
      for (const w of this.waiting.splice(0)) w.reject(e ?? new Error('connection closed'));
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  static open(port) {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  /** Sends commands in one write; resolves their replies in order. */
  send(commands) {
    this.socket.write(commands.map(resp).join(''));
    return new Promise((resolve, reject) => {
      this.waiting.push({ n: commands.length, resolve, reject, replies: [] });
      this.drain();
    });
  }

  drain() {
    while (this.waiting.length) {
      const w = this.waiting[0];
      while (w.replies.length < w.n) {
        const r = this.parse(this.pos);
        if (!r) return;
        this.pos = r[1];
        w.replies.push(r[0]);
      }
      this.waiting.shift();
      const err = w.replies.find((r) => r instanceof Error);
      if (err) w.reject(err);
      else w.resolve(w.replies);
    }
  }

  /** [value, next position] of the reply at `pos`, or null when it is incomplete. */
  parse(pos) {
    const b = this.buf;
    const lf = b.indexOf(10, pos);
    if (lf < 0) return null;
    const head = b.toString('latin1', pos + 1, lf - 1);
    switch (b[pos]) {
      case 43: // +
        return [head, lf + 1];
      case 45: // -
        return [new Error(head), lf + 1];
      case 58: // :
        return [Number(head), lf + 1];
      case 36: {
        // $
        const n = Number(head);
        if (n < 0) return [null, lf + 1];
        if (b.length < lf + 1 + n + 2) return null;
        return [b.toString('latin1', lf + 1, lf + 1 + n), lf + 1 + n + 2];
      }
      case 42: {
        // *
        const n = Number(head);
        if (n < 0) return [null, lf + 1];
        const out = new Array(n);
        let p = lf + 1;
        for (let i = 0; i < n; i++) {
          const r = this.parse(p);
          if (!r) return null;
          out[i] = r[0];
          p = r[1];
        }
        return [out, p];
      }
      default:
        throw new Error(`unexpected reply ${JSON.stringify(b.toString('latin1', pos, pos + 40))}`);
    }
  }

  close() {
    this.socket.destroy();
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One measured run against the server on `port` (in the driver process). */
async function drive(port, entries, producers, consumers) {
  const admin = await Conn.open(port);
  await admin.send([
    ['DEL', STREAM],
    ['XGROUP', 'CREATE', STREAM, GROUP, '$', 'MKSTREAM'],
  ]);
  const latencies = new Float64Array(entries);
  const seen = new Set();
  let consumed = 0;
  let duplicates = 0;
  let finished;
  const allConsumed = new Promise((r) => (finished = r));
  let endedAt = 0;

  const readers = await Promise.all(Array.from({ length: consumers }, () => Conn.open(port)));
  const writers = await Promise.all(Array.from({ length: producers }, () => Conn.open(port)));

  const consume = async (c, name) => {
    const read = [['XREADGROUP', 'GROUP', GROUP, name, 'COUNT', String(COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', STREAM, '>']];
    while (consumed < entries) {
      const [reply] = await c.send(read);
      if (!reply) continue;
      const now = performance.now();
      const batch = reply[0][1];
      const ids = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const [id, fields] = batch[i];
        ids[i] = id;
        if (seen.has(id)) duplicates++;
        else seen.add(id);
        if (consumed < entries) latencies[consumed] = now - Number(fields[1]);
        consumed++;
      }
      await c.send([['XACK', STREAM, GROUP, ...ids]]);
      if (consumed >= entries && !endedAt) {
        endedAt = performance.now();
        finished();
      }
    }
  };
  const produce = async (c, p) => {
    const mine = Math.floor(entries / producers) + (p < entries % producers ? 1 : 0);
    const tag = `producer-${p}`;
    for (let sent = 0; sent < mine; sent += PIPELINE) {
      const batch = [];
      for (let k = 0; k < Math.min(PIPELINE, mine - sent); k++) batch.push(['XADD', STREAM, '*', 't', String(performance.now()), 'p', tag]);
      await c.send(batch);
    }
  };

  const ids = (await Promise.all(readers.map((c) => c.send([['CLIENT', 'ID']])))).map(([id]) => String(id));
  const startedAt = performance.now();
  const consuming = readers.map((c, i) => consume(c, `c${i}`));
  await Promise.all(writers.map(produce));
  await allConsumed;
  // Consumers still blocked get CLIENT UNBLOCK (a null reply, as on timeout) and see that all is
  // consumed; their XACKs have all been answered once every loop has ended.
  let ended = false;
  const all = Promise.all(consuming).finally(() => (ended = true));
  while (!ended) {
    await admin.send(ids.map((id) => ['CLIENT', 'UNBLOCK', id]));
    await Promise.race([all, new Promise((r) => setTimeout(r, 10))]);
  }
  await all;
  const [pending, length] = await admin.send([
    ['XPENDING', STREAM, GROUP],
    ['XLEN', STREAM],
    ['DEL', STREAM],
  ]);
  for (const c of [admin, ...writers, ...readers]) c.close();

  const sorted = latencies.sort();
  const seconds = (endedAt - startedAt) / 1000;
  return {
    entries,
    seconds,
    rate: entries / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    distinct: seen.size,
    duplicates,
    length,
    pending: pending[0],
  };
}

/** Runs the driver pinned to the client CPU against one server; resolves its result or { error }. */
function driverRun(port, { entries, producers, consumers }) {
  const args = [fileURLToPath(import.meta.url), String(port), String(entries), String(producers), String(consumers)];
  return runClient(process.execPath, args, RUN_TIMEOUT_MS).then(({ code, out, err }) => {
    try {
      if (code !== 0) throw new Error(`exit ${code}`);
      return JSON.parse(out);
    } catch (e) {
      return { error: `${e.message}: ${err.trim().split('\n')[0]}` };
    }
  });
}

/**
 * `rounds` interleaved rounds (order swapped every round) of the driver against Brook and Redis.
 * Returns { brook, redis } with median entries/s, p50/p99 latency (ms), server CPU µs per entry,
 * per-round samples and the correctness counts of the last run; or { error }.
 */
export async function streamGroups(brook, redis, { rounds, entries, producers, consumers, log }) {
  const runs = { Brook: [], Redis: [] };
  const errors = {};
  for (let round = 0; round < rounds; round++) {
    for (const server of round % 2 === 0 ? [brook, redis] : [redis, brook]) {
      if (errors[server.name]) continue;
      const cpuBefore = cpuSeconds(server.pid);
      const r = await driverRun(server.port, { entries, producers, consumers });
      if (server.crashed) throw new Error(`${server.name} exited during the consumer-group run:\n${server.output().slice(-3000)}`);
      if (r.error) errors[server.name] = r.error;
      else if (r.distinct !== entries || r.duplicates || r.pending || r.length !== entries) {
        errors[server.name] = `wrong delivery: ${JSON.stringify(r)}`;
      } else runs[server.name].push({ ...r, cpuUs: ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / entries });
      log(
        `round ${round + 1}/${rounds} consumer groups ${server.name}: ` +
          (errors[server.name]
            ? `error: ${errors[server.name]}`
            : `${Math.round(r.rate)} entries/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`),
      );
    }
  }
  const summary = (name) => summarizeRounds(errors[name], runs[name], ['rate', 'p50', 'p99', 'cpuUs']);
  return { entries, producers, consumers, rounds, brook: summary(brook.name), redis: summary(redis.name) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port, entries, producers, consumers] = process.argv.slice(2).map(Number);
  drive(port, entries, producers, consumers)
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    })
    .catch((e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    });
}
