import * as http from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';

/** INFO's fields by section, as BrookServer.infoFields gives them (the figures INFO prints). */
export type InfoSource = () => Map<string, Map<string, string | number>>;

/**
 * INFO field → the name oliver006/redis_exporter exports it under (without the `redis_` prefix),
 * so dashboards built for it read Brook unchanged. Counters are the `_total` ones.
 */
const GAUGES: Record<string, string> = {
  uptime_in_seconds: 'uptime_in_seconds',
  process_id: 'process_id',
  connected_clients: 'connected_clients',
  blocked_clients: 'blocked_clients',
  tracking_clients: 'tracking_clients',
  client_recent_max_output_buffer: 'client_recent_max_output_buffer_bytes',
  client_recent_max_input_buffer: 'client_recent_max_input_buffer_bytes',
  used_memory: 'memory_used_bytes',
  used_memory_rss: 'memory_used_rss_bytes',
  used_memory_peak: 'memory_used_peak_bytes',
  maxmemory: 'memory_max_bytes',
  mem_fragmentation_ratio: 'mem_fragmentation_ratio',
  mem_fragmentation_bytes: 'mem_fragmentation_bytes',
  mem_clients_normal: 'mem_clients_normal',
  expired_stale_perc: 'expired_stale_percentage',
  lazyfree_pending_objects: 'lazyfree_pending_objects',
  expired_time_cap_reached_count: 'expired_time_cap_reached_total',
  loading: 'loading_dump_file',
  rdb_changes_since_last_save: 'rdb_changes_since_last_save',
  rdb_bgsave_in_progress: 'rdb_bgsave_in_progress',
  rdb_last_save_time: 'rdb_last_save_timestamp_seconds',
  rdb_last_bgsave_status: 'rdb_last_bgsave_status',
  rdb_last_bgsave_time_sec: 'rdb_last_bgsave_duration_sec',
  rdb_current_bgsave_time_sec: 'rdb_current_bgsave_duration_sec',
  aof_enabled: 'aof_enabled',
  aof_rewrite_in_progress: 'aof_rewrite_in_progress',
  aof_rewrite_scheduled: 'aof_rewrite_scheduled',
  aof_last_rewrite_time_sec: 'aof_last_rewrite_duration_sec',
  aof_current_rewrite_time_sec: 'aof_current_rewrite_duration_sec',
  aof_current_size: 'aof_current_size_bytes',
  aof_base_size: 'aof_base_size_bytes',
  aof_buffer_length: 'aof_buffer_length',
  aof_last_bgrewrite_status: 'aof_last_bgrewrite_status',
  aof_last_write_status: 'aof_last_write_status',
  pubsub_channels: 'pubsub_channels',
  pubsub_patterns: 'pubsub_patterns',
  instantaneous_ops_per_sec: 'instantaneous_ops_per_sec',
  instantaneous_input_kbps: 'instantaneous_input_kbps',
  instantaneous_output_kbps: 'instantaneous_output_kbps',
  connected_slaves: 'connected_slaves',
  repl_backlog_size: 'replication_backlog_bytes',
  repl_backlog_active: 'repl_backlog_is_active',
  repl_backlog_first_byte_offset: 'repl_backlog_first_byte_offset',
  repl_backlog_histlen: 'repl_backlog_history_bytes',
  master_repl_offset: 'master_repl_offset',
  second_repl_offset: 'second_repl_offset',
  total_system_memory: 'total_system_memory_bytes',
};

const COUNTERS: Record<string, string> = {
  total_connections_received: 'connections_received_total',
  total_commands_processed: 'commands_processed_total',
  rejected_connections: 'rejected_connections_total',
  total_net_input_bytes: 'net_input_bytes_total',
  total_net_output_bytes: 'net_output_bytes_total',
  expired_keys: 'expired_keys_total',
  evicted_keys: 'evicted_keys_total',
  keyspace_hits: 'keyspace_hits_total',
  keyspace_misses: 'keyspace_misses_total',
  used_cpu_sys: 'cpu_sys_seconds_total',
  used_cpu_user: 'cpu_user_seconds_total',
  used_cpu_sys_children: 'cpu_sys_children_seconds_total',
  used_cpu_user_children: 'cpu_user_children_seconds_total',
  total_error_replies: 'total_error_replies',
};

/** redis_instance_info's labels, each an INFO field. */
const INSTANCE_LABELS = [
  'role',
  'redis_version',
  'redis_build_id',
  'redis_mode',
  'os',
  'maxmemory_policy',
  'tcp_port',
  'run_id',
  'process_id',
];

/** An INFO value as a number: 'ok'/'err' statuses as 1/0 (as the exporter does), other text skipped. */
function numeric(v: string | number): number | null {
  if (typeof v === 'number') return v;
  if (v === 'ok') return 1;
  if (v === 'err') return 0;
  const n = Number(v);
  return v === '' || Number.isNaN(n) ? null : n;
}

/** `calls=3,usec=12,...` → {calls: '3', usec: '12', ...} (commandstats, errorstats, keyspace lines). */
function subfields(v: string | number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(v).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * Prometheus metrics of one Brook server in its own prom-client registry, collected on each scrape
 * from INFO's fields (no second set of figures, nothing on the command path).
 */
export function infoMetrics(info: InfoSource, databases: number): Scrape {
  const registry = new Registry();
  const registers = [registry];
  // Each scrape reads INFO once (scrape below); every metric's collect() picks its figures from that reading.
  let fields = new Map<string, Map<string, string | number>>();
  const all = (): Map<string, string | number> => new Map([...fields.values()].flatMap((m) => [...m]));
  const section = (name: string): Map<string, string | number> => fields.get(name) ?? new Map<string, string | number>();

  new Gauge({
    name: 'redis_up',
    help: 'Information about the Redis instance',
    registers,
  }).set(1);
  // One INFO field per metric: a gauge is set to it, a counter (reset first) counts up to it.
  const fill = (metric: Gauge | Counter, field: string): void => {
    metric.reset();
    const v = all().get(field);
    const n = v === undefined ? null : numeric(v);
    if (n === null) return;
    if (metric instanceof Gauge) metric.set(n);
    else metric.inc(n);
  };
  const scalars = (table: Record<string, string>, kind: 'gauge' | 'counter'): void => {
    for (const [field, name] of Object.entries(table)) {
      const config = { name: `redis_${name}`, help: `${field} from INFO`, registers };
      if (kind === 'gauge') {
        new Gauge({
          ...config,
          collect() {
            fill(this, field);
          },
        });
      } else {
        new Counter({
          ...config,
          collect() {
            fill(this, field);
          },
        });
      }
    }
  };
  scalars(GAUGES, 'gauge');
  scalars(COUNTERS, 'counter');

  new Gauge({
    name: 'redis_start_time_seconds',
    help: 'Start time of the Redis instance since unix epoch in seconds.',
    registers,
    collect() {
      this.set(Math.floor(Date.now() / 1000) - Number(section('server').get('uptime_in_seconds') ?? 0));
    },
  });
  new Gauge({
    name: 'redis_instance_info',
    help: 'Information about the Redis instance',
    labelNames: INSTANCE_LABELS,
    registers,
    collect() {
      this.reset();
      const f = all();
      this.set(Object.fromEntries(INSTANCE_LABELS.map((l) => [l, String(f.get(l) ?? '')])), 1);
    },
  });

  // Keyspace: every database, 0 for an empty one (INFO leaves those out), as the exporter shows them.
  const perDb = (name: string, help: string, pick: (f: Record<string, string>) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['db'],
      registers,
      collect() {
        this.reset();
        const keyspace = section('keyspace');
        for (let db = 0; db < databases; db++) {
          const line = keyspace.get(`db${db}`);
          this.set({ db: `db${db}` }, line === undefined ? 0 : pick(subfields(line)));
        }
      },
    });
  };
  perDb('redis_db_keys', 'Total number of keys by DB', (f) => Number(f.keys));
  perDb('redis_db_keys_expiring', 'Total number of expiring keys by DB', (f) => Number(f.expires));
  perDb('redis_db_avg_ttl_seconds', 'Avg TTL in seconds', (f) => Number(f.avg_ttl) / 1000);

  // Commandstats: one series per command run (subcommands as 'config|get').
  const perCommand = (name: string, help: string, pick: (f: Record<string, string>) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['cmd'],
      registers,
      collect() {
        this.reset();
        for (const [field, line] of section('commandstats')) this.inc({ cmd: field.slice('cmdstat_'.length) }, pick(subfields(line)));
      },
    });
  };
  perCommand('redis_commands_total', 'Total number of calls per command', (f) => Number(f.calls));
  perCommand('redis_commands_duration_seconds_total', 'Total amount of time in seconds spent per command', (f) => Number(f.usec) / 1e6);
  perCommand('redis_commands_rejected_calls_total', 'Total number of errors prior command execution per command', (f) =>
    Number(f.rejected_calls),
  );
  perCommand('redis_commands_failed_calls_total', 'Total number of errors within command execution per command', (f) =>
    Number(f.failed_calls),
  );

  new Counter({
    name: 'redis_errors_total',
    help: 'Total number of errors per error type',
    labelNames: ['err'],
    registers,
    collect() {
      this.reset();
      for (const [field, line] of section('errorstats')) this.inc({ err: field.slice('errorstat_'.length) }, Number(subfields(line).count));
    },
  });
  return {
    contentType: registry.contentType,
    metrics: () => {
      fields = info();
      return registry.metrics();
    },
  };
}

/** One scrape's text, and its content type. */
export interface Scrape {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** GET /metrics on node:http, in the Prometheus text format; anything else is 404. */
export class PrometheusEndpoint {
  private server: http.Server | null = null;

  constructor(private readonly scrape: Scrape) {}

  /** Listens on host:port; resolves with the port bound (port 0: any free one). */
  async listen(port: number, host: string): Promise<number> {
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.scrape.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': this.scrape.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
