/**
 * Layout of a job queue on the server. Every key of queue `q` starts with `<prefix>:queue:q:`
 * (prefix default `brook`):
 *
 * - `id`            string   counter for generated job ids (INCR)
 * - `seq`           string   counter ordering jobs that enter `wait` (FIFO within a priority)
 * - `job:<id>`      hash     name, data, opts (serialized), attemptsMade, stalls, progress, returnvalue,
 *                            failedReason, stacktrace (JSON array), timestamp, processedOn, finishedOn,
 *                            lock (token of the worker running it, only while active), ended (the token of
 *                            the attempt whose outcome was recorded last: a finish re-run after a lost
 *                            connection tells by it that its earlier run committed)
 * - `job:<id>:logs` list     lines added by job.log()
 * - `wait`          zset     jobs ready to run, scored by waitScore(): lower priority number first, every
 *                            prioritized job before normal ones, then the order they became ready
 * - `delayed`       zset     jobs waiting for a time (a delay or a retry backoff), scored by due time (ms)
 * - `active`        zset     jobs a worker runs, scored by the deadline of the worker's lock (ms); a
 *                            score in the past means the worker died or hung: the job has stalled
 * - `claim:<token>` zset     jobs one take moved out of `wait` (with their `wait` scores), for the instant
 *                            until the same worker moves them to `active`
 * - `claims`        zset     tokens of those claims, scored by a deadline (ms) after which another worker
 *                            puts the claim's jobs back in `wait` (its worker died between the two steps)
 * - `promotion:<token>` zset due delayed jobs one promotion moved out of `delayed` (with their due times),
 *                            for the instant until the same worker queues them in `wait`
 * - `promotions`    zset     tokens of those promotions, scored by a deadline (ms) after which another
 *                            worker puts the jobs back in `delayed` (the promoting worker died)
 * - `marker`        zset     what idle workers block on (BZPOPMIN), so that each event wakes one worker:
 *                            `job:<id>` (score 0) per job made ready, removed by the take that takes the job
 *                            (so it holds at most the waiting jobs), and `delayed` scored by the earliest
 *                            due time announced (ZADD LT), which the worker that pops it promotes at that time
 * - `completed`     zset     finished jobs, scored by finishedOn (bounded by removeOnComplete)
 * - `failed`        zset     jobs that failed finally — the dead letters — scored by finishedOn
 * - `paused`        string   present while the queue is paused (workers take nothing; adds still land in `wait`)
 * - `limiter`       string   jobs started in the current rate-limit window, expiring with it (PX)
 * - `schedulers`    hash     job scheduler id → its repeat, job template, jobs created and pending job id (JSON)
 * - `events`        stream   completed/failed outcomes (trimmed), read by waitUntilFinished in any process
 *
 * A job is in exactly one of wait/delayed/active/completed/failed, a claim or a promotion. Each
 * transition moves it between them and updates its hash in one MULTI/EXEC, under WATCH when it
 * decided on what it read, so a process killed at any instant leaves every job in one structure.
 * Workers move jobs out of the shared `wait` and `delayed` without WATCH (they would abort each
 * other's transactions, and producers' adds to `delayed` theirs): one MULTI moves the head of `wait`
 * (or the due part of `delayed`) into a key of the worker's own (ZRANGESTORE + ZREMRANGEBY…) and
 * registers it with a deadline; a second MULTI moves those jobs on (to `active` under fresh locks,
 * or to `wait` at their priority). Of several workers doing so at once, each job goes to exactly
 * one; a worker killed between the two steps leaves a registered key, which stall recovery puts back.
 */
export interface QueueKeys {
  readonly base: string;
  readonly id: string;
  readonly seq: string;
  readonly wait: string;
  readonly delayed: string;
  readonly active: string;
  readonly claims: string;
  readonly promotions: string;
  readonly marker: string;
  readonly completed: string;
  readonly failed: string;
  readonly paused: string;
  readonly limiter: string;
  readonly events: string;
  readonly schedulers: string;
  job(id: string): string;
  logs(id: string): string;
  claim(token: string): string;
  promotion(token: string): string;
}

export function queueKeys(prefix: string, queue: string): QueueKeys {
  const base = `${prefix}:queue:${queue}`;
  return {
    base,
    id: `${base}:id`,
    seq: `${base}:seq`,
    wait: `${base}:wait`,
    delayed: `${base}:delayed`,
    active: `${base}:active`,
    claims: `${base}:claims`,
    promotions: `${base}:promotions`,
    marker: `${base}:marker`,
    completed: `${base}:completed`,
    failed: `${base}:failed`,
    paused: `${base}:paused`,
    limiter: `${base}:limiter`,
    events: `${base}:events`,
    schedulers: `${base}:schedulers`,
    job: (id) => `${base}:job:${id}`,
    logs: (id) => `${base}:job:${id}:logs`,
    claim: (token) => `${base}:claim:${token}`,
    promotion: (token) => `${base}:promotion:${token}`,
  };
}

/** The `marker` member that wakes one idle worker for the ready job `id`. */
export function readyMarker(id: string): string {
  return `job:${id}`;
}

/** The `marker` member scored by the earliest announced due time of a delayed job (no job marker starts so). */
export const DELAYED_MARKER = 'delayed';

/** Highest priority number accepted (BullMQ's bound). */
export const MAX_PRIORITY = 2 ** 21;
/** Sequence numbers use the low 31 bits of the score, so (MAX_PRIORITY + 1) * 2^31 + seq stays an exact double. */
const SEQ_SPAN = 2 ** 31;

/**
 * The `wait` score: priority in the high part (normal jobs, priority 0, count as MAX_PRIORITY + 1,
 * after every prioritized job), the ready-order sequence in the low 31 bits (it wraps after 2^31
 * jobs, which only reorders jobs of the same priority across the wrap).
 */
export function waitScore(priority: number, seq: number): number {
  const rank = priority > 0 ? priority : MAX_PRIORITY + 1;
  return rank * SEQ_SPAN + (seq % SEQ_SPAN);
}
