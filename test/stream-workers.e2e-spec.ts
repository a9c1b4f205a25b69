/**
 * Streams as an application uses them, through ioredis and node-redis: producers XADD while a
 * consumer group of workers on their own connections XREADGROUP COUNT n BLOCK and XACK (every
 * entry delivered to exactly one worker, none lost, the PEL left as XPENDING and XINFO report
 * it); a worker that dies with entries pending and another that recovers them with XAUTOCLAIM;
 * XREAD BLOCK fan-out to several readers. The same scenarios run against real Redis, which
 * proves the tests themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { waitBlockedClients } from './support/blocked.js';
import { RawClient } from './support/raw-client.js';
import { startBrookProcess, startRedis, type RunningServer } from './support/servers.js';
import { waitUntil } from './support/wait.js';

type NodeRedis = ReturnType<typeof createClient>;

/** One stream entry as the worker saw it. */
interface Entry {
  id: string;
  fields: Record<string, string>;
}

/** A worker's view of its connection: both clients read a group the same way through this. */
interface Worker {
  name: string;
  readGroup(stream: string, group: string, count: number, blockMs: number, id?: string): Promise<Entry[]>;
  ack(stream: string, group: string, ids: string[]): Promise<number>;
  autoClaim(stream: string, group: string, minIdleMs: number, start: string, count: number): Promise<[string, Entry[], string[]]>;
  read(stream: string, id: string, count: number, blockMs: number): Promise<Entry[]>;
  close(): void;
}

const pairs = (flat: string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
};

type IoEntries = [string, string[]][];

function ioWorker(port: number, name: string): Worker {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  const entries = (list: IoEntries): Entry[] => list.map(([id, flat]) => ({ id, fields: pairs(flat) }));
  return {
    name,
    async readGroup(stream, group, count, blockMs, id = '>') {
      const r = (await c.xreadgroup('GROUP', group, name, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, id)) as
        [string, IoEntries][] | null;
      return r === null ? [] : entries(r[0][1]);
    },
    ack: (stream, group, ids) => c.xack(stream, group, ...ids),
    async autoClaim(stream, group, minIdleMs, start, count) {
      const [next, claimed, deleted] = (await c.xautoclaim(stream, group, name, minIdleMs, start, 'COUNT', count)) as [
        string,
        IoEntries,
        string[],
      ];
      return [next, entries(claimed), deleted];
    },
    async read(stream, id, count, blockMs) {
      const r = await c.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, id);
      return r === null ? [] : entries(r[0][1]);
    },
    close: () => c.disconnect(),
  };
}

async function nodeRedisWorker(port: number, name: string): Promise<Worker> {
  const c: NodeRedis = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } });
  c.on('error', () => undefined);
  await c.connect();
  type Reply = { name: string; messages: ({ id: string; message: Record<string, string> } | null)[] }[] | null;
  const entries = (r: Reply): Entry[] =>
    r === null ? [] : r[0].messages.flatMap((m) => (m === null ? [] : [{ id: m.id, fields: { ...m.message } }]));
  return {
    name,
    async readGroup(stream, group, count, blockMs, id = '>') {
      return entries(await c.xReadGroup(group, name, { key: stream, id }, { COUNT: count, BLOCK: blockMs }));
    },
    ack: (stream, group, ids) => c.xAck(stream, group, ids),
    async autoClaim(stream, group, minIdleMs, start, count) {
      const r = await c.xAutoClaim(stream, group, name, minIdleMs, start, { COUNT: count });
      const claimed = r.messages.flatMap((m) => (m === null ? [] : [{ id: m.id, fields: { ...m.message } }]));
      return [r.nextId, claimed, r.deletedMessages];
    },
    async read(stream, id, count, blockMs) {
      return entries(await c.xRead({ key: stream, id }, { COUNT: count, BLOCK: blockMs }));
    },
    close: () => c.destroy(),
  };
}

/** Two ioredis and two node-redis workers named `${prefix}0..3`. */
async function workers(port: number, prefix: string): Promise<Worker[]> {
  return [
    ioWorker(port, `${prefix}0`),
    await nodeRedisWorker(port, `${prefix}1`),
    ioWorker(port, `${prefix}2`),
    await nodeRedisWorker(port, `${prefix}3`),
  ];
}

const servers: [string, () => Promise<RunningServer>][] = [
  ['brook', () => startBrookProcess()],
  ['redis', () => startRedis()],
];

describe.each(servers)('streams as an application uses them (%s)', (_, start) => {
  let server: RunningServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await start();
    admin = new Redis({ port: server.port, host: '127.0.0.1' });
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('producers and a consumer group of workers: each entry delivered to exactly one worker, none lost, the PEL as XPENDING reports it', async () => {
    const PRODUCERS = 3;
    const PER_PRODUCER = 300;
    const total = PRODUCERS * PER_PRODUCER;
    expect(await admin.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM')).toBe('OK');

    const produced = new Map<string, string>(); // id → "p:i"
    const delivered = new Map<string, string[]>(); // id → workers it went to
    const unacked = new Map<string, string>(); // id → worker that left it pending
    let done = false;
    const team = await workers(server.port, 'w');
    const consume = async (w: Worker) => {
      while (!done) {
        const batch = await w.readGroup('jobs', 'workers', 10, 50);
        const acks: string[] = [];
        for (const e of batch) {
          delivered.set(e.id, [...(delivered.get(e.id) ?? []), w.name]);
          expect(e.fields.job).toBe(produced.get(e.id) ?? e.fields.job);
          // Every 7th job (by its number) stays pending: the PEL checked at the end.
          if (Number(e.fields.n) % 7 === 0) unacked.set(e.id, w.name);
          else acks.push(e.id);
        }
        if (acks.length) expect(await w.ack('jobs', 'workers', acks)).toBe(acks.length);
        if (delivered.size >= total) done = true;
      }
    };
    const produce = async (p: number) => {
      const io = p !== 1;
      const nr = io ? null : createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false } });
      const c = io ? new Redis({ port: server.port, host: '127.0.0.1' }) : null;
      await nr?.connect();
      for (let i = 0; i < PER_PRODUCER; i += 5) {
        // A small pipeline of five XADDs per round, then a yield so workers interleave.
        const jobs = [0, 1, 2, 3, 4].map((k) => ({ job: `p${p}:${i + k}`, n: String(p * PER_PRODUCER + i + k) }));
        let ids: string[];
        if (c) {
          const pipe = c.pipeline();
          for (const j of jobs) pipe.xadd('jobs', '*', 'job', j.job, 'n', j.n);
          ids = (await pipe.exec())!.map(([err, id]) => {
            if (err) throw err;
            return id as string;
          });
        } else {
          ids = await Promise.all(jobs.map((j) => nr!.xAdd('jobs', '*', j)));
        }
        ids.forEach((id, k) => produced.set(id, jobs[k].job));
        await new Promise((r) => setTimeout(r, 1));
      }
      c?.disconnect();
      await nr?.quit();
    };
    await Promise.all([...team.map(consume), ...Array.from({ length: PRODUCERS }, (_, p) => produce(p))]);
    for (const w of team) w.close();

    expect(produced.size).toBe(total);
    expect([...delivered.keys()].sort()).toEqual([...produced.keys()].sort());
    const twice = [...delivered].filter(([, ws]) => ws.length !== 1);
    expect(twice).toEqual([]);
    expect(await admin.xlen('jobs')).toBe(total);

    // The PEL: exactly the entries left unacknowledged, each under the worker it went to, delivered once.
    const expectedPerWorker = new Map<string, number>();
    for (const w of unacked.values()) expectedPerWorker.set(w, (expectedPerWorker.get(w) ?? 0) + 1);
    const sortedIds = [...unacked.keys()].sort((a, b) => compareIds(a, b));
    const summary = (await admin.xpending('jobs', 'workers')) as [number, string, string, [string, string][]];
    expect(summary[0]).toBe(unacked.size);
    expect(summary[1]).toBe(sortedIds[0]);
    expect(summary[2]).toBe(sortedIds[sortedIds.length - 1]);
    expect(new Map(summary[3].map(([w, n]) => [w, Number(n)]))).toEqual(expectedPerWorker);
    const extended = (await admin.xpending('jobs', 'workers', '-', '+', 10000)) as [string, string, number, number][];
    expect(extended.map(([id, w, , count]) => [id, w, count])).toEqual(sortedIds.map((id) => [id, unacked.get(id), 1]));
    const consumers = (await admin.xinfo('CONSUMERS', 'jobs', 'workers')) as (string | number)[][];
    for (const c of consumers) {
      const info = pairs(c.map(String));
      expect(Number(info.pending)).toBe(expectedPerWorker.get(info.name) ?? 0);
    }
    expect(consumers.length).toBe(team.length);
    const group = pairs(((await admin.xinfo('GROUPS', 'jobs')) as (string | number)[][])[0].map(String));
    expect(group).toMatchObject({
      name: 'workers',
      consumers: '4',
      pending: String(unacked.size),
      'entries-read': String(total),
      lag: '0',
    });
  }, 120_000);

  it('a worker that dies with entries pending: another recovers them with XAUTOCLAIM once they are idle', async () => {
    const N = 50;
    expect(await admin.xgroup('CREATE', 'crash', 'g', '0', 'MKSTREAM')).toBe('OK');
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push((await admin.xadd('crash', `${i + 1}-1`, 'n', String(i)))!);

    const doomed = await nodeRedisWorker(server.port, 'doomed');
    const taken = await doomed.readGroup('crash', 'g', 20, 0);
    expect(taken.map((e) => e.id)).toEqual(ids.slice(0, 20));
    doomed.close(); // the connection is gone with 20 entries pending
    // One of them is deleted meanwhile: XAUTOCLAIM reports it as deleted and drops it from the PEL.
    expect(await admin.xdel('crash', ids[5])).toBe(1);

    const rescuer = ioWorker(server.port, 'rescuer');
    const claimed: Entry[] = [];
    const deleted: string[] = [];
    let cursor = '0-0';
    // min-idle-time 50 ms: nothing is claimable until the entries have been idle that long; wait on it.
    await waitUntil(async () => {
      const [next, got, gone] = await rescuer.autoClaim('crash', 'g', 50, cursor, 7);
      claimed.push(...got);
      deleted.push(...gone);
      cursor = next;
      return next === '0-0' && claimed.length + deleted.length === 20;
    }, 'XAUTOCLAIM to recover the dead worker’s entries');
    expect(claimed.map((e) => e.id)).toEqual(ids.slice(0, 20).filter((id) => id !== ids[5]));
    expect(claimed.map((e) => e.fields.n)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)).filter((n) => n !== '5'));
    expect(deleted).toEqual([ids[5]]);

    const pel = (await admin.xpending('crash', 'g', '-', '+', 100)) as [string, string, number, number][];
    expect(pel.map(([id, w, , count]) => [id, w, count])).toEqual(claimed.map((e) => [e.id, 'rescuer', 2]));
    expect(
      await rescuer.ack(
        'crash',
        'g',
        claimed.map((e) => e.id),
      ),
    ).toBe(19);
    // The rest of the stream is still there for the group.
    const rest = await rescuer.readGroup('crash', 'g', 100, 0);
    expect(rest.map((e) => e.id)).toEqual(ids.slice(20));
    expect(
      await rescuer.ack(
        'crash',
        'g',
        rest.map((e) => e.id),
      ),
    ).toBe(30);
    expect(await admin.xpending('crash', 'g')).toEqual([0, null, null, null]);
    const consumers = ((await admin.xinfo('CONSUMERS', 'crash', 'g')) as (string | number)[][]).map((c) => pairs(c.map(String)));
    expect(consumers.map((c) => [c.name, c.pending])).toEqual([
      ['doomed', '0'],
      ['rescuer', '0'],
    ]);
    rescuer.close();
  }, 60_000);

  it('XREAD BLOCK fan-out: several readers blocked on $ each get every entry, in order, once', async () => {
    const M = 200;
    const readers = await workers(server.port, 'r');
    const raw = await RawClient.connect(server.port);
    try {
      const seen = readers.map(() => [] as Entry[]);
      const follow = async (w: Worker, i: number) => {
        let last = '$';
        while (seen[i].length < M) {
          const got = await w.read('feed', last, 50, 5000);
          seen[i].push(...got);
          if (got.length) last = got[got.length - 1].id;
        }
      };
      const following = readers.map(follow);
      // All four block on `$` before anything is added: every entry is newer than where they started.
      await waitBlockedClients(raw, readers.length);
      const ids: string[] = [];
      for (let i = 0; i < M; i++) {
        ids.push((await admin.xadd('feed', '*', 'i', String(i)))!);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(following);
      for (const s of seen) {
        expect(s.map((e) => e.id)).toEqual(ids);
        expect(s.map((e) => e.fields.i)).toEqual(ids.map((_, i) => String(i)));
      }
    } finally {
      raw.close();
      for (const r of readers) r.close();
    }
  }, 60_000);
});

/** Stream ID order (ms, then seq) for IDs below 2^53 ms. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as < bs ? -1 : as > bs ? 1 : 0;
}
