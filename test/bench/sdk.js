#!/usr/bin/env node
/**
 * The Nest SDK under load (npm run bench -- --sdk): the same built SDK (dist/, `npm run build`)
 * against Brook and against a real redis-server, interleaved rounds, medians reported.
 *
 * - `@OnMessage(stream, { group, concurrency })` with 1 and 4 instances × concurrency 1 and 50. Each
 *   instance is its own Nest application context in its own process. One producer process appends
 *   through BrookPublisher. Messages/s: the producer floods (up to FLOOD_WINDOW appends in flight),
 *   timed from its first append to the last handler call. Latency: then it appends PACED_MESSAGES
 *   more at a fixed PACED_RATE (every server sees the same load; a flood would measure only the
 *   backlog), from the timestamp in the payload to the handler being called.
 * - `client.send` round trips: a BrookServer microservice process answers an echo @MessagePattern,
 *   and a BrookClient process sends with 1 and 50 requests in flight for SEND_SECONDS.
 *
 * All these processes run pinned to the client CPU and the server to the other one (servers.js), so
 * at these rates the Node processes on one CPU are part of what is measured, for both servers alike.
 * They run `node sdk.js <role> <json>` and talk to the driver in lines: "BENCH <json>" on stdout,
 * commands on stdin; anything else they print (Nest's logger) is passed on to the log.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, ROOT, spawnClient } from './servers.js';

/** Interleaved rounds per case, and appends in the @OnMessage flood (the whole run: about 3 minutes). */
const ROUNDS = 2;
const FLOOD_MESSAGES = 5000;
const FLOOD_WINDOW = 50;
const PACED_RATE = 1000;
const PACED_MESSAGES = 2000;
const SEND_SECONDS = 3;
/** Generous bound on one phase of one run: a stuck run fails with a message instead of hanging. */
const PHASE_TIMEOUT_MS = 120_000;
/** How long a role process may take to close when asked before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

const ON_MESSAGE_CASES = [
  { instances: 1, concurrency: 1 },
  { instances: 1, concurrency: 50 },
  { instances: 4, concurrency: 1 },
  { instances: 4, concurrency: 50 },
];
const SEND_CASES = [{ inFlight: 1 }, { inFlight: 50 }];

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50 and p99 of the latency samples (ms). */
export function latency(samples) {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

// ---------------------------------------------------------------- the role processes

export const sdk = () => import(pathToFileURL(join(ROOT, 'dist/apps/brook/libs/sdk/src/index.js')).href);
const transport = () => import(pathToFileURL(join(ROOT, 'dist/apps/brook/libs/transport/src/index.js')).href);

export const report = (value) => process.stdout.write(`BENCH ${JSON.stringify(value)}\n`);

/** The driver's commands to a role process, one JSON value per stdin line, in order. */
let commands;
export async function nextCommand() {
  commands ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const { value, done } = await commands.next();
  if (done) throw new Error('the driver closed stdin');
  return JSON.parse(value);
}

/** Applies a method decorator without TypeScript's __decorate, as plain JavaScript must. */
export function decorateMethod(decorator, proto, key) {
  const replaced = decorator(proto, key, Object.getOwnPropertyDescriptor(proto, key));
  if (replaced) Object.defineProperty(proto, key, replaced);
}

export async function nestModule(metadata) {
  const { Module } = await import('@nestjs/common');
  // Decorated by the call below: plain JavaScript has no decorator syntax.
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class
  class BenchModule {}
  Module(metadata)(BenchModule);
  return BenchModule;
}

export const LOGGER = ['error', 'warn'];
const connection = (port) => ({ host: '127.0.0.1', port });

/** One @OnMessage instance: reports its handled count every 100 ms until told to stop. */
async function consumer({ port, prefix, stream, group, concurrency }) {
  const { Injectable } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { BrookModule, OnMessage } = await sdk();
  const latencies = { flood: [], paced: [] };
  const last = { flood: 0, paced: 0 };
  class BenchHandler {
    handle(payload) {
      const t = now();
      latencies[payload.phase].push(t - payload.t);
      last[payload.phase] = t;
    }
  }
  Injectable()(BenchHandler);
  decorateMethod(OnMessage(stream, { group, concurrency }), BenchHandler.prototype, 'handle');
  const module = await nestModule({ imports: [BrookModule.forRoot({ connection: connection(port), prefix })], providers: [BenchHandler] });
  const app = await NestFactory.createApplicationContext(module, { logger: LOGGER });
  report({ ready: true });
  const handled = () => latencies.flood.length + latencies.paced.length;
  const progress = setInterval(() => report({ handled: handled() }), 100);
  await nextCommand(); // stop
  clearInterval(progress);
  await app.close();
  report({ handled: handled(), latencies: latencies.paced, lastFlood: last.flood });
}

/** The producer: a flood of `messages` appends, then `messages` more at `rate` per second. */
async function producer({ port, prefix, stream }) {
  const { NestFactory } = await import('@nestjs/core');
  const { BrookModule, BrookPublisher } = await sdk();
  const module = await nestModule({ imports: [BrookModule.forRoot({ connection: connection(port), prefix })] });
  const app = await NestFactory.createApplicationContext(module, { logger: LOGGER });
  const publisher = app.get(BrookPublisher);
  report({ ready: true });
  for (let command = await nextCommand(); command.phase; command = await nextCommand()) {
    const started = now();
    const append = (i) => publisher.append(stream, { phase: command.phase, t: now(), i });
    if (command.phase === 'flood') {
      let next = 0;
      const worker = async () => {
        while (next < command.messages) await append(next++);
      };
      await Promise.all(Array.from({ length: FLOOD_WINDOW }, worker));
    } else {
      const inFlight = [];
      for (let i = 0; i < command.messages;) {
        const due = Math.min(command.messages, Math.floor(((now() - started) * command.rate) / 1000));
        while (i < due) inFlight.push(append(i++));
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(inFlight);
    }
    report({ started });
  }
  await app.close();
  report({ closed: true });
}

/** A BrookServer microservice answering `pattern` with what it was sent. */
async function rpcServer({ port, group, pattern }) {
  const { Controller } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { MessagePattern } = await import('@nestjs/microservices');
  const { BrookServer } = await transport();
  class EchoController {
    echo(data) {
      return data;
    }
  }
  Controller()(EchoController);
  decorateMethod(MessagePattern(pattern), EchoController.prototype, 'echo');
  const module = await nestModule({ controllers: [EchoController] });
  const app = await NestFactory.createMicroservice(module, {
    strategy: new BrookServer({ connection: connection(port), group }),
    logger: LOGGER,
  });
  await app.listen();
  report({ ready: true });
  await nextCommand(); // stop
  await app.close();
  report({ closed: true });
}

/** A BrookClient sending `pattern` requests, `inFlight` at a time, for `seconds`. */
async function rpcClient({ port, pattern, inFlight, seconds }) {
  const { lastValueFrom } = await import('rxjs');
  const { BrookClient } = await transport();
  const client = new BrookClient({ connection: connection(port) });
  await client.connect();
  const roundTrip = async (i) => {
    if ((await lastValueFrom(client.send(pattern, i))) !== i) throw new Error(`echo ${i} came back wrong`);
  };
  for (let i = 0; i < 100; i++) await roundTrip(i); // warm-up: connections, the server's group, JIT
  const latencies = [];
  const started = now();
  const until = started + seconds * 1000;
  const worker = async (w) => {
    for (let i = w; now() < until; i += inFlight) {
      const t = now();
      await roundTrip(i);
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const elapsed = now() - started;
  await client.close();
  report({ rate: (latencies.length * 1000) / elapsed, latencies });
}

const ROLES = { consumer, producer, 'rpc-server': rpcServer, 'rpc-client': rpcClient };

// ---------------------------------------------------------------- the driver

/** A role process of `script` (this file by default) on the client CPU; `next()` resolves its next BENCH report. */
export function startRole(role, config, log, script = fileURLToPath(import.meta.url)) {
  const proc = spawnClient(process.execPath, [script, role, JSON.stringify(config)]);
  const reports = [];
  const waiting = [];
  let failure = null;
  const deliver = () => {
    while (waiting.length && (reports.length || failure)) {
      const w = waiting.shift();
      if (reports.length) w.resolve(reports.shift());
      else w.reject(failure);
    }
  };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line.startsWith('BENCH ')) reports.push(JSON.parse(line.slice('BENCH '.length)));
    else log(`${role}: ${line}`);
    deliver();
  });
  // A write to a role that has just exited fails with EPIPE; its exit is reported by the exit handler.
  proc.stdin.on('error', () => undefined);
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': by then every line it printed has been read.
  proc.on('close', (code) => {
    failure = new Error(`${role} exited (${code}) ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    deliver();
  });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        deliver();
      }),
    command: (value) => proc.stdin.write(`${JSON.stringify(value)}\n`),
    /** Asks the process to close (an empty command) and waits for it; SIGKILL after STOP_TIMEOUT_MS. */
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.stdin.write('{}\n');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no progress within ${PHASE_TIMEOUT_MS / 1000} s`)), PHASE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when the consumers' handled counts add up to `total` (they report every 100 ms). */
async function handledReaches(consumers, total) {
  const counts = consumers.map(() => 0);
  await Promise.all(
    consumers.map(async (c, i) => {
      while (counts.reduce((a, b) => a + b, 0) < total) counts[i] = (await c.next()).handled;
    }),
  );
}

/** One @OnMessage run: rate of the flood, latency of the paced phase. */
async function onMessageRun(server, { instances, concurrency }, messages, runId, log) {
  const stream = `sdk-${runId}`;
  const config = { port: server.port, prefix: 'bench', stream, group: 'bench' };
  const roles = [];
  try {
    const consumers = Array.from({ length: instances }, () => startRole('consumer', { ...config, concurrency }, log));
    roles.push(...consumers);
    await withTimeout(Promise.all(consumers.map((c) => c.next())), 'consumers starting');
    const producer = startRole('producer', config, log);
    roles.push(producer);
    await withTimeout(producer.next(), 'producer starting');
    producer.command({ phase: 'flood', messages });
    const { started } = await withTimeout(producer.next(), 'flood');
    await withTimeout(handledReaches(consumers, messages), 'handling the flood');
    producer.command({ phase: 'paced', messages: PACED_MESSAGES, rate: PACED_RATE });
    await withTimeout(producer.next(), 'paced appends');
    await withTimeout(handledReaches(consumers, messages + PACED_MESSAGES), 'handling the paced messages');
    for (const c of consumers) c.command({});
    const finals = [];
    for (const c of consumers) {
      let r = await withTimeout(c.next(), 'consumer closing');
      while (!('latencies' in r)) r = await withTimeout(c.next(), 'consumer closing');
      finals.push(r);
    }
    const handled = finals.reduce((a, r) => a + r.handled, 0);
    if (handled !== messages + PACED_MESSAGES) throw new Error(`${handled} handler calls for ${messages + PACED_MESSAGES} entries`);
    const lastFlood = Math.max(...finals.map((r) => r.lastFlood));
    return { rate: (messages * 1000) / (lastFlood - started), ...latency(finals.flatMap((r) => r.latencies)) };
  } finally {
    await Promise.all(roles.map((r) => r.stop()));
  }
}

/** One client.send run against a fresh BrookServer process. */
async function sendRun(server, { inFlight }, runId, log) {
  const pattern = `echo-${runId}`;
  const rpc = startRole('rpc-server', { port: server.port, group: `bench-${runId}`, pattern }, log);
  try {
    await withTimeout(rpc.next(), 'BrookServer starting');
    const client = startRole('rpc-client', { port: server.port, pattern, inFlight, seconds: SEND_SECONDS }, log);
    try {
      const { rate, latencies } = await withTimeout(client.next(), 'client.send');
      return { rate, ...latency(latencies) };
    } finally {
      await client.stop();
    }
  } finally {
    await rpc.stop();
  }
}

/**
 * `rounds` interleaved rounds (order swapped every round) of every case against Brook and Redis;
 * returns one row per case: { label, brook, redis }, each { rate, samples, p50, p99 } (medians) or { error }.
 */
export async function sdkBench(brook, redis, { rounds = ROUNDS, messages = FLOOD_MESSAGES, log }) {
  const cases = [
    ...ON_MESSAGE_CASES.map((c) => ({
      label: `@OnMessage group, ${c.instances} instance(s) × concurrency ${c.concurrency}`,
      run: (server, runId) => onMessageRun(server, c, messages, runId, log),
    })),
    ...SEND_CASES.map((c) => ({
      label: `client.send, ${c.inFlight} in flight`,
      run: (server, runId) => sendRun(server, c, runId, log),
    })),
  ];
  const rows = [];
  for (const [index, c] of cases.entries()) {
    const runs = { Brook: [], Redis: [] };
    const errors = {};
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 === 0 ? [brook, redis] : [redis, brook]) {
        if (errors[server.name]) continue;
        try {
          const r = await c.run(server, `${index}-${round}`);
          runs[server.name].push(r);
          log(`round ${round + 1}/${rounds} ${c.label} ${server.name}: ${Math.round(r.rate)}/s, p50 ${r.p50.toFixed(2)} ms`);
        } catch (e) {
          if (server.crashed) throw new Error(`${server.name} exited during the SDK run:\n${server.output().slice(-3000)}`, { cause: e });
          errors[server.name] = e.message;
          log(`round ${round + 1}/${rounds} ${c.label} ${server.name}: error: ${e.message}`);
        }
      }
    }
    const summary = (name) =>
      errors[name]
        ? { error: errors[name] }
        : {
            rate: median(runs[name].map((r) => r.rate)),
            samples: runs[name].map((r) => r.rate),
            p50: median(runs[name].map((r) => r.p50)),
            p99: median(runs[name].map((r) => r.p99)),
          };
    rows.push({ label: c.label, brook: summary(brook.name), redis: summary(redis.name) });
  }
  return rows;
}

/** The SDK results as a markdown section. */
export function sdkMarkdown(rows, { rounds = ROUNDS, messages = FLOOD_MESSAGES } = {}) {
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const rate = (x) => (x.error ? `error: ${x.error}` : `${int(x.rate)} (${x.samples.map(int).join(', ')})`);
  const lat = (x) => (x.error ? '' : `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)}`);
  const ratio = (r) => (r.brook.rate && r.redis.rate ? (r.brook.rate / r.redis.rate).toFixed(2) : '');
  return [
    '### Nest SDK: @OnMessage consumer groups and client.send',
    '',
    `The same SDK build against each server. @OnMessage: each instance a Nest application context in its own process; ` +
      `messages/s while one producer process floods ${int(messages)} appends through BrookPublisher (${FLOOD_WINDOW} in flight), from ` +
      `its first append to the last handler call; latency (publish to handler, from the timestamp in the payload) while it appends ` +
      `${int(PACED_MESSAGES)} more at ${int(PACED_RATE)}/s. client.send: a BrookServer process echoing, a BrookClient process ` +
      `sending for ${SEND_SECONDS} s; latency per round trip. Every @OnMessage run checked: as many handler calls as entries appended. ` +
      `Median of ${rounds} interleaved round(s) (per round in brackets); all the Node processes (test/bench/sdk.js) share the client CPU.`,
    '',
    '| Scenario | Brook msg/s | Redis msg/s | Brook/Redis | Brook p50 / p99 ms | Redis p50 / p99 ms |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.label} | ${rate(r.brook)} | ${rate(r.redis)} | ${ratio(r)} | ${lat(r.brook)} | ${lat(r.redis)} |`),
  ].join('\n');
}

/** In a role process (`script` is the main module: `node <script> <role> <json>`), runs that role of `roles`, then exits. */
export function runRoleProcess(script, roles) {
  if (process.argv[1] !== script) return;
  const [role, config] = process.argv.slice(2);
  roles[role](JSON.parse(config))
    .then(() => process.exit(0))
    .catch((e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    });
}

runRoleProcess(fileURLToPath(import.meta.url), ROLES);
