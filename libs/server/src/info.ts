import * as os from 'node:os';
import { lruClock } from '@brook/storage';
import type { BrookServer } from './brook-server.js';
import type { Client } from './client.js';

type Section = (s: BrookServer) => [string, string | number][];

/** Human-readable byte counts as Redis prints them (bytesToHuman). */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

const sections: Record<string, Section> = {
  server: (s) => {
    const uptime = Math.floor((Date.now() - s.startedAt) / 1000);
    return [
      ['redis_version', s.redisVersion],
      ['brook_version', s.version],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_mode', 'standalone'],
      ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['arch_bits', 64],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', 'epoll'],
      ['atomicvar_api', 'c11-builtin'],
      ['node_version', process.version.slice(1)],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', s.runId],
      ['tcp_port', s.boundPort],
      ['server_time_usec', Date.now() * 1000],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', s.config.value('hz')],
      ['configured_hz', s.config.value('hz')],
      ['lru_clock', lruClock(Date.now())],
      ['executable', process.argv[1] ?? ''],
      ['config_file', s.config.configFile ?? ''],
      ['io_threads_active', 0],
    ];
  },
  clients: (s) => {
    let blocked = 0;
    for (const c of s.clients()) if ((c as Client).blocked) blocked++;
    return [
      ['connected_clients', s.connectedClients()],
      ['cluster_connections', 0],
      ['maxclients', s.config.value('maxclients')],
      ['client_recent_max_input_buffer', s.metrics.clientInput.max(Date.now())],
      ['client_recent_max_output_buffer', s.metrics.clientOutput.max(Date.now())],
      ['blocked_clients', blocked],
      ['tracking_clients', 0],
      ['clients_in_timeout_table', s.clientsInTimeoutTable()],
    ];
  },
  memory: (s) => {
    const m = process.memoryUsage();
    const { used, peak, clientsNormal, aofBuffer } = s.memory();
    const maxmemory = Number(s.config.value('maxmemory'));
    return [
      ['used_memory', used],
      ['used_memory_human', bytesToHuman(used)],
      ['used_memory_rss', m.rss],
      ['used_memory_rss_human', bytesToHuman(m.rss)],
      ['used_memory_peak', peak],
      ['used_memory_peak_human', bytesToHuman(peak)],
      ['used_memory_peak_perc', `${((used / peak) * 100).toFixed(2)}%`],
      ['used_memory_heap_total', m.heapTotal],
      ['used_memory_external', m.external],
      ['total_system_memory', os.totalmem()],
      ['total_system_memory_human', bytesToHuman(os.totalmem())],
      ['maxmemory', maxmemory],
      ['maxmemory_human', bytesToHuman(maxmemory)],
      ['maxmemory_policy', s.config.value('maxmemory-policy')],
      ['mem_fragmentation_ratio', (m.rss / Math.max(1, used)).toFixed(2)],
      ['mem_fragmentation_bytes', m.rss - used],
      // What used_memory holds that eviction does not count: the AOF buffer in the measured heap;
      // the accounted figure (under maxmemory) holds nothing else.
      ['mem_not_counted_for_evict', maxmemory !== 0 ? 0 : aofBuffer],
      ['mem_clients_normal', clientsNormal],
      ['mem_allocator', 'v8'],
      ['lazyfree_pending_objects', 0],
    ];
  },
  /** RDB fields from the persistence module (Persistence.info); no AOF yet, whatever appendonly says. */
  persistence: (s) => [...s.persistence.info(), ['aof_enabled', 0], ['aof_rewrite_in_progress', 0]],
  stats: (s) => [
    ['total_connections_received', s.stats.connectionsReceived],
    ['total_commands_processed', s.stats.commandsProcessed],
    ['instantaneous_ops_per_sec', s.metrics.ops.perSecond],
    ['total_net_input_bytes', s.stats.netInputBytes],
    ['total_net_output_bytes', s.stats.netOutputBytes],
    // No replication: no replication traffic, truly.
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', (s.metrics.netInput.perSecond / 1024).toFixed(2)],
    ['instantaneous_output_kbps', (s.metrics.netOutput.perSecond / 1024).toFixed(2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.stats.rejectedConnections],
    ['expired_keys', s.ks.stats.expiredKeys],
    ['expired_stale_perc', (s.ks.stats.expiredStalePerc * 100).toFixed(2)],
    ['expired_time_cap_reached_count', s.ks.stats.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', Math.round(s.ks.stats.expireCycleTimeUsedMs)],
    ['evicted_keys', s.ks.stats.evictedKeys],
    // Brook evicts no clients (maxmemory-clients is not honoured).
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', s.memoryLimit.evictor.totalExceededMs(Date.now())],
    ['current_eviction_exceeded_time', s.memoryLimit.evictor.currentExceededMs(Date.now())],
    ['keyspace_hits', s.ks.stats.keyspaceHits],
    ['keyspace_misses', s.ks.stats.keyspaceMisses],
    ['pubsub_channels', 0],
    ['pubsub_patterns', 0],
    ['pubsubshard_channels', 0],
    ['total_error_replies', s.stats.errorReplies],
    ['client_output_buffer_limit_disconnections', s.stats.outputLimitDisconnections],
  ],
  replication: (s) => [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', s.runId],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ],
  cpu: () => {
    const u = process.cpuUsage();
    const sys = (u.system / 1e6).toFixed(6);
    const user = (u.user / 1e6).toFixed(6);
    return [
      ['used_cpu_sys', sys],
      ['used_cpu_user', user],
      ['used_cpu_sys_children', '0.000000'],
      ['used_cpu_user_children', '0.000000'],
      ['used_cpu_sys_main_thread', sys],
      ['used_cpu_user_main_thread', user],
    ];
  },
  modules: () => [],
  commandstats: (s) => {
    const out: [string, string][] = [];
    for (const c of s.commands.commands()) {
      const all = c.subcommands ? [...c.subcommands.values()] : [c];
      for (const x of all) {
        const st = x.stats;
        if (st.calls === 0 && st.rejectedCalls === 0 && st.failedCalls === 0) continue;
        const usec = Math.round(st.usec);
        out.push([
          `cmdstat_${x.fullName}`,
          `calls=${st.calls},usec=${usec},usec_per_call=${(st.calls ? st.usec / st.calls : 0).toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`,
        ]);
      }
    }
    return out;
  },
  /** Per-command percentiles (µs, 3 decimals) from the histograms latency-tracking fills, labelled as configured. */
  latencystats: (s) => {
    const percentiles = s.config.value('latency-tracking-info-percentiles').split(' ').filter(Boolean).map(Number);
    const out: [string, string][] = [];
    for (const c of s.commands.commands()) {
      for (const x of c.subcommands ? [...c.subcommands.values()] : [c]) {
        const h = x.stats.latency;
        if (h === null) continue;
        const figures = percentiles.map((p) => `p${String(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
        out.push([`latency_percentiles_usec_${x.fullName}`, figures.join(',')]);
      }
    }
    return out;
  },
  errorstats: (s) => [...s.stats.errorsByCode].map(([code, n]) => [`errorstat_${code}`, `count=${n}`]),
  cluster: () => [['cluster_enabled', 0]],
  keyspace: (s) => {
    const out: [string, string][] = [];
    for (const db of s.ks.dbs) {
      if (db.size === 0) continue;
      out.push([`db${db.id}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${s.expiry.avgTtl(db)}`]);
    }
    return out;
  },
};

const TITLES: Record<string, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

const DEFAULT = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'errorstats',
  'cluster',
  'keyspace',
];
const ALL = [...DEFAULT.slice(0, 8), 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];

/** What connected clients hold in buffers (Redis's mem_clients_normal: every client but replicas). */
export type InfoFields = () => [string, string | number][];

/** Names INFO accepts, expanded: none or 'default' → the default sections; 'all'/'everything' → all. */
function expand(requested: readonly string[]): Set<string> {
  const wanted = new Set<string>();
  if (requested.length === 0) DEFAULT.forEach((n) => wanted.add(n));
  for (const r of requested) {
    if (r === 'default') DEFAULT.forEach((n) => wanted.add(n));
    else if (r === 'all' || r === 'everything') ALL.forEach((n) => wanted.add(n));
    else wanted.add(r);
  }
  return wanted;
}

/**
 * The requested sections' fields, in Redis's section order: name → (field → value). Fields other
 * families register (persistence, pub/sub...) replace or extend a section. INFO prints these; the
 * Prometheus endpoint exports them.
 */
export function infoSections(
  s: BrookServer,
  requested: readonly string[],
  extra: ReadonlyMap<string, InfoFields[]>,
): Map<string, Map<string, string | number>> {
  const wanted = expand(requested);
  const out = new Map<string, Map<string, string | number>>();
  for (const n of ALL) {
    if (!wanted.has(n)) continue;
    const fields = new Map<string, string | number>(sections[n](s));
    for (const more of extra.get(n) ?? []) for (const [k, v] of more()) fields.set(k, v);
    out.set(n, fields);
  }
  return out;
}

/**
 * INFO text: `# Title` headers, `field:value` lines, CRLF line ends, a blank line between
 * sections. Sections are Redis's, in its order; 'default' and 'all'/'everything' may be mixed with
 * names.
 */
export function buildInfo(s: BrookServer, requested: readonly string[], extra: ReadonlyMap<string, InfoFields[]>): string {
  const parts: string[] = [];
  for (const [n, fields] of infoSections(s, requested, extra)) {
    const lines = [...fields].map(([k, v]) => `${k}:${v}`);
    parts.push([`# ${TITLES[n]}`, ...lines].join('\r\n'));
  }
  return parts.length ? parts.join('\r\n\r\n') + '\r\n' : '';
}
