/**
 * Crash safety of the SDK's promises: a job queue and a durable message group run against a
 * brook-server process with `appendonly yes` and `appendfsync always`, and that server (the child
 * process holding the data) is SIGKILLed several times at random moments while producers add
 * jobs and append messages and workers process them; it restarts on the same dir and port each
 * time, and the same apps ride through on their own reconnects. Producers retry what failed
 * because the connection died, and record only what was acknowledged. Then: every job whose
 * add() resolved is completed (or failed, when its handler failed it by design), exactly once in
 * the final state and in one state only; nothing completed that was never added; a jobId names
 * one job; every message whose append() resolved was handled and acknowledged. Handlers may run
 * more than once (at-least-once). A shorter everysec round checks that the files always load and
 * the state stays whole, losing at most the last second. The apps run the SDK in this process; the
 * server is the process.
 */
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Injectable, Logger, type LoggerService } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BrookPublisher, OnMessage, UnrecoverableError, type Job, type MessageContext, type Queue } from '@brook/sdk';
import { processorFor, queueOf, startJobsApp } from '../jobs/jobs-app.js';
import { rng } from '../support/rng.js';
import { waitUntil } from '../support/sdk-modes.js';
import { freePort, startBrookProcess, type RunningServer } from '../support/servers.js';
import { tempDirs } from '../support/temp-dirs.js';

/** Kills with appendfsync always (each restart takes seconds: the suite's time goes there), and with everysec. */
const KILLS = 5;
const EVERYSEC_KILLS = 2;
/** What everysec may lose: writes acknowledged up to a second before the kill (Redis's promise), with room for a loaded machine. */
const EVERYSEC_LOSS_MS = 2000;
const QUEUE = 'orders';
const STREAM = 'events';
const GROUP = 'audit';
const JOB_PRODUCERS = 6;
const MESSAGE_PRODUCERS = 2;
/** Every 13th job's handler throws UnrecoverableError: the only jobs allowed to end failed. */
const FAILS_BY_DESIGN = 13;

interface JobData {
  p: number;
  n: number;
  fail: boolean;
}

interface AckedJob {
  id: string;
  data: JobData;
  jobId?: string;
  at: number;
}

/** What the SDK logs while the server is away (reconnects, failed transitions), kept for a failure message. */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  log(m: unknown): void {
    this.lines.push(String(m));
  }
  error(m: unknown): void {
    this.lines.push(`ERROR ${String(m)}`);
  }
  warn(m: unknown): void {
    this.lines.push(`WARN ${String(m)}`);
  }
}

const tempDir = tempDirs('brook-sdk-crash-');

/** brook-server on `dir` and `port` with the AOF on; the pid of the child process that holds the data (from its pid file). */
async function startServer(dir: string, port: number, fsync: string): Promise<{ server: RunningServer; pid: number }> {
  const pidfile = join(dir, 'brook.pid');
  rmSync(pidfile, { force: true });
  const server = await startBrookProcess(['--appendonly', 'yes', '--appendfsync', fsync, '--dir', dir, '--pidfile', pidfile], {}, port);
  await waitUntil(() => existsSync(pidfile), 'the pid file');
  return { server, pid: Number(readFileSync(pidfile, 'latin1').trim()) };
}

const key = (d: { p: number; n: number }): string => `${String(d.p)}-${String(d.n)}`;

/** The last error a producer saw, shown when a round makes no progress. */
let lastFailure: unknown;

/**
 * Calls `attempt` until it resolves or `stopped()`: a call that failed because the server died is
 * retried as is (the server is back within seconds; a call failing for longer is a real error).
 */
async function retried<T>(attempt: () => Promise<T>, stopped: () => boolean): Promise<T | undefined> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (e) {
      lastFailure = e;
      if (stopped()) return undefined;
      if (failures === 500) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * One run of `kills` SIGKILLs with `fsync`, and its checks. With everysec, an acknowledged job or
 * message may be missing only if it was acknowledged within EVERYSEC_LOSS_MS before a kill; every
 * other check (one state per job, counts, nothing invented, every surviving message handled) holds
 * in both modes.
 */
async function crashRun(fsync: 'always' | 'everysec', kills: number, seed: number): Promise<void> {
  const random = rng(seed);
  const killedAt: number[] = [];
  const mayBeLost = (at: number): boolean => fsync === 'everysec' && killedAt.some((k) => k >= at && k - at <= EVERYSEC_LOSS_MS);
  const log = new CapturedLog();
  const dir = tempDir();
  const port = await freePort();
  let { server, pid } = await startServer(dir, port, fsync);
  const url = `redis://127.0.0.1:${String(port)}`;

  // What the handlers saw (duplicates allowed) and what the producers saw acknowledged.
  const jobRuns = new Map<string, number>();
  const handled = new Map<string, string>();
  const attemptedJobs = new Set<string>();
  const attemptedMessages = new Set<string>();
  const ackedJobs: AckedJob[] = [];
  const ackedMessages = new Map<string, { key: string; at: number }>();
  const restartMs: number[] = [];

  @Injectable()
  class Audit {
    @OnMessage(STREAM, { group: GROUP, visibilityTimeout: 1000, concurrency: 4 })
    async handle(payload: { p: number; n: number }, context: MessageContext): Promise<void> {
      await new Promise((r) => setTimeout(r, random() * 10));
      handled.set(String(context.id), key(payload));
    }
  }
  // lockDuration is shorter than a restart (seconds), so jobs running when the server dies stall and
  // run again (at-least-once) rather than waiting 30 s; maxStalledCount is high so that those stalls,
  // which the outage causes, fail nothing: the handler's own failures are the only ones allowed.
  const worker = processorFor(QUEUE, { concurrency: 16, lockDuration: 1500, maxStalledCount: 1000 }, async (data, job: Job) => {
    const d = data as JobData;
    jobRuns.set(job.id, (jobRuns.get(job.id) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, random() * 5));
    if (d.fail) throw new UnrecoverableError(`job ${key(d)} fails by design`);
    return key(d);
  });

  const apps: TestingModule[] = [];
  let stopping = false;
  const stopped = (): boolean => stopping;
  try {
    // Every finished job is kept, for the final count.
    const defaults = { removeOnComplete: false, removeOnFail: false };
    // Producers in one app, workers in another: each has its own connections to ride through the restarts.
    const producerApp = await startJobsApp({ connection: url }, [QUEUE]);
    apps.push(producerApp);
    // Two worker apps compete for the jobs and the group's entries, as two processes would.
    for (let w = 0; w < 2; w++) apps.push(await startJobsApp({ connection: url }, [], [worker, Audit]));
    const queue: Queue = queueOf(producerApp, QUEUE);
    const publisher = producerApp.get(BrookPublisher);
    // After compile(), which installs Nest's TestingLogger: from here the SDK's log goes to `log`.
    Logger.overrideLogger(log);

    const jobProducer = async (p: number): Promise<void> => {
      for (let n = 0; !stopping; n++) {
        const data: JobData = { p, n, fail: n % FAILS_BY_DESIGN === FAILS_BY_DESIGN - 1 };
        // Half the jobs are named by the producer: their retries dedupe.
        const jobId = n % 2 === 0 ? `j-${key(data)}` : undefined;
        attemptedJobs.add(key(data));
        const job = await retried(() => queue.add('work', data, { ...defaults, ...(jobId ? { jobId } : {}) }), stopped);
        if (job) ackedJobs.push({ id: job.id, data, at: Date.now(), ...(jobId ? { jobId } : {}) });
      }
    };
    const messageProducer = async (p: number): Promise<void> => {
      for (let n = 0; !stopping; n++) {
        attemptedMessages.add(key({ p, n }));
        const id = await retried(() => publisher.append(STREAM, { p, n }), stopped);
        if (id !== undefined) ackedMessages.set(id, { key: key({ p, n }), at: Date.now() });
      }
    };
    const producers = [
      ...Array.from({ length: JOB_PRODUCERS }, (_, p) => jobProducer(p)),
      ...Array.from({ length: MESSAGE_PRODUCERS }, (_, p) => messageProducer(100 + p)),
    ];

    // Each round the (re)started server takes new work and finishes some; then it dies at a random moment, but after the last round.
    for (let round = 0; round <= kills; round++) {
      const [jobsBefore, messagesBefore, runsBefore, handledBefore] = [ackedJobs.length, ackedMessages.size, jobRuns.size, handled.size];
      await waitUntil(
        () =>
          ackedJobs.length > jobsBefore + 20 &&
          ackedMessages.size > messagesBefore + 20 &&
          jobRuns.size > runsBefore + 10 &&
          handled.size > handledBefore + 10,
        () =>
          `round ${String(round)} to make progress (${String(ackedJobs.length)} adds, ${String(ackedMessages.size)} appends, ` +
          `${String(jobRuns.size)} jobs run, ${String(handled.size)} entries handled; last producer error: ${String(lastFailure)})\n${log.lines.slice(-20).join('\n')}`,
      );
      if (round === kills) break;
      await new Promise((r) => setTimeout(r, 100 + random() * 500));
      process.kill(pid, 'SIGKILL');
      killedAt.push(Date.now());
      await server.stop();
      const down = Date.now();
      // The files must load after any kill, in both modes.
      ({ server, pid } = await startServer(dir, port, fsync));
      restartMs.push(Date.now() - down);
    }
    stopping = true;
    await Promise.all(producers);
    const drainFrom = Date.now();

    // Every acknowledged job reaches a final state; every acknowledged message is handled and acknowledged.
    const redis = new Redis(port, '127.0.0.1');
    try {
      const base = `brook:queue:${QUEUE}`;
      // Read in one atomic step: a job on its way from wait to active sits in a claim for a moment.
      const finished = async (): Promise<boolean> => {
        const replies = await redis
          .multi()
          .zcard(`${base}:wait`)
          .zcard(`${base}:delayed`)
          .zcard(`${base}:active`)
          .zcard(`${base}:claims`)
          .exec();
        return (replies ?? []).every(([err, n]) => err === null && n === 0);
      };
      await waitUntil(finished, `the queue to drain\n${log.lines.slice(-20).join('\n')}`, 45000);
      const drainMs = Date.now() - drainFrom;
      await waitUntil(
        async () => {
          const inStream = new Set((await redis.xrange(`brook:${STREAM}`, '-', '+')).map(([id]) => id));
          const unhandled = [...ackedMessages.keys()].filter((id) => inStream.has(id) && !handled.has(id));
          return unhandled.length === 0 && (await redis.xpending(`brook:${STREAM}`, GROUP))[0] === 0;
        },
        `every acknowledged message to be handled and acknowledged\n${log.lines.slice(-20).join('\n')}`,
        45000,
      );

      const [completed, failed] = await Promise.all([
        redis.zrange(`${base}:completed`, '0', '-1'),
        redis.zrange(`${base}:failed`, '0', '-1'),
      ]);
      const jobKeys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${base}:job:*`, 'COUNT', 1000);
        cursor = next;
        jobKeys.push(...found.filter((k) => !k.endsWith(':logs')));
      } while (cursor !== '0');
      const counts = await queue.getJobCounts();
      console.log(
        `SDK over ${String(kills)} SIGKILLs (appendfsync ${fsync}): ${String(ackedJobs.length)} adds acknowledged, ${String(jobKeys.length)} jobs stored, ` +
          `${String([...jobRuns.values()].reduce((a, b) => a + b, 0))} handler runs for ${String(jobRuns.size)} jobs; ` +
          `${String(ackedMessages.size)} appends acknowledged, ${String(handled.size)} entries handled; ` +
          `restarts took ${String(Math.min(...restartMs))}–${String(Math.max(...restartMs))} ms, the backlog drained in ${String(drainMs)} ms`,
      );

      // Counts add up: each stored job is in exactly one final state, none in no state at all.
      expect(counts).toEqual({ waiting: 0, delayed: 0, active: 0, completed: completed.length, failed: failed.length });
      const inState = new Set([...completed, ...failed]);
      expect(inState.size).toBe(completed.length + failed.length);
      expect(jobKeys.filter((k) => !inState.has(k.slice(`${base}:job:`.length)))).toEqual([]);
      expect(inState.size).toBe(jobKeys.length);

      // No acknowledged job lost (an id reused after an everysec loss holds other data); only the
      // jobs failing by design failed, with their handler's reason.
      const stored = await Promise.all(jobKeys.map((k) => queue.getJob(k.slice(`${base}:job:`.length))));
      const byId = new Map(stored.map((job) => [job?.id, job]));
      const finishedAsDesigned = (a: AckedJob): boolean => {
        const job = byId.get(a.id);
        return job !== undefined && key(job.data as JobData) === key(a.data) && (a.data.fail ? failed : completed).includes(a.id);
      };
      const lost = ackedJobs.filter((a) => !finishedAsDesigned(a));
      expect(lost.filter((a) => !mayBeLost(a.at))).toEqual([]);
      for (const job of stored) {
        const d = job?.data as JobData;
        // Nothing completed or failed that a producer never tried to add.
        expect(attemptedJobs.has(key(d))).toBe(true);
        if (d.fail) expect(job?.failedReason).toBe(`job ${key(d)} fails by design`);
        else expect(job?.returnvalue).toBe(key(d));
      }
      // A jobId names one job: its retries after a lost reply, and a later add, return it.
      const named = ackedJobs.filter((a) => a.jobId !== undefined && !lost.includes(a));
      for (const a of named) expect(a.id).toBe(a.jobId);
      const again = await queue.addBulk(named.map((a) => ({ name: 'work', data: a.data, opts: { jobId: a.jobId } })));
      expect(again.map((j) => j.id)).toEqual(named.map((a) => a.id));
      expect(await queue.getJobCounts()).toEqual(counts);

      // No acknowledged message lost; nothing handled that was never appended.
      const entries = await redis.xrange(`brook:${STREAM}`, '-', '+');
      const inStream = new Set(entries.map(([id]) => id));
      const gone = [...ackedMessages].filter(([id, m]) => !inStream.has(id) || handled.get(id) !== m.key);
      expect(gone.filter(([, m]) => !mayBeLost(m.at))).toEqual([]);
      if (fsync === 'everysec')
        console.log(`appendfsync everysec lost ${String(lost.length)} acknowledged adds, ${String(gone.length)} appends`);
      for (const k of handled.values()) expect(attemptedMessages.has(k)).toBe(true);
      expect(await redis.exists(`brook:${STREAM}:dead`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  } finally {
    stopping = true;
    for (const app of apps.reverse()) await app.close();
    await server.stop();
  }
}

describe('SDK crash safety (brook-server SIGKILLed mid-run, restarted from its AOF)', () => {
  it(
    `appendfsync always: ${String(KILLS)} kills; no acknowledged job or message lost, none duplicated in the final state`,
    () => crashRun('always', KILLS, 1212),
    // Generous: each restart takes 3–10 s on a loaded machine; the outcome, not the time, is asserted.
    180000,
  );

  it(
    `appendfsync everysec: ${String(EVERYSEC_KILLS)} kills; the files load, the state stays whole, only the last second may be lost`,
    () => crashRun('everysec', EVERYSEC_KILLS, 3434),
    120000,
  );
});
