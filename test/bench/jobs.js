#!/usr/bin/env node
/**
 * Job queues under load (npm run bench -- --jobs): the built SDK (dist/, `npm run build`) against
 * Brook and against a real redis-server, and BullMQ on the same redis-server as a reference (BullMQ
 * needs Lua, which Brook does not have). Interleaved rounds, medians reported.
 *
 * - Jobs/s end to end: 1 and 4 worker processes × concurrency 1 and 50. One producer process adds
 *   FLOOD_JOBS jobs (FLOOD_WINDOW adds in flight), timed from its first add to the last `completed`
 *   event (the state change is written by then), summed over the workers.
 * - Delayed-job lateness: then DELAYED_JOBS jobs with DELAY_MS delay, added at DELAYED_RATE per
 *   second; lateness = when the processor got the job − (when add() was called + the delay).
 *
 * The processor does no work: the numbers are the queue's own cost. Processes are pinned and
 * driven as sdk.js's are (its role-process protocol and helpers).
 */
import { fileURLToPath } from 'node:url';
import { median } from './servers.js';
import {
  decorateMethod,
  latency,
  LOGGER,
  nestModule,
  nextCommand,
  now,
  report,
  runRoleProcess,
  sdk,
  startRole,
  withTimeout,
} from './sdk.js';

const ROUNDS = 2;
const FLOOD_JOBS = 1000;
const FLOOD_WINDOW = 50;
const DELAYED_JOBS = 200;
// Well below the slowest case's jobs/s, so lateness measures the delayed-job scheduling, not a backlog.
const DELAYED_RATE = 100;
const DELAY_MS = 250;
/** Both libraries keep the latest 1000 completed jobs (the SDK's default; BullMQ keeps all unless told). */
const KEEP_COMPLETED = { count: 1000 };

const CASES = [
  { workers: 1, concurrency: 1 },
  { workers: 1, concurrency: 50 },
  { workers: 4, concurrency: 1 },
  { workers: 4, concurrency: 50 },
];

const connection = (port) => ({ host: '127.0.0.1', port });

// ---------------------------------------------------------------- the role processes

/**
 * A worker: `onJob(data)` is called when the processor gets a job, `onCompleted()` when the job is
 * completed; reports its counts every 100 ms until told to stop, then the lateness samples.
 */
async function worker(config, start) {
  const lateness = [];
  let completed = 0;
  let lastCompleted = 0;
  const stop = await start(config, {
    onJob: (data) => {
      if (data.delay) lateness.push(now() - (data.t + data.delay));
    },
    onCompleted: () => {
      completed++;
      lastCompleted = now();
    },
  });
  report({ ready: true });
  const progress = setInterval(() => report({ completed }), 100);
  for (let command = await nextCommand(); command.mark; command = await nextCommand()) {
    // The driver asks for the flood's end before the delayed phase adds to the counts.
    report({ mark: true, completed, lastCompleted });
  }
  clearInterval(progress);
  await stop();
  report({ completed, lateness });
}

/** The SDK: a Nest app with a @Processor whose @OnJob handler returns at once. */
async function sdkWorker({ port, prefix, queue, concurrency }, hooks) {
  const { Injectable } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { BrookModule, OnJob, OnJobEvent, Processor } = await sdk();
  class BenchProcessor {
    handle(data) {
      hooks.onJob(data);
      return null;
    }
    completed() {
      hooks.onCompleted();
    }
  }
  decorateMethod(OnJob(), BenchProcessor.prototype, 'handle');
  decorateMethod(OnJobEvent('completed'), BenchProcessor.prototype, 'completed');
  Processor(queue, { concurrency })(BenchProcessor);
  Injectable()(BenchProcessor);
  const module = await nestModule({
    imports: [BrookModule.forRoot({ connection: connection(port), prefix }), BrookModule.registerQueue({ name: queue })],
    providers: [BenchProcessor],
  });
  const app = await NestFactory.createApplicationContext(module, { logger: LOGGER });
  return () => app.close();
}

/** BullMQ: a Worker whose processor returns at once. */
async function bullmqWorker({ port, prefix, queue, concurrency }, hooks) {
  const { Worker } = await import('bullmq');
  const w = new Worker(
    queue,
    async (job) => {
      hooks.onJob(job.data);
      return null;
    },
    { connection: connection(port), prefix, concurrency },
  );
  w.on('completed', () => hooks.onCompleted());
  w.on('error', (e) => process.stderr.write(`bullmq worker: ${e.message}\n`));
  await w.waitUntilReady();
  return () => w.close();
}

/** The producer: a flood of `jobs` adds, then delayed jobs at a fixed rate. */
async function producer(config, open) {
  const { add, close } = await open(config);
  report({ ready: true });
  for (let command = await nextCommand(); command.phase; command = await nextCommand()) {
    const started = now();
    if (command.phase === 'flood') {
      let next = 0;
      const adder = async () => {
        while (next < command.jobs) await add({ i: next++ }, {});
      };
      await Promise.all(Array.from({ length: FLOOD_WINDOW }, adder));
    } else {
      const inFlight = [];
      for (let i = 0; i < command.jobs;) {
        const due = Math.min(command.jobs, Math.floor(((now() - started) * command.rate) / 1000));
        while (i < due) inFlight.push(add({ i: i++, t: now(), delay: command.delay }, { delay: command.delay }));
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(inFlight);
    }
    report({ started });
  }
  await close();
  report({ closed: true });
}

async function sdkQueue({ port, prefix, queue }) {
  const { NestFactory } = await import('@nestjs/core');
  const { BrookModule, getQueueToken } = await sdk();
  const module = await nestModule({
    imports: [BrookModule.forRoot({ connection: connection(port), prefix }), BrookModule.registerQueue({ name: queue })],
  });
  const app = await NestFactory.createApplicationContext(module, { logger: LOGGER });
  const q = app.get(getQueueToken(queue));
  return { add: (data, opts) => q.add('bench', data, { ...opts, removeOnComplete: KEEP_COMPLETED }), close: () => app.close() };
}

async function bullmqQueue({ port, prefix, queue }) {
  const { Queue } = await import('bullmq');
  const q = new Queue(queue, { connection: connection(port), prefix });
  await q.waitUntilReady();
  return { add: (data, opts) => q.add('bench', data, { ...opts, removeOnComplete: KEEP_COMPLETED }), close: () => q.close() };
}

const ROLES = {
  'sdk-worker': (c) => worker(c, sdkWorker),
  'bullmq-worker': (c) => worker(c, bullmqWorker),
  'sdk-producer': (c) => producer(c, sdkQueue),
  'bullmq-producer': (c) => producer(c, bullmqQueue),
};

// ---------------------------------------------------------------- the driver

const SCRIPT = fileURLToPath(import.meta.url);

/** Resolves when the workers' completed counts add up to `total` (they report every 100 ms). */
async function completedReaches(workers, total) {
  const counts = workers.map(() => 0);
  await Promise.all(
    workers.map(async (w, i) => {
      while (counts.reduce((a, b) => a + b, 0) < total) counts[i] = (await w.next()).completed;
    }),
  );
}

/** Reads reports until one has `field` (progress reports come in between). */
async function until(role, field, what) {
  let r = await withTimeout(role.next(), what);
  while (!(field in r)) r = await withTimeout(role.next(), what);
  return r;
}

/** One run of a case for one target ({ server, library: 'sdk' | 'bullmq' }). */
async function jobsRun({ server, library }, { workers, concurrency }, runId, log) {
  const config = { port: server.port, prefix: 'bench', queue: `jobs-${library}-${runId}` };
  const roles = [];
  try {
    const ws = Array.from({ length: workers }, () => startRole(`${library}-worker`, { ...config, concurrency }, log, SCRIPT));
    roles.push(...ws);
    await withTimeout(Promise.all(ws.map((w) => w.next())), 'workers starting');
    const producer = startRole(`${library}-producer`, config, log, SCRIPT);
    roles.push(producer);
    await withTimeout(producer.next(), 'producer starting');

    producer.command({ phase: 'flood', jobs: FLOOD_JOBS });
    const { started } = await withTimeout(producer.next(), 'flood');
    await withTimeout(completedReaches(ws, FLOOD_JOBS), 'completing the flood');
    for (const w of ws) w.command({ mark: true });
    const marks = [];
    for (const w of ws) marks.push(await until(w, 'mark', 'marking the flood'));
    const lastCompleted = Math.max(...marks.map((m) => m.lastCompleted));

    producer.command({ phase: 'delayed', jobs: DELAYED_JOBS, rate: DELAYED_RATE, delay: DELAY_MS });
    await withTimeout(producer.next(), 'delayed adds');
    await withTimeout(completedReaches(ws, FLOOD_JOBS + DELAYED_JOBS), 'completing the delayed jobs');
    for (const w of ws) w.command({});
    const finals = [];
    for (const w of ws) finals.push(await until(w, 'lateness', 'worker closing'));
    const completed = finals.reduce((a, r) => a + r.completed, 0);
    if (completed !== FLOOD_JOBS + DELAYED_JOBS) throw new Error(`${completed} jobs completed for ${FLOOD_JOBS + DELAYED_JOBS} added`);
    return { rate: (FLOOD_JOBS * 1000) / (lastCompleted - started), ...latency(finals.flatMap((r) => r.lateness)) };
  } finally {
    await Promise.all(roles.map((r) => r.stop()));
  }
}

/**
 * `rounds` interleaved rounds (order rotated every round) of every case against the SDK on Brook,
 * the SDK on Redis and BullMQ on Redis; one row per case: { label, results: { [target]: summary } }.
 */
export async function jobsBench(brook, redis, { rounds = ROUNDS, log }) {
  const targets = [
    { name: 'SDK on Brook', server: brook, library: 'sdk' },
    { name: 'SDK on Redis', server: redis, library: 'sdk' },
    { name: 'BullMQ on Redis', server: redis, library: 'bullmq' },
  ];
  const rows = [];
  for (const [index, c] of CASES.entries()) {
    const label = `${c.workers} worker process(es) × concurrency ${c.concurrency}`;
    const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
    const errors = {};
    for (let round = 0; round < rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const target of order) {
        if (errors[target.name]) continue;
        try {
          const r = await jobsRun(target, c, `${index}-${round}`, log);
          runs[target.name].push(r);
          log(`round ${round + 1}/${rounds} ${label} ${target.name}: ${Math.round(r.rate)} jobs/s, lateness p50 ${r.p50.toFixed(1)} ms`);
        } catch (e) {
          if (target.server.crashed)
            throw new Error(`${target.server.name} exited during the jobs run:\n${target.server.output().slice(-3000)}`, { cause: e });
          errors[target.name] = e.message;
          log(`round ${round + 1}/${rounds} ${label} ${target.name}: error: ${e.message}`);
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
    rows.push({ label, results: Object.fromEntries(targets.map((t) => [t.name, summary(t.name)])) });
  }
  return { targets: targets.map((t) => t.name), rows };
}

/** The job results as a markdown section. */
export function jobsMarkdown({ targets, rows }, { rounds = ROUNDS } = {}) {
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const rate = (x) => (x.error ? `error: ${x.error.split(' / ')[0]}` : `${int(x.rate)} (${x.samples.map(int).join(', ')})`);
  const late = (x) => (x.error ? '' : `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)}`);
  return [
    '### Job queues: jobs/s end to end and delayed-job lateness',
    '',
    `Each worker a process of its own (the SDK's: a Nest app with a @Processor; BullMQ's: a Worker), the processor returning at once. ` +
      `Jobs/s: one producer process adds ${int(FLOOD_JOBS)} jobs (${FLOOD_WINDOW} adds in flight), from its first add to the last ` +
      `\`completed\` event. Lateness: ${int(DELAYED_JOBS)} jobs with a ${DELAY_MS} ms delay added at ${DELAYED_RATE}/s, from add() + delay ` +
      `to the processor getting the job (p50 / p99 ms). Every run checked: as many completions as jobs added. Completed jobs kept: ` +
      `the latest ${KEEP_COMPLETED.count}. Median of ${rounds} interleaved round(s) (per round in brackets); all the Node processes ` +
      `(test/bench/jobs.js) share the client CPU. BullMQ runs on Redis only (it needs Lua).`,
    '',
    `| Scenario | ${targets.map((t) => `${t} jobs/s`).join(' | ')} | ${targets.map((t) => `${t} lateness p50 / p99 ms`).join(' | ')} |`,
    `|---|${targets.map(() => '---|---|').join('')}`,
    ...rows.map(
      (r) =>
        `| ${r.label} | ${targets.map((t) => rate(r.results[t])).join(' | ')} | ${targets.map((t) => late(r.results[t])).join(' | ')} |`,
    ),
  ].join('\n');
}

runRoleProcess(SCRIPT, ROLES);
