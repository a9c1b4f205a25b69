/**
 * Scale: many small keys in ONE database. Past 2^24 keys a single V8 Map throws, so this proves
 * Brook's KeyTable split (DBSIZE, a full SCAN, random GETs all see every key) and that the
 * launcher's heap sizing needs no flags; it also records load time, RSS and GET/SET latency with
 * the keys loaded (GC pauses on a large heap show up in p99 and max).
 */
import { pipeSet } from './load.js';
import { connect, forceGc, rssBytes } from './servers.js';
import { redisBenchmark } from './throughput.js';

const RANDOM_GETS = 100000;
const BATCH = 1000;
const LATENCY_REQUESTS = 200000;

/** Zero-padded to 12 digits like redis-benchmark's __rand_int__, so its GETs hit loaded keys. */
const keyOf = (i) => `key:${String(i).padStart(12, '0')}`;
const valueOf = (i) => `v${i}`;

/**
 * Iterates SCAN 0 … 0 with COUNT 1000 and counts distinct keys with a bitmap over the key
 * indexes (a JS Set could not hold 20M keys either). Keys outside key:0..N-1 are counted as
 * foreign; a key seen twice as a duplicate (allowed by SCAN's contract, expected to be rare).
 */
async function scanAll(client, keys) {
  const seen = new Uint8Array(keys);
  let cursor = '0';
  let calls = 0;
  let distinct = 0;
  let duplicates = 0;
  let foreign = 0;
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    calls++;
    for (const key of batch) {
      const i = Number(key.slice(4));
      if (!(i >= 0 && i < keys) || key !== keyOf(i)) foreign++;
      else if (seen[i]) duplicates++;
      else {
        seen[i] = 1;
        distinct++;
      }
    }
    cursor = next;
  } while (cursor !== '0');
  return { calls, distinct, duplicates, foreign };
}

/** GETs `count` random loaded keys in pipelined batches; returns how many had a wrong value. */
async function randomGets(client, keys, count) {
  let wrong = 0;
  for (let done = 0; done < count; done += BATCH) {
    const pipe = client.pipeline();
    const picks = [];
    for (let j = 0; j < BATCH; j++) {
      const i = Math.floor(Math.random() * keys);
      picks.push(i);
      pipe.get(keyOf(i));
    }
    const replies = await pipe.exec();
    replies.forEach(([err, value], j) => {
      if (err || value !== valueOf(picks[j])) wrong++;
    });
  }
  return wrong;
}

/** A reply, or the error text when the server refused (e.g. a command Brook lacks so far). */
const orError = (promise) => promise.catch((e) => ({ error: e.message }));

const timed = async (fn) => {
  const t = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - t) / 1e9];
};

/** The whole scale check on one server started by `start()`; always stops it. */
export async function scaleRun(start, keys, log) {
  const server = await start();
  const client = await connect(server.port);
  try {
    await forceGc(server);
    const baseline = rssBytes(server.pid);
    const loadSeconds = await pipeSet(server.port, keys, keyOf, valueOf, (n) => log(`${server.name}: ${n / 1e6}M keys sent`));
    log(`${server.name}: loaded ${keys} keys in ${loadSeconds.toFixed(1)} s`);

    const dbsize = await orError(client.dbsize());
    const [scan, scanSeconds] = await timed(() => orError(scanAll(client, keys)));
    log(`${server.name}: DBSIZE ${JSON.stringify(dbsize)}, SCAN ${JSON.stringify(scan)} in ${scanSeconds.toFixed(1)} s`);
    const wrongGets = await randomGets(client, keys, RANDOM_GETS);
    const missing = await client.get(keyOf(keys)); // one past the last key: must be nil

    const rss = rssBytes(server.pid);
    const heap = await forceGc(server);
    const rssAfterGc = heap ? rssBytes(server.pid) : rss;

    // GET first (values stay verifiable above), then SET, which creates garbage: GC under writes.
    const get = await redisBenchmark(server.port, { test: 'get', requests: LATENCY_REQUESTS, keyspace: keys });
    const set = await redisBenchmark(server.port, { test: 'set', requests: LATENCY_REQUESTS, keyspace: keys });
    log(`${server.name}: GET p99 ${get.p99} ms, SET p99 ${set.p99} ms`);

    const ok = dbsize === keys && scan.distinct === keys && scan.foreign === 0 && wrongGets === 0 && missing === null;
    return {
      name: server.name,
      keys,
      ok,
      loadSeconds,
      dbsize,
      scan,
      scanSeconds,
      wrongGets,
      missing,
      baseline,
      rss,
      rssAfterGc,
      heap,
      get,
      set,
    };
  } finally {
    client.disconnect();
    await server.stop();
  }
}
