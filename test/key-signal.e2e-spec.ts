import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import {
  formatId,
  formatScore,
  HashObject,
  isStringValue,
  ListValue,
  MAX_ID,
  MIN_ID,
  SetValue,
  StreamValue,
  stringBytes,
  ZSetValue,
  type Value,
} from '@brook/storage';
import { loadConfig, startBrook, type BrookServer } from '@brook/server';
import { freePort } from './support/servers.js';
import { RawClient } from './support/raw-client.js';
import { decodeReply } from './support/resp-value.js';

/** The key as the key-modified signal saw it: its value's bytes (null: absent) and absolute expiry. */
interface Seen {
  value: string | null;
  expireAt: number | undefined;
}

/**
 * "Key K changed" is signalled after the change: whatever the signal wakes (WATCH, blocked
 * clients, keyspace events) must see the new value and TTL, never the one before. Every write
 * command of the built-in families runs through a real client while a listener records the key
 * at each signal; the last record must equal what GET and the TTL show afterwards.
 */
describe('the key-modified signal comes after the mutation', () => {
  let app: INestMicroservice;
  let server: BrookServer;
  let dir: string;
  let c: RawClient;
  const seen = new Map<string, Seen>();

  beforeAll(async () => {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'brook-signal-'));
    ({ app, server } = await startBrook(loadConfig(['--port', String(port), '--save', '', '--dir', dir])));
    server.ks.onKeyModified((db, key) => {
      const d = server.ks.dbs[db];
      // Raw table reads: a lookup here could expire the key and signal again.
      const v = d.keys.get(key);
      seen.set(`${db}:${key}`, {
        value: v === undefined ? null : contents(v),
        expireAt: d.expires.get(key),
      });
    });
    c = await RawClient.connect(port);
  });

  afterAll(async () => {
    c?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What a value holds, in a form a client can read back (readContents). */
  function contents(v: Value): string {
    if (isStringValue(v)) return stringBytes(v);
    if (v instanceof HashObject) {
      const pairs: string[] = [];
      v.forEach((f, x) => pairs.push(`${f}=${x}`));
      return `hash:${pairs.sort().join(',')}`;
    }
    if (v instanceof SetValue) return `set:${v.members().sort().join(',')}`;
    if (v instanceof ZSetValue) {
      const entries: string[] = [];
      v.forEach((m, score) => entries.push(`${m}=${formatScore(score)}`));
      return `zset:${entries.join(',')}`;
    }
    if (v instanceof ListValue) return `list:${v.values().join(',')}`;
    if (v instanceof StreamValue) return streamContents(v);
    return '<other type>';
  }

  /** A stream: its entries, then per group its last ID, entries-read, pending entries and consumers. */
  function streamContents(v: StreamValue): string {
    const entries: string[] = [];
    const it = v.iterate(MIN_ID, MAX_ID);
    while (it.next()) {
      const pairs: string[] = [];
      for (let i = 0; i < it.pairs; i++) pairs.push(`${it.field(i)}=${it.value(i)}`);
      entries.push(`${formatId(it.id)}{${pairs.join(',')}}`);
    }
    const groups = (v.groups?.inOrder() ?? []).map(([name, g]) => {
      const pending: string[] = [];
      g.pel.walk(MIN_ID, MAX_ID, (id, e) => {
        pending.push(`${formatId(id)}>${e.consumer.name}`);
        return true;
      });
      const consumers = g.consumersInOrder().map((x) => x.name);
      return `${name}@${formatId(g.lastId)}/${g.entriesRead}[${pending.join(',')}](${consumers.join(',')})`;
    });
    return `stream:${entries.join(',')}|${groups.join(';')}`;
  }

  /** streamContents() read through the client: XRANGE, XINFO GROUPS, XPENDING and XINFO CONSUMERS. */
  async function readStreamContents(key: string): Promise<string> {
    const entries = (decodeReply(await c.call('XRANGE', key, '-', '+')) as [string, string[]][]).map(([id, flat]) => {
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
      return `${id}{${pairs.join(',')}}`;
    });
    const groups: string[] = [];
    for (const info of decodeReply(await c.call('XINFO', 'GROUPS', key)) as (string | number | null)[][]) {
      const [name, lastId, entriesRead] = [info[1] as string, info[7] as string, info[9] ?? -1];
      const pending = (decodeReply(await c.call('XPENDING', key, name, '-', '+', '1000000')) as string[][]).map(
        ([id, who]) => `${id}>${who}`,
      );
      const consumers = (decodeReply(await c.call('XINFO', 'CONSUMERS', key, name)) as string[][]).map((x) => x[1]);
      groups.push(`${name}@${lastId}/${entriesRead}[${pending.join(',')}](${consumers.join(',')})`);
    }
    return `stream:${entries.join(',')}|${groups.join(';')}`;
  }

  /** The key's contents read through the client, as contents() shows them; null when absent. */
  async function readContents(key: string): Promise<string | null> {
    const type = await c.call('TYPE', key);
    if (type === '+none\r\n') return null;
    if (type === '+hash\r\n') {
      const flat = decodeReply(await c.call('HGETALL', key)) as string[];
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
      return `hash:${pairs.sort().join(',')}`;
    }
    if (type === '+set\r\n') return `set:${(decodeReply(await c.call('SMEMBERS', key)) as string[]).sort().join(',')}`;
    if (type === '+zset\r\n') {
      const flat = decodeReply(await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES')) as string[];
      const entries: string[] = [];
      for (let i = 0; i < flat.length; i += 2) entries.push(`${flat[i]}=${flat[i + 1]}`);
      return `zset:${entries.join(',')}`;
    }
    if (type === '+list\r\n') return `list:${(decodeReply(await c.call('LRANGE', key, '0', '-1')) as string[]).join(',')}`;
    if (type === '+stream\r\n') return readStreamContents(key);
    const v = await c.call('GET', key);
    return v.slice(v.indexOf('\r\n') + 2, -2);
  }

  /** Runs one command; every key it signalled must read now as the signal saw it. */
  async function check(...argv: string[]): Promise<void> {
    seen.clear();
    const reply = await c.call(...argv);
    expect(reply.startsWith('-')).toBe(false);
    expect(seen.size).toBeGreaterThan(0);
    for (const [where, at] of seen) {
      const [db, key] = [Number(where.slice(0, where.indexOf(':'))), where.slice(where.indexOf(':') + 1)];
      await c.call('SELECT', String(db));
      const value = await readContents(key);
      const pttl = await c.call('PTTL', key);
      await c.call('SELECT', '0');
      expect({ cmd: argv.join(' '), key, value: at.value }).toEqual({
        cmd: argv.join(' '),
        key,
        value,
      });
      expect({ cmd: argv.join(' '), key, expireAt: at.expireAt }).toEqual({
        cmd: argv.join(' '),
        key,
        expireAt: server.ks.dbs[db].getExpire(key),
      });
      expect(pttl === ':-2\r\n' || pttl === ':-1\r\n').toBe(at.expireAt === undefined);
    }
  }

  it('holds for the string commands', async () => {
    await check('SET', 's', 'v');
    await check('SET', 's', 'v2', 'EX', '100');
    await check('SET', 's', 'v3', 'PX', '100000', 'GET');
    await check('SET', 's', 'v4', 'KEEPTTL');
    await check('SETEX', 's', '100', 'a');
    await check('PSETEX', 's', '100000', 'b');
    await check('SETNX', 'n', '1');
    await check('MSET', 'm1', 'a', 'm2', 'b');
    await check('MSETNX', 'm3', 'a', 'm4', 'b');
    await check('GETSET', 's', 'c');
    await check('GETEX', 's', 'EX', '50');
    await check('GETEX', 's', 'PERSIST');
    await check('GETDEL', 's');
    await check('APPEND', 'ap', 'new');
    await check('APPEND', 'ap', '-embstr-copied');
    await check('APPEND', 'ap', '-in-place');
    await check('SET', 'num', '12');
    await check('APPEND', 'num', '3');
    await check('SETRANGE', 'sr', '3', 'abc');
    await check('SETRANGE', 'sr', '0', 'xy');
    await check('SET', 'sr2', 'hello');
    await check('SETRANGE', 'sr2', '1', 'E');
    await check('INCR', 'i');
    await check('INCRBY', 'i', '10');
    await check('DECR', 'i');
    await check('DECRBY', 'i', '3');
    await check('INCRBYFLOAT', 'f', '1.5');
  });

  it('holds for the bitmap commands', async () => {
    await check('SETBIT', 'b', '7', '1');
    await check('SETBIT', 'b', '100', '1');
    await check('SET', 'b2', 'ab');
    await check('SETBIT', 'b2', '0', '1');
    await check('BITFIELD', 'bf', 'SET', 'u8', '0', '200', 'INCRBY', 'u8', '8', '1');
    await check('BITFIELD', 'bf', 'INCRBY', 'u8', '0', '5');
    await check('BITOP', 'OR', 'bo', 'b', 'b2');
    await check('BITOP', 'AND', 'bo', 'missing1', 'missing2');
  });

  it('holds for the hash commands', async () => {
    await check('HSET', 'h', 'a', '1', 'b', '2');
    await check('HSET', 'h', 'a', '3');
    await check('HMSET', 'h', 'c', '4');
    await check('HSETNX', 'h', 'd', '5');
    await check('HINCRBY', 'h', 'a', '10');
    await check('HINCRBYFLOAT', 'h', 'b', '0.5');
    await check('HDEL', 'h', 'a');
    await check('HSETNX', 'h2', 'a', '1');
    await check('HINCRBY', 'h3', 'a', '1');
    await check('HINCRBYFLOAT', 'h4', 'a', '1.5');
    await check('HDEL', 'h', 'b', 'c', 'd');
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
    await check('HSET', 'big', 'a', '1', 'b', '2', 'c', '3');
    await check('HSET', 'big', 'd', '4');
    await check('HDEL', 'big', 'a', 'b', 'c', 'd');
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
  });

  it('holds for the set commands', async () => {
    await check('SADD', 'st', '1', '2', '3');
    await check('SADD', 'st', 'x');
    await check('SREM', 'st', '1');
    await check('SMOVE', 'st', 'st2', '2');
    await check('SMOVE', 'st2', 'st3', '2');
    await check('SPOP', 'st');
    await check('SPOP', 'st', '1');
    await check('SADD', 'sa', 'a', 'b', 'c');
    await check('SADD', 'sb', 'b', 'c', 'd');
    await check('SINTERSTORE', 'si', 'sa', 'sb');
    await check('SUNIONSTORE', 'su', 'sa', 'sb');
    await check('SDIFFSTORE', 'sd', 'sa', 'sb');
    await check('SDIFFSTORE', 'sd', 'sa', 'sa');
    await check('SPOP', 'sa', '10');
    await check('SREM', 'sb', 'b', 'c', 'd');
  });

  it('holds for the hyperloglog commands', async () => {
    await check('PFADD', 'hll', 'a', 'b', 'c');
    await check('PFADD', 'hll', 'd');
    await check('PFCOUNT', 'hll');
    await check('PFMERGE', 'hll2', 'hll');
    await check('PFMERGE', 'hll3');
    await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '40');
    await check('PFADD', 'hll', ...Array.from({ length: 50 }, (_, i) => `e${i}`));
    await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    await c.call('SET', 'hll4', decodeReply(await c.call('GET', 'hll')) as string);
    await check('PFCOUNT', 'hll4');
  });

  it('holds for the sorted-set commands', async () => {
    await check('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    await check('ZADD', 'z', 'INCR', '5', 'a');
    await check('ZINCRBY', 'z', '1.5', 'b');
    await check('ZINCRBY', 'z2', '1', 'x');
    await check('ZREM', 'z2', 'x');
    await check('ZREM', 'z', 'c');
    await check('ZADD', 'z', '4', 'd', '5', 'e', '6', 'f', '7', 'g');
    await check('ZPOPMIN', 'z');
    await check('ZPOPMAX', 'z', '2');
    await check('ZMPOP', '1', 'z', 'MIN', 'COUNT', '1');
    await check('BZPOPMIN', 'z', '0');
    await check('BZMPOP', '0', '1', 'z', 'MAX');
    await check('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    await check('ZREMRANGEBYRANK', 'z', '0', '0');
    await check('ZREMRANGEBYSCORE', 'z', '2', '2');
    await check('ZADD', 'zl', '0', 'a', '0', 'b', '0', 'c');
    await check('ZREMRANGEBYLEX', 'zl', '[a', '[b');
    await check('ZRANGESTORE', 'zr', 'z', '0', '-1');
    await check('ZUNIONSTORE', 'zu', '2', 'z', 'zl');
    await check('ZINTERSTORE', 'zi', '2', 'z', 'zu');
    await check('ZDIFFSTORE', 'zd', '2', 'zu', 'zl');
    await check('ZRANGESTORE', 'zr', 'z', '10', '20');
    await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '2');
    await check('ZADD', 'big', '1', 'a', '2', 'b', '3', 'c');
    await check('ZADD', 'big', '0', 'c');
    await check('ZPOPMIN', 'big', '10');
    await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('holds for the list commands', async () => {
    await check('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    await check('LPUSH', 'l', 'z');
    await check('LPUSHX', 'l', 'y');
    await check('RPUSHX', 'l', 'g');
    await check('LPOP', 'l');
    await check('RPOP', 'l', '2');
    await check('LSET', 'l', '1', 'B');
    await check('LINSERT', 'l', 'BEFORE', 'c', 'C');
    await check('LREM', 'l', '0', 'C');
    await check('LTRIM', 'l', '0', '-2');
    await check('LMOVE', 'l', 'l2', 'LEFT', 'RIGHT');
    await check('RPOPLPUSH', 'l', 'l2');
    await check('LMPOP', '2', 'nope', 'l', 'LEFT', 'COUNT', '1');
    await check('BLPOP', 'l', '0');
    await check('BRPOP', 'l2', '0');
    await check('BLMOVE', 'l2', 'l3', 'RIGHT', 'LEFT', '0');
    await check('BRPOPLPUSH', 'l3', 'l4', '0');
    await check('BLMPOP', '0', '1', 'l4', 'RIGHT', 'COUNT', '5');
    await check('RPUSH', 'one', 'x');
    await check('LPOP', 'one', '5');
    await check('RPUSH', 'one', 'x');
    await check('LTRIM', 'one', '1', '0');
  });

  it('holds for the stream commands', async () => {
    await check('XADD', 'st', '1-1', 'f', 'v', 'g', 'w');
    await check('XADD', 'st', '1-*', 'f', 'v2');
    await check('XADD', 'st', 'MAXLEN', '5', '2-*', 'f', 'v3');
    await check('XADD', 'st', 'MINID', '~', '0', '3-1', 'f', 'v3');
    await check('XDEL', 'st', '1-1');
    await check('XTRIM', 'st', 'MAXLEN', '1');
    await check('XADD', 'st2', 'MAXLEN', '0', '*', 'f', 'v');
    await c.call('XADD', 'st2', '*', 'f', 'v');
    await check('XTRIM', 'st2', 'MINID', '9999999999999');
    // XSETID changes only metadata and, as in Redis, signals nothing.
  });

  it('holds for the geo commands', async () => {
    await check('GEOADD', 'geo', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    await check('GEOADD', 'geo', 'XX', 'CH', '13.4', '38.1', 'Palermo');
    await check('GEOSEARCHSTORE', 'geod', 'geo', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST');
    await check('GEOSEARCHSTORE', 'geod', 'geo', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km');
    await check('GEORADIUS', 'geo', '15', '37', '200', 'km', 'STORE', 'geor');
    await check('GEORADIUSBYMEMBER', 'geo', 'Palermo', '1', 'm', 'STOREDIST', 'geor');
  });

  it('holds for SORT ... STORE', async () => {
    await c.call('RPUSH', 'sl', '3', '1', '2');
    await check('SORT', 'sl', 'STORE', 'sorted');
    await check('SORT', 'sl', 'BY', 'nosort', 'DESC', 'GET', '#', 'STORE', 'sorted');
    await check('SORT', 'sl', 'LIMIT', '5', '1', 'STORE', 'sorted');
  });

  it('holds for the stream consumer group commands', async () => {
    await c.call('XADD', 'xs', '1-1', 'f', 'v1');
    await c.call('XADD', 'xs', '2-1', 'f', 'v2');
    await c.call('XADD', 'xs', '3-1', 'f', 'v3');
    await check('XGROUP', 'CREATE', 'xs', 'g', '0');
    await check('XGROUP', 'CREATE', 'xnew', 'g', '$', 'MKSTREAM');
    await check('XGROUP', 'CREATECONSUMER', 'xs', 'g', 'alice');
    await check('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 'xs', '>');
    await check('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 'xs', '>');
    await check('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 'xs', '0');
    await check('XCLAIM', 'xs', 'g', 'carol', '0', '1-1');
    await check('XCLAIM', 'xs', 'g', 'carol', '0', '3-1', 'FORCE', 'LASTID', '9-9');
    await check('XAUTOCLAIM', 'xs', 'g', 'dave', '0', '0', 'COUNT', '1');
    await check('XACK', 'xs', 'g', '1-1');
    await check('XGROUP', 'SETID', 'xs', 'g', '1-1', 'ENTRIESREAD', '1');
    await check('XGROUP', 'DELCONSUMER', 'xs', 'g', 'dave');
    await check('XGROUP', 'DESTROY', 'xs', 'g');
  });

  it('holds for the generic and expire commands', async () => {
    await check('SET', 'g', '1');
    await check('EXPIRE', 'g', '100');
    await check('PEXPIRE', 'g', '200000');
    await check('EXPIREAT', 'g', String(Math.floor(Date.now() / 1000) + 300));
    await check('PEXPIREAT', 'g', String(Date.now() + 400000));
    await check('PERSIST', 'g');
    await check('COPY', 'g', 'g2');
    await check('RENAME', 'g2', 'g3');
    await check('RENAMENX', 'g3', 'g4');
    await check('MOVE', 'g4', '1');
    await check('DEL', 'g');
    await check('SET', 'u', '1', 'EX', '100');
    await check('UNLINK', 'u');
    await check('SET', 'e', '1');
    await check('EXPIRE', 'e', '-1');
  });
});
