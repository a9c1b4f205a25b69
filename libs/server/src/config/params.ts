import { isIn, isInt, max, min } from 'class-validator';
import { INT_MAX, INT_MIN, LLONG_MAX, UINT_MAX } from '@brook/storage';

import { param, type Normalized, type ParamSpec } from '@brook/commands';
import { parseMemory } from './memory-units.js';

export { parseMemory };

export type { Normalized, ParamSpec, ParamType } from '@brook/commands';

/** LLONG_MAX as the nearest double (2^63): rangeText prints Redis's exact text for it. */
const LONG_MAX = Number(LLONG_MAX);

const YES_NO = ['yes', 'no'];
const immutable = false;

const { int, memory: mem, bool, enum: enm, string: str, special } = param;

const words = (v: string): string[] => v.split(' ').filter(Boolean);

/** save: pairs of "seconds changes"; "" disables snapshots. */
function normalizeSave(v: string): Normalized {
  const parts = words(v);
  if (parts.length % 2 !== 0 || !parts.every((p) => /^\d+$/.test(p))) return { error: 'Invalid save parameters' };
  return { value: parts.map(Number).join(' ') };
}

const OBL_CLASSES = ['normal', 'slave', 'pubsub'];

/** client-output-buffer-limit: "<class> <hard> <soft> <soft seconds>"..., merged into the current limits. */
function normalizeOutputLimits(v: string, current: string): Normalized {
  const parts = words(v);
  if (parts.length === 0 || parts.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const limits = new Map<string, string[]>();
  const cur = words(current);
  for (let i = 0; i + 3 < cur.length; i += 4) limits.set(cur[i], cur.slice(i + 1, i + 4));
  for (let i = 0; i < parts.length; i += 4) {
    let cls = parts[i].toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (!OBL_CLASSES.includes(cls)) return { error: 'Invalid client class specified in buffer limit configuration.' };
    const hard = parseMemory(parts[i + 1]);
    const soft = parseMemory(parts[i + 2]);
    const secs = /^\d+$/.test(parts[i + 3]) ? Number(parts[i + 3]) : null;
    if (hard === null || soft === null || secs === null) {
      return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    }
    limits.set(cls, [String(hard), String(soft), String(secs)]);
  }
  return { value: OBL_CLASSES.map((c) => [c, ...(limits.get(c) ?? ['0', '0', '0'])].join(' ')).join(' ') };
}

/** Keyspace notification classes, canonicalised in Redis's order (keyspaceEventsFlagsToString). */
const KEYSPACE_CLASSES = Array.from('g$lshzxetdn');
const NOTIFY_ALL = Array.from('g$lshzxetd');
function normalizeKeyspaceEvents(v: string): Normalized {
  const flags = new Set<string>();
  for (const ch of v) {
    if (ch === 'A') for (const f of NOTIFY_ALL) flags.add(f);
    else if ('g$lshzxetdnKEm'.includes(ch)) flags.add(ch);
    else return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  }
  let out = NOTIFY_ALL.every((f) => flags.has(f))
    ? 'A' + (flags.has('n') ? 'n' : '')
    : KEYSPACE_CLASSES.filter((f) => flags.has(f)).join('');
  for (const f of 'KEm') if (flags.has(f)) out += f;
  return { value: out };
}

function normalizeBind(v: string): Normalized {
  const addrs = words(v);
  if (addrs.length === 0 || addrs.length > 16) return { error: 'Too many bind addresses specified.' };
  return { value: addrs.join(' ') };
}

function normalizeOctal(v: string): Normalized {
  return /^[0-7]{1,4}$/.test(v) ? { value: Number.parseInt(v, 8).toString(8) } : { error: 'Invalid socket file permissions' };
}

function normalizeReplicaof(v: string): Normalized {
  const parts = words(v);
  if (parts.length === 0 || (parts.length === 2 && parts[0].toLowerCase() === 'no' && parts[1].toLowerCase() === 'one'))
    return { value: '' };
  if (parts.length !== 2 || !/^\d+$/.test(parts[1])) return { error: 'wrong number of arguments' };
  return { value: parts.join(' ') };
}

function normalizeMaxmemoryClients(v: string): Normalized {
  if (/^\d+%$/.test(v)) {
    const pct = Number(v.slice(0, -1));
    return pct <= 100 ? { value: `${pct}%` } : { error: 'argument must be between 0 and 100 inclusive' };
  }
  const n = parseMemory(v);
  return n === null ? { error: 'argument must be a memory or percent value' } : { value: String(n) };
}

function normalizeOomValues(v: string): Normalized {
  const parts = words(v);
  if (parts.length !== 3) return { error: 'wrong number of arguments' };
  if (!parts.every((p) => /^-?\d+$/.test(p) && Math.abs(Number(p)) <= 2000)) return { error: 'Invalid oom-score-adj-values' };
  return { value: parts.map(Number).join(' ') };
}

function normalizePercentiles(v: string): Normalized {
  const parts = words(v);
  const nums = parts.map(Number);
  if (!nums.every((n) => Number.isFinite(n) && n >= 0 && n <= 100)) {
    return { error: 'latency-tracking-info-percentiles parameter should be between 0.0 and 100.0' };
  }
  return { value: nums.map(String).join(' ') };
}

const SHUTDOWN_FLAGS = ['default', 'save', 'nosave', 'now', 'force'];

/**
 * The core's parameters (families declare theirs next to their commands). The list is Redis 7.0's
 * (hidden ones included): tools read parameters Brook accepts but does not act on (cluster, replication
 * tuning...), so those are stored and reported like Redis does.
 */
export const PARAMS: readonly ParamSpec[] = [
  // Network
  int('port', 6379, 0, 65535),
  special('bind', '127.0.0.1', normalizeBind),
  str('bind-source-addr'),
  str('unixsocket', '', { mutable: immutable }),
  special('unixsocketperm', '0', normalizeOctal, { mutable: immutable, multiArg: false }),
  bool('protected-mode', 'yes'),
  int('tcp-backlog', 511, 0, INT_MAX, { mutable: immutable }),
  int('tcp-keepalive', 300, 0, INT_MAX),
  int('timeout', 0, 0, INT_MAX),
  int('socket-mark-id', 0, 0, UINT_MAX),
  int('maxclients', 10000, 1, UINT_MAX),
  // General
  int('databases', 16, 1, INT_MAX, { mutable: immutable }),
  bool('daemonize', 'no', { mutable: immutable }),
  enm('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { mutable: immutable }),
  str('pidfile', '', { mutable: immutable }),
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  str('logfile', '', { mutable: immutable }),
  bool('syslog-enabled', 'no', { mutable: immutable }),
  str('syslog-ident', 'redis', { mutable: immutable }),
  enm('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], {
    mutable: immutable,
  }),
  bool('crash-log-enabled', 'yes'),
  bool('crash-memcheck-enabled', 'yes'),
  bool('always-show-logo', 'no', { mutable: immutable }),
  bool('set-proc-title', 'yes', { mutable: immutable }),
  str('proc-title-template', '{title} {listen-addr} {server-mode}'),
  enm('enable-protected-configs', 'no', ['no', 'yes', 'local'], { mutable: immutable }),
  // Brook allows DEBUG from loopback by default (Redis says no): scale benchmarks use DEBUG POPULATE.
  enm('enable-module-command', 'no', ['no', 'yes', 'local'], { mutable: immutable }),
  str('ignore-warnings'),
  bool('disable-thp', 'yes', { mutable: immutable }),
  bool('jemalloc-bg-thread', 'yes'),
  enm('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  special('oom-score-adj-values', '0 200 800', normalizeOomValues),
  str('server_cpulist', '', { mutable: immutable }),
  str('bio_cpulist', '', { mutable: immutable }),
  str('aof_rewrite_cpulist', '', { mutable: immutable }),
  str('bgsave_cpulist', '', { mutable: immutable }),
  int('io-threads', 1, 1, 128, { mutable: immutable }),
  bool('io-threads-do-reads', 'no', { mutable: immutable }),
  int('hz', 10, 0, INT_MAX, { clampTo: 500 }),
  bool('dynamic-hz', 'yes'),
  int('active-expire-effort', 1, 1, 10),
  bool('activerehashing', 'yes'),
  // Snapshots and AOF
  special('save', '3600 1 300 100 60 10000', normalizeSave, { accumulate: true }),
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('rdbcompression', 'yes'),
  bool('rdbchecksum', 'yes'),
  bool('rdb-del-sync-files', 'no'),
  bool('rdb-save-incremental-fsync', 'yes'),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  str('dbfilename', 'dump.rdb', { protected: true }),
  // Redis reports dir as an absolute path (it chdirs into it); ConfigStore resolves it.
  str('dir', './data', { protected: true }),
  bool('appendonly', 'no'),
  str('appendfilename', 'appendonly.aof', { mutable: immutable }),
  str('appenddirname', 'appendonlydir', { mutable: immutable }),
  enm('appendfsync', 'everysec', ['always', 'everysec', 'no']),
  bool('no-appendfsync-on-rewrite', 'no'),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  mem('auto-aof-rewrite-min-size', 67108864, 0, LONG_MAX),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-disable-auto-gc', 'no'),
  // Security
  str('requirepass'),
  str('aclfile', '', { mutable: immutable }),
  int('acllog-max-len', 128, 0, LONG_MAX),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  // Memory
  mem('maxmemory', 0, 0, LONG_MAX),
  enm('maxmemory-policy', 'noeviction', [
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'noeviction',
  ]),
  int('maxmemory-samples', 5, 1, 64),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  special('maxmemory-clients', '0', normalizeMaxmemoryClients, { multiArg: false }),
  bool('replica-ignore-maxmemory', 'yes', { aliases: ['slave-ignore-maxmemory'] }),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('lfu-decay-time', 1, 0, INT_MAX),
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  bool('activedefrag', 'no'),
  mem('active-defrag-ignore-bytes', 104857600, 1, LONG_MAX),
  int('active-defrag-threshold-lower', 10, 0, 1000),
  int('active-defrag-threshold-upper', 100, 0, 1000),
  int('active-defrag-cycle-min', 1, 1, 99),
  int('active-defrag-cycle-max', 25, 1, 99),
  int('active-defrag-max-scan-fields', 1000, 1, LONG_MAX),
  // Clients and protocol
  mem('proto-max-bulk-len', 536870912, 1024 * 1024, LONG_MAX),
  mem('client-query-buffer-limit', 1073741824, 1024 * 1024, LONG_MAX),
  special('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', normalizeOutputLimits),
  int('busy-reply-threshold', 5000, 0, LONG_MAX, { aliases: ['lua-time-limit'] }),
  int('tracking-table-max-keys', 1000000, 0, LONG_MAX),
  // Slow log, latency, notifications
  int('slowlog-log-slower-than', 10000, -1, LONG_MAX),
  int('slowlog-max-len', 128, 0, LONG_MAX),
  int('latency-monitor-threshold', 0, 0, LONG_MAX),
  bool('latency-tracking', 'yes'),
  special('latency-tracking-info-percentiles', '50 99 99.9', normalizePercentiles),
  special('notify-keyspace-events', '', normalizeKeyspaceEvents, { multiArg: false }),
  // Encodings of small collections
  int('hash-max-listpack-entries', 512, 0, LONG_MAX, { aliases: ['hash-max-ziplist-entries'] }),
  mem('hash-max-listpack-value', 64, 0, LONG_MAX, { aliases: ['hash-max-ziplist-value'] }),
  int('list-max-listpack-size', -2, -5, INT_MAX, { aliases: ['list-max-ziplist-size'] }),
  int('list-compress-depth', 0, 0, INT_MAX),
  int('set-max-intset-entries', 512, 0, LONG_MAX),
  int('zset-max-listpack-entries', 128, 0, LONG_MAX, { aliases: ['zset-max-ziplist-entries'] }),
  mem('zset-max-listpack-value', 64, 0, LONG_MAX, { aliases: ['zset-max-ziplist-value'] }),
  mem('hll-sparse-max-bytes', 3000, 0, LONG_MAX),
  mem('stream-node-max-bytes', 4096, 0, LONG_MAX),
  int('stream-node-max-entries', 100, 0, LONG_MAX),
  // Replication
  special('replicaof', '', normalizeReplicaof, { mutable: immutable, aliases: ['slaveof'] }),
  str('masterauth'),
  str('masteruser'),
  bool('replica-serve-stale-data', 'yes', { aliases: ['slave-serve-stale-data'] }),
  bool('replica-read-only', 'yes', { aliases: ['slave-read-only'] }),
  bool('repl-diskless-sync', 'yes'),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  enm('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  int('repl-ping-replica-period', 10, 1, INT_MAX, { aliases: ['repl-ping-slave-period'] }),
  int('repl-timeout', 60, 1, INT_MAX),
  bool('repl-disable-tcp-nodelay', 'no'),
  mem('repl-backlog-size', 1048576, 1, LONG_MAX),
  int('repl-backlog-ttl', 3600, 0, INT_MAX),
  int('replica-priority', 100, 0, INT_MAX, { aliases: ['slave-priority'] }),
  bool('replica-announced', 'yes'),
  str('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  int('replica-announce-port', 0, 0, 65535, { aliases: ['slave-announce-port'] }),
  bool('replica-lazy-flush', 'no', { aliases: ['slave-lazy-flush'] }),
  bool('replica-ignore-disk-write-errors', 'no'),
  int('min-replicas-to-write', 0, 0, INT_MAX, { aliases: ['min-slaves-to-write'] }),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { aliases: ['min-slaves-max-lag'] }),
  enm('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  // Cluster
  bool('cluster-enabled', 'no', { mutable: immutable }),
  str('cluster-config-file', 'nodes.conf', { mutable: immutable }),
  int('cluster-node-timeout', 15000, 0, LONG_MAX),
  int('cluster-port', 0, 0, 65535, { mutable: immutable }),
  str('cluster-announce-ip'),
  str('cluster-announce-hostname'),
  int('cluster-announce-port', 0, 0, 65535),
  int('cluster-announce-bus-port', 0, 0, 65535),
  int('cluster-announce-tls-port', 0, 0, 65535),
  enm('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, { aliases: ['cluster-slave-validity-factor'] }),
  int('cluster-migration-barrier', 1, 0, INT_MAX),
  bool('cluster-allow-replica-migration', 'yes'),
  bool('cluster-require-full-coverage', 'yes'),
  bool('cluster-replica-no-failover', 'no', { aliases: ['cluster-slave-no-failover'] }),
  bool('cluster-allow-reads-when-down', 'no'),
  bool('cluster-allow-pubsubshard-when-down', 'yes'),
  mem('cluster-link-sendbuf-limit', 0, 0, LONG_MAX),
  // Brook only: a Prometheus endpoint (GET /metrics, redis_exporter's names; 0 = off) and the log line format.
  int('metrics-port', 0, 0, 65535, { mutable: immutable }),
  str('metrics-bind', '127.0.0.1', { mutable: immutable }),
  enm('log-format', 'redis', ['redis', 'json']),
  // TLS (libs/server/src/tls.ts): the file and cipher settings share Redis's one reload step.
  int('tls-port', 0, 0, 65535),
  enm('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  ...['tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass']
    .concat(['tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-protocols', 'tls-ciphers', 'tls-ciphersuites'])
    .map((name) => str(name, '', { applyGroup: 'tls' })),
  bool('tls-prefer-server-ciphers', 'no', { applyGroup: 'tls' }),
  bool('tls-session-caching', 'yes', { applyGroup: 'tls' }),
  int('tls-session-cache-size', 20480, 0, INT_MAX, { applyGroup: 'tls' }),
  int('tls-session-cache-timeout', 300, 0, INT_MAX, { applyGroup: 'tls' }),
  bool('tls-replication', 'no', { applyGroup: 'tls' }),
  bool('tls-cluster', 'no', { applyGroup: 'tls' }),
  // Hidden test knobs: CONFIG GET answers them by exact name only, as Redis does.
  bool('use-exit-on-panic', 'no', { hidden: true }),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('key-load-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('watchdog-period', 0, 0, INT_MAX, { hidden: true }),
  mem('loading-process-events-interval-bytes', 2097152, 1024, INT_MAX, { hidden: true }),
  // Shutdown
  int('shutdown-timeout', 10, 0, INT_MAX),
  enm('shutdown-on-sigint', 'default', SHUTDOWN_FLAGS, { multi: true }),
  enm('shutdown-on-sigterm', 'default', SHUTDOWN_FLAGS, { multi: true }),
];

/** Bounds as Redis prints them (its LLONG_MAX has no exact double). */
function rangeText(n: number): string {
  return n >= LONG_MAX ? String(LLONG_MAX) : String(n);
}

/** Redis parses numeric parameters with string2ll: no '+', no leading zeros, no spaces. */
const INTEGER = /^(0|-?[1-9]\d*)$/;

/**
 * Validates and canonicalises one value (class-validator does the range and choice tests).
 * Returns the canonical CONFIG GET text or an error message in redis-server's words.
 */
export function normalizeParam(spec: ParamSpec, raw: string, current = spec.default): Normalized {
  switch (spec.type) {
    case 'int':
    case 'memory': {
      const n = spec.type === 'int' ? (INTEGER.test(raw) ? Number(raw) : null) : parseMemory(raw);
      if (n === null) {
        return { error: spec.type === 'int' ? "argument couldn't be parsed into an integer" : 'argument must be a memory value' };
      }
      if (!isInt(n) || !min(n, spec.min ?? -Infinity) || !max(n, spec.max ?? Infinity)) {
        return { error: `argument must be between ${rangeText(spec.min ?? 0)} and ${rangeText(spec.max ?? 0)} inclusive` };
      }
      return { value: String(spec.clampTo !== undefined ? Math.min(n, spec.clampTo) : n) };
    }
    case 'bool': {
      const v = raw.toLowerCase();
      return isIn(v, YES_NO) ? { value: v } : { error: "argument must be 'yes' or 'no'" };
    }
    case 'enum': {
      const choices = spec.choices ?? [];
      const picked = spec.multi ? words(raw.toLowerCase()) : [raw.toLowerCase()];
      if (picked.length === 0 || !picked.every((v) => isIn(v, choices))) {
        return { error: 'argument(s) must be one of the following: ' + choices.join(', ') };
      }
      return { value: choices.filter((c) => picked.includes(c)).join(' ') };
    }
    default:
      return spec.normalize ? spec.normalize(raw, current) : { value: raw };
  }
}
