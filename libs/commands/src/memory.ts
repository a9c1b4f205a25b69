import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { KeyTable, formatScore, parseCanonicalInt, heapString, heapPrimitive } from '@brook/storage';
import type { MemoryFigures, Session } from './context.js';
import { Err } from './errors.js';
import type { CommandFamily } from './family.js';
import { helpSubcommand } from './reply.js';
import type { CommandSpec } from './table.js';

/** OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
const DEFAULT_SAMPLES = 5;

/**
 * MEMORY USAGE key [SAMPLES count]: the key's bytes, its value's (sampled over `count` elements;
 * 0 = all) and its share of the keyspace table, as Brook holds them on the V8 heap
 * (libs/storage/src/footprint.ts). Nil for a missing key.
 */
function usage(c: Session, argv: string[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() !== 'samples' || j + 1 >= argv.length) return c.w.error(Err.syntax);
    const n = parseCanonicalInt(argv[++j]);
    if (n === null) return c.w.error(Err.notInteger);
    if (n < 0) return c.w.error(Err.syntax);
    samples = n === 0 ? Infinity : Number(n);
  }
  const v = c.db.probe(argv[2], false);
  if (v === undefined) return c.w.nil();
  const value = typeof v === 'object' ? v.footprint(samples) : heapPrimitive(v);
  c.w.integer(heapString(argv[2].length) + KeyTable.ENTRY_BYTES + value);
}

/** The figures MEMORY STATS and DOCTOR share (Redis's getMemoryOverheadData). */
interface Overhead {
  readonly m: MemoryFigures;
  /** Per non-empty database: [id, main table bytes, expires table bytes]. */
  readonly dbs: [number, number, number][];
  readonly total: number;
  readonly keys: number;
}

function overhead(c: Session): Overhead {
  const m = c.server.memory();
  const dbs: [number, number, number][] = [];
  let total = m.startup + m.clientsNormal + m.aofBuffer;
  let keys = 0;
  for (const db of c.ks.dbs) {
    if (db.keys.size === 0) continue;
    const main = db.keys.structureBytes();
    const expires = db.expires.size === 0 ? 0 : db.expires.structureBytes();
    dbs.push([db.id, main, expires]);
    total += main + expires;
    keys += db.keys.size;
  }
  return { m, dbs, total, keys };
}

/**
 * MEMORY STATS, Redis's fields in its order. Brook has no replication backlog, replicas, cluster
 * links, Lua or functions yet: those are truly 0. The allocator is V8: allocated is used_memory,
 * active the heap V8 has committed plus external memory, resident the process RSS, so no RSS is
 * measured apart from the allocator's (rss-overhead 1, 0 bytes).
 */
function stats(c: Session): void {
  const { m, dbs, total, keys } = overhead(c);
  const w = c.w;
  const ratio = (a: number, b: number): void => w.double(formatScore(a / Math.max(1, b)));
  const net = m.used - m.startup;
  w.map(27 + dbs.length);
  const ints: [string, number][] = [
    ['peak.allocated', m.peak],
    ['total.allocated', m.used],
    ['startup.allocated', m.startup],
    ['replication.backlog', 0],
    ['clients.slaves', 0],
    ['clients.normal', m.clientsNormal],
    ['cluster.links', 0],
    ['aof.buffer', m.aofBuffer],
    ['lua.caches', 0],
    ['functions.caches', 0],
  ];
  for (const [name, n] of ints) {
    w.bulk(name);
    w.integer(n);
  }
  for (const [id, main, expires] of dbs) {
    w.bulk(`db.${id}`);
    w.map(3);
    w.bulk('overhead.hashtable.main');
    w.integer(main);
    w.bulk('overhead.hashtable.expires');
    w.integer(expires);
    w.bulk('overhead.hashtable.slot-to-keys');
    w.integer(0);
  }
  w.bulk('overhead.total');
  w.integer(total);
  w.bulk('keys.count');
  w.integer(keys);
  w.bulk('keys.bytes-per-key');
  w.integer(keys === 0 ? 0 : Math.floor(Math.max(0, net) / keys));
  w.bulk('dataset.bytes');
  w.integer(Math.max(0, m.used - total));
  w.bulk('dataset.percentage');
  w.double(formatScore(net > 0 ? (Math.max(0, m.used - total) * 100) / net : 0));
  w.bulk('peak.percentage');
  ratio(m.used * 100, m.peak);
  for (const [name, n] of [
    ['allocator.allocated', m.used],
    ['allocator.active', m.active],
    ['allocator.resident', m.rss],
  ] as const) {
    w.bulk(name);
    w.integer(n);
  }
  w.bulk('allocator-fragmentation.ratio');
  ratio(m.active, m.used);
  w.bulk('allocator-fragmentation.bytes');
  w.integer(m.active - m.used);
  w.bulk('allocator-rss.ratio');
  ratio(m.rss, m.active);
  w.bulk('allocator-rss.bytes');
  w.integer(m.rss - m.active);
  w.bulk('rss-overhead.ratio');
  w.double('1');
  w.bulk('rss-overhead.bytes');
  w.integer(0);
  w.bulk('fragmentation');
  ratio(m.rss, m.used);
  w.bulk('fragmentation.bytes');
  w.integer(m.rss - m.used);
}

const MB = 1024 * 1024;

/** Redis's report texts, for the checks that apply to Brook. */
const EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const HEALTHY = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const BIG_PEAK =
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';
const BIG_CLIENT_BUF =
  ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n';

/**
 * MEMORY DOCTOR: Redis's checks on the figures Brook measures: an empty instance (under 5 MB
 * above what the server holds with no data: a Node runtime is tens of MB where Redis starts at
 * one), a peak over 150% of used, clients holding over 200 KB each on average. Redis's
 * fragmentation and RSS checks are left out: V8 keeps its young generation and free pages
 * committed by design, and a Node process's RSS includes its runtime, so those ratios say
 * nothing about the data.
 */
function doctor(c: Session): void {
  const m = c.server.memory();
  const clients = [...c.server.clients()].length;
  let report: string;
  if (m.used - m.startup < 5 * MB) report = EMPTY;
  else {
    const found: string[] = [];
    if (m.peak / m.used > 1.5) found.push(BIG_PEAK);
    if (m.clientsNormal / Math.max(1, clients) > 200 * 1024) found.push(BIG_CLIENT_BUF);
    report =
      found.length === 0
        ? HEALTHY
        : `Sam, I detected a few issues in this Redis instance memory implants:\n\n${found.join('')}I'm here to keep you safe, Sam. I want to help you.\n`;
  }
  c.w.verbatim(report);
}

/** MEMORY MALLOC-STATS: the allocator's report, here V8's heap and its spaces (bytes). */
function mallocStats(c: Session): void {
  const h = getHeapStatistics();
  const lines = ['___ Begin V8 heap statistics ___'];
  for (const [name, value] of Object.entries(h)) lines.push(`${name}: ${value}`);
  for (const s of getHeapSpaceStatistics())
    lines.push(
      `${s.space_name}: size ${s.space_size}, used ${s.space_used_size}, available ${s.space_available_size}, physical ${s.physical_space_size}`,
    );
  lines.push('--- End V8 heap statistics ---');
  c.w.verbatim(lines.join('\n') + '\n');
}

/** MEMORY PURGE: V8 returns free pages by itself as it collects; there is nothing to ask of it, as with Redis on libc malloc. */
function purge(c: Session): void {
  c.w.ok();
}

const HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

function sub(name: string, flags: CommandSpec['flags'], summary: string, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity: 2, flags, group: 'server', summary, since: '4.0.0', complexity: 'O(1)', handler };
}

export const memoryCommands: readonly CommandSpec[] = [
  {
    name: 'memory',
    arity: -2,
    flags: [],
    group: 'server',
    summary: 'A container for memory diagnostics commands',
    since: '4.0.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('doctor', [], 'Outputs memory problems report', doctor),
      sub('malloc-stats', [], 'Show allocator internal stats', mallocStats),
      sub('purge', [], 'Ask the allocator to release memory', purge),
      sub('stats', [], 'Show memory usage details', stats),
      {
        name: 'usage',
        arity: -3,
        flags: ['readonly'],
        group: 'server',
        summary: 'Estimate the memory usage of a key',
        since: '4.0.0',
        complexity: 'O(N) where N is the number of samples.',
        keys: [2, 2, 1],
        handler: usage,
      },
      helpSubcommand('server', '4.0.0', HELP),
    ],
  },
];

/** MEMORY (Redis's object.c memoryCommand). */
export const memoryFamily: CommandFamily = { name: 'memory', commands: memoryCommands };
