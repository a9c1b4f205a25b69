/**
 * The RDB codec against real Redis 7.0.15 files and tools: a real redis-server fills three
 * databases with every type and encoding (TTLs, a stream with groups and pending entries) and
 * SAVEs; RdbReader reads that dump.rdb in this process and every decoded value equals what Redis
 * holds. RdbWriter then writes those values to a new file, redis-check-rdb accepts it, and a real
 * redis-server started on it holds the same keys, values, TTLs and stream/group state.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatId,
  formatScore,
  HashObject,
  isStringValue,
  ListValue,
  SetValue,
  stringBytes,
  stringEncoding,
  StreamValue,
  typeOf,
  ZSetValue,
  MAX_ID,
  MIN_ID,
  type Value,
} from '@brook/storage';
import { RdbFormatError, RdbReader, RdbWriter, type RdbItem } from '@brook/persistence';
import { RawClient } from '../support/raw-client.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';
import { requireTool, startRedis, type RunningServer } from '../support/servers.js';
import { contents, FIXTURES } from './value-fixtures.js';

/** A loaded key, with the database it came from. */
interface Loaded {
  db: number;
  key: string;
  value: Value;
  expireAtMs: number | bigint | undefined;
}

/** Databases used: 0 holds every fixture, 1 and 9 a few keys with TTLs. */
const EXTRA: Record<number, string[][]> = {
  1: [
    ['SET', 's', 'with ttl'],
    ['PEXPIREAT', 's', '4102444800000'],
    ['HSET', 'h', 'a', '1'],
    ['PEXPIREAT', 'h', '4102444800123'],
    ['RPUSH', 'l', 'x'],
  ],
  9: [
    ['SET', '\x00bin\xffkey', 'v'],
    ['ZADD', 'z', '1', 'a'],
    ['EXPIRE', 'z', '100000'],
  ],
};

async function fill(c: RawClient): Promise<void> {
  for (const f of FIXTURES) for (const argv of f.setup) await c.call(...argv.map((a) => (a === 'k' ? `f:${f.name}` : a)));
  for (const [db, steps] of Object.entries(EXTRA)) {
    await c.call('SELECT', db);
    for (const argv of steps) await c.call(...argv);
  }
  await c.call('SELECT', '0');
}

function readAll(file: Buffer): { items: RdbItem[]; keys: Loaded[] } {
  const reader = new RdbReader(file);
  const items: RdbItem[] = [];
  const keys: Loaded[] = [];
  let db = 0;
  for (;;) {
    const item = reader.next();
    items.push(item);
    if (item.kind === 'db') db = item.db;
    if (item.kind === 'entry') keys.push({ db, key: item.key, value: item.value, expireAtMs: item.expireAtMs });
    if (item.kind === 'eof') break;
  }
  expect(reader.offset).toBe(file.length);
  return { items, keys };
}

/** What contents() reads through commands, computed from a decoded value (streams apart). */
function view(v: Value, ttl: boolean): RespValue[] {
  if (isStringValue(v)) return ['string', stringEncoding(v), ttl ? 'ttl' : -1, stringBytes(v)];
  const head: RespValue[] = [typeOf(v), v.encoding, ttl ? 'ttl' : -1];
  if (v instanceof ListValue) return [...head, v.length === 0 ? [] : v.values()];
  if (v instanceof SetValue)
    return [
      ...head,
      v.encoding === 'intset'
        ? v.members()
        : v
            .members()
            .map((m) => JSON.stringify(m))
            .sort(),
    ];
  if (v instanceof HashObject) {
    const pairs = v.pairs().map(([f, x]) => `${f}=${x}`);
    return [...head, v.compact ? pairs : pairs.sort()];
  }
  if (v instanceof ZSetValue) {
    const flat: string[] = [];
    v.forEach((m, s) => flat.push(m, formatScore(s)));
    return [...head, flat];
  }
  throw new Error(`no view for ${typeOf(v)}`);
}

/** A stream's entries, counters and groups, from a decoded value. */
function streamView(s: StreamValue): RespValue {
  const entries: RespValue[] = [];
  const it = s.iterate(MIN_ID, MAX_ID);
  while (it.next()) {
    const pairs: string[] = [];
    for (let i = 0; i < it.pairs; i++) pairs.push(it.field(i), it.value(i));
    entries.push([formatId(it.id), pairs]);
  }
  const groups = (s.groups?.inOrder() ?? []).map(([name, g]) => {
    const pel: RespValue[] = [];
    g.pel.forEachId((id) => {
      const e = g.pel.get(id)!;
      pel.push([formatId(id), e.consumer.name, e.deliveryTime, e.deliveryCount]);
    });
    const consumers = g.consumersInOrder().map((c) => {
      const own: RespValue[] = [];
      c.pel.forEachId((id) => own.push(formatId(id)));
      return [c.name, c.seenTime, own];
    });
    // XINFO shows an unknown entries-read (-1) as nil.
    return [name, formatId(g.lastId), g.entriesRead === -1 ? null : g.entriesRead, pel, consumers];
  });
  return [s.length, formatId(s.lastId), formatId(s.maxDeletedId), s.entriesAdded, formatId(s.firstId), entries, groups];
}

/** The same view read from a server with XINFO STREAM FULL. */
async function streamViewOf(c: RawClient, key: string): Promise<RespValue> {
  const full = decodeReply(await c.call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0')) as RespValue[];
  const get = (arr: RespValue[], name: string): RespValue => arr[arr.indexOf(name) + 1];
  const entries = get(full, 'entries') as RespValue[];
  const groups = (get(full, 'groups') as RespValue[][]).map((g) => {
    const pel = (get(g, 'pending') as RespValue[][]).map((p) => [p[0], p[1], p[2], p[3]]);
    const consumers = (get(g, 'consumers') as RespValue[][]).map((cn) => [
      get(cn, 'name'),
      get(cn, 'seen-time'),
      (get(cn, 'pending') as RespValue[][]).map((p) => p[0]),
    ]);
    return [get(g, 'name'), get(g, 'last-delivered-id'), get(g, 'entries-read'), pel, consumers];
  });
  return [
    get(full, 'length'),
    get(full, 'last-generated-id'),
    get(full, 'max-deleted-entry-id'),
    get(full, 'entries-added'),
    get(full, 'recorded-first-entry-id'),
    entries,
    groups,
  ];
}

/** Every key of the three databases on `c` equals `keys` (values, encodings, exact expiry times). */
async function expectHolds(c: RawClient, keys: Loaded[]): Promise<void> {
  for (const db of [0, 1, 9]) {
    await c.call('SELECT', String(db));
    const mine = keys.filter((k) => k.db === db);
    expect(decodeReply(await c.call('DBSIZE'))).toBe(mine.length);
    for (const k of mine) {
      const at = decodeReply(await c.call('PEXPIRETIME', k.key));
      expect([k.key, at]).toEqual([k.key, k.expireAtMs === undefined ? -1 : Number(k.expireAtMs)]);
      if (k.value instanceof StreamValue) {
        expect(await streamViewOf(c, k.key)).toEqual(streamView(k.value));
        expect((await contents(c, k.key)).slice(0, 2)).toEqual(['stream', 'stream']);
      } else expect([k.key, ...(await contents(c, k.key))]).toEqual([k.key, ...view(k.value, k.expireAtMs !== undefined)]);
    }
  }
  await c.call('SELECT', '0');
}

function checkRdb(file: string): { status: number | null; out: string } {
  const r = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('RDB files interchange with Redis 7.0.15', () => {
  let redis: RunningServer;
  let client: RawClient;
  let keys: Loaded[];
  let items: RdbItem[];
  const work = mkdtempSync(join(tmpdir(), 'brook-rdb-'));

  beforeAll(async () => {
    requireTool('redis-check-rdb');
    redis = await startRedis();
    client = await RawClient.connect(redis.port);
    await fill(client);
    expect(await client.call('SAVE')).toBe('+OK\r\n');
    ({ items, keys } = readAll(readFileSync(join(redis.dir, 'dump.rdb'))));
  });

  afterAll(async () => {
    client?.close();
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("reads Redis's header, AUX fields and database layout", () => {
    const aux = new Map(items.filter((i) => i.kind === 'aux').map((i) => [i.key, i.value]));
    expect(aux.get('redis-ver')).toBe('7.0.15');
    expect(aux.get('redis-bits')).toBe('64');
    expect(items.filter((i) => i.kind === 'db').map((i) => i.db)).toEqual([0, 1, 9]);
    const resize = items.filter((i) => i.kind === 'resize');
    expect(resize).toEqual([
      { kind: 'resize', keys: FIXTURES.length, expires: 0 },
      { kind: 'resize', keys: 3, expires: 2 },
      { kind: 'resize', keys: 2, expires: 1 },
    ]);
  });

  it('decodes every value to what Redis holds, encodings included', async () => {
    expect(keys.length).toBe(FIXTURES.length + 5);
    // Encodings as a server that loaded the file has them (a loaded short HLL is embstr, PFADD left it raw).
    const started = await startRedis(['--dir', redis.dir, '--dbfilename', 'dump.rdb']);
    const c = await RawClient.connect(started.port);
    try {
      await expectHolds(c, keys);
    } finally {
      c.close();
      await started.stop();
    }
  });

  for (const opts of [
    { compression: true, checksum: true },
    { compression: false, checksum: false },
  ]) {
    it(`writes a file redis-check-rdb accepts and redis-server loads with the same data (${JSON.stringify(opts)})`, async () => {
      const chunks: Buffer[] = [];
      const writer = new RdbWriter(opts, (c) => chunks.push(c));
      writer.header([
        ['redis-ver', '7.0.15'],
        ['redis-bits', 64],
        ['ctime', Math.floor(Date.now() / 1000)],
        ['used-mem', 1000000],
        ['aof-base', 0],
      ]);
      for (const db of [0, 1, 9]) {
        const mine = keys.filter((k) => k.db === db);
        writer.selectDb(db, mine.length, mine.filter((k) => k.expireAtMs !== undefined).length);
        for (const k of mine) writer.entry(k.key, k.value, k.expireAtMs);
      }
      writer.end();
      const file = Buffer.concat(chunks);
      expect(writer.bytesWritten).toBe(file.length);
      const name = `brook-${opts.compression ? 'c' : 'p'}.rdb`;
      writeFileSync(join(work, name), file);

      const check = checkRdb(join(work, name));
      expect(check.out).toContain('RDB looks OK!');
      expect(check.status).toBe(0);
      if (!opts.checksum) expect(check.out).toContain('checksum disabled');

      // Brook reads its own file back to the same values.
      const again = readAll(file).keys;
      expect(again.map((k) => [k.db, k.key, k.expireAtMs])).toEqual(keys.map((k) => [k.db, k.key, k.expireAtMs]));

      // A server started on the file (the last --dir wins over startRedis's own).
      const dir = mkdtempSync(join(tmpdir(), 'redis-load-'));
      copyFileSync(join(work, name), join(dir, 'dump.rdb'));
      const started = await startRedis(['--dir', dir, '--dbfilename', 'dump.rdb']);
      const c = await RawClient.connect(started.port);
      try {
        await expectHolds(c, keys);
      } finally {
        c.close();
        await started.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('refuses malformed files with a clear error', () => {
    const good = readFileSync(join(redis.dir, 'dump.rdb'));
    const readThrough = (b: Buffer): void => {
      const r = new RdbReader(b);
      while (r.next().kind !== 'eof');
    };
    expect(() => readThrough(Buffer.from('REDIX0010'))).toThrow('Wrong signature');
    expect(() => readThrough(Buffer.concat([Buffer.from('REDIS0011'), good.subarray(9)]))).toThrow("Can't handle RDB format version 0011");
    expect(() => readThrough(good.subarray(0, good.length - 20))).toThrow(RdbFormatError);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 12] ^= 0x40;
    expect(() => readThrough(flipped)).toThrow(RdbFormatError);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1] ^= 1;
    expect(() => readThrough(badCrc)).toThrow('Wrong RDB checksum');
  });
});
