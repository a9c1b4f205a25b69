/**
 * Results as Markdown (printed, and with --write inserted into docs/BENCHMARKS.md as a dated
 * section), with the machine facts and the project's targets next to the numbers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VALUE_BYTES } from './memory.js';
import { ROOT } from './servers.js';

const DOC = join(ROOT, 'docs/BENCHMARKS.md');
/** New sections go right after this line, newest first. */
const MARKER = '<!-- results: newest first; `npm run bench -- --write` inserts sections below -->';

/** Minimum Brook/Redis rps ratio for SET and GET, by pipeline depth (-P 16: issue 6's target, not met yet). */
const THROUGHPUT_TARGETS = { 1: 0.6, 16: 0.65 };
/** Minimum Brook/Redis rps ratio for redis-benchmark's collection tests (issue 7), by pipeline depth. */
const COLLECTION_THROUGHPUT_TARGETS = { 1: 0.6, 16: 0.35 };
/** Maximum Brook/Redis bytes-per-element ratio, for the 1M-key string set and each collection workload. */
const MEMORY_TARGET = 1.5;
/** Types whose bytes-per-element target differs: streams (issue 8) at ≤ 2× Redis's radix tree of listpacks. */
const COLLECTION_MEMORY_TARGETS = { stream: 2 };

const sh = (cmd, args) => (spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '').trim();

/** V8's heap limit for a node started without flags on this machine. */
const defaultHeapLimit = () => Number(sh(process.execPath, ['-p', 'require("v8").getHeapStatistics().heap_size_limit']));

/** Date, hardware and versions, as one Markdown list. */
function machineFacts() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const memGb = /^Mem:\s+(\d+)/m.exec(sh('free', ['-g']))?.[1] ?? '?';
  const commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ? ' + uncommitted changes' : '';
  return [
    `- Date: ${sh('date', ['-u'])}`,
    `- CPU: ${cpu}, ${sh('nproc', [])} cores (\`nproc\`); memory ${memGb} GB (\`free -g\`)`,
    `- Node ${sh('node', ['-v'])} (default heap limit without flags: ${bytes(defaultHeapLimit())}); ${sh('redis-server', ['--version'])}`,
    `- Brook commit ${commit || 'unknown'}${dirty}`,
  ].join('\n');
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const ratio = (n) => n.toFixed(2);
function bytes(n) {
  if (Math.abs(n) >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}
const ms = (n) => `${n} ms`;
/** An error cell: "ERR unknown command 'INCR'", without the arguments Redis's text echoes back. */
const errorCell = (text) => `error: ${text.replace(/, with args beginning with:.*$/, '').slice(0, 100)}`;
const mark = (ok) => (ok ? 'yes' : '**no**');

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Throughput rows from throughput() as a table with Brook/Redis ratios and the targets. */
export function throughputMarkdown(
  rows,
  {
    rounds,
    requests,
    title = 'Throughput',
    targets = (test, pipeline) => (['set', 'get'].includes(test) ? THROUGHPUT_TARGETS[pipeline] : undefined),
  },
) {
  // Each round ran Brook and Redis back to back, so per-round ratios show how noisy the run was.
  const roundRatios = (brook, redis) => {
    const ratios = brook.samples.map((b, i) => b / redis.samples[i]);
    return `${ratio(Math.min(...ratios))}–${ratio(Math.max(...ratios))}`;
  };
  const body = rows.map(({ test, pipeline, brook, redis }) => {
    const r = brook.rps && redis.rps ? brook.rps / redis.rps : null;
    const target = targets(test, pipeline);
    const rps = (x) => (x.error ? errorCell(x.error) : int(x.rps));
    const cpu = brook.cpuUs && redis.cpuUs ? `${brook.cpuUs.toFixed(2)} / ${redis.cpuUs.toFixed(2)}` : '–';
    return [
      test.toUpperCase(),
      pipeline,
      rps(brook),
      rps(redis),
      r === null ? '–' : ratio(r),
      r === null ? '' : roundRatios(brook, redis),
      cpu,
      target === undefined ? '' : `≥ ${target}`,
      target === undefined || r === null ? '' : mark(r >= target),
    ];
  });
  return [
    `### ${title}`,
    '',
    `redis-benchmark -c 50 -r 100000, -n ${int(requests(1))} at -P 1 and ${int(requests(16))} at -P 16; ` +
      `median requests/s of ${rounds} interleaved round(s); servers on CPU 1, redis-benchmark on CPU 0. ` +
      'Brook/Redis is the ratio of the medians; per-round ratios (min–max) pair the back-to-back runs of each round. ' +
      'Server CPU is the median user+system CPU time per request of each server (from /proc), steadier than requests/s on a shared machine.',
    '',
    table(
      ['Test', '-P', 'Brook rps', 'Redis rps', 'Brook/Redis', 'Per-round ratios', 'Server CPU µs/req Brook / Redis', 'Target', 'Met'],
      body,
    ),
  ].join('\n');
}

/** The collection tests' targets (issue 7): every test has one. */
export const collectionTargets = (test, pipeline) => COLLECTION_THROUGHPUT_TARGETS[pipeline];

/**
 * Collection memory: one row per (type, shape) from measureMemory({ warm: true }) for Brook and
 * Redis: bytes per element over the warm baseline (judged against the target) and over the cold one.
 */
export function collectionMemoryMarkdown(rows) {
  const cell = (m, f) => (m.error ? errorCell(m.error) : f(m));
  const body = rows.map(({ type, label, brook, redis }) => {
    const r = brook.error || redis.error ? null : brook.perKeyWarm / redis.perKeyWarm;
    const brookOnly = (f) => (brook.error ? '' : f(brook));
    const target = COLLECTION_MEMORY_TARGETS[type] ?? MEMORY_TARGET;
    return [
      type,
      label,
      cell(brook, (m) => int(m.perKeyWarm)),
      cell(redis, (m) => int(m.perKeyWarm)),
      r === null ? '–' : ratio(r),
      `≤ ${target}`,
      r === null ? '' : mark(r <= target),
      brookOnly((m) => `${m.heapPerKey.toFixed(1)} + ${m.externalPerKey.toFixed(1)}`),
      brookOnly((m) => int(m.perKeyAfterGc)),
      cell(redis, (m) => int(m.perKeyAfterGc)),
      brookOnly((m) => int(m.perKeySettled)),
    ];
  });
  return [
    '### Memory per element: lists, hashes, sets, sorted sets, streams',
    '',
    'RSS growth per element loaded (redis-cli --pipe): RPUSH member:i, HSET field:i value:i, SADD member:i ' +
      '(non-integer members), ZADD i member:i, XADD * name n<i mod 1000> value i; into one key, or into keys of 10 elements (the small encodings). ' +
      'Warm (the figure the target is judged on): each server first loads the same workload once, FLUSHALLs it, ' +
      'runs a full GC (Brook) and waits for RSS to settle; the growth over that baseline is what the elements cost. ' +
      "Cold: the growth over the fresh server's RSS, which also counts what the first load costs once and keeps " +
      "(V8's young generation and code becoming resident, allocator arenas and pools; about 20 MB for Brook, " +
      '20 B per element at 1M), not a per-element cost. Redis is measured the same way (its jemalloc also keeps pages ' +
      'after FLUSHALL). Brook readings are taken after a forced full GC ("settled": 2 s after loading, before it); ' +
      "Brook heap + external: V8's heap used per element over the warm baseline, after GC, " +
      '+ the memory outside the heap (Buffers: stream blocks are Buffers) per element.',
    '',
    table(
      [
        'Type',
        'Keys × elements',
        'Brook B/element (warm)',
        'Redis B/element (warm)',
        'Brook/Redis',
        'Target',
        'Met',
        'Brook heap + external B/element',
        'Brook cold',
        'Redis cold',
        'Brook cold settled',
      ],
      body,
    ),
  ].join('\n');
}

/** DEL/UNLINK rows from lazyfreeRun(): { type, command, elements, brook, redis }. */
export function lazyfreeMarkdown(rows) {
  const cell = (x, f) => (x.error ? errorCell(x.error) : f(x));
  const fixed = (n) => `${n.toFixed(1)} ms`;
  const body = rows.map(({ type, command, elements, brook, redis }) => [
    type,
    int(elements),
    command,
    // A type Brook lacks: its error once, in the first Brook cell.
    brook.error ? errorCell(brook.error) : fixed(brook.replyMs),
    cell(redis, (x) => fixed(x.replyMs)),
    brook.error ? '' : fixed(brook.maxPingMs),
    cell(redis, (x) => fixed(x.maxPingMs)),
    brook.error ? '' : fixed(brook.baselinePingMs),
    cell(redis, (x) => fixed(x.baselinePingMs)),
  ]);
  return [
    '### DEL and UNLINK of one big collection',
    '',
    'One key loaded with redis-cli --pipe (the memory workload), then DEL or UNLINK of it on a fresh server. ' +
      "Reply: time to the command's reply. Longest PING: the longest reply time of another client sending one PING at a time, " +
      'from the command until 3 s after it (the pause the free, or the GC after it, causes); idle: the same in the second before.',
    '',
    table(
      [
        'Type',
        'Elements',
        'Command',
        'Brook reply',
        'Redis reply',
        'Brook longest PING',
        'Redis longest PING',
        'Brook idle PING',
        'Redis idle PING',
      ],
      body,
    ),
  ].join('\n');
}

/** Memory results from measureMemory() for Brook and Redis. */
export function memoryMarkdown(brook, redis) {
  const row = (m) => [
    m.name,
    int(m.keys),
    m.seconds.toFixed(1),
    bytes(m.baseline),
    bytes(m.settled),
    bytes(m.afterGc),
    int(m.perKeySettled),
    int(m.perKeyAfterGc),
  ];
  const settled = brook.perKeySettled / redis.perKeySettled;
  const afterGc = brook.perKeyAfterGc / redis.perKeyAfterGc;
  return [
    `### Memory: ${int(brook.keys)} keys key:N, ${VALUE_BYTES}-byte values`,
    '',
    'RSS of the server process (Brook: the node child of the launcher) from /proc, minus the RSS right after start. ' +
      '"Settled" is 5 s after loading; "after GC" follows a full GC forced through a bench-only preload ' +
      '(test/bench/gc-on-signal.js; Redis has no GC, so both are the same reading).',
    '',
    table(
      ['Server', 'Keys', 'Load s', 'RSS at start', 'RSS settled', 'RSS after GC', 'Bytes/key settled', 'Bytes/key after GC'],
      [row(brook), row(redis)],
    ),
    '',
    `Brook/Redis bytes per key: ${ratio(afterGc)} after GC (target ≤ ${MEMORY_TARGET}: ${mark(afterGc <= MEMORY_TARGET)}), ${ratio(settled)} settled. ` +
      `Brook heap used after GC: ${brook.heap ? bytes(brook.heap.usedHeap) : '?'}.`,
  ].join('\n');
}

/** Scale results from scaleRun(), Brook first, Redis as the reference on the same machine. */
export function scaleMarkdown(results) {
  // Each cell shows the server's error instead when the command failed.
  const cell = (x, format) => (x?.error ? errorCell(x.error) : format(x));
  const latency = (l) => `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}`;
  const row = (s) => [
    s.name,
    int(s.keys),
    `${s.loadSeconds.toFixed(1)} s (${int(s.keys / s.loadSeconds)}/s)`,
    cell(s.dbsize, int),
    cell(s.scan, (x) => `${int(x.distinct)} distinct, ${x.duplicates} dup, ${x.foreign} foreign (${s.scanSeconds.toFixed(1)} s)`),
    `${s.wrongGets} wrong`,
    bytes(s.rss - s.baseline),
    bytes(s.rssAfterGc - s.baseline),
    cell(s.get, latency),
    cell(s.set, latency),
    mark(s.ok),
  ];
  const brook = results[0];
  const defaultHeap = defaultHeapLimit();
  return [
    `### Scale: ${int(brook.keys)} keys in one database`,
    '',
    'Keys key:%012d with values "v<N>" loaded with redis-cli --pipe; SCAN with COUNT 1000 over the whole keyspace; ' +
      '100,000 random GETs checked against their values; latency from redis-benchmark -c 50 -n 200000 -r <keys> ' +
      '(GET, then SET) with every key loaded. RSS is the growth over the RSS at start.',
    '',
    table(
      [
        'Server',
        'Keys',
        'Load',
        'DBSIZE',
        'SCAN',
        'Random GETs',
        'RSS growth',
        'after GC',
        'GET p50 / p99 / max',
        'SET p50 / p99 / max',
        'All checks',
      ],
      results.map(row),
    ),
    '',
    brook.heap
      ? `Brook's V8 heap limit (set by bin/brook-server.js from the machine's memory, no flags given): ${bytes(brook.heap.heapLimit)}; ` +
        `heap used after GC with the keys loaded: ${bytes(brook.heap.usedHeap)}, ` +
        (brook.heap.usedHeap < defaultHeap
          ? `which would also fit under Node's default limit of ${bytes(defaultHeap)}.`
          : `more than Node's default limit of ${bytes(defaultHeap)}: without the launcher's sizing this load would fail.`)
      : '',
  ].join('\n');
}

/** Inserts a dated section (machine facts + body) after the marker in docs/BENCHMARKS.md. */
export function writeSection(title, body) {
  const stamp = sh('date', ['-u', '+%Y-%m-%d %H:%M UTC']);
  const section = `## ${stamp} — ${title}\n\n${machineFacts()}\n\n${body}\n`;
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Benchmarks\n\n${MARKER}\n`;
  const at = doc.indexOf(MARKER);
  const next =
    at < 0
      ? `${doc.trimEnd()}\n\n${MARKER}\n\n${section}`
      : `${doc.slice(0, at + MARKER.length)}\n\n${section}${doc.slice(at + MARKER.length).replace(/^\n*/, '\n')}`;
  writeFileSync(DOC, next);
}

/** The consumer-group driver's result from streamGroups(): entries/s and latency, Brook vs Redis. */
export function streamGroupsMarkdown({ entries, producers, consumers, rounds, brook, redis }) {
  const r = brook.rate && redis.rate ? brook.rate / redis.rate : null;
  const row = (name, x) =>
    x.error
      ? [name, errorCell(x.error), '', '', '', '']
      : [name, int(x.rate), x.samples.map(int).join(', '), `${x.p50.toFixed(2)} ms`, `${x.p99.toFixed(2)} ms`, x.cpuUs.toFixed(2)];
  return [
    '### Consumer groups: producers to workers',
    '',
    `${producers} producers XADD ${int(entries)} entries in all (pipelines of 10), each entry carrying its send time; ` +
      `${consumers} consumers of one group XREADGROUP COUNT 100 BLOCK 1000 ">" and XACK each batch, until every entry is consumed ` +
      '(every run checked: each entry delivered once, none pending at the end). ' +
      `Entries/s from the first XADD to the last entry consumed; latency from an entry's send to its consumer reading it. ` +
      `Median of ${rounds} interleaved round(s); the driver (test/bench/stream-groups.js, lean RESP connections) runs on CPU 0, the servers on CPU 1, ` +
      'so at these rates the single-threaded driver is part of what is measured for both servers alike.',
    '',
    table(
      ['Server', 'Entries/s', 'Per round', 'Latency p50', 'Latency p99', 'Server CPU µs/entry'],
      [row('Brook', brook), row('Redis', redis)],
    ),
    '',
    r === null ? '' : `Brook/Redis entries/s: ${ratio(r)}.`,
  ].join('\n');
}

/** The --streams-scale run: one stream of N entries loaded into each server (measureMemory results). */
export function streamScaleMarkdown(brook, redis) {
  const row = (m) =>
    m.error
      ? [m.name, errorCell(m.error), '', '', '', '']
      : [
          m.name,
          int(m.keys),
          `${m.seconds.toFixed(1)} s (${int(m.keys / m.seconds)}/s)`,
          bytes(m.afterGc - m.baseline),
          int(m.perKeyAfterGc),
          m.heap ? bytes(m.heap.usedHeap) : '–',
        ];
  return [
    `### Scale: one stream of ${int(brook.keys ?? redis.keys)} entries`,
    '',
    'XADD * name n<i mod 1000> value i loaded with redis-cli --pipe into a fresh server; XLEN checked. ' +
      'RSS growth over the fresh-start RSS (Brook: after a forced full GC).',
    '',
    table(['Server', 'Entries', 'Load', 'RSS growth', 'Bytes/entry', 'Brook heap used'], [row(brook), row(redis)]),
  ].join('\n');
}
