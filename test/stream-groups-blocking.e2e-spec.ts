/**
 * XREADGROUP BLOCK with real clients racing, each scenario run on Brook and on a real redis-server
 * with the same expectations: many consumers of one group, every entry delivered to exactly one
 * of them and pending for it; FIFO among waiters; the stream deleted or retyped, or the group
 * destroyed, while clients wait; timeouts, BLOCK 0, disconnects, MULTI.
 */
import { describe, expect, it } from '@jest/globals';
import { RawClient, encodeCommand } from './support/raw-client.js';
import { SERVERS, blockingSuite, transactionSuite } from './support/blocked.js';
import { decodeReply, type RespValue } from './support/resp-value.js';
import { changeFeedSuite } from './support/change-feed.js';

describe.each(SERVERS)('XREADGROUP BLOCK on %s', (kind) => {
  const t = blockingSuite(kind);
  const { connect, block, blockedClients } = t;

  const reply = async (c: RawClient, ms = 5000) => (await c.read(ms)).toString('latin1');

  /** A fresh stream `s` with group `g` at `$`. */
  async function freshGroup(): Promise<void> {
    await t.admin.call('FLUSHALL');
    expect(await t.admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')).toBe('+OK\r\n');
  }

  it('serves waiters first come first served, each new entry to one of them, and it becomes pending for that consumer', async () => {
    await freshGroup();
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await block(b, 2, 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
    await block(c, 3, 'XREADGROUP', 'GROUP', 'g', 'carol', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>');
    // A consumer that has not been served yet does not exist.
    expect(await t.admin.call('XINFO', 'CONSUMERS', 's', 'g')).toBe('*0\r\n');
    await t.admin.call('XADD', 's', '1-1', 'f', 'v1');
    expect(await reply(a)).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv1\r\n');
    await blockedClients(2);
    await t.admin.call('XADD', 's', '2-1', 'f', 'v2');
    expect(await reply(b)).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv2\r\n');
    await t.admin.call('XADD', 's', '3-1', 'f', 'v3');
    expect(await reply(c)).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv3\r\n');
    await blockedClients(0);
    const pending = decodeReply(await t.admin.call('XPENDING', 's', 'g', '-', '+', '10')) as RespValue[][];
    expect(pending.map((e) => [e[0], e[1], e[3]])).toEqual([
      ['1-1', 'alice', 1],
      ['2-1', 'bob', 1],
      ['3-1', 'carol', 1],
    ]);
  });

  it('a waiter on several streams is served from the one that got entries; NOACK leaves nothing pending', async () => {
    await freshGroup();
    await t.admin.call('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM');
    const a = await connect();
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', 't', '>', '>');
    await t.admin.call('XADD', 't', '5-1', 'x', 'y');
    expect(await reply(a)).toBe('*1\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n');
    expect(await t.admin.call('XPENDING', 't', 'g')).toBe('*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n');
    const groups = decodeReply(await t.admin.call('XINFO', 'GROUPS', 't')) as RespValue[][];
    expect(groups[0]).toEqual(['name', 'g', 'consumers', 1, 'pending', 0, 'last-delivered-id', '5-1', 'entries-read', 1, 'lag', 0]);
  });

  it('times out with a null array; BLOCK 0 waits until an entry comes', async () => {
    await freshGroup();
    const a = await connect();
    expect(await a.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '30', 'STREAMS', 's', '>')).toBe('*-1\r\n');
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await new Promise((r) => setTimeout(r, 100));
    expect(a.unread()).toBe('');
    await t.admin.call('XADD', 's', '1-1', 'f', 'v');
    expect(await reply(a)).toContain('1-1');
  });

  it('the group destroyed while clients wait: they get NOGROUP', async () => {
    await freshGroup();
    const [a, b] = [await connect(), await connect()];
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await block(b, 2, 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
    expect(await t.admin.call('XGROUP', 'DESTROY', 's', 'g')).toBe(':1\r\n');
    expect(await reply(a)).toBe('-NOGROUP the consumer group this client was blocked on no longer exists\r\n');
    expect(await reply(b)).toBe('-NOGROUP the consumer group this client was blocked on no longer exists\r\n');
    await blockedClients(0);
  });

  it('the stream deleted, set to another type or flushed while clients wait: they get UNBLOCKED', async () => {
    await freshGroup();
    const a = await connect();
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    expect(await t.admin.call('DEL', 's')).toBe(':1\r\n');
    expect(await reply(a)).toBe('-UNBLOCKED the stream key no longer exists\r\n');
    await freshGroup();
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    expect(await t.admin.call('SET', 's', 'x')).toBe('+OK\r\n');
    expect(await reply(a)).toBe('-UNBLOCKED the stream key no longer exists\r\n');
    await freshGroup();
    await block(a, 1, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    expect(await t.admin.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await reply(a)).toBe('-UNBLOCKED the stream key no longer exists\r\n');
    await blockedClients(0);
  });

  it('a disconnected waiter leaves no trace: no consumer, nothing pending, the next waiter is served', async () => {
    await freshGroup();
    const [gone, b] = [await connect(), await connect()];
    await block(gone, 1, 'XREADGROUP', 'GROUP', 'g', 'ghost', 'BLOCK', '0', 'STREAMS', 's', '>');
    await block(b, 2, 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
    gone.close();
    await blockedClients(1);
    await t.admin.call('XADD', 's', '1-1', 'f', 'v');
    expect(await reply(b)).toContain('1-1');
    const consumers = decodeReply(await t.admin.call('XINFO', 'CONSUMERS', 's', 'g')) as RespValue[][];
    expect(consumers.map((x) => x[1])).toEqual(['bob']);
  });

  it('XAUTOCLAIM recovers the entries of a consumer that read them and disappeared', async () => {
    await freshGroup();
    for (const id of ['1-1', '2-1', '3-1']) await t.admin.call('XADD', 's', id, 'f', id);
    const gone = await connect();
    expect(await gone.call('XREADGROUP', 'GROUP', 'g', 'crashed', 'COUNT', '2', 'STREAMS', 's', '>')).toContain('2-1');
    gone.close();
    const rescuer = await connect();
    // Not idle long enough yet: nothing is claimed, the cursor stays put.
    expect(await rescuer.call('XAUTOCLAIM', 's', 'g', 'rescuer', '60000', '0', 'JUSTID')).toBe('*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n');
    await new Promise((r) => setTimeout(r, 60));
    expect(await rescuer.call('XAUTOCLAIM', 's', 'g', 'rescuer', '50', '0', 'COUNT', '1')).toBe(
      '*3\r\n$3\r\n2-1\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$3\r\n1-1\r\n*0\r\n',
    );
    expect(await rescuer.call('XAUTOCLAIM', 's', 'g', 'rescuer', '50', '2-1', 'JUSTID')).toBe(
      '*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n2-1\r\n*0\r\n',
    );
    const pending = decodeReply(await t.admin.call('XPENDING', 's', 'g', '-', '+', '10')) as RespValue[][];
    expect(pending.map((e) => [e[0], e[1], e[3]])).toEqual([
      ['1-1', 'rescuer', 2],
      ['2-1', 'rescuer', 1],
    ]);
    expect(await rescuer.call('XACK', 's', 'g', '1-1', '2-1')).toBe(':2\r\n');
    expect(await t.admin.call('XPENDING', 's', 'g')).toBe('*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n');
  });

  it('many consumers racing in one group: every entry delivered to exactly one, none lost, PEL equal to XPENDING', async () => {
    await freshGroup();
    const total = 400;
    const consumers = 8;
    const got = new Map<string, string[]>();
    let delivered = 0;
    let stop = false;
    const clients = await Promise.all(Array.from({ length: consumers }, () => connect()));
    const loops = clients.map(async (c, i) => {
      const name = `c${i}`;
      got.set(name, []);
      while (!stop) {
        const r = decodeReply(await reply(c, 60000));
        if (r === null) continue; // released by CLIENT UNBLOCK at the end
        for (const [, entries] of r as [string, [string, string[]][]][]) {
          for (const [id] of entries) got.get(name)!.push(id);
          delivered += entries.length;
        }
        if (delivered >= total) stop = true;
        else c.write(encodeCommand(['XREADGROUP', 'GROUP', 'g', name, 'COUNT', '3', 'BLOCK', '0', 'STREAMS', 's', '>']));
      }
    });
    for (let i = 0; i < consumers; i++) {
      clients[i].write(encodeCommand(['XREADGROUP', 'GROUP', 'g', `c${i}`, 'COUNT', '3', 'BLOCK', '0', 'STREAMS', 's', '>']));
    }
    await blockedClients(consumers);
    const producer = await connect();
    for (let i = 1; i <= total; i++) {
      producer.write(encodeCommand(['XADD', 's', `${i}-0`, 'n', String(i)]));
      if (i % 50 === 0) await producer.call('PING');
    }
    await producer.call('PING');
    // Wait until everything was delivered, then release whoever still waits.
    for (let i = 0; i < 2000 && delivered < total; i++) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    // Release whoever still waits (again until every loop ended: one may block again just now).
    let ended = false;
    const done = Promise.all(loops).then(() => (ended = true));
    while (!ended) {
      const list = decodeReply(await t.admin.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string;
      for (const line of list.split('\n')) {
        if (/ flags=b /.test(line)) await t.admin.call('CLIENT', 'UNBLOCK', /id=(\d+)/.exec(line)![1]);
      }
      await Promise.race([done, new Promise((r) => setTimeout(r, 20))]);
    }
    const all = [...got.values()].flat();
    expect(all.length).toBe(total);
    expect(new Set(all).size).toBe(total);
    expect(all.map((id) => Number(id.split('-')[0])).sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // The group's PEL: every entry pending for the consumer that got it.
    const summary = decodeReply(await t.admin.call('XPENDING', 's', 'g')) as RespValue[];
    expect(summary[0]).toBe(total);
    const perConsumer = Object.fromEntries((summary[3] as string[][]).map(([n, k]) => [n, Number(k)]));
    for (const [name, list] of got) expect(perConsumer[name] ?? 0).toBe(list.length);
    const pel = decodeReply(await t.admin.call('XPENDING', 's', 'g', '-', '+', String(total))) as RespValue[][];
    const owner = new Map(pel.map((e) => [e[0] as string, e[1] as string]));
    for (const [name, list] of got) for (const id of list) expect(owner.get(id)).toBe(name);
  }, 120000);
});

describe('XREADGROUP BLOCK inside MULTI/EXEC', () => {
  const n = transactionSuite();

  it('replies at once with the null array Redis gives inside MULTI', async () => {
    const argv = ['XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'];
    for (const c of [n.brook, n.oracle]) await c.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const { brook, redis } = await n.exec([argv]);
    expect(brook).toBe(redis);
    expect(brook).toBe('*1\r\n*-1\r\n');
  });
});

describe('XREADGROUP BLOCK: the change feed', () => {
  const suite = changeFeedSuite();

  it('a served waiter is fed, after the XADD that served it, as the XCLAIMs of its delivery', async () => {
    await suite.client.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const waiter = await RawClient.connect(suite.client.socket.remotePort as number);
    waiter.write(encodeCommand(['XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>']));
    for (let i = 0; i < 200 && !suite.server.info(['clients']).includes('blocked_clients:1\r\n'); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const fed = await suite.fedArgv('XADD', 's', '1-1', 'f', 'v');
    expect(fed.map((argv) => argv.map((a, i) => (argv[i - 1] === 'TIME' ? '<time>' : a)))).toEqual([
      ['XADD', 's', '1-1', 'f', 'v'],
      ['XCLAIM', 's', 'g', 'alice', '0', '1-1', 'TIME', '<time>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-1'],
    ]);
    expect((await waiter.read()).toString('latin1')).toContain('1-1');
    waiter.close();
  });
});
