import type { Logger } from '@nestjs/common';
import { PARAMS } from './params.js';

/**
 * Parameters Brook accepts (clients and redis.conf files set them, and CONFIG GET reports them)
 * but does not act on yet. A value that asks for behaviour Brook does not have is logged as such
 * when the config is loaded and on each CONFIG SET, so nobody believes a setting is in effect
 * when it is not. Each group says why and what brings it.
 */
interface NotHonoured {
  names: readonly string[];
  reason: string;
  /** True for a value whose behaviour Brook has; by default the parameter's default value. */
  inEffect?: (value: string) => boolean;
}

const AOF_REWRITE = "Brook's AOF rewrite is forkless: it writes the base in the event loop's slices and fsyncs it once";
const NO_SYNC_FILES = 'Brook has no replication, so no sync files to delete';
const NO_CLIENT_EVICTION = 'Brook evicts keys under maxmemory but never clients';
const NO_REPLICATION = 'Brook has no replication (it arrives with replication)';

const GROUPS: readonly NotHonoured[] = [
  {
    names: [
      // Redis's rewrite child competes for the disk with the parent's fsyncs; Brook's does not, so
      // these have nothing to act on: appends are fsynced as appendfsync says during a rewrite too.
      'no-appendfsync-on-rewrite',
      'aof-rewrite-incremental-fsync',
    ],
    reason: AOF_REWRITE,
  },
  { names: ['aof-timestamp-enabled'], reason: 'Brook writes no #TS annotations into the AOF' },
  // rdb-save-incremental-fsync is not listed: it spares Redis's main thread one long fsync, and
  // Brook's BGSAVE fsyncs off the event loop whatever its value.
  { names: ['rdb-del-sync-files'], reason: NO_SYNC_FILES },
  { names: ['maxmemory-clients'], reason: NO_CLIENT_EVICTION },
  {
    names: [
      'lazyfree-lazy-eviction',
      'lazyfree-lazy-expire',
      'lazyfree-lazy-server-del',
      'lazyfree-lazy-user-del',
      'lazyfree-lazy-user-flush',
    ],
    reason: "V8's garbage collector frees values; Brook has no lazy-free thread",
  },
  {
    names: [
      'activedefrag',
      'active-defrag-ignore-bytes',
      'active-defrag-threshold-lower',
      'active-defrag-threshold-upper',
      'active-defrag-cycle-min',
      'active-defrag-cycle-max',
      'active-defrag-max-scan-fields',
    ],
    reason: "V8's garbage collector compacts the heap; Brook has no active defragmentation",
  },
  // syslog-ident and syslog-facility only matter with syslog on.
  { names: ['syslog-enabled'], reason: 'Brook logs to stdout or logfile only, not to syslog' },
  { names: ['io-threads', 'io-threads-do-reads'], reason: 'Brook reads and writes every connection on its one event loop' },
  {
    names: PARAMS.map((p) => p.name).filter(
      (n) => n === 'replicaof' || n === 'masterauth' || n === 'masteruser' || /^(replica|repl|min-replicas)-/.test(n),
    ),
    reason: NO_REPLICATION,
  },
  {
    names: PARAMS.map((p) => p.name).filter((n) => n.startsWith('cluster-') || n === 'tls-cluster'),
    reason: 'Brook has no cluster mode (it arrives with cluster)',
  },
  {
    // The client certificate is what Redis presents on its own outgoing (replication) links.
    names: ['tls-replication', 'tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass'],
    reason: NO_REPLICATION,
  },
  {
    names: ['tls-session-cache-size'],
    reason: "Node's TLS server resumes sessions with tickets and keeps no server-side session cache to size",
  },
  {
    names: ['rdb-key-save-delay', 'key-load-delay', 'loading-process-events-interval-bytes'],
    reason: "Brook's snapshots save and load in time-budgeted slices, with no per-key delay or byte interval",
  },
  { names: ['watchdog-period'], reason: 'Brook has no software watchdog' },
  { names: ['use-exit-on-panic'], reason: 'Brook has no panic path to change' },
];

const BY_NAME = new Map<string, NotHonoured>();
for (const g of GROUPS) for (const n of g.names) BY_NAME.set(n, g);
const DEFAULTS = new Map(PARAMS.map((p) => [p.name, p.default]));

/** Why `name value` is accepted but not in effect, or null when Brook honours it. */
export function notHonoured(name: string, value: string): string | null {
  const g = BY_NAME.get(name);
  if (g === undefined) return null;
  const inEffect = g.inEffect ? g.inEffect(value) : value === DEFAULTS.get(name);
  return inEffect ? null : g.reason;
}

/** Logs one warning for `name value` if Brook does not honour it. */
export function warnIfNotHonoured(logger: Logger, name: string, value: string): void {
  const why = notHonoured(name, value);
  if (why === null) return;
  const shown = /^[^\s"']+$/.test(value) ? value : JSON.stringify(value);
  logger.warn(`${name} ${shown} is accepted but not in effect yet: ${why}`);
}

/** At start: one warning per loaded parameter Brook does not honour. */
export function warnNotHonoured(logger: Logger, value: (name: string) => string): void {
  for (const name of BY_NAME.keys()) warnIfNotHonoured(logger, name, value(name));
}
