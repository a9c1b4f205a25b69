import { isIP, isIn, isInt, max, min } from 'class-validator';

/**
 * Every server parameter, declared once. The command line, redis.conf, CONFIG GET/SET and INFO
 * all read this table. Values are kept as their canonical CONFIG GET text.
 */
export type ParamType = 'string' | 'int' | 'bool' | 'enum' | 'memory' | 'special';

export interface ParamSpec {
  name: string;
  aliases?: string[];
  type: ParamType;
  default: string;
  /** False: CONFIG SET refuses it ("can't set immutable config"). */
  mutable: boolean;
  /** int/memory range. */
  min?: number;
  max?: number;
  /** enum choices (lower-case). */
  choices?: string[];
  /** Several enum choices separated by spaces are allowed (e.g. keyspace event flags aside). */
  multi?: boolean;
  /** Extra validation for 'special'/'string' types; returns an error message or null. */
  validate?: (value: string) => string | null;
  /** Hidden values are reported as-is but never logged (requirepass). */
  sensitive?: boolean;
}

const INT_MAX = 2147483647;
const LLONG_MAX = Number.MAX_SAFE_INTEGER;

export const PARAMS: readonly ParamSpec[] = [
  { name: 'port', type: 'int', default: '6379', mutable: true, min: 0, max: 65535 },
  {
    name: 'bind', type: 'special', default: '127.0.0.1', mutable: true,
    validate: (v) => (v.split(' ').filter(Boolean).every((a) => isIP(a.replace(/^-/, '')) || a === '*' || a === 'localhost') ? null : `Failed to bind to specified addresses.`),
  },
  { name: 'unixsocket', type: 'string', default: '', mutable: false },
  {
    name: 'unixsocketperm', type: 'special', default: '0', mutable: false,
    validate: (v) => (/^[0-7]{1,4}$/.test(v) ? null : 'Invalid socket file permissions'),
  },
  { name: 'databases', type: 'int', default: '16', mutable: false, min: 1, max: INT_MAX },
  { name: 'dir', type: 'special', default: './data', mutable: true },
  { name: 'dbfilename', type: 'string', default: 'dump.rdb', mutable: true },
  { name: 'appendonly', type: 'bool', default: 'no', mutable: true },
  { name: 'appendfilename', type: 'string', default: 'appendonly.aof', mutable: false },
  { name: 'appenddirname', type: 'string', default: 'appendonlydir', mutable: false },
  { name: 'appendfsync', type: 'enum', default: 'everysec', mutable: true, choices: ['always', 'everysec', 'no'] },
  {
    name: 'save', type: 'special', default: '3600 1 300 100 60 10000', mutable: true,
    validate: (v) => {
      const parts = v.split(' ').filter(Boolean);
      if (parts.length % 2 !== 0) return 'Invalid save parameters';
      return parts.every((p) => /^\d+$/.test(p)) ? null : 'Invalid save parameters';
    },
  },
  { name: 'requirepass', type: 'string', default: '', mutable: true, sensitive: true },
  { name: 'maxmemory', type: 'memory', default: '0', mutable: true, min: 0, max: LLONG_MAX },
  {
    name: 'maxmemory-policy', type: 'enum', default: 'noeviction', mutable: true,
    choices: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
  },
  { name: 'maxmemory-samples', type: 'int', default: '5', mutable: true, min: 1, max: 64 },
  { name: 'maxclients', type: 'int', default: '10000', mutable: true, min: 1, max: INT_MAX },
  { name: 'timeout', type: 'int', default: '0', mutable: true, min: 0, max: INT_MAX },
  { name: 'tcp-keepalive', type: 'int', default: '300', mutable: true, min: 0, max: INT_MAX },
  { name: 'tcp-backlog', type: 'int', default: '511', mutable: false, min: 0, max: INT_MAX },
  { name: 'hz', type: 'int', default: '10', mutable: true, min: 0, max: INT_MAX },
  { name: 'active-expire-effort', type: 'int', default: '1', mutable: true, min: 1, max: 10 },
  { name: 'proto-max-bulk-len', type: 'memory', default: '536870912', mutable: true, min: 1024 * 1024, max: LLONG_MAX },
  { name: 'client-query-buffer-limit', type: 'memory', default: '1073741824', mutable: true, min: 1024 * 1024, max: LLONG_MAX },
  {
    name: 'client-output-buffer-limit', type: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    mutable: true,
    validate: (v) => {
      const parts = v.split(' ').filter(Boolean);
      if (parts.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
      for (let i = 0; i < parts.length; i += 4) {
        if (!['normal', 'slave', 'replica', 'pubsub'].includes(parts[i].toLowerCase())) return 'Invalid client class specified in buffer limit configuration.';
        if (parseMemory(parts[i + 1]) === null || parseMemory(parts[i + 2]) === null || !/^\d+$/.test(parts[i + 3])) {
          return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
        }
      }
      return null;
    },
  },
  { name: 'loglevel', type: 'enum', default: 'notice', mutable: true, choices: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', type: 'string', default: '', mutable: false },
  { name: 'daemonize', type: 'bool', default: 'no', mutable: false },
  { name: 'pidfile', type: 'string', default: '', mutable: false },
  { name: 'protected-mode', type: 'bool', default: 'yes', mutable: true },
  { name: 'slowlog-log-slower-than', type: 'int', default: '10000', mutable: true, min: -1, max: LLONG_MAX },
  { name: 'slowlog-max-len', type: 'int', default: '128', mutable: true, min: 0, max: LLONG_MAX },
  { name: 'lazyfree-lazy-user-flush', type: 'bool', default: 'no', mutable: true },
  { name: 'lazyfree-lazy-user-del', type: 'bool', default: 'no', mutable: true },
  { name: 'notify-keyspace-events', type: 'string', default: '', mutable: true },
  { name: 'latency-tracking', type: 'bool', default: 'yes', mutable: true },
  { name: 'io-threads', type: 'int', default: '1', mutable: false, min: 1, max: 128 },
  { name: 'enable-debug-command', type: 'enum', default: 'local', mutable: false, choices: ['no', 'yes', 'local'] },
  { name: 'supervised', type: 'enum', default: 'no', mutable: false, choices: ['upstart', 'systemd', 'auto', 'no'] },
];

/** Parses redis.conf memory units: 1k = 1000, 1kb = 1024, 1m/1mb, 1g/1gb (case-insensitive). */
export function parseMemory(v: string): number | null {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mult: Record<string, number> = { '': 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return n * mult[unit];
}

/**
 * Validates and canonicalises one value (class-validator's checks do the range and choice tests).
 * Returns [canonical value] or an error message in redis-server's words.
 */
export function normalizeParam(spec: ParamSpec, raw: string): { value: string } | { error: string } {
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return { error: "argument couldn't be parsed into an integer" };
      const n = Number(raw);
      if (!isInt(n) || !min(n, spec.min ?? -Infinity) || !max(n, spec.max ?? Infinity)) {
        return { error: `argument must be between ${spec.min} and ${spec.max} inclusive` };
      }
      return { value: String(n) };
    }
    case 'memory': {
      const n = parseMemory(raw);
      if (n === null) return { error: 'argument must be a memory value' };
      if (!min(n, spec.min ?? 0) || !max(n, spec.max ?? Infinity)) {
        return { error: `argument must be between ${spec.min} and ${spec.max} inclusive` };
      }
      return { value: String(n) };
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (!isIn(v, ['yes', 'no'])) return { error: "argument must be 'yes' or 'no'" };
      return { value: v };
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!isIn(v, spec.choices ?? [])) return { error: 'argument(s) must be one of the following: ' + (spec.choices ?? []).join(', ') };
      return { value: v };
    }
    default: {
      const err = spec.validate?.(raw) ?? null;
      return err ? { error: err } : { value: spec.type === 'special' ? raw.split(' ').filter(Boolean).join(' ') : raw };
    }
  }
}
