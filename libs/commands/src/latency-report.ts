/**
 * LATENCY GRAPH and LATENCY DOCTOR texts, in the format of Redis 7.0.15's latency.c and
 * sparkline.c: pure functions of an event's samples (ms, oldest first), its all-time maximum and
 * the current second.
 */
import type { LatencySample } from './context.js';

/** Redis's LATENCY_GRAPH_COLS: samples per band of the graph. */
const GRAPH_COLS = 80;
/** Rows of the sparkline; each row has three levels of fill. */
const GRAPH_ROWS = 4;
const FILL = '_o#';

/** How long ago a sample was, as the graph's vertical labels: 12s, 5m, 3h, 2d. */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.trunc(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.trunc(seconds / 3600)}h`;
  return `${Math.trunc(seconds / 86400)}d`;
}

/**
 * One band of at most GRAPH_COLS samples: GRAPH_ROWS rows of bars scaled between the lowest and
 * highest sample of the whole graph, a blank line, then each label written downwards.
 */
function band(values: readonly number[], labels: readonly string[], min: number, max: number): string {
  const levels = FILL.length * GRAPH_ROWS;
  const range = max - min === 0 ? 1 : max - min;
  // Redis truncates the scaled value to an integer before dividing by the range, then again after.
  const steps = values.map((v) => Math.min(levels - 1, Math.max(0, Math.trunc(Math.trunc((v - min) * levels) / range))));
  let out = '';
  for (let row = 0; row < GRAPH_ROWS; row++) {
    let line = '';
    for (const step of steps) {
      const level = step - (GRAPH_ROWS - row - 1) * FILL.length;
      line += level < 0 ? ' ' : level < FILL.length ? FILL[level] : '|';
    }
    out += line + '\n';
  }
  out += ' '.repeat(values.length) + '\n';
  const tallest = Math.max(...labels.map((l) => l.length));
  for (let i = 0; i < tallest; i++) out += labels.map((l) => l[i] ?? ' ').join('') + '\n';
  return out;
}

/** LATENCY GRAPH event: a header line, a rule, and the samples as a sparkline, oldest on the left. */
export function latencyGraph(event: string, samples: readonly LatencySample[], allTimeMax: number, nowSec: number): string {
  const values = samples.map((s) => s.latency);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 0;
  let out = `${event} - high ${max} ms, low ${min} ms (all time high ${allTimeMax} ms)\n${'-'.repeat(GRAPH_COLS)}\n`;
  const labels = samples.map((s) => ago(nowSec - s.time));
  for (let i = 0; i < values.length; i += GRAPH_COLS) {
    if (i !== 0) out += '\n';
    out += band(values.slice(i, i + GRAPH_COLS), labels.slice(i, i + GRAPH_COLS), min, max);
  }
  return out;
}

/** One event as the doctor sees it: its samples (oldest first) and all-time maximum. */
export interface LatencyEventData {
  readonly event: string;
  readonly samples: readonly LatencySample[];
  readonly max: number;
}

/** The settings the doctor's advice depends on. */
export interface DoctorSettings {
  /** latency-monitor-threshold, ms (0: off). */
  readonly thresholdMs: number;
  /** slowlog-log-slower-than, µs (negative: off). */
  readonly slowlogUs: number;
  readonly hz: number;
}

type Advice = 'slowlogEnable' | 'slowlogTune' | 'slowlogInspect' | 'scheduler' | 'hz' | 'largeObjects';

/** Redis's advice texts, in the order it prints them (those for events Brook never records are left out). */
const ADVICE: readonly [Advice, (s: DoctorSettings) => string | null][] = [
  [
    'slowlogEnable',
    (s) =>
      `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${s.thresholdMs * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`,
  ],
  [
    'slowlogTune',
    (s) =>
      `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${s.thresholdMs * 1000}'.\n`,
  ],
  [
    'slowlogInspect',
    () =>
      '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n',
  ],
  [
    'scheduler',
    () =>
      '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
      '  1) Lower the system load.\n' +
      '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
      '  3) Check if you have a "noisy neighbour" problem.\n' +
      "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
      '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n',
  ],
  [
    'hz',
    (s) =>
      s.hz < 100
        ? "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"
        : null,
  ],
  [
    'largeObjects',
    () =>
      '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n',
  ],
];

/** What an event suggests, and how many pieces of advice Redis counts for it. */
function adviceFor(event: string, s: DoctorSettings): [Advice[], number] {
  switch (event) {
    case 'command': {
      const slowlog: Advice[] = s.slowlogUs < 0 ? ['slowlogEnable'] : Math.trunc(s.slowlogUs / 1000) > s.thresholdMs ? ['slowlogTune'] : [];
      return [[...slowlog, 'slowlogInspect', 'largeObjects'], slowlog.length + 2];
    }
    case 'fast-command':
      return [['scheduler'], 1];
    case 'expire-cycle':
      return [['hz', 'largeObjects'], 2];
    default:
      return [[], 0];
  }
}

/**
 * Redis's analyzeLatencyForEvent: sample count, integer mean and mean absolute deviation (ms), and
 * the seconds since the oldest sample (at least 1).
 */
function analyze(samples: readonly LatencySample[], nowSec: number): { avg: number; mad: number; period: number } {
  if (samples.length === 0) return { avg: 0, mad: 0, period: 0 };
  let sum = 0;
  let oldest = Infinity;
  for (const s of samples) {
    sum += s.latency;
    if (s.time < oldest) oldest = s.time;
  }
  const avg = Math.trunc(sum / samples.length);
  let dev = 0;
  for (const s of samples) dev += Math.abs(avg - s.latency);
  return { avg, mad: Math.trunc(dev / samples.length), period: Math.max(1, nowSec - oldest) };
}

/** LATENCY DOCTOR: Redis's report on the recorded events, with its advice. */
export function latencyDoctor(events: readonly LatencyEventData[], s: DoctorSettings, nowSec: number): string {
  if (events.length === 0 && s.thresholdMs === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  let out = '';
  const advised = new Set<Advice>();
  let advices = 0;
  events.forEach(({ event, samples, max }, i) => {
    if (i === 0) out += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const { avg, mad, period } = analyze(samples, nowSec);
    const n = samples.length;
    out += `${i + 1}. ${event}: ${n} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${(period / n).toFixed(2)} sec). Worst all time event ${max}ms.\n`;
    const [advice, count] = adviceFor(event, s);
    for (const a of advice) advised.add(a);
    advices += count;
  });
  if (events.length === 0 && advices === 0) {
    return 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  if (advices === 0) {
    return `${out}\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n`;
  }
  out += '\nI have a few advices for you:\n\n';
  for (const [name, text] of ADVICE) if (advised.has(name)) out += text(s) ?? '';
  return out;
}
