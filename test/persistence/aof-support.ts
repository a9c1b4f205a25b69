/**
 * Helpers for the AOF suites: a data set of every type written the same way to any server, a
 * whole-data-set dump to compare two servers (or one before and after a restart) command by
 * command, and the commands of an AOF file with times and generated stream IDs blanked out.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { RawClient } from '../support/raw-client.js';
import type { RunningServer } from '../support/servers.js';

export async function connect(port: number): Promise<Redis> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await r.connect();
  return r;
}

/** Writes every type (small and large forms), TTLs, several databases and a stream with groups, PELs and consumers. */
export async function fillEveryType(r: RawClient): Promise<void> {
  const c = (...a: (string | number)[]): Promise<unknown> => r.call(...a.map(String));
  await c('SELECT', 0);
  await c('SET', 'str', 'hello');
  await c('SET', 'int', 12345);
  await c('SET', 'big', 'x'.repeat(5000));
  // Absolute times and no random picks, so that two servers fed this hold the same data.
  await c('SET', 'ttl', 'v', 'EXAT', 4102444800);
  await c('SET', 'bin', 'a\r\nb\x00c');
  await c('INCRBYFLOAT', 'float', '3.25');
  await c('SETBIT', 'bits', 100, 1);
  await c('RPUSH', 'list', 'a', 'b', 'c');
  await c('RPUSH', 'biglist', ...Array.from({ length: 600 }, (_, i) => `e${String(i)}`));
  await c('SADD', 'intset', 1, 2, 3, 100000);
  await c('SADD', 'set', 'a', 'b', 'c');
  await c('SADD', 'popped', 'only');
  await c('SPOP', 'popped');
  await c('SREM', 'set', 'b');
  await c('HSET', 'hash', 'f1', 'v1', 'f2', 'v2');
  await c('HSET', 'bighash', ...Array.from({ length: 600 }, (_, i) => [`f${String(i)}`, `v${String(i)}`]).flat());
  await c('HINCRBYFLOAT', 'hash', 'n', '1.5');
  await c('ZADD', 'zset', 1, 'a', 2.5, 'b', 3, 'c');
  await c('ZADD', 'bigzset', ...Array.from({ length: 200 }, (_, i) => [i, `m${String(i)}`]).flat());
  await c('ZINCRBY', 'zset', 2, 'a');
  await c('PFADD', 'hll', 'a', 'b', 'c');
  await c('GEOADD', 'geo', 13.361389, 38.115556, 'Palermo');
  await c('XADD', 'stream', '1-1', 'temp', 20, 'hum', 50);
  await c('XADD', 'stream', '1-2', 'temp', 21, 'hum', 51);
  await c('XADD', 'stream', '2-0', 'other', 'x');
  await c('XADD', 'stream', '3-0', 'temp', 22, 'hum', 52);
  await c('XDEL', 'stream', '2-0');
  await c('XGROUP', 'CREATE', 'stream', 'g1', '0');
  await c('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', 2, 'STREAMS', 'stream', '>');
  await c('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', 1, 'STREAMS', 'stream', '>');
  await c('XGROUP', 'CREATECONSUMER', 'stream', 'g1', 'carol');
  await c('XACK', 'stream', 'g1', '1-1');
  await c('XGROUP', 'CREATE', 'stream', 'g2', '$');
  await c('XADD', 'auto', '5-*', 'k', 'v');
  await c('PEXPIREAT', 'list', 4102444800123);
  await c('SELECT', 3);
  await c('SET', 'in3', 'three');
  await c('HSET', 'h3', 'a', 'b');
  await c('SELECT', 15);
  await c('LPUSH', 'in15', 'x');
  await c('MULTI');
  await c('INCR', 'counter');
  await c('INCR', 'counter');
  await c('EXEC');
  await c('SELECT', 0);
}

/**
 * Everything a server holds, one line per fact, in a stable order (absolute expiry times included).
 * `reloaded`: the server loaded it from an AOF, which in Redis 7.0 does not carry a consumer group's
 * entries-read (XREADGROUP propagates as XCLAIM … LASTID, which leaves it unset: redis-server
 * reloading its own AOF reports nil), so that one figure is left out of the comparison.
 */
export async function dumpDataset(r: Redis, reloaded = false): Promise<string[]> {
  const out: string[] = [];
  const c = (...a: string[]): Promise<unknown> => r.call(a[0], ...a.slice(1));
  for (let db = 0; db < 16; db++) {
    await c('SELECT', String(db));
    const keys = ((await c('KEYS', '*')) as string[]).sort();
    for (const k of keys) {
      const type = (await c('TYPE', k)) as string;
      const at = `${String(db)} ${JSON.stringify(k)} ${type} pexpiretime=${String(await c('PEXPIRETIME', k))}`;
      let v: unknown;
      if (type === 'string') v = await c('GET', k);
      else if (type === 'list') v = await c('LRANGE', k, '0', '-1');
      else if (type === 'set') v = ((await c('SMEMBERS', k)) as string[]).sort();
      else if (type === 'hash') v = pairs((await c('HGETALL', k)) as string[]).sort();
      else if (type === 'zset') v = await c('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') v = await dumpStream(c, k, reloaded);
      out.push(`${at} ${JSON.stringify(v)}`);
    }
  }
  await c('SELECT', '0');
  return out;
}

async function dumpStream(c: (...a: string[]) => Promise<unknown>, k: string, reloaded: boolean): Promise<unknown> {
  const info = (await c('XINFO', 'STREAM', k)) as unknown[];
  const fields = new Map<string, unknown>();
  for (let i = 0; i < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
  const groups = [];
  for (const g of (await c('XINFO', 'GROUPS', k)) as unknown[][]) {
    const name = String(g[1]);
    if (reloaded) g[g.indexOf('entries-read') + 1] = '(not in the AOF)';
    const consumers = ((await c('XINFO', 'CONSUMERS', k, name)) as unknown[][]).map((x) => [x[1], x[3]]);
    const pel = ((await c('XPENDING', k, name, '-', '+', '100')) as unknown[][]).map((e) => [e[0], e[1], e[3]]);
    groups.push({ g, consumers, pel });
  }
  const state = ['length', 'last-generated-id', 'max-deleted-entry-id', 'entries-added'].map((f) => fields.get(f));
  // Idle times move on their own: the PEL is compared by id, owner and delivery count.
  return { entries: await c('XRANGE', k, '-', '+'), state, groups };
}

function pairs(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
  return out;
}

/** The commands of a RESP AOF file, one line each, with unix-ms times and generated stream IDs as T. */
export function aofCommands(path: string): string[] {
  const buf = readFileSync(path);
  const out: string[] = [];
  let p = 0;
  while (p < buf.length) {
    let nl = buf.indexOf(10, p);
    const n = Number(buf.latin1Slice(p + 1, nl - 1));
    p = nl + 1;
    const argv: string[] = [];
    for (let i = 0; i < n; i++) {
      nl = buf.indexOf(10, p);
      const len = Number(buf.latin1Slice(p + 1, nl - 1));
      p = nl + 1;
      argv.push(buf.latin1Slice(p, p + len).replace(/^1[789]\d{11}(?=-\d+$|$)/, 'T'));
      p += len + 2;
    }
    out.push(argv.join(' '));
  }
  return out;
}

/** The whole data set of a running server, through its own connection (dumpDataset). */
export async function datasetOf(s: RunningServer, reloaded = false): Promise<string[]> {
  const r = await connect(s.port);
  try {
    return await dumpDataset(r, reloaded);
  } finally {
    r.disconnect();
  }
}
