/**
 * Memory: RSS growth per key after loading keys key:0..key:N-1 with 100-byte values into a fresh
 * server, for Brook and Redis one after the other (the other is not running).
 */
import { pipeSet } from './load.js';
import { connect, forceGc, rssBytes } from './servers.js';

export const VALUE_BYTES = 100;
const SETTLE_MS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A distinct, non-numeric 100-byte value per key (numeric text would get Redis's int encoding). */
const valueOf = (i) => String(i).padStart(VALUE_BYTES, 'v');
const keyOf = (i) => `key:${i}`;

/** GETs a few loaded keys back and throws unless each returns its value. */
async function spotCheck(port, keys) {
  const client = await connect(port);
  try {
    for (const i of [0, keys >> 1, keys - 1]) {
      const got = await client.get(keyOf(i));
      if (got !== valueOf(i)) throw new Error(`GET ${keyOf(i)} returned ${JSON.stringify(got)}`);
    }
  } finally {
    client.disconnect();
  }
}

/**
 * Starts a server with `start()`, measures RSS (after a forced GC for Brook), loads `keys` keys,
 * then measures RSS after SETTLE_MS idle ("settled") and again after a forced GC. Redis has no GC,
 * so its two figures are the same reading. Always stops the server.
 */
export async function measureMemory(start, keys, log) {
  const server = await start();
  try {
    await sleep(1000);
    await forceGc(server);
    const baseline = rssBytes(server.pid);
    const seconds = await pipeSet(server.port, keys, keyOf, valueOf);
    log(`${server.name}: loaded ${keys} keys in ${seconds.toFixed(1)} s`);
    await spotCheck(server.port, keys);
    await sleep(SETTLE_MS);
    const settled = rssBytes(server.pid);
    const heap = await forceGc(server);
    const afterGc = heap ? rssBytes(server.pid) : settled;
    return {
      name: server.name,
      keys,
      seconds,
      baseline,
      settled,
      afterGc,
      heap,
      perKeySettled: (settled - baseline) / keys,
      perKeyAfterGc: (afterGc - baseline) / keys,
    };
  } finally {
    await server.stop();
  }
}
