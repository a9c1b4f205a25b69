/**
 * Client-side caching (CLIENT TRACKING and its companions) against real Redis 7.0: the replies and
 * errors of every option byte for byte in RESP2 and RESP3, then invalidation sequences played on
 * both servers with raw connections and compared byte for byte (RESP3 pushes on the same
 * connection, RESP2 redirection to a subscriber of __redis__:invalidate, BCAST prefixes batched per
 * event-loop turn, OPTIN/OPTOUT, NOLOOP, flushes, broken redirections, the table limit), and
 * node-redis's own client-side cache kept fresh by Brook's invalidations.
 */
import { describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { differentialSuite, script, type Step } from './support/differential.js';
import { RawClient, encodeCommand } from './support/raw-client.js';
import { bulks } from './support/resp-value.js';

describe('client-side caching: differential against real Redis', () => {
  const suite = differentialSuite();
  const sameInBoth = async (steps: Step[]) => expect(await suite.diff.runInBothProtocols(steps)).toEqual([]);

  /** Runs `scenario` on Brook, then on Redis (FLUSHALL first), and expects the same transcript. */
  const sameTranscript = async (scenario: (port: number) => Promise<string[]>) => {
    const transcripts: string[][] = [];
    for (const port of [suite.brook.port, suite.redis.port]) {
      const admin = await RawClient.connect(port);
      await admin.call('FLUSHALL');
      admin.close();
      transcripts.push(await scenario(port));
    }
    expect(transcripts[0]).toEqual(transcripts[1]);
    return transcripts[0];
  };

  /** A connection in RESP3 (HELLO's reply read and dropped). */
  const resp3 = async (port: number) => {
    const c = await RawClient.connect(port);
    await c.call('HELLO', '3');
    return c;
  };
  const idOf = async (c: RawClient) => (await c.call('CLIENT', 'ID')).slice(1, -2);
  /** Client ids differ between the two servers: the transcripts name them by role. */
  const named = (s: string, ids: Record<string, string>) => {
    for (const [name, id] of Object.entries(ids)) s = s.replaceAll(`:${id}\r\n`, `:<${name}>\r\n`).replaceAll(`=${id} `, `=<${name}> `);
    return s;
  };
  const read = async (c: RawClient) => (await c.read()).toString('latin1');

  it('CLIENT TRACKING options, their errors and the tracking-off replies, in RESP2 and RESP3', async () => {
    await sameInBoth(
      script(`
      CLIENT GETREDIR
      CLIENT TRACKINGINFO
      CLIENT CACHING YES
      CLIENT CACHING maybe
      CLIENT TRACKING
      CLIENT TRACKING maybe
      CLIENT TRACKING ON nonsense
      CLIENT TRACKING ON PREFIX
      CLIENT TRACKING ON REDIRECT
      CLIENT TRACKING ON REDIRECT notanumber
      CLIENT TRACKING ON REDIRECT 0
      CLIENT TRACKING ON REDIRECT -1
      CLIENT TRACKING ON REDIRECT 999999999
      CLIENT TRACKING ON REDIRECT 99999999999999999999
      CLIENT TRACKING maybe REDIRECT 999999999
      CLIENT TRACKING ON PREFIX a
      CLIENT TRACKING ON OPTIN OPTOUT
      CLIENT TRACKING ON BCAST OPTIN
      CLIENT TRACKING ON BCAST OPTOUT
      CLIENT TRACKING ON BCAST PREFIX a PREFIX ab
      CLIENT TRACKING ON BCAST PREFIX ab PREFIX a
      CLIENT TRACKING ON BCAST PREFIX a PREFIX a
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON
      CLIENT TRACKINGINFO
      CLIENT GETREDIR
      CLIENT CACHING YES
      CLIENT CACHING NO
      CLIENT TRACKING ON BCAST
      CLIENT TRACKING ON OPTIN
      CLIENT TRACKINGINFO
      CLIENT CACHING NO
      CLIENT CACHING YES
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON OPTOUT
      CLIENT TRACKING OFF
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON OPTOUT NOLOOP
      CLIENT CACHING NO
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON NOLOOP
      CLIENT TRACKINGINFO
      CLIENT TRACKING OFF
      CLIENT TRACKING OFF
      CLIENT TRACKING on bcast prefix b prefix a prefix c noloop
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON BCAST PREFIX bar
      CLIENT TRACKING ON BCAST PREFIX d
      CLIENT TRACKING ON BCAST
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON
      CLIENT TRACKING OFF
      CLIENT TRACKINGINFO
      CLIENT TRACKING ON BCAST
      CLIENT TRACKING ON BCAST PREFIX x
      CLIENT TRACKING OFF
      CLIENT TRACKING ON BCAST PREFIX ""
      CLIENT TRACKINGINFO
      CLIENT TRACKING OFF
      `),
    );
  });

  it('binary prefixes: the overlap error shows them as C strings, TRACKINGINFO lists them in byte order', async () => {
    await sameInBoth([
      ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x\r\ny', 'PREFIX', 'x\r'],
      ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a\0b', 'PREFIX', 'a\0'],
      ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', '\xff', 'PREFIX', 'z', 'PREFIX', 'A', 'PREFIX', '\x80x'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'zz'],
      ['CLIENT', 'TRACKING', 'OFF'],
    ]);
  });

  it('RESP3 default mode: a push per invalidated key, on writes by others and by itself (after its reply)', async () => {
    await sameTranscript(async (port) => {
      const [c, other] = [await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON'));
      out.push(await c.call('GET', 'k'), await c.call('MGET', 'a', 'b', 'k'), await c.call('HGET', 'h', 'f'), await c.call('STRLEN', 's'));
      out.push(await other.call('SET', 'k', '1'), await read(c));
      out.push(await other.call('SET', 'k', '2'), await c.call('PING')); // k was forgotten: nothing
      out.push(await other.call('MSET', 'b', '1', 'a', '2'), await read(c), await read(c));
      out.push(await other.call('HSET', 'h', 'f', 'v'), await read(c));
      out.push(await other.call('SET', 'notread', 'v'), await c.call('PING'));
      // Its own write: the reply first, then the invalidation.
      out.push(await c.call('GET', 'k'), await c.call('SET', 'k', '3'), await read(c));
      // Tracking ignores databases: a key read in db 1 is invalidated by a write in db 0.
      out.push(await c.call('SELECT', '1'), await c.call('GET', 'x'), await c.call('SELECT', '0'));
      out.push(await other.call('SET', 'x', '1'), await read(c));
      // A read-only command that failed still tracks its keys; write commands do not track.
      out.push(await other.call('SET', 's', 'str'), await read(c));
      out.push(await c.call('LLEN', 's'), await c.call('APPEND', 'w', 'x'));
      out.push(await other.call('DEL', 's', 'w'), await read(c), await c.call('PING'));
      // Expiry invalidates too (here the active expiry cycle's, within a second).
      out.push(await other.call('SET', 'e', 'v', 'PX', '1000'), await c.call('GET', 'e'), await read(c));
      out.push(await other.call('SET', 's', 'v'), await c.call('PING'));
      c.close();
      other.close();
      return out;
    });
  });

  it('two trackers of one key both get it; a client that turned tracking off or switched to BCAST gets nothing', async () => {
    await sameTranscript(async (port) => {
      const [a, b, w] = [await resp3(port), await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      for (const c of [a, b]) out.push(await c.call('CLIENT', 'TRACKING', 'ON'), await c.call('GET', 'k'), await c.call('GET', 'j'));
      out.push(await w.call('SET', 'k', 'v'), await read(a), await read(b));
      out.push(await a.call('CLIENT', 'TRACKING', 'OFF'));
      out.push(await b.call('CLIENT', 'TRACKING', 'OFF'), await b.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'zz'));
      out.push(await w.call('SET', 'j', 'v'), await a.call('PING'), await b.call('PING'));
      for (const c of [a, b, w]) c.close();
      return out;
    });
  });

  it('RESP2 redirection to a subscriber of __redis__:invalidate: pub/sub messages, and the null of a flush', async () => {
    await sameTranscript(async (port) => {
      const [c, sub, w] = [await RawClient.connect(port), await RawClient.connect(port), await RawClient.connect(port)];
      const subId = await idOf(sub);
      const ids = { sub: subId };
      const out: string[] = [];
      out.push(await sub.call('SUBSCRIBE', '__redis__:invalidate'));
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', subId));
      out.push(named(await c.call('CLIENT', 'GETREDIR'), ids), named(await c.call('CLIENT', 'TRACKINGINFO'), ids));
      out.push(await c.call('GET', 'k'), await c.call('GET', 'j'));
      out.push(await w.call('SET', 'k', 'v'), await read(sub));
      out.push(await c.call('SET', 'j', 'v'), await read(sub)); // its own write, delivered elsewhere
      out.push(await c.call('GET', 'k'), await w.call('FLUSHALL'), await read(sub));
      out.push(await w.call('SET', 'k', 'v'), await sub.call('PING'));
      for (const x of [c, sub, w]) x.close();
      return out;
    });
  });

  it('RESP2 without redirection gets nothing; a RESP2 tracker redirecting to a RESP3 client gets pushes there', async () => {
    await sameTranscript(async (port) => {
      const [c, target, w] = [await RawClient.connect(port), await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON'), await c.call('GET', 'k'));
      out.push(await w.call('SET', 'k', 'v'), await c.call('PING'));
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', await idOf(target)), await c.call('GET', 'k'));
      out.push(await w.call('SET', 'k', 'v2'), await read(target));
      // A RESP2 redirect target that is not subscribed cannot receive it either.
      const plain = await RawClient.connect(port);
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', await idOf(plain)), await c.call('GET', 'k'));
      out.push(await w.call('SET', 'k', 'v3'), await plain.call('PING'));
      for (const x of [c, target, w, plain]) x.close();
      return out;
    });
  });

  it('a redirection whose target disconnected: tracking-redir-broken on the tracker, flag R and broken_redirect', async () => {
    await sameTranscript(async (port) => {
      const [c, target, w] = [await resp3(port), await resp3(port), await RawClient.connect(port)];
      const targetId = await idOf(target);
      const ids = { target: targetId, c: await idOf(c) };
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', targetId), await c.call('GET', 'k'), await c.call('GET', 'j'));
      target.close();
      for (let i = 0; i < 100 && (await w.call('CLIENT', 'LIST')).includes(`id=${targetId} `); i++)
        await new Promise((r) => setTimeout(r, 10));
      out.push(await w.call('SET', 'k', 'v'), named(await read(c), ids));
      out.push(named(await c.call('CLIENT', 'TRACKINGINFO'), ids));
      const line = (await c.call('CLIENT', 'INFO')).match(/flags=\S+ .*redir=\S+/)![0];
      out.push(
        named(
          line.replace(
            / (db|sub|psub|ssub|multi|qbuf|qbuf-free|argv-mem|multi-mem|rbs|rbp|obl|oll|omem|tot-mem|events|cmd|user)=\S*/g,
            '',
          ) + ' ',
          ids,
        ),
      );
      // Its own write: the broken-redirect push follows the reply.
      out.push(await c.call('SET', 'j', 'v'), named(await read(c), ids));
      // Re-enabling tracking clears the broken flag.
      out.push(await c.call('CLIENT', 'TRACKING', 'ON'), await c.call('CLIENT', 'TRACKINGINFO'));
      c.close();
      w.close();
      return out;
    });
  });

  it('OPTIN tracks only after CLIENT CACHING YES, OPTOUT all but after CLIENT CACHING NO, for one command', async () => {
    await sameTranscript(async (port) => {
      const [c, w] = [await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'OPTIN'));
      out.push(await c.call('GET', 'a'), await c.call('CLIENT', 'CACHING', 'YES'), await c.call('CLIENT', 'TRACKINGINFO'));
      out.push(await c.call('GET', 'b'), await c.call('GET', 'c'), await c.call('CLIENT', 'TRACKINGINFO'));
      out.push(await w.call('MSET', 'a', '1', 'b', '1', 'c', '1'), await read(c), await c.call('PING'));
      out.push(await c.call('CLIENT', 'TRACKING', 'OFF'), await c.call('CLIENT', 'TRACKING', 'ON', 'OPTOUT'));
      out.push(await c.call('GET', 'a'), await c.call('CLIENT', 'CACHING', 'NO'), await c.call('CLIENT', 'TRACKINGINFO'));
      out.push(await c.call('GET', 'b'), await c.call('GET', 'c'));
      out.push(await w.call('MSET', 'a', '2', 'b', '2', 'c', '2'), await read(c), await read(c), await c.call('PING'));
      // Another CLIENT subcommand between CACHING and the read keeps it.
      out.push(await c.call('CLIENT', 'CACHING', 'NO'), await c.call('CLIENT', 'ID').then(() => 'id'), await c.call('GET', 'x'));
      out.push(await w.call('SET', 'x', '1'), await c.call('PING'));
      c.close();
      w.close();
      return out;
    });
  });

  it('MULTI/EXEC: CLIENT CACHING covers the whole transaction; its own writes are invalidated after the EXEC reply', async () => {
    await sameTranscript(async (port) => {
      const [c, w] = [await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'OPTIN'), await c.call('CLIENT', 'CACHING', 'YES'), await c.call('MULTI'));
      out.push(await c.call('GET', 'a'), await c.call('GET', 'b'), await c.call('EXEC'), await c.call('GET', 'c'));
      out.push(await w.call('MSET', 'a', '1', 'b', '1', 'c', '1'), await read(c), await read(c), await c.call('PING'));
      out.push(
        await c.call('CLIENT', 'TRACKING', 'OFF'),
        await c.call('CLIENT', 'TRACKING', 'ON'),
        await c.call('GET', 'k'),
        await c.call('GET', 'j'),
      );
      out.push(await c.call('MULTI'), await c.call('SET', 'k', 'v'), await c.call('GET', 'j'), await c.call('SET', 'j', 'v'));
      out.push(await c.call('EXEC'), await read(c), await read(c), await c.call('PING'));
      c.close();
      w.close();
      return out;
    });
  });

  it('NOLOOP: no invalidation for its own writes, in default and BCAST mode', async () => {
    await sameTranscript(async (port) => {
      const [c, w] = [await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'NOLOOP'), await c.call('GET', 'k'), await c.call('GET', 'j'));
      out.push(await c.call('SET', 'k', 'v'), await c.call('PING'));
      out.push(await w.call('SET', 'k', 'v'), await w.call('SET', 'j', 'v'), await read(c), await c.call('PING'));
      out.push(await c.call('CLIENT', 'TRACKING', 'OFF'), await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP', 'PREFIX', 'p'));
      out.push(await c.call('SET', 'p1', 'v'), await c.call('PING'));
      // One turn with writes by both: only the other's keys reach it.
      w.write(Buffer.concat([encodeCommand(['SET', 'p2', 'v']), encodeCommand(['SET', 'p3', 'v'])]));
      out.push(await read(w), await read(w), await read(c), await c.call('PING'));
      c.close();
      w.close();
      return out;
    });
  });

  it('BCAST: every written key under a prefix, one push per prefix per event-loop turn, keys in byte order', async () => {
    await sameTranscript(async (port) => {
      const [c, all, w] = [await resp3(port), await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'cart:'));
      out.push(await all.call('CLIENT', 'TRACKING', 'ON', 'BCAST'));
      out.push(await w.call('MSET', 'user:2', 'a', 'other', 'b', 'cart:9', 'c', 'user:10', 'd'));
      out.push(await read(c), await read(c), await c.call('PING'), await read(all), await all.call('PING'));
      // Several commands in one read: batched; a key written twice is listed once.
      w.write(
        Buffer.concat(
          [
            ['SET', 'user:b', '1'],
            ['SET', 'user:a', '1'],
            ['DEL', 'user:b'],
            ['SET', 'x', '1'],
          ].map((a) => encodeCommand(a)),
        ),
      );
      for (let i = 0; i < 4; i++) out.push(await read(w));
      out.push(await read(c), await c.call('PING'), await read(all), await all.call('PING'));
      // The client's own write reaches it too (no NOLOOP), after its reply; reads track nothing.
      out.push(await c.call('GET', 'user:zz'), await c.call('SET', 'cart:1', 'v'), await read(c), await c.call('PING'));
      out.push(await read(all));
      out.push(await c.call('CLIENT', 'TRACKING', 'OFF'), await w.call('SET', 'user:1', 'v'), await c.call('PING'), await read(all));
      for (const x of [c, all, w]) x.close();
      return out;
    });
  });

  it('FLUSHDB and FLUSHALL send one null invalidation to every tracker (after its reply to the flusher); SWAPDB none', async () => {
    await sameTranscript(async (port) => {
      const [c, b, w] = [await resp3(port), await resp3(port), await RawClient.connect(port)];
      const out: string[] = [];
      out.push(await c.call('CLIENT', 'TRACKING', 'ON'), await b.call('CLIENT', 'TRACKING', 'ON', 'BCAST'));
      out.push(await w.call('FLUSHALL'), await read(c), await read(b), await c.call('PING'), await b.call('PING'));
      out.push(await w.call('SELECT', '3'), await w.call('FLUSHDB'), await read(c), await read(b));
      out.push(await c.call('FLUSHDB'), await read(c), await read(b), await c.call('PING'));
      out.push(await c.call('GET', 'k'), await w.call('SWAPDB', '0', '1'), await c.call('PING'), await b.call('PING'));
      // The table was emptied by the flush: the key read before it is not invalidated again.
      out.push(await c.call('GET', 'j'), await c.call('FLUSHALL'), await read(c), await w.call('SET', 'j', 'v'));
      out.push(await c.call('PING'), await read(b), await read(b));
      for (const x of [c, b, w]) x.close();
      return out;
    });
  });

  it('INFO tracking_clients and tracking_total_keys/items/prefixes; RESET and disconnects turn tracking off', async () => {
    const transcript = await sameTranscript(async (port) => {
      const [a, b, w] = [await resp3(port), await resp3(port), await RawClient.connect(port)];
      const info = async () => {
        const text = await w.call('INFO', 'everything');
        return ['tracking_clients', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes']
          .map((f) => new RegExp(`${f}:\\d+`).exec(text)![0])
          .join(' ');
      };
      const out: string[] = [await info()];
      out.push(await a.call('CLIENT', 'TRACKING', 'ON'), await a.call('MGET', 'k1', 'k2', 'k3'));
      out.push(await b.call('CLIENT', 'TRACKING', 'ON'), await b.call('MGET', 'k1', 'k4'), await info());
      out.push(await w.call('SET', 'k1', 'v'), await read(a), await read(b), await info());
      out.push(await b.call('CLIENT', 'TRACKING', 'OFF'), await b.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p', 'PREFIX', 'q'));
      out.push(await info());
      out.push(await b.call('RESET'), await info());
      a.close();
      for (let i = 0; i < 100 && !(await info()).startsWith('tracking_clients:0'); i++) await new Promise((r) => setTimeout(r, 10));
      // Ids of gone clients stay in the table until their keys are invalidated (lazily, as in Redis).
      out.push(await info(), await w.call('DEL', 'k2', 'k3', 'k4'), await info());
      b.close();
      w.close();
      return out;
    });
    expect(transcript[0]).toBe('tracking_clients:0 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:0');
  });

  it('tracking-table-max-keys 100: reading 1000 keys invalidates the excess and the table stays within the limit', async () => {
    for (const port of [suite.brook.port, suite.redis.port]) {
      const [c, w] = [await resp3(port), await RawClient.connect(port)];
      await w.call('FLUSHALL');
      await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '100');
      try {
        await c.call('CLIENT', 'TRACKING', 'ON');
        const invalidated = new Set<string>();
        let pongs = 0;
        // Replies and pushes interleave; a push is `>2 invalidate [...]`.
        const n = 1000;
        for (let i = 0; i < n; i++) c.write(encodeCommand(['GET', `key:${i}`]));
        c.write(encodeCommand(['PING']));
        while (pongs === 0) {
          const r = await read(c);
          if (r.startsWith('>2')) for (const k of bulks(r.slice(r.indexOf('*')))) invalidated.add(k);
          else if (r === '+PONG\r\n') pongs++;
        }
        const keys = Number(/tracking_total_keys:(\d+)/.exec(await w.call('INFO', 'stats'))![1]);
        expect(keys).toBeLessThanOrEqual(100);
        // Every key read is either still tracked or was invalidated.
        expect(invalidated.size + keys).toBe(n);
        for (const k of invalidated) expect(k).toMatch(/^key:\d+$/);
        // Lowering the limit while idle trims too (Redis: serverCron).
        await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '10');
        for (let i = 0; i < 200; i++) {
          if (Number(/tracking_total_keys:(\d+)/.exec(await w.call('INFO', 'stats'))![1]) <= 10) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(Number(/tracking_total_keys:(\d+)/.exec(await w.call('INFO', 'stats'))![1])).toBeLessThanOrEqual(10);
      } finally {
        await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
        c.close();
        w.close();
      }
    }
  });

  it("node-redis 6's client-side cache (RESP3): a cached GET is invalidated by another client's SET", async () => {
    const cached = createClient({ url: `redis://127.0.0.1:${suite.brook.port}`, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
    const writer = createClient({ url: `redis://127.0.0.1:${suite.brook.port}` });
    await Promise.all([cached.connect(), writer.connect()]);
    try {
      await writer.set('csc:k', 'v1');
      expect(await cached.get('csc:k')).toBe('v1');
      expect(await cached.get('csc:k')).toBe('v1');
      const cache = cached.clientSideCache!;
      expect(cache.stats().hitCount).toBe(1);
      await writer.set('csc:k', 'v2');
      // The invalidation arrives asynchronously: wait for it, then the next GET goes to the server.
      for (let i = 0; i < 200 && cache.size() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(cache.size()).toBe(0);
      expect(await cached.get('csc:k')).toBe('v2');
      expect(await cached.get('csc:k')).toBe('v2');
      expect(cache.stats().hitCount).toBe(2);
      expect(await writer.sendCommand(['CLIENT', 'LIST'])).toMatch(/flags=t /);
    } finally {
      await Promise.all([cached.quit(), writer.quit()]);
    }
  });
});
