/**
 * Keyspace notifications against a real redis-server: every family's writes run on both servers
 * while a subscriber to `__key*__:*` records what each published; the (channel, message)
 * sequences must be identical, under several notify-keyspace-events settings.
 */
import { describe, expect, it } from '@jest/globals';
import { script, type Step } from './support/differential.js';
import { NotificationCapture, notificationSuite } from './support/notifications.js';
import { encodeCommand, RawClient } from './support/raw-client.js';
import { waitBlockedClients } from './support/blocked.js';
import { startBrookProcess, startRedis } from './support/servers.js';

/** One script per family; replies are compared too (a script that behaves differently proves nothing). */
const SCRIPTS: Record<string, string> = {
  strings: `
    SET s v
    SET s v2 EX 100
    SET s v3 KEEPTTL
    SET s v4 XX PX 100000
    SET s2 v NX GET
    SET s2 v NX
    SETNX s3 x
    SETNX s3 y
    SETEX s4 100 v
    PSETEX s5 100000 v
    GETSET s w
    GETDEL s
    GETDEL s
    GETEX s4 PERSIST
    GETEX s4 PERSIST
    GETEX s5 EX 100
    GETEX s5 PXAT 1
    GETEX nope EX 100
    MSET a 1 b 2
    MSETNX c 1 d 2
    MSETNX c 1 e 2
    APPEND a x
    APPEND fresh x
    SETRANGE a 5 y
    SETRANGE fresh2 2 y
    INCR n
    INCRBY n 5
    DECR n
    DECRBY n 2
    INCRBYFLOAT f 1.5
    INCRBYFLOAT f 1.5
    INCR a
    GET s2
    STRLEN a
  `,
  bitmaps: `
    SETBIT bm 7 1
    SETBIT bm 7 1
    SETBIT bm 100 0
    BITFIELD bf SET u8 0 255 GET u8 0
    BITFIELD bf INCRBY u8 0 1
    BITFIELD bf GET u8 0
    BITFIELD_RO bf GET u8 0
    BITFIELD bf OVERFLOW FAIL INCRBY u8 0 1000
    BITFIELD bf2 OVERFLOW FAIL INCRBY u2 0 10
    SET x1 abc
    SET x2 ab
    BITOP AND dst x1 x2
    BITOP OR dst nope1 nope2
    BITOP OR dst nope1 nope2
  `,
  hyperloglog: `
    PFADD h a b c
    PFADD h a
    PFADD h2
    PFADD h3 x y
    PFCOUNT h
    PFMERGE hm h h3
    PFMERGE hm2 nope
  `,
  generic: `
    SET a 1
    EXPIRE a 100
    PEXPIRE a 100000
    EXPIREAT a 99999999999
    EXPIRE a 100 NX
    EXPIRE nope 100
    PERSIST a
    PERSIST a
    EXPIRE a -1
    SET a 1
    RENAME a b
    RENAMENX b c
    SET d 1
    RENAMENX c d
    RENAME c c
    RENAME d c
    MOVE c 1
    MOVE c 1
    SET d 1
    COPY d e
    COPY d e
    COPY d e REPLACE
    COPY d x DB 2
    DEL d e nope
    UNLINK x
    SET t 1
    TOUCH t nope
    RPUSH l 3 1 2
    SORT l STORE sl
    SORT l BY nosort STORE sl
    SORT nope STORE sl
    SORT_RO l
    SELECT 1
    DEL c
    SELECT 2
    DEL x
    SELECT 0
    SWAPDB 0 1
    FLUSHDB
  `,
  lists: `
    LPUSH l a b c
    RPUSH l d
    LPUSHX l e
    RPUSHX nol e
    LINSERT l BEFORE a z
    LINSERT l BEFORE nope z
    LSET l 0 q
    LREM l 1 q
    LREM l 1 nope
    LTRIM l 0 3
    LTRIM l 0 -1
    LPOP l
    RPOP l 1
    LPOP nope
    LMOVE l l2 LEFT RIGHT
    RPOPLPUSH l2 l
    LMOVE l l LEFT LEFT
    LMPOP 1 l LEFT COUNT 10
    LPUSH l a
    BLPOP l 0
    RPUSH l a b
    BRPOP l 0
    BLMOVE l l3 RIGHT LEFT 0
    BLMPOP 0 2 nope l3 RIGHT COUNT 1
    RPUSH l4 a b
    LTRIM l4 1 0
    RPUSH l5 a
    LMOVE l5 l5 LEFT RIGHT
    LRANGE l5 0 -1
  `,
  hashes: `
    HSET h f v g w
    HSET h f v2
    HSETNX h f x
    HSETNX h n x
    HMSET h a 1 b 2
    HINCRBY h a 5
    HINCRBYFLOAT h b 1.5
    HDEL h f nope
    HDEL h nope
    HDEL nope f
    HDEL h g n a b
    HINCRBY h2 x 1
    HINCRBYFLOAT h3 x 1
    HSET h4 a 1
    HDEL h4 a
  `,
  sets: `
    SADD s a b
    SADD s a
    SREM s a
    SREM s zz
    SMOVE s s2 b
    SMOVE s2 s3 zz
    SADD s4 x y
    SMOVE s4 s3 x
    SADD s 1 2 3 4
    SPOP s 0
    SPOP s 10
    SPOP nope 3
    SADD s 1 2
    SADD t 2 3
    SINTERSTORE i s t
    SUNIONSTORE u s t
    SDIFFSTORE d s t
    SINTERSTORE i s nope
    SUNIONSTORE u nope1 nope2
    SDIFFSTORE d t t
    SDIFFSTORE d t t
  `,
  zsets: `
    ZADD z 1 a 2 b 3 c 4 d
    ZADD z 1 a
    ZADD z XX CH 5 a
    ZADD z NX 7 a
    ZADD z INCR 5 a
    ZINCRBY z 1 b
    ZINCRBY z2 1 b
    ZREM z a nope
    ZREM z nope
    ZREMRANGEBYSCORE z 100 200
    ZREMRANGEBYSCORE z 3 3
    ZADD z 0 e 0 f 0 g 10 h 11 i
    ZREMRANGEBYLEX z [e [f
    ZREMRANGEBYRANK z 0 0
    ZPOPMIN z
    ZPOPMAX z 2
    ZADD y 1 a 2 b
    ZADD w 1 b 2 c
    ZUNIONSTORE u 2 y w
    ZINTERSTORE i 2 y w
    ZDIFFSTORE d 2 y w
    ZRANGESTORE r y 0 -1
    ZINTERSTORE i 2 y nope
    ZDIFFSTORE d 2 y y
    ZRANGESTORE r y 5 10
    ZMPOP 2 nope y MIN COUNT 5
    BZPOPMIN w 0
    BZMPOP 0 1 w MAX
    ZADD q 1 a
    ZPOPMAX q 5
    ZREMRANGEBYRANK z 0 -1
  `,
  geo: `
    GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
    GEOADD g 13.361389 38.115556 Palermo
    GEOADD g XX 13.361389 38.115556 Nowhere
    GEOADD g2 NX 1 1 a
    GEORADIUS g 15 37 200 km STORE gs
    GEORADIUS g 15 37 200 km STOREDIST gd
    GEORADIUSBYMEMBER g Palermo 500 km STORE gm
    GEOSEARCHSTORE gs2 g FROMLONLAT 15 37 BYRADIUS 200 km
    GEOSEARCHSTORE gs2 g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
    GEOSEARCHSTORE gs2 g FROMLONLAT 0 0 BYRADIUS 1 km
    GEORADIUS g 0 0 1 km STORE gs
    GEORADIUS nope 0 0 1 km STORE gd
  `,
  streams: `
    XADD x 1-1 f v
    XADD x MAXLEN 1 2-1 f v
    XADD x MAXLEN 5 3-1 f v
    XADD nox NOMKSTREAM 1-1 f v
    XTRIM x MAXLEN 0
    XTRIM x MAXLEN 0
    XADD x 4-1 f v
    XDEL x 4-1
    XDEL x 9-9
    XSETID x 10-0
    XGROUP CREATE x g $
    XGROUP CREATE x g $
    XGROUP CREATE x2 g $ MKSTREAM
    XGROUP CREATECONSUMER x g c1
    XGROUP CREATECONSUMER x g c1
    XADD x 11-0 f v
    XADD x 12-0 f v
    XREADGROUP GROUP g c2 COUNT 1 STREAMS x >
    XREADGROUP GROUP g c2 COUNT 1 STREAMS x >
    XREADGROUP GROUP g c7 STREAMS x >
    XREADGROUP GROUP g c8 STREAMS x 0
    XREADGROUP GROUP g c5 NOACK STREAMS x 0
    XCLAIM x g c3 0 11-0
    XCLAIM x g c3 0 11-0
    XCLAIM x g c6 0 99-0
    XAUTOCLAIM x g c4 0 0
    XACK x g 11-0
    XGROUP SETID x g 0
    XGROUP DELCONSUMER x g c1
    XGROUP DELCONSUMER x g nobody
    XGROUP DESTROY x g
    XGROUP DESTROY x g
  `,
  // Reads of absent keys: keymiss (class m) wherever Redis's lookupKeyRead misses.
  misses: `
    GET m
    MGET m1 m2
    STRLEN m
    GETRANGE m 0 1
    EXISTS m m2
    TYPE m
    TTL m
    PTTL m
    EXPIRETIME m
    OBJECT ENCODING m
    GETBIT m 1
    BITCOUNT m
    BITPOS m 1
    BITFIELD_RO m GET u8 0
    PFCOUNT m
    LLEN m
    LRANGE m 0 -1
    LINDEX m 0
    LPOS m a
    HGET m f
    HMGET m f g
    HGETALL m
    HLEN m
    HEXISTS m f
    HKEYS m
    HRANDFIELD m
    HSCAN m 0
    SMEMBERS m
    SCARD m
    SISMEMBER m a
    SINTER m m2
    SINTERCARD 2 m m2
    SUNION m m2
    SRANDMEMBER m
    SSCAN m 0
    ZSCORE m a
    ZRANGE m 0 -1
    ZCARD m
    ZRANK m a
    ZCOUNT m 0 1
    ZUNION 2 m m2
    ZRANDMEMBER m
    ZSCAN m 0
    GEOPOS m a
    GEODIST m a b
    GEOSEARCH m FROMLONLAT 0 0 BYRADIUS 1 km
    XLEN m
    XRANGE m - +
    XREAD STREAMS m 0
    XINFO STREAM m
    XPENDING m g
    SORT m
    COPY m m2
    RENAME m m2
    MOVE m 1
    LCS m m2
  `,
};

const SETTINGS = [
  'KEA', // everything (but new keys and misses)
  'AKEn', // plus new keys
  'Em', // key misses only, keyevent channels only
  'Kgx', // keyspace channels, generic and expired only
  'E$lshzt', // keyevent channels, the type classes only
  'Kn', // new keys only
  'A', // classes but neither K nor E: nothing is published
];

describe('keyspace notifications: every family against redis-server', () => {
  const s = notificationSuite();

  for (const classes of SETTINGS) {
    for (const [family, text] of Object.entries(SCRIPTS)) {
      it(`${family} with notify-keyspace-events ${classes}`, async () => {
        await s.n.configure(classes);
        const run = await s.n.run(script(text));
        expect(run.replies).toEqual([]);
        expect(run.brook).toEqual(run.redis);
      });
    }
  }

  it('publishes nothing by default and after the setting is cleared', async () => {
    await s.n.configure('');
    const run = await s.n.run(script(SCRIPTS.lists));
    expect(run.brook).toEqual([]);
    expect(run.redis).toEqual([]);
  });

  it('sends both channels for each event in order: keyspace first, then keyevent', async () => {
    await s.n.configure('KEA');
    const run = await s.n.run(script('SET k v EX 100\nLPUSH l a\nLPOP l'));
    expect(run.brook).toEqual([
      '__keyspace@0__:k set',
      '__keyevent@0__:set k',
      '__keyspace@0__:k expire',
      '__keyevent@0__:expire k',
      '__keyspace@0__:l lpush',
      '__keyevent@0__:lpush l',
      '__keyspace@0__:l lpop',
      '__keyevent@0__:lpop l',
      '__keyspace@0__:l del',
      '__keyevent@0__:del l',
    ]);
    expect(run.brook).toEqual(run.redis);
  });

  it('names the database of the key and carries binary keys intact', async () => {
    await s.n.configure('KEA');
    const key = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x41]);
    const steps: Step[] = [
      ['SELECT', '7'],
      ['SET', key, 'v'],
      ['DEL', key],
      ['SELECT', '0'],
    ];
    const run = await s.n.run(steps);
    expect(run.replies).toEqual([]);
    expect(run.brook).toEqual(run.redis);
    expect(run.brook).toContain(`__keyspace@7__:${key.toString('latin1')} set`);
  });
});

describe('keyspace notifications: expiry and blocked clients', () => {
  const s = notificationSuite('KEA');

  it('a key found expired by a read emits expired (then the read misses)', async () => {
    await s.n.configure('KEAm');
    const steps = script('SET k v PX 1\nDEBUG SLEEP 0.05\nGET k\nEXISTS k');
    const run = await s.n.run(steps);
    expect(run.replies).toEqual([]);
    expect(run.brook).toEqual(run.redis);
    expect(run.brook).toContain('__keyevent@0__:expired k');
  });

  it('active expiry emits expired for keys nobody reads', async () => {
    await s.n.configure('Ex');
    for (const [cmd, capture] of [
      [s.n.diff.brook, s.n.brook],
      [s.n.diff.redis, s.n.redis],
    ] as const) {
      await cmd.call('SET', 'gone', 'v', 'PX', '20');
      expect(await capture.next()).toBe('__keyevent@0__:expired gone');
    }
  });

  /** A blocking command, what the other client writes to serve it, and the expected sequence (checked on both servers). */
  const BLOCKED: [Step, Step[], string[]][] = [
    [['BLPOP', 'bl', '0'], [['LPUSH', 'bl', 'x']], ['bl new', 'bl lpush', 'bl lpop', 'bl del']],
    [['BLMOVE', 'bl', 'bl2', 'LEFT', 'RIGHT', '0'], [['RPUSH', 'bl', 'x', 'y']], ['bl new', 'bl rpush', 'bl2 new', 'bl2 rpush', 'bl lpop']],
    [['BZPOPMIN', 'bz', '0'], [['ZADD', 'bz', '1', 'a']], ['bz new', 'bz zadd', 'bz zpopmin', 'bz del']],
    [['XREAD', 'BLOCK', '0', 'STREAMS', 'bx', '$'], [['XADD', 'bx', '1-1', 'f', 'v']], ['bx new', 'bx xadd']],
    [
      ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'bg', '>'],
      [['XADD', 'bg', '2-1', 'f', 'v']],
      ['bg xadd', 'bg xgroup-createconsumer'],
    ],
  ];

  for (const [block, writes, expected] of BLOCKED) {
    it(`${block.join(' ')} served by ${writes.map((w) => w.join(' ')).join('; ')}`, async () => {
      await s.n.configure('KAn');
      const seen: string[][] = [];
      for (const [port, capture, cmd] of [
        [s.brook.port, s.n.brook, s.n.diff.brook],
        [s.redis.port, s.n.redis, s.n.diff.redis],
      ] as const) {
        await cmd.call('FLUSHALL');
        if (block[0] === 'XREADGROUP') await cmd.call('XGROUP', 'CREATE', 'bg', 'g', '$', 'MKSTREAM');
        await capture.drain(await capture.mark(cmd));
        const blocked = await RawClient.connect(port);
        blocked.write(encodeCommand(block));
        await waitBlockedClients(cmd, 1);
        for (const w of writes) await cmd.call(...w);
        await blocked.read();
        blocked.close();
        seen.push((await capture.drain(await capture.mark(cmd))).map((l) => l.replace('__keyspace@0__:', '')));
      }
      expect(seen[0]).toEqual(seen[1]);
      expect(seen[0]).toEqual(expected);
    });
  }
});

describe('notify-keyspace-events: the setting', () => {
  const s = notificationSuite('');

  it('CONFIG SET/GET normalises as Redis does and refuses unknown classes', async () => {
    const values = ['KEA', 'A', 'g$', '$g', 'Em', 'xK', 'AKEm', 'gg', 'ElgA', 'n', 'Kn', 'lshzxetd', 'gls$hzxetdKE', 'q', 'KEA!', ''];
    const steps: Step[] = values.flatMap((v) => [
      ['CONFIG', 'SET', 'notify-keyspace-events', v],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
    ]);
    expect(await s.n.diff.run(steps)).toEqual([]);
  });

  it('is read from the command line / config file', async () => {
    const [brook, redis] = await Promise.all([
      startBrookProcess(['--notify-keyspace-events', 'Kl']),
      startRedis(['--notify-keyspace-events', 'Kl']),
    ]);
    try {
      const seen: string[][] = [];
      for (const port of [brook.port, redis.port]) {
        const cmd = await RawClient.connect(port);
        const capture = await NotificationCapture.attach(port);
        expect(await cmd.call('CONFIG', 'GET', 'notify-keyspace-events')).toBe('*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\nlK\r\n');
        await cmd.call('SET', 'k', 'v');
        await cmd.call('RPUSH', 'l', 'a');
        seen.push(await capture.drain(await capture.mark(cmd)));
        cmd.close();
        capture.close();
      }
      expect(seen[0]).toEqual(['__keyspace@0__:l rpush']);
      expect(seen[1]).toEqual(seen[0]);
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
  });
});
