/**
 * Pub/Sub against real redis-server: the same multi-connection scenarios on both, transcripts
 * compared byte for byte in RESP2 and RESP3 (confirmations, messages, the subscribed mode, PUBSUB,
 * shard channels, INFO), then the clients Brook's users run (ioredis 6, node-redis 6) and order.
 */
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RawClient } from './support/raw-client.js';
import { serverPair } from './support/servers.js';
import { waitUntil } from './support/wait.js';

const servers = serverPair();

/** A step: a command sent on connection `on` (an index into the scenario's connections). */
interface Step {
  on: number;
  argv: (string | Buffer)[];
}

const BARRIER = '__barrier__';

/**
 * Runs `steps` on `conns` fresh connections (each switched to `proto` first) and returns the
 * transcript: after each step, every connection's replies and pushes up to a PING barrier sent on
 * it, the stepping connection first, so output caused by one connection's command on another is
 * read deterministically (the server writes a message before it answers the PUBLISH, so before
 * the barriers that follow).
 */
async function transcript(port: number, proto: 2 | 3, conns: number, steps: readonly Step[]): Promise<string[]> {
  const cs = await Promise.all(Array.from({ length: conns }, () => RawClient.connect(port)));
  try {
    if (proto === 3) for (const c of cs) await c.call('HELLO', '3');
    const out: string[] = [];
    for (const step of steps) {
      cs[step.on].write(encode(step.argv));
      const quitting = String(step.argv[0]).toLowerCase() === 'quit';
      // The stepping connection first: once its barrier is answered, its command has run.
      for (const i of [step.on, ...cs.keys()].filter((x, k) => k === 0 || x !== step.on)) {
        if (quitting && i === step.on) {
          out.push(`${i}: ${(await cs[i].read()).toString('latin1')}`);
          await cs[i].waitClosed();
          continue;
        }
        if (cs[i].isClosed) continue;
        cs[i].write(encode(['PING', BARRIER]));
        for (;;) {
          const r = (await cs[i].read()).toString('latin1');
          if (r.includes(BARRIER)) break;
          out.push(`${i}: ${r}`);
        }
      }
    }
    return out;
  } finally {
    for (const c of cs) c.close();
  }
}

function encode(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Steps from lines "<conn> <command words...>". */
function steps(text: string): Step[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [on, ...argv] = l.split(/\s+/);
      return { on: Number(on), argv };
    });
}

async function sameAsRedis(conns: number, scenario: readonly Step[]): Promise<void> {
  for (const proto of [2, 3] as const) {
    const [b, r] = await Promise.all([
      transcript(servers.brook.port, proto, conns, scenario),
      transcript(servers.redis.port, proto, conns, scenario),
    ]);
    expect({ proto, transcript: b }).toEqual({ proto, transcript: r });
  }
}

describe('reply shapes, byte for byte with Redis (RESP2 and RESP3)', () => {
  it('subscribe and unsubscribe confirmations, counts, and unsubscribing with nothing subscribed', async () => {
    await sameAsRedis(
      1,
      steps(`
        0 UNSUBSCRIBE
        0 PUNSUBSCRIBE
        0 SUNSUBSCRIBE
        0 UNSUBSCRIBE never
        0 SUBSCRIBE a b a
        0 PSUBSCRIBE p* p*
        0 SSUBSCRIBE s1 s2
        0 UNSUBSCRIBE b zz
        0 PUNSUBSCRIBE p*
        0 UNSUBSCRIBE
        0 UNSUBSCRIBE
        0 SUNSUBSCRIBE s2
        0 SUNSUBSCRIBE
        0 SUNSUBSCRIBE
      `),
    );
  });

  it('messages to channel and pattern subscribers, and PUBLISH counting receivers', async () => {
    await sameAsRedis(
      3,
      steps(`
        0 SUBSCRIBE news
        1 PSUBSCRIBE n*
        2 PUBLISH news hello
        2 PUBLISH nope x
        2 PUBLISH other x
        0 PSUBSCRIBE ne?s
        2 PUBLISH news both
        1 PSUBSCRIBE x
        2 PUBLISH x exact-pattern
        0 UNSUBSCRIBE news
        2 PUBLISH news after
        0 PUNSUBSCRIBE
        1 PUNSUBSCRIBE
        2 PUBLISH news nobody
      `),
    );
  });

  // One pattern per connection: Redis checks patterns in its dict's hash order, Brook in subscription order.
  it('glob patterns: ?, [...], [^...], ranges and escapes', async () => {
    await sameAsRedis(
      6,
      steps(`
        0 PSUBSCRIBE h?llo
        1 PSUBSCRIBE h[ae]llo
        2 PSUBSCRIBE h[^e]lp
        3 PSUBSCRIBE h[a-c]y
        4 PSUBSCRIBE lit\\*
        5 PUBLISH hello 1
        5 PUBLISH hxllo 2
        5 PUBLISH help 3
        5 PUBLISH halp 4
        5 PUBLISH hby 5
        5 PUBLISH hdy 6
        5 PUBLISH lit* 7
        5 PUBLISH lit+ 8
      `),
    );
  });

  it('the RESP2 subscribed mode: only the subscribe family, PING, QUIT and RESET; RESP3 runs anything', async () => {
    await sameAsRedis(
      2,
      steps(`
        0 SUBSCRIBE c
        0 GET k
        0 SET k v
        0 CLIENT GETNAME
        0 PUBSUB NUMSUB c
        0 nosuchcommand x
        0 GET
        0 PING
        0 PING hi
        1 PUBLISH c m
        0 UNSUBSCRIBE c
        0 GET k
        0 SSUBSCRIBE s
        0 GET k
        0 SUBSCRIBE c
        0 UNSUBSCRIBE c
        0 GET k
        0 SUNSUBSCRIBE
        0 GET k
        0 PSUBSCRIBE p*
        0 RESET
        0 GET k
        1 PUBLISH pz gone
        0 SUBSCRIBE q
        0 QUIT
      `),
    );
  });

  it('PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB, HELP and their errors', async () => {
    await sameAsRedis(
      3,
      steps(`
        2 PUBSUB CHANNELS
        2 PUBSUB NUMPAT
        2 PUBSUB NUMSUB
        2 PUBSUB SHARDCHANNELS
        0 SUBSCRIBE alpha
        1 SUBSCRIBE alpha
        0 PSUBSCRIBE a* b*
        1 PSUBSCRIBE a*
        0 SSUBSCRIBE sh
        1 SSUBSCRIBE sh
        2 PUBSUB CHANNELS
        2 PUBSUB CHANNELS al*
        2 PUBSUB CHANNELS zz*
        2 PUBSUB NUMSUB alpha beta alpha
        2 PUBSUB NUMPAT
        2 PUBSUB SHARDCHANNELS
        2 PUBSUB SHARDCHANNELS s?
        2 PUBSUB SHARDCHANNELS x
        2 PUBSUB SHARDNUMSUB sh alpha
        2 PUBSUB SHARDNUMSUB
        2 PUBSUB HELP
        2 PUBSUB
        2 PUBSUB NOPE
        2 PUBSUB NUMPAT extra
        2 PUBSUB CHANNELS a b
        2 PUBSUB HELP extra
        2 PUBLISH onlyone
        2 PUBLISH a b c
        2 SUBSCRIBE
        2 PSUBSCRIBE
        2 SSUBSCRIBE
        2 SPUBLISH x
      `),
    );
  });

  it('shard channels are a namespace of their own', async () => {
    await sameAsRedis(
      2,
      steps(`
        0 SSUBSCRIBE ch
        0 SUBSCRIBE ch
        0 PSUBSCRIBE c*
        1 SPUBLISH ch shard-only
        1 PUBLISH ch channel-and-pattern
        1 SPUBLISH nobody x
        0 SUNSUBSCRIBE ch
        1 SPUBLISH ch gone
      `),
    );
  });

  it('a RESP3 subscriber publishing to itself gets the push before the reply', async () => {
    const scenario = steps(`
      0 SUBSCRIBE me
      0 PUBLISH me self
      0 SET k v
      0 GET k
    `);
    const [b, r] = await Promise.all([transcript(servers.brook.port, 3, 1, scenario), transcript(servers.redis.port, 3, 1, scenario)]);
    expect(b).toEqual(r);
  });

  it('channels and payloads are binary safe', async () => {
    const channel = Buffer.from([0, 13, 10, 0xff, 0x80, 0x20, 0x2a]);
    const payload = Buffer.concat([Buffer.from([0, 1, 2, 13, 10, 255]), Buffer.alloc(70000, 0xe9)]);
    const scenario: Step[] = [
      { on: 0, argv: ['SUBSCRIBE', channel] },
      { on: 0, argv: ['PSUBSCRIBE', Buffer.from([0, 13, 0x2a])] },
      { on: 1, argv: ['PUBLISH', channel, payload] },
      { on: 1, argv: ['PUBLISH', channel, ''] },
      { on: 1, argv: ['PUBSUB', 'NUMSUB', channel] },
    ];
    await sameAsRedis(2, scenario);
  });

  it('a closed subscriber is unsubscribed everywhere; INFO counts channels, patterns and shard channels', async () => {
    for (const server of [servers.brook, servers.redis]) {
      const gone = await RawClient.connect(server.port);
      const stays = await RawClient.connect(server.port);
      const admin = await RawClient.connect(server.port);
      try {
        await gone.call('SUBSCRIBE', 'a');
        await gone.call('SUBSCRIBE', 'b');
        await gone.call('PSUBSCRIBE', 'p1');
        await gone.call('SSUBSCRIBE', 's');
        await stays.call('SUBSCRIBE', 'a');
        gone.close();
        const counts = async (): Promise<string> =>
          [
            await admin.call('PUBSUB', 'NUMSUB', 'a', 'b'),
            await admin.call('PUBSUB', 'NUMPAT'),
            await admin.call('PUBSUB', 'SHARDNUMSUB', 's'),
            await admin.call('PUBLISH', 'a', 'm'),
          ].join('');
        let now = await counts();
        // The close reaches the server a little after the client's close: poll, as a client would.
        for (let i = 0; i < 200 && now.includes(':2\r\n'); i++) {
          await new Promise((r) => setTimeout(r, 10));
          now = await counts();
        }
        expect(now).toBe('*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:0\r\n:0\r\n*2\r\n$1\r\ns\r\n:0\r\n:1\r\n');
      } finally {
        stays.close();
        admin.close();
      }
    }
    const info = async (port: number, prepare: (c: RawClient) => Promise<void>): Promise<string> => {
      const c = await RawClient.connect(port);
      const other = await RawClient.connect(port);
      try {
        await prepare(c);
        const text = await other.call('INFO', 'stats');
        return text
          .split('\r\n')
          .filter((l) => l.startsWith('pubsub'))
          .join(' ');
      } finally {
        c.close();
        other.close();
      }
    };
    const prepare = async (c: RawClient): Promise<void> => {
      await c.call('SSUBSCRIBE', 's1');
      await c.call('SSUBSCRIBE', 's2');
      await c.call('PSUBSCRIBE', 'p');
      await c.call('SUBSCRIBE', 'x');
    };
    const [b, r] = await Promise.all([info(servers.brook.port, prepare), info(servers.redis.port, prepare)]);
    expect(b).toBe(r);
    expect(b).toBe('pubsub_channels:1 pubsub_patterns:1 pubsubshard_channels:2');
  });
});

describe('the subscriber as CLIENT LIST shows it', () => {
  it('sub/psub/ssub counts and flag P while subscribed, in both protocols', async () => {
    for (const proto of ['2', '3']) {
      const c = await RawClient.connect(servers.brook.port);
      const admin = await RawClient.connect(servers.brook.port);
      try {
        await c.call('HELLO', proto);
        await c.call('CLIENT', 'SETNAME', 'sub' + proto);
        await c.call('SUBSCRIBE', 'a');
        await c.call('SUBSCRIBE', 'b');
        await c.call('PSUBSCRIBE', 'p');
        await c.call('SSUBSCRIBE', 's');
        const line = (await admin.call('CLIENT', 'LIST')).split('\n').find((l) => l.includes(`name=sub${proto} `))!;
        expect(line).toMatch(/ flags=P .* sub=2 psub=1 ssub=1 /);
        expect(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).toContain(`name=sub${proto} `);
        await c.call('UNSUBSCRIBE');
        await c.call('PUNSUBSCRIBE');
        await c.call('SUNSUBSCRIBE');
        const after = (await admin.call('CLIENT', 'LIST')).split('\n').find((l) => l.includes(`name=sub${proto} `))!;
        expect(after).toMatch(/ flags=N .* sub=0 psub=0 ssub=0 /);
      } finally {
        c.close();
        admin.close();
      }
    }
  });
});

describe('clients', () => {
  it('ioredis 6 (RESP3 by default): subscribe, psubscribe, publish round trips', async () => {
    const sub = new Redis({ port: servers.brook.port, host: '127.0.0.1', lazyConnect: true });
    const pub = new Redis({ port: servers.brook.port, host: '127.0.0.1', lazyConnect: true });
    try {
      await sub.connect();
      await pub.connect();
      const got: string[] = [];
      sub.on('message', (ch: string, m: string) => got.push(`message ${ch} ${m}`));
      sub.on('pmessage', (p: string, ch: string, m: string) => got.push(`pmessage ${p} ${ch} ${m}`));
      expect(await sub.subscribe('orders', 'users')).toBe(2);
      expect(await sub.psubscribe('ord*')).toBe(3);
      expect(await pub.publish('orders', 'o1')).toBe(2);
      expect(await pub.publish('users', 'u1')).toBe(1);
      expect(await pub.publish('ordinal', 'x')).toBe(1);
      await waitUntil(() => got.length === 4, 'the messages', 20000);
      expect(got).toEqual(['message orders o1', 'pmessage ord* orders o1', 'message users u1', 'pmessage ord* ordinal x']);
      // ioredis 6 speaks RESP3, where a subscribed connection still runs ordinary commands.
      expect(await sub.set('k', 'v')).toBe('OK');
      await sub.unsubscribe('orders');
      expect(await pub.publish('orders', 'o2')).toBe(1);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  it('ioredis with protocol 2: binary messages as RESP2 arrays', async () => {
    const sub = new Redis({ port: servers.brook.port, host: '127.0.0.1', protocol: 2, lazyConnect: true });
    const raw = await RawClient.connect(servers.brook.port);
    try {
      await sub.connect();
      const got: string[] = [];
      sub.on('messageBuffer', (ch: Buffer, m: Buffer) => got.push(`${ch.toString('latin1')}=${m.toString('hex')}`));
      await sub.subscribe('bin');
      await raw.call('PUBLISH', 'bin', Buffer.from([0, 255, 13, 10]));
      await waitUntil(() => got.length === 1, 'the messages', 20000);
      expect(got).toEqual(['bin=00ff0d0a']);
      expect(await raw.call('PUBSUB', 'NUMSUB', 'bin')).toBe('*2\r\n$3\r\nbin\r\n:1\r\n');
    } finally {
      sub.disconnect();
      raw.close();
    }
  });

  it('node-redis 6 (RESP3 by default): subscribe, pSubscribe, sSubscribe, publish', async () => {
    const client = createClient({ socket: { port: servers.brook.port, host: '127.0.0.1', reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    const sub = client.duplicate();
    sub.on('error', () => undefined);
    await sub.connect();
    try {
      const got: string[] = [];
      await sub.subscribe('chan', (m, ch) => got.push(`chan ${ch} ${m}`));
      await sub.pSubscribe('ch*', (m, ch) => got.push(`pattern ${ch} ${m}`));
      await sub.sSubscribe('shard', (m, ch) => got.push(`shard ${ch} ${m}`));
      expect(await client.publish('chan', 'one')).toBe(2);
      expect(await client.sPublish('shard', 'two')).toBe(1);
      await waitUntil(() => got.length === 3, 'the messages', 20000);
      expect(got).toEqual(['chan chan one', 'pattern chan one', 'shard shard two']);
      expect(await client.pubSubNumSub(['chan'])).toEqual({ chan: 1 });
      expect(await client.pubSubNumPat()).toBe(1);
      await sub.unsubscribe('chan');
      await sub.pUnsubscribe('ch*');
      await sub.sUnsubscribe('shard');
      expect(await client.publish('chan', 'none')).toBe(0);
    } finally {
      await sub.close();
      await client.close();
    }
  });

  it('per-publisher order is kept across a pipelined burst, for channel and pattern subscribers', async () => {
    const sub = new Redis({ port: servers.brook.port, host: '127.0.0.1', lazyConnect: true });
    const pub = new Redis({ port: servers.brook.port, host: '127.0.0.1', lazyConnect: true });
    try {
      await sub.connect();
      await pub.connect();
      const channel: number[] = [];
      const pattern: number[] = [];
      sub.on('message', (_ch: string, m: string) => channel.push(Number(m)));
      sub.on('pmessage', (_p: string, _ch: string, m: string) => pattern.push(Number(m)));
      await sub.subscribe('burst');
      await sub.psubscribe('bur*');
      const n = 20000;
      const p = pub.pipeline();
      for (let i = 0; i < n; i++) p.publish('burst', String(i));
      await p.exec();
      await waitUntil(() => channel.length === n && pattern.length === n, 'the messages', 20000);
      const inOrder = (xs: number[]): boolean => xs.every((x, i) => x === i);
      expect(inOrder(channel)).toBe(true);
      expect(inOrder(pattern)).toBe(true);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });
});
