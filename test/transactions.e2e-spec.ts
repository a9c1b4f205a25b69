/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real redis-server: every reply shape and error byte
 * for byte in RESP2 and RESP3; WATCH invalidated by each kind of change and not by reads or
 * consumer-group bookkeeping (scenarios with several connections run on both servers, same
 * replies expected); an optimistic-increment race; blocking commands inside EXEC; CLIENT LIST
 * fields; ioredis and node-redis transactions; and the change feed's MULTI ... EXEC unit.
 */
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { differentialSuite, script } from './support/differential.js';
import { RawClient, encodeCommand } from './support/raw-client.js';
import { waitBlockedClients } from './support/blocked.js';
import { changeFeedSuite } from './support/change-feed.js';

const suite = differentialSuite();

/** Runs a scenario on Brook and on Redis (each with its own connections); returns both transcripts. */
async function onBoth(scenario: (connect: () => Promise<RawClient>) => Promise<string[]>): Promise<[string[], string[]]> {
  const run = async (port: number): Promise<string[]> => {
    const opened: RawClient[] = [];
    const connect = async (): Promise<RawClient> => {
      const c = await RawClient.connect(port);
      opened.push(c);
      return c;
    };
    const admin = await connect();
    await admin.call('FLUSHALL');
    try {
      return await scenario(connect);
    } finally {
      for (const c of opened) c.close();
    }
  };
  return [await run(suite.brook.port), await run(suite.redis.port)];
}

async function sameOnBoth(scenario: (connect: () => Promise<RawClient>) => Promise<string[]>): Promise<string[]> {
  const [brook, redis] = await onBoth(scenario);
  expect(brook).toEqual(redis);
  return brook;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reply shapes and errors, byte for byte with Redis in RESP2 and RESP3', () => {
  const cases: [string, string][] = [
    ['a transaction: QUEUED, then every reply in one array', 'MULTI\nSET a 1\nINCR a\nGET a\nEXEC\nGET a'],
    ['an empty transaction', 'MULTI\nEXEC'],
    [
      'reply kinds inside EXEC (maps, sets, doubles, nils)',
      'MULTI\nHSET h f v\nHGETALL h\nSADD s x\nSMEMBERS s\nZADD z 1.5 m\nZSCORE z m\nGET nope\nEXEC',
    ],
    ['EXEC and DISCARD without MULTI', 'EXEC\nDISCARD'],
    ['nested MULTI is refused and the transaction goes on', 'MULTI\nMULTI\nSET a 1\nEXEC\nGET a'],
    ['WATCH inside MULTI is refused and the transaction goes on', 'MULTI\nWATCH a\nSET a 1\nEXEC'],
    ['DISCARD drops the queue', 'MULTI\nSET a 1\nDISCARD\nGET a\nEXEC'],
    ['an unknown command aborts EXEC; later commands still queue', 'MULTI\nSET a 1\nNOSUCH x y\nSET b 2\nEXEC\nGET a\nGET b'],
    ['a wrong arity aborts EXEC', 'MULTI\nSET a\nGET a\nEXEC'],
    ['an unknown subcommand aborts EXEC', 'MULTI\nCLIENT NOSUCH\nEXEC'],
    ['a command not allowed in MULTI aborts EXEC', 'MULTI\nSHUTDOWN\nEXEC'],
    ['EXEC with arguments ends the transaction with its own abort text', 'MULTI\nSET a 1\nEXEC x\nEXEC\nGET a'],
    ['EXEC with arguments outside MULTI', 'EXEC x'],
    ['MULTI and DISCARD with arguments', 'MULTI x\nMULTI\nDISCARD x\nEXEC'],
    ['runtime errors inside EXEC do not stop the rest', 'MULTI\nSET a 1\nLPUSH a x\nINCR a\nINCRBY a notanumber\nGET a\nEXEC'],
    [
      'blocking commands inside EXEC answer at once',
      'MULTI\nBLPOP q 0\nBRPOP q 1\nBLMOVE q d LEFT RIGHT 0\nBRPOPLPUSH q d 0\nBZPOPMIN z 0\nBLMPOP 0 1 q LEFT\nXREAD BLOCK 0 STREAMS s $\nEXEC',
    ],
    ['SELECT inside MULTI switches for the rest of it and after', 'MULTI\nSELECT 1\nSET a 1\nEXEC\nGET a\nSELECT 0\nGET a'],
    ['WATCH: a write of its own before MULTI fails EXEC with a null array', 'SET a 1\nWATCH a\nSET a 2\nMULTI\nGET a\nEXEC\nGET a'],
    ['WATCH: reads do not', 'SET a 1\nWATCH a b\nGET a\nEXISTS a b\nTYPE a\nTTL a\nSCAN 0\nKEYS *\nMULTI\nINCR a\nEXEC'],
    ['WATCH: UNWATCH forgets the keys and the failure', 'WATCH a\nSET a 1\nUNWATCH\nMULTI\nGET a\nEXEC'],
    ['WATCH: EXEC unwatches, success or not', 'WATCH a\nMULTI\nEXEC\nSET a 1\nMULTI\nGET a\nEXEC'],
    ['WATCH: DISCARD unwatches', 'WATCH a\nMULTI\nDISCARD\nSET a 1\nMULTI\nGET a\nEXEC'],
    ['WATCH: a failed watch stays failed whatever is watched after', 'WATCH a\nSET a 1\nWATCH b\nMULTI\nEXEC'],
    ['WATCH: a key written then deleted still fails', 'WATCH a\nSET a 1\nDEL a\nMULTI\nEXEC'],
    ['WATCH: a write that changes nothing does not fail it', 'WATCH a\nDEL a\nSETNX b 1\nSETNX b 2\nMULTI\nEXEC'],
    ['WATCH arity and many keys', 'WATCH\nWATCH a a a b\nMULTI\nEXEC'],
    ["WATCH: its own transaction's writes do not fail it", 'WATCH a\nMULTI\nSET a 1\nEXEC\nGET a'],
    ['WATCH: FLUSHDB fails a watched key that existed', 'SET a 1\nWATCH a\nFLUSHDB\nMULTI\nEXEC'],
    ['WATCH: FLUSHDB does not fail a watched key that did not exist', 'SET b 1\nWATCH a\nFLUSHDB\nMULTI\nEXEC'],
    ['WATCH: FLUSHALL fails a watched key that existed', 'SET a 1\nWATCH a\nFLUSHALL\nMULTI\nEXEC'],
    ['WATCH: FLUSHALL from another db', 'SELECT 1\nSET a 1\nWATCH a\nSELECT 0\nFLUSHALL\nSELECT 1\nMULTI\nEXEC\nSELECT 0'],
    [
      'WATCH: SWAPDB fails a key that exists in either database',
      'SELECT 1\nSET a 1\nSELECT 0\nWATCH a\nSWAPDB 0 1\nMULTI\nEXEC\nSWAPDB 0 1',
    ],
    ['WATCH: SWAPDB leaves keys missing in both alone', 'SELECT 1\nSET b 1\nSELECT 0\nWATCH a\nSWAPDB 0 1\nMULTI\nEXEC\nSWAPDB 0 1'],
    ['WATCH: RENAME fails the source and the target', 'SET a 1\nWATCH a\nRENAME a b\nMULTI\nEXEC\nWATCH a\nRENAME b a\nMULTI\nEXEC'],
    [
      'WATCH: MOVE fails the key in both databases',
      'SET a 1\nWATCH a\nMOVE a 1\nMULTI\nEXEC\nSELECT 1\nWATCH a\nSELECT 0\nSET a 2\nMOVE a 1\nSELECT 1\nMULTI\nEXEC\nSELECT 0',
    ],
    ['WATCH: COPY fails the target, not the source', 'SET a 1\nWATCH b\nCOPY a b\nMULTI\nEXEC\nWATCH a\nCOPY a c\nMULTI\nEXEC'],
    ['WATCH: a key in another database is another key', 'WATCH a\nSELECT 1\nSET a 1\nSELECT 0\nMULTI\nEXEC'],
    [
      'WATCH: EXPIRE, PERSIST and an expiry in the past fail it',
      'SET a 1\nWATCH a\nEXPIRE a 100\nMULTI\nEXEC\nWATCH a\nPERSIST a\nMULTI\nEXEC\nWATCH a\nEXPIRE a -1\nMULTI\nEXEC',
    ],
    ['WATCH: XGROUP CREATE MKSTREAM fails it (it creates the key)', 'WATCH s\nXGROUP CREATE s g $ MKSTREAM\nMULTI\nEXEC'],
    [
      'WATCH: consumer-group bookkeeping does not fail it (Redis does not signal it)',
      'XADD s 1-1 f v\nXADD s 2-1 f v\nXGROUP CREATE s g 0\nWATCH s\n' +
        'XREADGROUP GROUP g c1 STREAMS s >\nXACK s g 1-1\nXCLAIM s g c2 0 2-1\nXAUTOCLAIM s g c3 0 0\nXREADGROUP GROUP g c3 STREAMS s 0\n' +
        'XGROUP CREATECONSUMER s g c4\nXGROUP DELCONSUMER s g c4\nXGROUP SETID s g 0\nXGROUP CREATE s g2 $\nXGROUP DESTROY s g2\nXSETID s 5-0\nMULTI\nEXEC',
    ],
    [
      'WATCH: XADD, XDEL and XTRIM fail it',
      'XADD s 1-1 f v\nWATCH s\nXADD s 2-1 f v\nMULTI\nEXEC\nWATCH s\nXDEL s 1-1\nMULTI\nEXEC\nWATCH s\nXTRIM s MAXLEN 0\nMULTI\nEXEC',
    ],
    ['RESET ends MULTI and the watch', 'WATCH a\nMULTI\nSET a 1\nRESET\nEXEC\nGET a'],
    ['a transaction bound to fail still answers QUEUED', 'WATCH a\nSET a 1\nMULTI\nSET b 1\nINCR b\nEXEC\nGET b'],
  ];

  it.each(cases)('%s', async (_name, text) => {
    expect(await suite.diff.runInBothProtocols(script(text))).toEqual([]);
  });

  it('INFO errorstats and commandstats count queueing errors, EXECABORT and errors inside EXEC as Redis does', async () => {
    const steps = script(
      'CONFIG RESETSTAT\nMULTI\nNOSUCH\nSET a\nEXEC\nMULTI\nSET a 1\nLPUSH a x\nEXEC\nEXEC\nMULTI\nEXEC x\nINFO errorstats',
    );
    expect(await suite.diff.run(steps)).toEqual([]);
    const stats = (c: RawClient) =>
      c.call('INFO', 'commandstats').then((s) =>
        s
          .split('\r\n')
          .filter((l) => /^cmdstat_(multi|exec|set|lpush):/.test(l))
          .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
          .sort(),
      );
    expect(await stats(suite.diff.brook)).toEqual(await stats(suite.diff.redis));
  });

  it('total_commands_processed counts commands run, not queued or refused ones', async () => {
    const counted = async (c: RawClient): Promise<number> => {
      const before = Number(/total_commands_processed:(\d+)/.exec(await c.call('INFO', 'stats'))![1]);
      for (const step of script('MULTI\nSET a 1\nGET a\nNOSUCH\nDISCARD\nMULTI\nSET a 1\nEXEC')) await c.call(...step);
      return Number(/total_commands_processed:(\d+)/.exec(await c.call('INFO', 'stats'))![1]) - before;
    };
    expect(await counted(suite.diff.brook)).toBe(await counted(suite.diff.redis));
  });
});

describe('CLIENT LIST fields', () => {
  const fields = (line: string) => / flags=(\S+) .* multi=(-?\d+) .* multi-mem=(\d+) /.exec(line)!.slice(1).join(' ');

  it('flag x, multi= the queue length and multi-mem its arguments, flag d once a watched key changed', async () => {
    await sameOnBoth(async (connect) => {
      const [c, other] = [await connect(), await connect()];
      await c.call('CLIENT', 'SETNAME', 'tx');
      const info = async () => fields(await c.call('CLIENT', 'INFO'));
      const list = async () => fields((await other.call('CLIENT', 'LIST')).split('\n').find((l) => l.includes(' name=tx '))!);
      const seen = [await info()];
      await c.call('WATCH', 'k');
      await c.call('MULTI');
      seen.push(await list());
      await c.call('SET', 'key', 'value');
      await c.call('HSET', 'h', 'field', 'x'.repeat(100));
      seen.push(await list());
      await other.call('SET', 'k', '1');
      seen.push(await list());
      await c.call('EXEC');
      seen.push(await info());
      return seen;
    });
  });
});

describe('WATCH across connections (same replies on Brook and Redis)', () => {
  it('a write from another client fails EXEC; the next transaction runs', async () => {
    const out = await sameOnBoth(async (connect) => {
      const [a, b] = [await connect(), await connect()];
      const seen = [await a.call('SET', 'k', '1'), await a.call('WATCH', 'k'), await b.call('INCR', 'k')];
      seen.push(await a.call('MULTI'), await a.call('SET', 'k', '100'), await a.call('EXEC'), await a.call('GET', 'k'));
      seen.push(await a.call('MULTI'), await a.call('SET', 'k', '100'), await a.call('EXEC'), await a.call('GET', 'k'));
      return seen;
    });
    expect(out[5]).toBe('*-1\r\n');
    expect(out[6]).toBe('$1\r\n2\r\n');
  });

  it('several clients watching one key all fail; a client watching another key does not', async () => {
    const out = await sameOnBoth(async (connect) => {
      const cs = [await connect(), await connect(), await connect(), await connect()];
      for (const c of cs.slice(0, 3)) await c.call('WATCH', 'k', 'z');
      await cs[2].call('WATCH', 'other');
      await cs[3].call('SET', 'k', 'v');
      const seen: string[] = [];
      for (const c of cs.slice(0, 3)) seen.push(await c.call('MULTI'), await c.call('PING'), await c.call('EXEC'));
      const d = await connect();
      await d.call('WATCH', 'other');
      await cs[3].call('SET', 'k', 'w');
      seen.push(await d.call('MULTI'), await d.call('EXEC'));
      return seen;
    });
    expect(out).toEqual([
      '+OK\r\n',
      '+QUEUED\r\n',
      '*-1\r\n',
      '+OK\r\n',
      '+QUEUED\r\n',
      '*-1\r\n',
      '+OK\r\n',
      '+QUEUED\r\n',
      '*-1\r\n',
      '+OK\r\n',
      '*0\r\n',
    ]);
  });

  it('a client closing or RESET while watching leaves the others alone', async () => {
    await sameOnBoth(async (connect) => {
      const [a, b, c] = [await connect(), await connect(), await connect()];
      await a.call('WATCH', 'k');
      await b.call('WATCH', 'k');
      a.close();
      await b.call('RESET');
      await b.call('WATCH', 'k');
      await c.call('GET', 'k');
      return [await b.call('MULTI'), await b.call('EXEC')];
    });
  });

  it('a watched key that expires fails EXEC, expired when watched it does not', async () => {
    const out = await sameOnBoth(async (connect) => {
      const [a, b] = [await connect(), await connect()];
      await a.call('SET', 'k', 'v', 'PX', '50');
      await a.call('WATCH', 'k');
      await sleep(120);
      const seen = [await a.call('MULTI'), await a.call('EXEC')];
      await a.call('SET', 'k2', 'v', 'PX', '20');
      await sleep(60);
      await a.call('WATCH', 'k2');
      await b.call('GET', 'k2');
      seen.push(await a.call('MULTI'), await a.call('EXEC'));
      // Expired when watched, then written: the write's own expiry of it is no change, the write is.
      await a.call('SET', 'k3', 'v', 'PX', '20');
      await sleep(60);
      await a.call('WATCH', 'k3');
      await b.call('SET', 'k3', 'new');
      seen.push(await a.call('MULTI'), await a.call('EXEC'));
      return seen;
    });
    expect(out).toEqual(['+OK\r\n', '*-1\r\n', '+OK\r\n', '*0\r\n', '+OK\r\n', '*-1\r\n']);
  });

  it('a client blocked on BLPOP is served only after EXEC, and sees the whole transaction', async () => {
    const out = await onBoth(async (connect) => {
      const [waiter, tx, admin] = [await connect(), await connect(), await connect()];
      waiter.write(encodeCommand(['BLPOP', 'q', '0']));
      await waitBlockedClients(admin, 1);
      for (const step of script('MULTI\nRPUSH q a\nRPUSH q b\nLLEN q\nLPOP q\nRPUSH q c\nLLEN q')) await tx.call(...step);
      const exec = await tx.call('EXEC');
      return [exec, (await waiter.read()).toString('latin1'), await admin.call('LRANGE', 'q', '0', '-1')];
    });
    expect(out[0]).toEqual(out[1]);
    expect(out[0]).toEqual(['*6\r\n:1\r\n:2\r\n:2\r\n$1\r\na\r\n:2\r\n:2\r\n', '*2\r\n$1\r\nq\r\n$1\r\nb\r\n', '*1\r\n$1\r\nc\r\n']);
  });

  it('blocking commands inside MULTI neither block nor take what another client pushes later', async () => {
    await sameOnBoth(async (connect) => {
      const [a, b] = [await connect(), await connect()];
      const seen = [await a.call('MULTI'), await a.call('BLPOP', 'q', '0'), await a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')];
      await b.call('RPUSH', 'q', 'x');
      seen.push(await a.call('EXEC'), await b.call('LLEN', 'q'));
      return seen;
    });
  });
});

describe('the optimistic-increment race (WATCH/GET/MULTI/SET/EXEC, retry on nil)', () => {
  it('20 clients x 50 increments leave exactly 1000', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(suite.brook.port)));
    try {
      await clients[0].call('SET', 'counter', '0');
      let retries = 0;
      const worker = async (c: RawClient) => {
        for (let done = 0; done < 50;) {
          await c.call('WATCH', 'counter');
          const v = Number(/\r\n(\d+)\r\n/.exec(await c.call('GET', 'counter'))![1]);
          await c.call('MULTI');
          await c.call('SET', 'counter', String(v + 1));
          if ((await c.call('EXEC')) === '*-1\r\n') retries++;
          else done++;
        }
      };
      await Promise.all(clients.map(worker));
      expect(await clients[0].call('GET', 'counter')).toBe('$4\r\n1000\r\n');
      // The race really raced: some transactions failed and were retried.
      expect(retries).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('client libraries', () => {
  it('ioredis multi(): results, runtime errors, EXECABORT, and WATCH failure as null', async () => {
    const io = new Redis({ port: suite.brook.port, host: '127.0.0.1', lazyConnect: true });
    const other = new Redis({ port: suite.brook.port, host: '127.0.0.1', lazyConnect: true });
    try {
      await io.connect();
      await other.connect();
      await io.del('io:a', 'io:l');
      expect(await io.multi().set('io:a', '1').incr('io:a').get('io:a').exec()).toEqual([
        [null, 'OK'],
        [null, 2],
        [null, '2'],
      ]);
      const mixed = await io.multi().set('io:l', 'x').lpush('io:l', 'y').get('io:l').exec();
      expect(mixed![0]).toEqual([null, 'OK']);
      expect(String(mixed![1][0])).toMatch(/^ReplyError: WRONGTYPE/);
      expect(mixed![2]).toEqual([null, 'x']);
      await expect(io.multi().set('io:a', '5').call('NOSUCHCMD').exec()).rejects.toThrow(
        'EXECABORT Transaction discarded because of previous errors.',
      );
      expect(await io.get('io:a')).toBe('2');
      await io.watch('io:a');
      await other.set('io:a', '10');
      expect(await io.multi().incr('io:a').exec()).toBeNull();
      expect(await io.get('io:a')).toBe('10');
    } finally {
      io.disconnect();
      other.disconnect();
    }
  });

  it('node-redis multi() (RESP3): results, EXECABORT, and WatchError', async () => {
    const nr = createClient({ socket: { port: suite.brook.port, host: '127.0.0.1', reconnectStrategy: false } });
    const other = createClient({ socket: { port: suite.brook.port, host: '127.0.0.1', reconnectStrategy: false } });
    nr.on('error', () => undefined);
    other.on('error', () => undefined);
    try {
      await nr.connect();
      await other.connect();
      await nr.del(['nr:a', 'nr:h']);
      expect(await nr.multi().set('nr:a', '1').incr('nr:a').hSet('nr:h', 'f', 'v').hGetAll('nr:h').exec()).toEqual([
        'OK',
        2,
        1,
        { f: 'v' },
      ]);
      // node-redis rejects with the queueing error; the server aborted the whole transaction (nr:a unchanged).
      await expect(nr.multi().set('nr:a', '5').addCommand(['NOSUCHCMD']).exec()).rejects.toThrow(/unknown command 'NOSUCHCMD'/);
      expect(await nr.get('nr:a')).toBe('2');
      await nr.watch('nr:a');
      await other.set('nr:a', '10');
      await expect(nr.multi().incr('nr:a').exec()).rejects.toThrow(/WATCH|watch/);
      expect(await nr.get('nr:a')).toBe('10');
    } finally {
      await nr.close();
      await other.close();
    }
  });
});

describe('the change feed', () => {
  const f = changeFeedSuite();

  it('a transaction that wrote reaches it as MULTI, the writes in their propagated form, EXEC', async () => {
    await f.client.call('FLUSHALL');
    for (const step of script('MULTI\nSET a 1\nGET a\nEXPIRE a 100\nSELECT 1\nSPOP nosuch\nRPUSH l x\nSELECT 0'))
      await f.client.call(...step);
    const fed = await f.fed('EXEC');
    expect(fed[0]).toEqual(['0', 'MULTI']);
    expect(fed[1]).toEqual(['0', 'SET', 'a', '1']);
    expect(fed[2][0]).toBe('0');
    expect(fed[2][1]).toBe('PEXPIREAT');
    expect(fed[3]).toEqual(['1', 'RPUSH', 'l', 'x']);
    expect(fed[4]).toEqual(['1', 'EXEC']);
    expect(fed).toHaveLength(5);
  });

  it('one write is fed alone, as Redis 7.0 propagates it; read-only and failed transactions feed nothing', async () => {
    await f.client.call('MULTI');
    await f.client.call('SET', 'b', '1');
    await f.client.call('GET', 'b');
    expect(await f.fedArgv('EXEC')).toEqual([['SET', 'b', '1']]);
    await f.client.call('MULTI');
    await f.client.call('GET', 'b');
    expect(await f.fed('EXEC')).toEqual([]);
    await f.client.call('WATCH', 'b');
    await f.client.call('SET', 'b', '2');
    await f.client.call('MULTI');
    await f.client.call('SET', 'b', '3');
    expect(await f.fed('EXEC')).toEqual([]);
    await f.client.call('MULTI');
    await f.client.call('NOSUCH');
    expect(await f.fed('EXEC')).toEqual([]);
  });

  it('a watched key alive when watched and expired (not yet reclaimed) at EXEC fails it', async () => {
    f.server.expiry.stop();
    try {
      await f.client.call('SET', 'e', 'v', 'PX', '30');
      await f.client.call('WATCH', 'e');
      await sleep(80);
      expect(f.server.ks.dbs[0].keys.has('e')).toBe(true);
      await f.client.call('MULTI');
      expect(await f.client.call('EXEC')).toBe('*-1\r\n');
      // Expired already when watched and still there at EXEC: no change.
      await f.client.call('WATCH', 'e');
      await f.client.call('MULTI');
      expect(await f.client.call('EXEC')).toBe('*0\r\n');
    } finally {
      f.server.expiry.start();
    }
  });
});
