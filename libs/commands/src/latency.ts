import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import type { Command, CommandSpec } from './table.js';
import { helpSubcommand } from './reply.js';
import { Err } from './errors.js';
import { latencyDoctor, latencyGraph } from './latency-report.js';

const nowSec = (): number => Math.floor(Date.now() / 1000);

/** LATENCY LATEST: each event with its latest sample's time and latency, and its all-time maximum. */
function latest(c: Session): void {
  const events = c.server.latency.latest();
  c.w.array(events.length);
  for (const [event, last, max] of events) {
    c.w.array(4);
    c.w.bulk(event);
    c.w.integer(last.time);
    c.w.integer(last.latency);
    c.w.integer(max);
  }
}

/** LATENCY HISTORY event: [time, latency] pairs, oldest first; empty for an event never seen. */
function history(c: Session, argv: string[]): void {
  const samples = c.server.latency.history(argv[2]);
  c.w.array(samples.length);
  for (const s of samples) {
    c.w.array(2);
    c.w.integer(s.time);
    c.w.integer(s.latency);
  }
}

/** LATENCY GRAPH event: an ASCII sparkline of the event's samples; an error for an event never seen. */
function graph(c: Session, argv: string[]): void {
  const event = c.server.latency.latest().find((e) => e[0] === argv[2]);
  if (event === undefined) return c.w.error(Err.latencyNoSamples(argv[2]));
  c.w.verbatim(latencyGraph(event[0], c.server.latency.history(event[0]), event[2], nowSec()));
}

/** LATENCY DOCTOR: Redis's human-readable analysis of the recorded events, with advice. */
function doctor(c: Session): void {
  const config = c.server.config;
  const events = c.server.latency.latest().map(([event, , max]) => ({ event, samples: c.server.latency.history(event), max }));
  const settings = {
    thresholdMs: Number(config.value('latency-monitor-threshold')),
    slowlogUs: Number(config.value('slowlog-log-slower-than')),
    hz: Number(config.value('hz')),
  };
  c.w.verbatim(latencyDoctor(events, settings, nowSec()));
}

function reset(c: Session, argv: string[]): void {
  c.w.integer(c.server.latency.reset(argv.slice(2)));
}

/**
 * LATENCY HISTOGRAM [command ...]: a map of command (full name) → {calls, histogram_usec}; commands
 * never run (or unknown) are left out, a container name covers its subcommands, as Redis.
 */
function histogram(c: Session, argv: string[]): void {
  const table = c.server.commands;
  const found: Command[] = [];
  const withData = (cmd: Command): void => {
    if (cmd.stats.latency !== null) found.push(cmd);
    for (const sub of cmd.subcommands?.values() ?? []) if (sub.stats.latency !== null) found.push(sub);
  };
  if (argv.length === 2) {
    for (const cmd of table.commands()) withData(cmd);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const bar = argv[i].indexOf('|');
      const cmd = table.lookup(bar < 0 ? argv[i] : argv[i].slice(0, bar));
      if (cmd === undefined) continue;
      if (bar < 0) withData(cmd);
      else {
        const sub = cmd.subcommands?.get(argv[i].slice(bar + 1).toLowerCase());
        if (sub !== undefined && sub.stats.latency !== null) found.push(sub);
      }
    }
  }
  const w = c.w;
  w.map(found.length);
  for (const cmd of found) {
    const h = cmd.stats.latency!;
    w.bulk(cmd.fullName);
    w.map(2);
    w.bulk('calls');
    w.integer(h.total);
    w.bulk('histogram_usec');
    const buckets = h.cumulative();
    w.map(buckets.length);
    for (const [usec, count] of buckets) {
      w.integer(usec);
      w.integer(count);
    }
  }
}

/** Redis's help lines. */
const HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

const ADMIN: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];

function sub(name: string, arity: number, summary: string, since: string, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags: ADMIN, group: 'server', summary, since, complexity: 'O(1)', handler };
}

export const latencyCommands: readonly CommandSpec[] = [
  {
    name: 'latency',
    arity: -2,
    flags: [],
    group: 'server',
    summary: 'A container for latency diagnostics commands',
    since: '2.8.13',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('doctor', 2, 'Return a human readable latency analysis report.', '2.8.13', doctor),
      sub('graph', 3, 'Return a latency graph for the event.', '2.8.13', graph),
      sub('latest', 2, 'Return the latest latency samples for all events.', '2.8.13', latest),
      sub('history', 3, 'Return timestamp-latency samples for the event.', '2.8.13', history),
      sub('reset', -2, 'Reset latency data for one or more events.', '2.8.13', reset),
      sub('histogram', -2, 'Return the cumulative distribution of latencies of a subset of commands or all.', '7.0.0', histogram),
      helpSubcommand('server', '2.8.13', HELP),
    ],
  },
];

/** LATENCY (Redis's latency.c); the dispatcher feeds the monitor and the per-command histograms. */
export const latencyFamily: CommandFamily = { name: 'latency', commands: latencyCommands };
