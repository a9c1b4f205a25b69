/**
 * Hostile and careless readers of output, Brook and Redis side by side: silenced huge replies,
 * connections that end with output pending and never read it, a slow reader of hundreds of MB,
 * and client-output-buffer-limit on one large reply.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { exchange } from '../support/wire.js';
import { adversarialSuite, call, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';
import { eventually } from '../support/wait.js';

/** A connection that sends `input` and then never reads (the kernel buffers fill, output stays pending). */
async function neverReads(t: Target, input: Buffer): Promise<Socket> {
  const s = new Socket();
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.connect(t.port, '127.0.0.1', () => r()));
  s.pause();
  s.write(input);
  return s;
}

/** The CLIENT LIST line of client `id`, or undefined. */
async function listed(t: Target, id: string): Promise<string | undefined> {
  return (await call(t, 'CLIENT', 'LIST')).split('\n').find((l) => l.startsWith(`id=${id} `));
}

describe('adversarial: output', () => {
  const s = adversarialSuite();
  const value = 'v'.repeat(MB);

  afterEach(async () => {
    for (const t of s.both()) {
      await call(t, 'CONFIG', 'SET', 'timeout', '0');
      await call(t, 'CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
      await call(t, 'FLUSHALL');
    }
  });

  it('CLIENT REPLY OFF and SKIP drop replies bigger than the writer spills at, string and Buffer values alike', async () => {
    const big = Buffer.alloc(20 * MB, 'b');
    const input = Buffer.concat([
      encodeCommand(['SET', 'big', big]),
      encodeCommand(['SET', 'buf', 'x']),
      encodeCommand(['APPEND', 'buf', big]), // a value grown in place (Brook's Buffer form)
      encodeCommand(['CLIENT', 'REPLY', 'OFF']),
      encodeCommand(['GET', 'big']),
      encodeCommand(['GET', 'buf']),
      encodeCommand(['CLIENT', 'REPLY', 'ON']),
      encodeCommand(['CLIENT', 'REPLY', 'SKIP']),
      encodeCommand(['GET', 'big']),
      encodeCommand(['PING']),
    ]);
    // The reply is complete at +PONG: a loaded machine may take longer than a quiet period to get there.
    const opts = { until: '+PONG\r\n', maxMs: 60000 };
    const [b, r] = await Promise.all([exchange(s.brook.port, input, opts), exchange(s.redis.port, input, opts)]);
    expect(r).toEqual({ reply: `+OK\r\n+OK\r\n:${20 * MB + 1}\r\n+OK\r\n+PONG\r\n`, closed: false });
    expect(b).toEqual(r);
  });

  describe('a connection that ends with output pending stays listed until freed, like Redis', () => {
    const endings: [string, (id: string) => Buffer][] = [
      ['QUIT', () => encodeCommand(['QUIT'])],
      ['CLIENT KILL of itself', (id) => encodeCommand(['CLIENT', 'KILL', 'ID', id, 'SKIPME', 'no'])],
      ['a protocol error', () => Buffer.from('*1\r\n$x\r\n')],
    ];
    it.each(endings)('%s', async (_, ending) => {
      const run = async (t: Target): Promise<object> => {
        await call(t, 'SET', 'big', value);
        const res = await underAttack(t, async () => {
          const probe = await RawClient.connect(t.port);
          const id = (await probe.call('CLIENT', 'ID')).slice(1, -2);
          probe.close();
          const gets = Array.from({ length: 100 }, () => encodeCommand(['GET', 'big']));
          // The client's own id is the next one: connections get increasing ids on both servers.
          const next = String(Number(id) + 1);
          const sock = await neverReads(t, Buffer.concat([...gets, ending(next)]));
          await new Promise((r) => setTimeout(r, 1000));
          const line = await listed(t, next);
          // Counted: the harness's pinger, this control connection and the closing client.
          const ctl = await RawClient.connect(t.port);
          const clients = /connected_clients:(\d+)/.exec(await ctl.call('INFO', 'clients'))![1];
          // maxclients counts it too: with room for exactly the clients present, a new one is refused.
          await ctl.call('CONFIG', 'SET', 'maxclients', clients);
          const refused = await exchange(t.port, Buffer.alloc(0), { quietMs: 300 });
          await ctl.call('CONFIG', 'SET', 'maxclients', '10000');
          ctl.close();
          // timeout frees it: nothing it had pending was read.
          await call(t, 'CONFIG', 'SET', 'timeout', '1');
          const freed = await eventually(async () => (await listed(t, next)) === undefined, 5000);
          sock.destroy();
          return {
            flags: /flags=(\S+)/.exec(line ?? '')?.[1],
            omemOver90MB: Number(/omem=(\d+)/.exec(line ?? '')?.[1]) > 90 * MB,
            clients,
            refused,
            freed,
          };
        });
        if (t.name === 'brook') expect(res.endRss - res.startRss).toBeLessThan(64 * MB);
        return res.result;
      };
      const [b, r] = await Promise.all([run(s.brook), run(s.redis)]);
      expect(r).toEqual({
        flags: 'c',
        omemOver90MB: true,
        clients: '3',
        refused: { reply: '-ERR max number of clients reached\r\n', closed: true },
        freed: true,
      });
      expect(b).toEqual(r);
    });
  });

  it('a slow reader of 300 x 1 MB GET replies neither stalls Brook nor holds their size in memory', async () => {
    const n = 300;
    const results: Record<string, { maxPingMs: number; growth: number; bytes: number }> = {};
    for (const t of s.both()) {
      await call(t, 'SET', 'big', value);
      const res = await underAttack(t, async () => {
        const sock = await neverReads(t, Buffer.concat(Array.from({ length: n }, () => encodeCommand(['GET', 'big']))));
        await new Promise((r) => setTimeout(r, 1000));
        let bytes = 0;
        const want = n * (MB + `$${MB}\r\n\r\n`.length);
        await new Promise<void>((resolve) => {
          sock.on('data', (d) => {
            bytes += d.length;
            if (bytes >= want) resolve();
          });
          sock.resume();
        });
        sock.destroy();
        return bytes;
      });
      results[t.name] = { maxPingMs: res.maxPingMs, growth: res.peakRss - res.startRss, bytes: res.result };
      if (t.name === 'brook') expect(res.endRss - res.startRss).toBeLessThan(64 * MB);
    }
    expect(results.brook.bytes).toBe(results.redis.bytes);
    // Redis stalls while it copies the replies into its output buffer and holds all 300 MB; Brook
    // queues replies that point at the stored value and hands them over piece by piece.
    expect(results.redis.growth).toBeGreaterThan(200 * MB);
    expect(results.brook.maxPingMs).toBeLessThan(MAX_PING_MS);
    expect(results.brook.growth).toBeLessThan(64 * MB);
  });

  it('client-output-buffer-limit: one 2 MB reply over a 1 MB hard limit closes the client before any of it is sent', async () => {
    const run = async (t: Target): Promise<object> => {
      await call(t, 'CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
      await call(t, 'SET', 'big', 'v'.repeat(2 * MB));
      await call(t, 'SET', 'half', 'h'.repeat(MB / 2));
      const over = await exchange(t.port, Buffer.concat([encodeCommand(['GET', 'big']), encodeCommand(['SET', 'after', '1'])]));
      const under = await exchange(t.port, encodeCommand(['GET', 'half']));
      return { over, after: await call(t, 'EXISTS', 'after'), under: under.reply.length, underClosed: under.closed };
    };
    const [b, r] = await Promise.all([run(s.brook), run(s.redis)]);
    expect(r).toEqual({
      over: { reply: '', closed: true },
      after: ':0\r\n',
      under: MB / 2 + `$${MB / 2}\r\n\r\n`.length,
      underClosed: false,
    });
    expect(b).toEqual(r);
  });
});
