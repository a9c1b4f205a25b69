/**
 * ACL: users, rules, the permission matrix and ACL LOG, each compared reply by reply with a real
 * redis-server 7.0.15 given the same commands.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RawClient } from '../support/raw-client.js';
import { serverPair, type ServerPair } from '../support/servers.js';
import type { Step } from '../support/differential.js';

/** Runs each step on both servers through the given connections; returns every reply that differs. */
async function compare(brook: RawClient, redis: RawClient, steps: readonly Step[], normalize = (s: string) => s): Promise<string[]> {
  const out: string[] = [];
  for (const step of steps) {
    const [b, r] = await Promise.all([brook.call(...step), redis.call(...step)]);
    if (normalize(b) !== normalize(r)) out.push(`${step.join(' ')}\n  brook: ${JSON.stringify(b)}\n  redis: ${JSON.stringify(r)}`);
  }
  return out;
}

/** A connection to each server, authenticated as `user` when given. */
async function connectBoth(pair: ServerPair, user?: [string, string]): Promise<[RawClient, RawClient]> {
  const b = await RawClient.connect(pair.brook.port);
  const r = await RawClient.connect(pair.redis.port);
  if (user) {
    expect(await b.call('AUTH', ...user)).toBe('+OK\r\n');
    expect(await r.call('AUTH', ...user)).toBe('+OK\r\n');
  }
  return [b, r];
}

/** Splits "a b 'c d'" into words; single quotes keep spaces. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

const steps = (text: string): Step[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(words);

describe('ACL rules and replies, differential against real Redis', () => {
  const pair = serverPair();
  let admin: [RawClient, RawClient];
  beforeAll(async () => {
    admin = await connectBoth(pair);
  });
  afterAll(() => admin.forEach((c) => c.close()));

  it('SETUSER, GETUSER, LIST, USERS and DELUSER with canonical rule strings', async () => {
    const s = steps(`
      ACL SETUSER alice
      ACL GETUSER alice
      ACL SETUSER bob on >pw ~foo* %R~bar* %W~w* &ch* +get -@dangerous
      ACL GETUSER bob
      ACL SETUSER carl (~x* +get) (+set ~y*)
      ACL GETUSER carl
      ACL SETUSER eve on nopass +@all -@dangerous ~*
      ACL SETUSER gus on +@all -@write +set
      ACL SETUSER hal reset
      ACL SETUSER ivy on +select|0 +select|1 #0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      ACL SETUSER ivy -select !0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      ACL SETUSER jon on >a >b <a %RW~k* %R~k* allchannels
      ACL SETUSER kim on +@hash -hget +client|setname resetkeys ~k
      ACL SETUSER kim nocommands +@read
      ACL SETUSER lee on allcommands -config|set allkeys
      ACL GETUSER lee
      ACL LIST
      ACL USERS
      ACL GETUSER nobody
      ACL SETUSER kim clearselectors (+get ~a) skip-sanitize-payload
      ACL GETUSER kim
      ACL DELUSER nobody alice
      ACL DELUSER default
      ACL LIST
    `);
    expect(await compare(...admin, s)).toEqual([]);
  });

  it('refuses bad rules with Redis error texts, changing nothing', async () => {
    const s = steps(`
      ACL SETUSER dan on ~* ~foo
      ACL SETUSER dan &* &foo
      ACL SETUSER dan +nosuch
      ACL SETUSER dan +@nosuch
      ACL SETUSER dan -@nosuch
      ACL SETUSER dan bogus
      ACL SETUSER dan <nopw
      ACL SETUSER dan #abc
      ACL SETUSER dan !ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789
      ACL SETUSER dan +client|setname|x
      ACL SETUSER dan +client|nosuch
      ACL SETUSER dan +get|
      ACL SETUSER dan +get|a|b
      ACL SETUSER dan (+get x
      ACL SETUSER dan (+nosuch)
      ACL SETUSER dan %X~foo
      ACL SETUSER dan %RR~foo
      ACL SETUSER 'a b'
      ACL GETUSER dan
      ACL DRYRUN nobody get x
      ACL CAT nosuch
      ACL CAT a b
      ACL GENPASS 0
      ACL GENPASS 4097
      ACL GENPASS x
      ACL GENPASS 1 2
      ACL LOG x
      ACL LOG 1 2
      ACL LOAD
      ACL SAVE
      ACL NOSUCH
      ACL
      ACL HELP
      ACL WHOAMI
      ACL CAT
    `);
    expect(await compare(...admin, s)).toEqual([]);
  });

  it('GENPASS returns the number of hex characters the bits need', async () => {
    const [b] = admin;
    expect(await b.call('ACL', 'GENPASS')).toMatch(/^\$64\r\n[0-9a-f]{64}\r\n$/);
    expect(await b.call('ACL', 'GENPASS', '5')).toMatch(/^\$2\r\n[0-9a-f]{2}\r\n$/);
  });

  it('ACL CAT lists the same commands per category as Redis, for the commands Brook has', async () => {
    const brook = new Redis(pair.brook.port, { lazyConnect: true });
    const redis = new Redis(pair.redis.port, { lazyConnect: true });
    try {
      const cats = (await brook.call('ACL', 'CAT')) as string[];
      expect(cats).toEqual(await redis.call('ACL', 'CAT'));
      // Brook has a few commands Redis 7.0 lacks (CLIENT SETINFO...) and lacks some it has (EVAL...): compare the common ones.
      const names = async (c: Redis): Promise<Set<string>> => {
        const known = new Set<string>();
        for (const info of (await c.call('COMMAND')) as [string, ...unknown[]][]) {
          known.add(info[0]);
          for (const s of (info[9] as [string][] | undefined) ?? []) known.add(s[0]);
        }
        return known;
      };
      const inRedis = await names(redis);
      const known = new Set([...(await names(brook))].filter((n) => inRedis.has(n)));
      const differences: string[] = [];
      for (const cat of cats) {
        const b = ((await brook.call('ACL', 'CAT', cat)) as string[]).filter((c) => known.has(c)).sort();
        const r = ((await redis.call('ACL', 'CAT', cat)) as string[]).filter((c) => known.has(c)).sort();
        if (JSON.stringify(b) !== JSON.stringify(r)) differences.push(`${cat}: brook ${b.join(',')}\n redis ${r.join(',')}`);
      }
      expect(differences).toEqual([]);
    } finally {
      brook.disconnect();
      redis.disconnect();
    }
  });
});

describe('ACL permission matrix, differential against real Redis', () => {
  const pair = serverPair();
  let admin: [RawClient, RawClient];
  let bob: [RawClient, RawClient];
  beforeAll(async () => {
    admin = await connectBoth(pair);
    const setup = steps(`
      ACL SETUSER bob on >pw ~foo* %R~bar* %W~w* &ch* +get +set +publish +subscribe +psubscribe +client|setname +select|0 +multi +exec +del +exists +lpush +lmove +mget +acl|whoami +ping +auth +hset +rpush (~sel* +hget)
      ACL SETUSER cat on >pw +@read +@hash -hgetall -@dangerous ~* &*
      SET foo1 x
      SET bar1 y
      RPUSH foolist a b
      HSET selh f v
    `);
    expect(await compare(...admin, setup)).toEqual([]);
    bob = await connectBoth(pair, ['bob', 'pw']);
  });
  afterAll(() => [...admin, ...bob].forEach((c) => c.close()));

  it('commands, subcommands, first args and categories', async () => {
    const s = steps(`
      GET foo1
      HSET foo1 a b
      CLIENT SETNAME x
      CLIENT GETNAME
      CLIENT LIST
      SELECT 0
      SELECT 1
      ACL WHOAMI
      ACL LIST
      CONFIG GET maxmemory
      PING
      NOSUCH x
      GET
    `);
    expect(await compare(...bob, s)).toEqual([]);
    const [cb, cr] = await connectBoth(pair, ['cat', 'pw']);
    try {
      const s2 = steps(`
        GET foo1
        HGET selh f
        HGETALL selh
        HSET selh g v
        SET a b
        KEYS *
        DBSIZE
        FLUSHALL
      `);
      expect(await compare(cb, cr, s2)).toEqual([]);
    } finally {
      cb.close();
      cr.close();
    }
  });

  it('keys: ~ patterns, read-only %R~ and write-only %W~ patterns, by each key spec', async () => {
    const s = steps(`
      GET foo1
      GET bar1
      GET w1
      GET zzz
      SET foo2 x
      SET bar2 x
      SET w1 x
      SET w1 x GET
      EXISTS w1 bar1 zzz
      DEL bar1
      DEL w1
      MGET foo1 bar1
      MGET foo1 bar1 zzz
      LMOVE foolist w2 LEFT RIGHT
      LMOVE w2 foolist LEFT RIGHT
      LPUSH w3 a
      LPUSH bar3 a
      HGET selh f
      HGET foo1 f
      HSET selh f v
    `);
    expect(await compare(...bob, s)).toEqual([]);
  });

  it('channels: PUBLISH and SUBSCRIBE by pattern, PSUBSCRIBE literally', async () => {
    const s = steps(`
      PUBLISH chan m
      PUBLISH other m
      PSUBSCRIBE ch
      PSUBSCRIBE xx
      PSUBSCRIBE ch*
      SUBSCRIBE other
    `);
    expect(await compare(...bob, s)).toEqual([]);
    const [sb, sr] = await connectBoth(pair, ['bob', 'pw']);
    try {
      expect(await compare(sb, sr, [['SUBSCRIBE', 'chan', 'channel2']])).toEqual([]);
    } finally {
      sb.close();
      sr.close();
    }
  });

  it('ACL DRYRUN answers as the checks would', async () => {
    const s = steps(`
      ACL DRYRUN bob GET foo1
      ACL DRYRUN bob GET zzz
      ACL DRYRUN bob SET bar1 x
      ACL DRYRUN bob SET w1 x GET
      ACL DRYRUN bob HGETALL foo1
      ACL DRYRUN bob HGET selh f
      ACL DRYRUN bob CLIENT SETNAME x
      ACL DRYRUN bob CLIENT KILL ID 1
      ACL DRYRUN bob CLIENT NOSUCH
      ACL DRYRUN bob CLIENT
      ACL DRYRUN bob GET
      ACL DRYRUN bob NOSUCH
      ACL DRYRUN bob PUBLISH chan m
      ACL DRYRUN bob PUBLISH other m
      ACL DRYRUN bob SUBSCRIBE chan other
      ACL DRYRUN bob PSUBSCRIBE ch*
      ACL DRYRUN bob SELECT 0
      ACL DRYRUN bob SELECT 2
      ACL DRYRUN bob EXISTS w1 bar1 zzz
    `);
    expect(await compare(...admin, s)).toEqual([]);
  });

  it("SORT's STORE destination is checked as a written key, the sorted key as a read one", async () => {
    const s = steps(`
      ACL SETUSER sorter on nopass +@all %R~src* %W~dst*
      ACL DRYRUN sorter SORT src STORE dst
      ACL DRYRUN sorter SORT src STORE src2
      ACL DRYRUN sorter SORT dst STORE dst
      ACL DRYRUN sorter SORT src BY w_* LIMIT 0 1 STORE dst
      ACL DRYRUN sorter SORT_RO dst
      COMMAND GETKEYSANDFLAGS SORT a BY x STORE b
    `);
    expect(await compare(...admin, s)).toEqual([]);
  });

  it('MULTI: a denied command aborts EXEC; rules changed before EXEC deny with the EXEC text', async () => {
    const s = steps(`
      MULTI
      GET foo1
      HGETALL foo1
      EXEC
      MULTI
      GET foo1
      SET foo9 v
      EXEC
    `);
    expect(await compare(...bob, s)).toEqual([]);
    expect(await compare(...bob, steps('MULTI\nGET foo1\nSET foo9 v\nGET bar1'))).toEqual([]);
    expect(await compare(...admin, steps('ACL SETUSER bob -set resetkeys %R~foo*'))).toEqual([]);
    expect(await compare(...bob, steps('EXEC'))).toEqual([]);
  });
});

/** ACL LOG entries with the two fields that differ between servers (age, client line) checked apart. */
async function logEntries(port: number): Promise<{ fields: unknown[][]; clientInfos: string[] }> {
  const c = new Redis(port, { lazyConnect: true });
  try {
    const entries = (await c.call('ACL', 'LOG')) as unknown[][];
    const clientInfos: string[] = [];
    const fields = entries.map((e) => {
      const out: unknown[] = [];
      for (let i = 0; i < e.length; i += 2) {
        if (e[i] === 'age-seconds') expect(Number(e[i + 1])).toBeGreaterThanOrEqual(0);
        else if (e[i] === 'client-info') clientInfos.push(e[i + 1] as string);
        else out.push(e[i], e[i + 1]);
      }
      return out;
    });
    return { fields, clientInfos };
  } finally {
    c.disconnect();
  }
}

describe('ACL LOG, AUTH and clients of changed users', () => {
  const pair = serverPair();
  let admin: [RawClient, RawClient];
  beforeAll(async () => {
    admin = await connectBoth(pair);
    expect(await compare(...admin, steps('ACL SETUSER bob on >pw ~foo* &ch* +get +multi +exec +subscribe +ping +acl|whoami'))).toEqual([]);
  });
  afterAll(() => admin.forEach((c) => c.close()));

  it('logs denied commands, keys, channels and failed AUTH like Redis, grouping repeats', async () => {
    const [b, r] = await connectBoth(pair, ['bob', 'pw']);
    try {
      const s = steps(`
        SET foo1 x
        SET foo1 x
        GET bar
        MULTI
        GET other
        EXEC
        SUBSCRIBE nope
        AUTH bob wrong
        AUTH nobody x
        HELLO 2 AUTH bob wrong
      `);
      expect(await compare(b, r, s)).toEqual([]);
      const [brook, redis] = await Promise.all([logEntries(pair.brook.port), logEntries(pair.redis.port)]);
      expect(brook.fields).toEqual(redis.fields);
      expect(brook.fields.length).toBe(7);
      // The client line names the client's user and the denied command, as Redis's does.
      expect(brook.clientInfos[brook.clientInfos.length - 1]).toMatch(/ cmd=set user=bob /);
    } finally {
      b.close();
      r.close();
    }
    expect(await compare(...admin, steps('ACL LOG RESET\nACL LOG\nACL LOG 0'))).toEqual([]);
  });

  it('AUTH and HELLO AUTH with users, passwords, disabled users and requirepass', async () => {
    const [b, r] = await connectBoth(pair);
    try {
      const s = steps(`
        AUTH x
        AUTH default x
        AUTH a b c
        AUTH bob pw
        ACL WHOAMI
        AUTH bob nope
        HELLO 2 AUTH default anything
        ACL WHOAMI
      `);
      expect(await compare(b, r, s, (reply) => reply.replace(/\r\nid\r\n:\d+/, '\r\nid\r\n:ID'))).toEqual([]);
      expect(await compare(...admin, steps('ACL SETUSER bob off'))).toEqual([]);
      expect(await compare(b, r, steps('AUTH bob pw\nACL SETUSER nobody'))).toEqual([]);
      expect(await compare(...admin, steps('ACL SETUSER bob on\nCONFIG SET requirepass secret\nACL GETUSER default'))).toEqual([]);
    } finally {
      b.close();
      r.close();
    }
    const [b2, r2] = await connectBoth(pair);
    try {
      const s = steps(`
        PING
        HELLO 2
        AUTH wrong
        AUTH secret
        PING
        ACL SETUSER default resetpass nopass
        CONFIG SET requirepass ''
      `);
      expect(await compare(b2, r2, s)).toEqual([]);
    } finally {
      b2.close();
      r2.close();
    }
  });

  it('redis-cli --user/--pass and ioredis with username and password', async () => {
    const { spawnSync } = await import('node:child_process');
    const cli = (port: number, ...args: string[]) =>
      spawnSync('redis-cli', ['-p', String(port), '--user', 'bob', '--pass', 'pw', '--no-auth-warning', ...args], { encoding: 'utf8' })
        .stdout;
    expect(cli(pair.brook.port, 'ACL', 'WHOAMI')).toBe(cli(pair.redis.port, 'ACL', 'WHOAMI'));
    expect(cli(pair.brook.port, 'SET', 'foo', 'x')).toBe(cli(pair.redis.port, 'SET', 'foo', 'x'));
    const io = new Redis({ port: pair.brook.port, username: 'bob', password: 'pw', lazyConnect: true, enableReadyCheck: false });
    try {
      await io.connect();
      expect(await io.call('ACL', 'WHOAMI')).toBe('bob');
      await expect(io.set('foo', 'x')).rejects.toThrow("NOPERM this user has no permissions to run the 'set' command");
      await expect(io.call('AUTH', 'bob', 'nope')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    } finally {
      io.disconnect();
    }
  });

  it('ACL DELUSER disconnects the user’s clients; revoking a channel disconnects its subscribers', async () => {
    expect(await compare(...admin, steps('ACL SETUSER tmp on >pw +@all ~* &news*'))).toEqual([]);
    const [b, r] = await connectBoth(pair, ['tmp', 'pw']);
    const [sb, sr] = await connectBoth(pair, ['tmp', 'pw']);
    const [kb, kr] = await connectBoth(pair, ['tmp', 'pw']);
    try {
      expect(await compare(sb, sr, [['SUBSCRIBE', 'news1']])).toEqual([]);
      expect(await compare(...admin, steps('ACL SETUSER tmp resetchannels &other'))).toEqual([]);
      expect(await compare(b, r, steps('PING'))).toEqual([]);
      for (const c of [sb, sr]) await expect(c.read(2000)).rejects.toThrow('connection closed');
      // The user deleting itself gets its reply, then is disconnected, as in Redis.
      expect(await compare(b, r, steps('ACL DELUSER tmp'))).toEqual([]);
      for (const c of [b, r, kb, kr]) await expect(c.read(2000)).rejects.toThrow('connection closed');
    } finally {
      [b, r, sb, sr, kb, kr].forEach((c) => c.close());
    }
  });
});
