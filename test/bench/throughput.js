/**
 * Throughput: redis-benchmark against Brook and Redis, interleaved so machine noise hits both
 * alike, one server under load at a time; the median of several rounds per server and test.
 */
import { cpuSeconds, median, runClient } from './servers.js';

const TESTS = ['set', 'get', 'incr', 'mset'];
/** redis-benchmark's own tests of the collection commands (issue 7); LRANGE_* prefill their list themselves. */
export const COLLECTION_TESTS = [
  'lpush',
  'rpush',
  'lpop',
  'rpop',
  'sadd',
  'hset',
  'spop',
  'zadd',
  'zpopmin',
  'lrange_100',
  'lrange_300',
  'mset',
];
/**
 * Stream writes (issue 8) as redis-benchmark custom commands: XADD with a generated ID to one
 * stream that grows for the whole run, and one capped near 10,000 entries by MAXLEN ~.
 */
export const STREAM_TESTS = [
  { name: 'xadd', command: ['XADD', 'bench:stream', '*', 'f', 'v'] },
  { name: 'xadd_maxlen', command: ['XADD', 'bench:capped', 'MAXLEN', '~', '10000', '*', 'f', 'v'] },
];
const PIPELINES = [1, 16];
const CLIENTS = 50;
const KEYSPACE = 100000;
const RUN_TIMEOUT_MS = 15 * 60 * 1000;

/** Parses redis-benchmark's --csv output into { rps, p50, p99, max } (latencies in ms). */
function parseCsv(text) {
  const rows = text
    .trim()
    .split('\n')
    .map((line) => line.replace(/^"|"$/g, '').split('","'));
  const header = rows.find((r) => r[0] === 'test');
  const data = rows.find((r) => r !== header && header && r.length === header.length);
  if (!data) return null;
  const col = (name) => Number(data[header.indexOf(name)]);
  return { rps: col('rps'), p50: col('p50_latency_ms'), p99: col('p99_latency_ms'), max: col('max_latency_ms') };
}

/** A test is redis-benchmark's own (its -t name) or { name, command } run as a custom command. */
const testName = (test) => (typeof test === 'string' ? test : test.name);

/**
 * One redis-benchmark run of one test (pinned to the client CPU). Resolves { rps, p50, p99, max }
 * or { error } when the server replied with an error (e.g. a command Brook lacks) or died.
 */
export function redisBenchmark(port, { test, pipeline = 1, requests, keyspace = KEYSPACE, clients = CLIENTS }) {
  const args = [
    '-p',
    String(port),
    '-c',
    String(clients),
    '-P',
    String(pipeline),
    '-r',
    String(keyspace),
    '-n',
    String(requests),
    '-q',
    '--csv',
    // The custom command goes last: redis-benchmark takes the remaining arguments as one command.
    ...(typeof test === 'string' ? ['-t', test] : test.command),
  ];
  return runClient('redis-benchmark', args, RUN_TIMEOUT_MS).then(({ code, out, err }) => {
    const result = parseCsv(out);
    // redis-benchmark stops at the first error reply and says so on stderr.
    const serverError = /Error from server: (.*)/.exec(err + out);
    if (serverError || !result || code !== 0) return { error: serverError?.[1] ?? `exit ${code}: ${err.trim()}` };
    return result;
  });
}

/**
 * Runs every test at every pipeline depth for `rounds` rounds: per round and test, Brook and Redis
 * back to back, the order swapped every round. `requests(pipeline)` gives -n. Returns one row per
 * (pipeline, test): { test, pipeline, brook, redis }, each { rps: median, samples: rps per round,
 * cpuUs: median server CPU µs per request } or { error }.
 */
export async function throughput(brook, redis, { rounds, requests, tests = TESTS, pipelines = PIPELINES, log }) {
  const samples = new Map(); // `${pipeline} ${test} ${server}` → rps[]
  const cpu = new Map(); // same keys → server CPU µs per request
  const errors = new Map();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [brook, redis] : [redis, brook];
    for (const pipeline of pipelines) {
      for (const test of tests) {
        for (const server of order) {
          const id = `${pipeline} ${testName(test)} ${server.name}`;
          if (errors.has(id)) continue;
          const cpuBefore = cpuSeconds(server.pid);
          const r = await redisBenchmark(server.port, { test, pipeline, requests: requests(pipeline) });
          if (server.crashed)
            throw new Error(`${server.name} exited during ${testName(test).toUpperCase()}:\n${server.output().slice(-3000)}`);
          if (r.error) errors.set(id, r.error);
          else {
            samples.set(id, [...(samples.get(id) ?? []), r.rps]);
            cpu.set(id, [...(cpu.get(id) ?? []), ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / requests(pipeline)]);
          }
          log(
            `round ${round + 1}/${rounds} -P ${pipeline} ${testName(test).toUpperCase()} ${server.name}: ${r.error ? `error: ${r.error}` : `${Math.round(r.rps)} rps`}`,
          );
        }
      }
    }
  }
  const result = (pipeline, test, server) => {
    const id = `${pipeline} ${test} ${server.name}`;
    return errors.has(id)
      ? { error: errors.get(id) }
      : { rps: median(samples.get(id)), samples: samples.get(id), cpuUs: median(cpu.get(id)) };
  };
  return pipelines.flatMap((pipeline) =>
    tests.map(testName).map((test) => ({ test, pipeline, brook: result(pipeline, test, brook), redis: result(pipeline, test, redis) })),
  );
}
