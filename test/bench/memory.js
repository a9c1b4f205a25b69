/**
 * Memory: RSS growth per element after loading a workload into a fresh server, for Brook and
 * Redis one after the other (the other is not running). Workloads: 1M string keys with 100-byte
 * values, and each collection type with 1M elements in one key or in 100k keys of 10 elements.
 */
import { pipeCommands } from './load.js';
import { connect, forceGc, rssBytes } from './servers.js';

export const VALUE_BYTES = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A distinct, non-numeric 100-byte value per key (numeric text would get Redis's int encoding). */
const valueOf = (i) => String(i).padStart(VALUE_BYTES, 'v');
const keyOf = (i) => `key:${i}`;

/** The string workload: SET key:i <100 bytes>; GETs a few keys back. */
export function stringWorkload(keys) {
  return {
    label: `${keys.toLocaleString('en-US')} keys key:N, ${VALUE_BYTES}-byte values`,
    elements: keys,
    commandOf: (i) => ['SET', keyOf(i), valueOf(i)],
    async check(client) {
      for (const i of [0, keys >> 1, keys - 1]) {
        const got = await client.get(keyOf(i));
        if (got !== valueOf(i)) throw new Error(`GET ${keyOf(i)} returned ${JSON.stringify(got)}`);
      }
    },
  };
}

/** Per collection type: the write command, its arguments for element i, and its size command. */
const COLLECTIONS = {
  list: { write: 'RPUSH', args: (i) => [`member:${i}`], size: 'LLEN' },
  hash: { write: 'HSET', args: (i) => [`field:${i}`, `value:${i}`], size: 'HLEN' },
  set: { write: 'SADD', args: (i) => [`member:${i}`], size: 'SCARD' },
  zset: { write: 'ZADD', args: (i) => [String(i), `member:${i}`], size: 'ZCARD' },
  // Two small fields, the same names in every entry (Redis shares them with a block's master entry).
  stream: { write: 'XADD', args: (i) => ['*', 'name', `n${i % 1000}`, 'value', String(i)], size: 'XLEN' },
};
export const COLLECTION_TYPES = Object.keys(COLLECTIONS);

/**
 * `elements` elements of `type` (non-integer members, so sets are hashtables) in one key, or in
 * keys of `perKey` elements (the small encodings: listpack, or hashtable for a set in Redis 7.0).
 */
export function collectionWorkload(type, elements, perKey) {
  const c = COLLECTIONS[type];
  const keyFor = perKey ? (i) => `${type}:${Math.floor(i / perKey)}` : () => `${type}:big`;
  const keys = perKey ? Math.ceil(elements / perKey) : 1;
  return {
    type,
    label: perKey ? `${(elements / perKey).toLocaleString('en-US')} keys × ${perKey}` : `1 key × ${elements.toLocaleString('en-US')}`,
    elements,
    commandOf: (i) => [c.write, keyFor(i), ...c.args(i)],
    async check(client) {
      const last = elements - 1;
      const size = Number(await client.call(c.size, keyFor(last)));
      const expected = perKey ? last - Math.floor(last / perKey) * perKey + 1 : elements;
      if (size !== expected) throw new Error(`${c.size} ${keyFor(last)} returned ${size}, expected ${expected}`);
      const dbsize = await client.dbsize();
      if (dbsize !== keys) throw new Error(`DBSIZE returned ${dbsize}, expected ${keys}`);
    },
  };
}

/**
 * The server's error text when it refuses the workload's first command (a type Brook lacks), else
 * null; the probe's element is the first the load then writes again, so nothing is left over.
 */
export async function refusal(port, workload) {
  const client = await connect(port);
  try {
    await client.call(...workload.commandOf(0));
    await client.flushall();
    return null;
  } catch (e) {
    return e.message.replace(/, with args beginning with:.*$/, '');
  } finally {
    client.disconnect();
  }
}

/** Polls RSS until it moves by less than 256 KB in one second (at most 15 s); returns the last reading. */
async function settledRss(pid) {
  let last = rssBytes(pid);
  for (let waited = 0; waited < 15000; waited += 1000) {
    await sleep(1000);
    const now = rssBytes(pid);
    if (Math.abs(now - last) < 256 * 1024) return now;
    last = now;
  }
  return last;
}

/** Loads the workload (logging how long it took) and runs its check; returns the load's seconds. */
async function load(server, workload, log, what) {
  const seconds = await pipeCommands(server.port, workload.elements, workload.commandOf);
  log(`${server.name}: loaded ${workload.label}${what} in ${seconds.toFixed(1)} s`);
  const client = await connect(server.port);
  try {
    await workload.check(client);
  } finally {
    client.disconnect();
  }
  return seconds;
}

/**
 * Starts a server with `start()`, reads the fresh-start RSS (the cold baseline, after a forced GC
 * for Brook), loads the workload, then reads RSS after `settleMs` idle ("settled") and again after
 * a forced GC. Redis has no GC, so its two readings are the same. Resolves { error } when the
 * server refused the workload's commands (a type Brook lacks). Always stops the server.
 *
 * With `warm`, the workload is first loaded once and FLUSHALLed, then after a full GC (Brook) and
 * RSS settling the warm baseline is read: what the first load costs once (V8's young generation
 * and code growing resident, allocator pools and arenas, Redis's jemalloc pages kept after the
 * FLUSHALL) is then in both baselines' difference, not in the elements' figure. Brook's heap used
 * is read at both baselines and at the end, so its growth per element is reported too.
 */
export async function measureMemory(start, workload, log, { settleMs = 5000, warm = false } = {}) {
  const server = await start();
  try {
    const error = await refusal(server.port, workload);
    if (error) return { name: server.name, error };
    await sleep(1000);
    const coldHeap = await forceGc(server);
    const baseline = rssBytes(server.pid);
    let warmBaseline = baseline;
    let warmHeap = coldHeap;
    if (warm) {
      await load(server, workload, log, ' (warm-up)');
      const client = await connect(server.port);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
      await forceGc(server);
      warmBaseline = await settledRss(server.pid);
      // Read again once settled: Buffers' memory is released a while after the GC that found them dead.
      warmHeap = await forceGc(server);
    }
    const seconds = await load(server, workload, log, '');
    await sleep(settleMs);
    const settled = rssBytes(server.pid);
    const heap = await forceGc(server);
    const afterGc = heap ? await settledRss(server.pid) : settled;
    const n = workload.elements;
    return {
      name: server.name,
      keys: n,
      seconds,
      baseline,
      warmBaseline,
      settled,
      afterGc,
      heap,
      perKeySettled: (settled - baseline) / n,
      perKeyAfterGc: (afterGc - baseline) / n,
      perKeyWarm: (afterGc - warmBaseline) / n,
      heapPerKey: heap ? (heap.usedHeap - warmHeap.usedHeap) / n : null,
      externalPerKey: heap ? (heap.external - warmHeap.external) / n : null,
    };
  } finally {
    await server.stop();
  }
}
