#!/usr/bin/env node
/**
 * PUBLISH fan-out: S subscribers of one channel, one publisher sending M messages in pipelines of
 * 50 (each batch's replies awaited before the next), timed from the first PUBLISH to the last
 * message received by every subscriber. Reports messages delivered per second (S × M / seconds)
 * and the server's CPU per delivery, for 1, 100 and 1000 subscribers; Brook and Redis in
 * interleaved rounds, one server under load at a time, medians reported.
 *
 * The driver runs as a child process pinned to the client CPU (like redis-benchmark):
 * `node pubsub.js <port> <subscribers> <messages>` prints one JSON line.
 */
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { cpuSeconds, runClient, summarizeRounds } from './servers.js';

const CHANNEL = 'bench:pubsub';
const PAYLOAD = 'p'.repeat(16);
const PIPELINE = 50;
const RUN_TIMEOUT_MS = 5 * 60 * 1000;
/** Subscribers per case, and messages published to each (about 2M deliveries per run). */
export const PUBSUB_CASES = [
  { subscribers: 1, messages: 200_000 },
  { subscribers: 100, messages: 20_000 },
  { subscribers: 1000, messages: 2_000 },
];

const resp = (args) => `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
/** What each subscriber receives per message (RESP2 `message` array): counted, not parsed. */
const MESSAGE_BYTES = resp(['message', CHANNEL, PAYLOAD]).length;

function open(port) {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    s.setNoDelay(true);
  });
}

/** One measured run against the server on `port` (in the driver process). */
async function drive(port, subscribers, messages) {
  const expected = subscribers * messages * MESSAGE_BYTES;
  let received = 0;
  let done;
  const allReceived = new Promise((r) => (done = r));
  let endedAt = 0;
  const subs = [];
  for (let i = 0; i < subscribers; i++) {
    const s = await open(port);
    s.write(resp(['SUBSCRIBE', CHANNEL]));
    // The confirmation (its own size) first, then every byte is a message.
    await new Promise((r) => s.once('data', r));
    s.on('data', (d) => {
      received += d.length;
      if (received === expected) {
        endedAt = performance.now();
        done();
      }
    });
    subs.push(s);
  }
  const pub = await open(port);
  const batch = resp(['PUBLISH', CHANNEL, PAYLOAD]).repeat(PIPELINE);
  const reply = `:${subscribers}\r\n`;
  let pending = '';
  let answered = 0;
  let wake = null;
  pub.on('data', (d) => {
    pending += d.toString('latin1');
    const n = Math.floor(pending.length / reply.length);
    answered += n;
    pending = pending.slice(n * reply.length);
    if (wake) wake();
  });
  const startedAt = performance.now();
  for (let sent = 0; sent < messages; sent += PIPELINE) {
    pub.write(batch);
    while (answered < sent + PIPELINE) await new Promise((r) => (wake = r));
  }
  await allReceived;
  if (pending !== '') throw new Error(`unexpected PUBLISH reply ${JSON.stringify(pending)}`);
  for (const s of [pub, ...subs]) s.destroy();
  const seconds = (endedAt - startedAt) / 1000;
  return { subscribers, messages, seconds, rate: (subscribers * messages) / seconds };
}

/** Runs the driver pinned to the client CPU against one server; resolves its result or { error }. */
function driverRun(port, { subscribers, messages }) {
  const args = [fileURLToPath(import.meta.url), String(port), String(subscribers), String(messages)];
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
 * `rounds` interleaved rounds (order swapped every round) of each case against Brook and Redis.
 * Returns one row per case: { subscribers, messages, brook, redis }, each with the median
 * deliveries/s, per-round samples and server CPU µs per delivery, or { error }.
 */
export async function pubsubFanout(brook, redis, { rounds, log }) {
  const rows = [];
  for (const c of PUBSUB_CASES) {
    const runs = { Brook: [], Redis: [] };
    const errors = {};
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 === 0 ? [brook, redis] : [redis, brook]) {
        if (errors[server.name]) continue;
        const cpuBefore = cpuSeconds(server.pid);
        const r = await driverRun(server.port, c);
        if (server.crashed) throw new Error(`${server.name} exited during the pub/sub run:\n${server.output().slice(-3000)}`);
        if (r.error) errors[server.name] = r.error;
        else runs[server.name].push({ ...r, cpuUs: ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / (c.subscribers * c.messages) });
        log(
          `round ${round + 1}/${rounds} PUBLISH to ${c.subscribers} ${server.name}: ` +
            (errors[server.name] ? `error: ${errors[server.name]}` : `${Math.round(r.rate)} messages delivered/s`),
        );
      }
    }
    const summary = (name) => summarizeRounds(errors[name], runs[name], ['rate', 'cpuUs']);
    rows.push({ ...c, brook: summary(brook.name), redis: summary(redis.name) });
  }
  return rows;
}

/** The fan-out results as a markdown section. */
export function pubsubMarkdown(rows, rounds) {
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const cell = (x) => (x.error ? `error: ${x.error}` : `${int(x.rate)} (${x.samples.map(int).join(', ')})`);
  const cpu = (x) => (x.error ? '' : x.cpuUs.toFixed(3));
  const ratio = (row) => (row.brook.rate && row.redis.rate ? (row.brook.rate / row.redis.rate).toFixed(2) : '');
  return [
    '### Pub/Sub: PUBLISH fan-out',
    '',
    `One publisher sends 16-byte messages to one channel in pipelines of ${PIPELINE}; messages delivered per second from the first ` +
      'PUBLISH to the last message read by every subscriber (RESP2 raw connections), and server CPU µs per delivery. ' +
      `Median of ${rounds} interleaved round(s) (per round in brackets); the driver (test/bench/pubsub.js) runs on the client CPU.`,
    '',
    '| Subscribers | Messages | Brook delivered/s | Redis delivered/s | Brook/Redis | Brook CPU µs | Redis CPU µs |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${int(r.subscribers)} | ${int(r.messages)} | ${cell(r.brook)} | ${cell(r.redis)} | ${ratio(r)} | ${cpu(r.brook)} | ${cpu(r.redis)} |`,
    ),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port, subscribers, messages] = process.argv.slice(2).map(Number);
  drive(port, subscribers, messages)
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    })
    .catch((e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    });
}
