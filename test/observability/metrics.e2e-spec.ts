/**
 * The Prometheus endpoint (--metrics-port): off by default; when on, GET /metrics exports INFO's
 * figures under oliver006/redis_exporter's names, read from the same INFO at each scrape.
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { sample } from '../support/prometheus.js';
import { freePort, serverPool } from '../support/servers.js';

/** INFO's `field:value` lines (all sections) as a map. */
async function info(c: RawClient): Promise<Map<string, string>> {
  const raw = await c.call('INFO', 'everything');
  return new Map(
    raw
      .split('\r\n')
      .filter((l) => l.includes(':') && !l.startsWith('#') && !l.startsWith('$'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

describe('Prometheus endpoint', () => {
  const pool = serverPool();

  it('is off by default', async () => {
    const brook = await pool.brook();
    const c = await RawClient.connect(brook.port);
    expect(await c.call('CONFIG', 'GET', 'metrics-port')).toBe('*2\r\n$12\r\nmetrics-port\r\n$1\r\n0\r\n');
    c.close();
  });

  it('exports the figures INFO shows, with redis_exporter names', async () => {
    const port = await freePort();
    const brook = await pool.brook(['--metrics-port', String(port)]);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/other`)).status).toBe(404);
    const c = await RawClient.connect(brook.port);
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2', 'EX', '1000');
    await c.call('GET', 'a');
    await c.call('GET', 'missing');
    await c.call('SELECT', '3');
    await c.call('SET', 'c', '3');
    await c.call('NOSUCHCOMMAND');
    const fields = await info(c);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const num = (field: string) => Number(fields.get(field));
    expect(sample(text, 'redis_up')).toBe(1);
    // Nothing ran between INFO and the scrape: the counters are INFO's.
    expect(sample(text, 'redis_commands_processed_total')).toBe(num('total_commands_processed'));
    expect(sample(text, 'redis_connections_received_total')).toBe(num('total_connections_received'));
    expect(sample(text, 'redis_connected_clients')).toBe(num('connected_clients'));
    expect(sample(text, 'redis_blocked_clients')).toBe(0);
    expect(sample(text, 'redis_keyspace_hits_total')).toBe(num('keyspace_hits'));
    expect(sample(text, 'redis_keyspace_misses_total')).toBe(num('keyspace_misses'));
    expect(sample(text, 'redis_keyspace_misses_total')).toBe(1);
    expect(sample(text, 'redis_expired_keys_total')).toBe(0);
    expect(sample(text, 'redis_evicted_keys_total')).toBe(0);
    expect(sample(text, 'redis_memory_max_bytes')).toBe(num('maxmemory'));
    expect(sample(text, 'redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'redis_net_input_bytes_total')).toBeGreaterThan(0);
    expect(sample(text, 'redis_rdb_last_save_timestamp_seconds')).toBe(num('rdb_last_save_time'));
    expect(sample(text, 'redis_uptime_in_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'redis_db_keys', { db: 'db0' })).toBe(2);
    expect(sample(text, 'redis_db_keys_expiring', { db: 'db0' })).toBe(1);
    expect(sample(text, 'redis_db_keys', { db: 'db3' })).toBe(1);
    expect(sample(text, 'redis_db_keys', { db: 'db1' })).toBe(0);
    expect(sample(text, 'redis_commands_total', { cmd: 'set' })).toBe(3);
    expect(sample(text, 'redis_commands_total', { cmd: 'get' })).toBe(2);
    const setUsec = Number(/^calls=3,usec=(\d+),/.exec(fields.get('cmdstat_set') ?? '')?.[1]);
    expect(sample(text, 'redis_commands_duration_seconds_total', { cmd: 'set' })).toBeCloseTo(setUsec / 1e6, 6);
    expect(sample(text, 'redis_errors_total', { err: 'ERR' })).toBe(1);
    expect(sample(text, 'redis_instance_info', { redis_version: '7.0.15', role: 'master', tcp_port: String(brook.port) })).toBe(1);
    expect(text).toMatch(/^# TYPE redis_commands_total counter$/m);
    expect(text).toMatch(/^# TYPE redis_connected_clients gauge$/m);
    // A scrape runs no command.
    const after = await info(c);
    expect(Number(after.get('total_commands_processed'))).toBe(num('total_commands_processed') + 1);
    c.close();
  });
});
