/**
 * LATENCY and INFO latencystats against a real redis-server: replies compared byte for byte where
 * they do not hold durations, and by shape (events, commands, calls, valid bucket bounds) where they do.
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { pairClients } from '../support/differential.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';
import { serverPair } from '../support/servers.js';

// DEBUG SLEEP makes the slow command on both sides.
const pair = serverPair([], ['--enable-debug-command', 'yes']);
const clients = pairClients(pair);
const { same } = clients;

async function both(...args: string[]): Promise<[RespValue, RespValue]> {
  const [b, r] = await clients.both(...args);
  return [decodeReply(b), decodeReply(r)];
}

/** The bucket bounds Redis's histogram walk reports: hdr's highest value equivalent to 1024·2^k ns, in µs. */
const BOUNDS = new Set(Array.from({ length: 21 }, (_, k) => Math.floor((1032 * 2 ** k - 1) / 1000)));

/** A LATENCY HISTOGRAM reply (RESP2 flat map) as {command: calls}, each histogram checked for shape. */
function histograms(reply: RespValue): Record<string, number> {
  const flat = reply as RespValue[];
  const out: Record<string, number> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const [callsKey, calls, bucketsKey, buckets] = flat[i + 1] as RespValue[];
    expect([callsKey, bucketsKey]).toEqual(['calls', 'histogram_usec']);
    const pairs = buckets as number[];
    let previous = 0;
    for (let j = 0; j < pairs.length; j += 2) {
      expect(BOUNDS.has(pairs[j])).toBe(true);
      expect(pairs[j + 1]).toBeGreaterThan(previous);
      previous = pairs[j + 1];
    }
    expect(previous).toBe(calls);
    out[flat[i] as string] = calls as number;
  }
  return out;
}

describe('LATENCY', () => {
  it('replies as Redis with no events and to bad arguments', async () => {
    await same('LATENCY', 'LATEST');
    await same('LATENCY', 'HISTORY', 'command');
    await same('LATENCY', 'HISTORY', 'no-such-event');
    await same('LATENCY', 'RESET');
    await same('LATENCY', 'RESET', 'command', 'nope');
    await same('LATENCY', 'HISTORY');
    await same('LATENCY', 'LATEST', 'x');
    await same('LATENCY', 'NOSUCH');
    await same('LATENCY');
  });

  it('records commands over latency-monitor-threshold as the command event', async () => {
    // A threshold far above what a loaded machine adds to a fast command, so only DEBUG SLEEP goes over it.
    await same('CONFIG', 'SET', 'latency-monitor-threshold', '200');
    await Promise.all([clients.brook.call('DEBUG', 'SLEEP', '0.25'), clients.redis.call('DEBUG', 'SLEEP', '0.25')]);
    const [b, r] = await both('LATENCY', 'LATEST');
    for (const reply of [b, r]) {
      const command = (reply as [string, number, number, number][]).find((e) => e[0] === 'command');
      expect(command).toBeDefined();
      expect(Math.abs(command![1] - Date.now() / 1000)).toBeLessThan(60);
      expect(command![2]).toBeGreaterThanOrEqual(250);
      expect(command![3]).toBe(command![2]);
    }
    const [hb, hr] = await both('LATENCY', 'HISTORY', 'command');
    expect((hb as number[][]).map((s) => s.length)).toEqual((hr as number[][]).map((s) => s.length));
    await same('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    await both('LATENCY', 'RESET');
    await same('LATENCY', 'LATEST');
  });

  it('DOCTOR and GRAPH: the same report and sparkline as Redis, figures aside', async () => {
    await same('LATENCY', 'HELP');
    await same('LATENCY', 'RESET');
    await same('LATENCY', 'DOCTOR'); // monitoring off, nothing recorded
    await same('LATENCY', 'GRAPH', 'command');
    await same('LATENCY', 'GRAPH');
    await same('CONFIG', 'SET', 'latency-monitor-threshold', '100');
    await same('LATENCY', 'DOCTOR'); // on, nothing recorded yet
    const sleepBoth = (s: string) => Promise.all([clients.brook.call('DEBUG', 'SLEEP', s), clients.redis.call('DEBUG', 'SLEEP', s)]);
    await sleepBoth('0.15');
    await new Promise((r) => setTimeout(r, 1100)); // a second sample needs a second second
    await sleepBoth('0.3');
    // Durations, periods and label seconds differ by nature: every number hidden, the rest byte for byte.
    const figures = (s: string) => s.replace(/\d+(\.\d+)?/g, 'N');
    const [db, dr] = await clients.both('LATENCY', 'DOCTOR');
    expect(figures(db)).toBe(figures(dr));
    expect(db).toContain('1. command: 2 latency spikes (average ');
    expect(db).toContain('- Check your Slow Log to understand what are the commands you are running which are too slow to execute.');
    const [gb, gr] = await clients.both('LATENCY', 'GRAPH', 'command');
    expect(figures(gb)).toBe(figures(gr));
    // Two samples, the later one higher: its column tops the graph, the first stays on the floor row.
    const lines = gb.slice(gb.indexOf('\r\n') + 2).split('\n');
    expect(lines[0]).toMatch(/^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)$/);
    expect(lines[1]).toBe('-'.repeat(80));
    expect(lines.slice(2, 6)).toEqual([' #', ' |', ' |', '_|']);
    await same('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    await same('LATENCY', 'RESET');
  });

  it('HISTOGRAM counts calls per command in Redis buckets, in RESP2 and RESP3', async () => {
    await same('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 5; i++) await same('SET', 'k', String(i));
    await same('GET', 'k');
    await same('CONFIG', 'GET', 'latency-tracking');
    const [b, r] = await both('LATENCY', 'HISTOGRAM', 'set', 'get', 'config', 'nosuch');
    const got = histograms(b);
    expect(got).toEqual(histograms(r));
    expect(got).toEqual({ set: 5, get: 1, 'config|resetstat': 1, 'config|get': 1 });
    const [all] = await both('LATENCY', 'HISTOGRAM');
    expect(Object.keys(histograms(all)).sort()).toEqual(['config|get', 'config|resetstat', 'get', 'latency|histogram', 'set']);
    const [b3, r3] = await Promise.all([RawClient.connect(pair.brook.port), RawClient.connect(pair.redis.port)]);
    await Promise.all([b3.call('HELLO', '3'), r3.call('HELLO', '3')]);
    const [m3b, m3r] = await Promise.all([b3.call('LATENCY', 'HISTOGRAM', 'get'), r3.call('LATENCY', 'HISTOGRAM', 'get')]);
    // One GET: the same map shape, only the bucket bound may differ.
    expect(m3b.replace(/:\d+\r\n:1\r\n$/, '')).toBe(m3r.replace(/:\d+\r\n:1\r\n$/, ''));
    expect(m3b.startsWith('%1\r\n$3\r\nget\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%1\r\n')).toBe(true);
    b3.socket.destroy();
    r3.socket.destroy();
  });

  it('latency-tracking no stops the histograms', async () => {
    await same('CONFIG', 'SET', 'latency-tracking', 'no');
    await same('CONFIG', 'RESETSTAT');
    await same('SET', 'k', 'v');
    await same('LATENCY', 'HISTOGRAM', 'set');
    await same('CONFIG', 'SET', 'latency-tracking', 'yes');
  });
});

describe('INFO latencystats', () => {
  it('lists the same commands as Redis with the configured percentiles', async () => {
    await same('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99.9 100');
    await same('CONFIG', 'RESETSTAT');
    await same('SET', 'k', 'v');
    await same('GET', 'k');
    const [b, r] = await Promise.all([clients.brook.call('INFO', 'latencystats'), clients.redis.call('INFO', 'latencystats')]);
    const fields = (raw: string) =>
      raw
        .split('\r\n')
        .filter((l) => l.startsWith('latency_percentiles_usec_'))
        .map((l) => {
          expect(l).toMatch(/^[^:]+:p50=\d+\.\d{3},p99\.9=\d+\.\d{3},p100=\d+\.\d{3}$/);
          return l.slice(0, l.indexOf(':'));
        })
        .sort();
    expect(b.split('\r\n')[1]).toBe('# Latencystats');
    expect(fields(b)).toEqual(fields(r));
    expect(fields(b)).toContain('latency_percentiles_usec_set');
    await same('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9');
  });
});
