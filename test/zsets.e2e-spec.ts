/**
 * The SORTED SET family against real Redis 7.0: every deterministic reply byte for byte in RESP2
 * and RESP3 (sorted sets have one defined order, so whole replies compare), properties for the
 * random ones (ZRANDMEMBER), and the change feed of the pops in-process.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { bulks } from './support/resp-value.js';
import { rng } from './support/rng.js';

describe('sorted sets: differential against real Redis', () => {
  const suite = differentialSuite();

  /** Runs `steps` in RESP2 and again in RESP3 (HELLO 3 on both connections): no reply may differ. */
  const same = async (steps: Step[]) => {
    for (const proto of ['2', '3']) {
      await suite.diff.brook.call('HELLO', proto);
      await suite.diff.redis.call('HELLO', proto);
      expect({ proto, mismatches: await suite.diff.run(steps) }).toEqual({ proto, mismatches: [] });
    }
    await suite.diff.brook.call('HELLO', '2');
    await suite.diff.redis.call('HELLO', '2');
  };

  it('ZADD options, replies and errors: NX, XX, GT, LT, CH, INCR and their conflicts', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c
      ZADD z 1 a
      ZADD z CH 5 a 2 b
      ZADD z NX 9 a 10 d
      ZADD z XX 7 a 11 e
      ZADD z XX CH 8 a 11 e
      ZADD z GT CH 1 a 20 b
      ZADD z LT CH 100 a 0 b
      ZADD z GT LT 1 a
      ZADD z NX XX 1 a
      ZADD z NX GT 1 a
      ZADD z NX LT 1 a
      ZADD z INCR 1 a 2 b
      ZADD z INCR 5 a
      ZADD z INCR NX 5 a
      ZADD z INCR XX 5 zz
      ZADD z INCR GT -1 a
      ZADD z INCR LT -1 a
      ZADD z INCR LT +inf a
      ZADD z 1
      ZADD z 1 a 2
      ZADD z nan a
      ZADD z x a
      ZADD z 1e400 a
      ZADD z 1e-400 a
      ZADD z inf i -inf j +inf k 0x10 h 1.5e3 g -0 n
      ZADD z INCR -inf i
      ZRANGE z 0 -1 WITHSCORES
      ZADD z XX 1 nothere
      ZADD fresh XX 1 a
      EXISTS fresh
      ZADD fresh NX INCR 1 a
      ZINCRBY fresh 2.5 a
      ZINCRBY fresh 1 b
      ZINCRBY fresh x b
      ZINCRBY fresh nx b
      ZINCRBY fresh inf a
      ZINCRBY fresh -inf a
      ZSCORE fresh a
      SET str v
      ZADD str 1 a
      ZINCRBY str 1 a
      ZADD
      ZADD z
      ZADD z CH
      `),
    );
  });

  it('scores are formatted with %.17g and stored as Redis does (listpack and skiplist)', async () => {
    const scores = [
      '1.1',
      '0.1',
      '1e17',
      '123456789012345678',
      '1e-5',
      '0.0001',
      '-0',
      '3.0',
      '-2.5e-310',
      '1e308',
      '9007199254740993',
      '-1.5',
    ];
    const steps: Step[] = [];
    for (const enc of ['128', '0']) {
      steps.push(['CONFIG', 'SET', 'zset-max-listpack-entries', enc], ['DEL', 'z']);
      scores.forEach((s, i) => steps.push(['ZADD', 'z', s, `m${i}`]));
      steps.push(['OBJECT', 'ENCODING', 'z'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZMSCORE', 'z', 'm0', 'm6', 'x']);
      // A listpack's ZSCAN replies its entries as stored (integral scores as integers); a skiplist's is in hash order.
      if (enc === '128') steps.push(['ZSCAN', 'z', '0', 'COUNT', '100']);
      steps.push(['ZSCORE', 'z', 'm2'], ['ZSCORE', 'z', 'missing'], ['ZSCORE', 'nokey', 'a']);
    }
    steps.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '128']);
    await same(steps);
  });

  it('encodings: listpack up to zset-max-listpack-entries/-value, skiplist past them, one way', async () => {
    const steps: Step[] = [
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'],
      ['CONFIG', 'SET', 'zset-max-listpack-value', '8'],
    ];
    for (let i = 0; i < 5; i++) steps.push(['ZADD', 'z', String(i), `m${i}`], ['OBJECT', 'ENCODING', 'z']);
    steps.push(['ZREM', 'z', 'm0', 'm1', 'm2'], ['OBJECT', 'ENCODING', 'z'], ['ZCARD', 'z']);
    steps.push(['ZADD', 'y', '1', 'short'], ['OBJECT', 'ENCODING', 'y'], ['ZADD', 'y', '2', 'a-long-member'], ['OBJECT', 'ENCODING', 'y']);
    steps.push(
      ['ZADD', 'x', '1', 'a', '2', 'b'],
      ['ZUNIONSTORE', 'u', '2', 'x', 'z'],
      ['OBJECT', 'ENCODING', 'u'],
      ['ZRANGESTORE', 'r', 'z', '0', '0'],
    );
    steps.push(
      ['OBJECT', 'ENCODING', 'r'],
      ['ZINTERSTORE', 'i', '1', 'y'],
      ['OBJECT', 'ENCODING', 'i'],
      ['ZRANGE', 'i', '0', '-1', 'WITHSCORES'],
    );
    steps.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'w', '1', 'a'], ['OBJECT', 'ENCODING', 'w']);
    steps.push(['COPY', 'z', 'zc'], ['OBJECT', 'ENCODING', 'zc'], ['ZRANGE', 'zc', '0', '-1', 'WITHSCORES'], ['TYPE', 'zc']);
    steps.push(['RENAME', 'zc', 'zd'], ['ZRANGE', 'zd', '0', '-1'], ['DEL', 'zd'], ['EXISTS', 'zd']);
    steps.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']);
    await same(steps);
  });

  it('ZREM, ZCARD, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT: ranges, exclusive bounds, empty keys, errors', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c 3 d 4 e -inf f +inf g
      ZCARD z
      ZRANK z a
      ZRANK z g
      ZREVRANK z g
      ZREVRANK z f
      ZRANK z nope
      ZRANK nokey a
      ZCOUNT z 1 3
      ZCOUNT z (1 3
      ZCOUNT z (1 (3
      ZCOUNT z -inf +inf
      ZCOUNT z 3 1
      ZCOUNT z (3 3
      ZCOUNT z x 1
      ZCOUNT z ( 1
      ZCOUNT z 1 nan
      ZCOUNT nokey 1 2
      ZADD l 0 a 0 b 0 c 0 d 0 e
      ZLEXCOUNT l - +
      ZLEXCOUNT l [b [d
      ZLEXCOUNT l (b (d
      ZLEXCOUNT l + -
      ZLEXCOUNT l [d [b
      ZLEXCOUNT l b d
      ZLEXCOUNT l -a +
      ZLEXCOUNT l [ +
      ZLEXCOUNT nokey - +
      ZREM z a a zz
      ZREM z b c d e f g
      EXISTS z
      ZREM nokey a
      SET s v
      ZCARD s
      ZRANK s a
      ZCOUNT s 1 2
      ZLEXCOUNT s - +
      ZREM s a
      ZCARD
      ZRANK z
      `),
    );
  });

  it('ZRANGE by rank, score and lex, REV, LIMIT, WITHSCORES, and the legacy forms', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
      ZRANGE z 0 -1
      ZRANGE z 0 -1 WITHSCORES
      ZRANGE z -3 -1 withscores
      ZRANGE z 2 1
      ZRANGE z 10 20
      ZRANGE z -100 1
      ZRANGE z 0 100
      ZRANGE z 0 -1 REV WITHSCORES
      ZRANGE z 1 2 REV
      ZRANGE z 2 5 BYSCORE
      ZRANGE z (2 5 BYSCORE WITHSCORES
      ZRANGE z 5 2 BYSCORE REV
      ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2
      ZRANGE z -inf +inf BYSCORE LIMIT 2 -1
      ZRANGE z -inf +inf BYSCORE LIMIT -1 2
      ZRANGE z -inf +inf BYSCORE LIMIT 10 2
      ZRANGE z -inf +inf BYSCORE LIMIT 0 0
      ZRANGE z 0 -1 LIMIT 0 1
      ZRANGE z - + BYLEX WITHSCORES
      ZRANGE z 0 -1 BYSCORE BYLEX
      ZRANGE z 0 -1 REV REV
      ZRANGE z 0 -1 LIMIT 1
      ZRANGE z 0 -1 LIMIT x 1
      ZRANGE z a 1
      ZRANGE z 0 -1 FOO
      ZRANGE z x y BYSCORE
      ZRANGE nokey 0 -1
      ZRANGEBYSCORE z 2 4
      ZRANGEBYSCORE z (2 4 WITHSCORES LIMIT 1 1
      ZRANGEBYSCORE z 2 4 REV
      ZRANGEBYSCORE z 2 4 BYSCORE
      ZREVRANGEBYSCORE z 4 2
      ZREVRANGEBYSCORE z 4 2 WITHSCORES LIMIT 0 2
      ZREVRANGEBYSCORE z 2 4
      ZREVRANGE z 0 1 WITHSCORES
      ZREVRANGE z 0 1 LIMIT 0 1
      ZREVRANGE z 0 1 BYSCORE
      ZADD l 0 a 0 b 0 c 0 d 0 e 0 f
      ZRANGE l [b (e BYLEX
      ZRANGE l (e [b BYLEX REV
      ZRANGE l - + BYLEX LIMIT 1 2
      ZRANGE l + - BYLEX REV LIMIT 0 3
      ZRANGEBYLEX l - [c
      ZRANGEBYLEX l - [c WITHSCORES
      ZRANGEBYLEX l (c + LIMIT 1 10
      ZRANGEBYLEX l x y
      ZREVRANGEBYLEX l + -
      ZREVRANGEBYLEX l [c -
      ZREVRANGEBYLEX l - +
      SET s v
      ZRANGE s 0 -1
      ZRANGEBYSCORE s 0 1
      ZRANGEBYLEX s - +
      ZRANGE z
      `),
    );
  });

  it('ZRANGESTORE: replaces a key of another type, deletes the destination on an empty result', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c 4 d
      SET dst v
      EXPIRE dst 100
      ZRANGESTORE dst z 1 2
      TYPE dst
      TTL dst
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z (1 +inf BYSCORE LIMIT 0 2
      ZRANGE dst 0 -1 WITHSCORES
      ZRANGESTORE dst z [a [c BYLEX REV
      ZRANGE dst 0 -1
      ZRANGESTORE dst z 5 10
      EXISTS dst
      ZRANGESTORE dst nokey 0 -1
      ZRANGESTORE dst z 0 -1 WITHSCORES
      SET s v
      ZRANGESTORE dst s 0 -1
      ZRANGESTORE s z 0 0
      TYPE s
      `),
    );
  });

  it('ZREMRANGEBYRANK, BYSCORE and BYLEX', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
      ZREMRANGEBYRANK z 0 0
      ZREMRANGEBYRANK z -2 -1
      ZREMRANGEBYRANK z 5 1
      ZRANGE z 0 -1
      ZREMRANGEBYSCORE z (2 3
      ZREMRANGEBYSCORE z x 3
      ZRANGE z 0 -1
      ZREMRANGEBYSCORE z -inf +inf
      EXISTS z
      ZADD l 0 a 0 b 0 c 0 d
      ZREMRANGEBYLEX l [b (d
      ZREMRANGEBYLEX l a b
      ZRANGE l 0 -1
      ZREMRANGEBYLEX l - +
      EXISTS l
      ZREMRANGEBYRANK nokey 0 -1
      ZREMRANGEBYRANK z x 1
      SET s v
      ZREMRANGEBYRANK s 0 1
      ZREMRANGEBYSCORE s 0 1
      ZREMRANGEBYLEX s - +
      `),
    );
  });

  it('ZPOPMIN, ZPOPMAX and ZMPOP: counts, emptied keys, errors', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c 4 d 5 e
      ZPOPMIN z
      ZPOPMAX z
      ZPOPMIN z 2
      ZPOPMIN z 0
      ZPOPMIN z -1
      ZPOPMIN z x
      ZPOPMIN z 1 2
      ZPOPMAX z 10
      EXISTS z
      ZPOPMIN nokey
      ZPOPMIN nokey 2
      ZADD z 1 a 2 b 3 c
      ZMPOP 1 z MIN
      ZMPOP 2 nokey z MAX COUNT 5
      ZMPOP 1 z MIN
      ZMPOP 0 z MIN
      ZMPOP -1 z MIN
      ZMPOP x z MIN
      ZMPOP 2 z MIN
      ZMPOP 1 z MIDDLE
      ZMPOP 1 z MIN COUNT 0
      ZMPOP 1 z MIN COUNT -1
      ZMPOP 1 z MIN COUNT 1 COUNT 2
      ZMPOP 1 z MIN FOO
      SET s v
      ZPOPMIN s
      ZMPOP 2 nokey s MIN
      ZPOPMIN s 0
      BZPOPMIN s 0
      ZADD y 1 a
      BZPOPMIN nokey y 0
      ZADD y 1 a 2 b 3 c
      BZPOPMAX y 0
      BZMPOP 0 1 y MIN COUNT 10
      BZPOPMIN y x
      BZPOPMIN y -1
      BZMPOP x 1 y MIN
      BZMPOP 0 0 y MIN
      BZMPOP 0 1 y
      `),
    );
  });

  it('ZUNION, ZINTER, ZDIFF, their STOREs and ZINTERCARD: weights, aggregates, sets as inputs, errors', async () => {
    await same(
      script(`
      ZADD a 1 x 2 y 3 z
      ZADD b 10 y 20 z 30 w
      SADD s y w q
      ZUNION 2 a b
      ZUNION 2 a b WITHSCORES
      ZUNION 3 a b s WITHSCORES
      ZUNION 2 a b WEIGHTS 2 0.5 WITHSCORES
      ZUNION 2 a b AGGREGATE MIN WITHSCORES
      ZUNION 2 a b AGGREGATE max WITHSCORES WEIGHTS 1 -1
      ZUNION 2 a b WEIGHTS 1 x
      ZUNION 2 a b WEIGHTS 1
      ZUNION 2 a b AGGREGATE AVG
      ZUNION 0 a
      ZUNION -1 a
      ZUNION x a
      ZUNION 3 a b
      ZUNION 1 nokey WITHSCORES
      ZINTER 2 a b WITHSCORES
      ZINTER 3 a b s WITHSCORES
      ZINTER 2 a a WITHSCORES
      ZINTER 2 a nokey
      ZINTER 2 a b AGGREGATE MAX WEIGHTS 0 1 WITHSCORES
      ZDIFF 2 a b WITHSCORES
      ZDIFF 2 b s WITHSCORES
      ZDIFF 2 nokey a
      ZDIFF 1 a WEIGHTS 1
      ZDIFF 1 a AGGREGATE SUM
      ZUNIONSTORE d 2 a b
      ZRANGE d 0 -1 WITHSCORES
      ZUNIONSTORE d 2 a b WITHSCORES
      ZINTERSTORE d 2 a b WEIGHTS 1 2
      ZRANGE d 0 -1 WITHSCORES
      ZINTERSTORE d 2 a nokey
      EXISTS d
      SET str v
      ZDIFFSTORE str 2 b a
      TYPE str
      ZRANGE str 0 -1 WITHSCORES
      ZDIFFSTORE str 2 a a
      EXISTS str
      ZINTERCARD 2 a b
      ZINTERCARD 2 a b LIMIT 1
      ZINTERCARD 2 a b LIMIT 0
      ZINTERCARD 2 a b LIMIT -1
      ZINTERCARD 2 a b LIMIT x
      ZINTERCARD 0 a
      ZINTERCARD 3 a b
      ZINTERCARD 1 a WITHSCORES
      SET str v
      ZUNION 2 a str
      ZINTERCARD 2 str a
      ZUNION 2 a str WEIGHTS x
      ZADD i 1 m inf n
      ZADD j 2 m -inf n
      ZUNION 2 i j WITHSCORES
      ZUNION 2 i j WEIGHTS 0 1 WITHSCORES
      ZINTER 2 i j WITHSCORES
      `),
    );
  });

  it('ZSCAN: a listpack in one call with cursor 0, MATCH, COUNT errors, WRONGTYPE', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 ab 4 c
      ZSCAN z 0
      ZSCAN z 0 MATCH a*
      ZSCAN z 0 COUNT 1
      ZSCAN z 0 COUNT 0
      ZSCAN z x
      ZSCAN z 0 FOO
      ZSCAN nokey 0
      SET s v
      ZSCAN s 0
      `),
    );
  });

  it('ZSCAN over a large skiplist returns every member with its score', async () => {
    const { brook, redis } = suite.diff;
    for (const c of [brook, redis]) {
      await c.call('FLUSHALL');
      const args: string[] = [];
      for (let i = 0; i < 1000; i++) args.push(String(i / 4), `m${i}`);
      await c.call('ZADD', 'z', ...args);
    }
    const walk = async (c: typeof brook) => {
      const seen = new Map<string, string>();
      let cursor = '0';
      do {
        const reply = bulks(await c.call('ZSCAN', 'z', cursor, 'COUNT', '50'));
        cursor = reply[0];
        for (let i = 1; i < reply.length; i += 2) seen.set(reply[i], reply[i + 1]);
      } while (cursor !== '0');
      return [...seen].sort();
    };
    expect(await walk(brook)).toEqual(await walk(redis));
  });

  it('ZRANDMEMBER: deterministic replies byte for byte', async () => {
    await same(
      script(`
      ZADD z 1 a 2 b 3 c
      ZRANDMEMBER z 0
      ZRANDMEMBER z 3 WITHSCORES
      ZRANDMEMBER z 10
      ZRANDMEMBER z 10 WITHSCORES
      CONFIG SET zset-max-listpack-entries 1
      ZADD sk 1 a 2 b 3 c
      ZRANDMEMBER sk 3 WITHSCORES
      CONFIG SET zset-max-listpack-entries 128
      ZRANDMEMBER nokey
      ZRANDMEMBER nokey 5
      ZRANDMEMBER z x
      ZRANDMEMBER z 1 FOO
      ZRANDMEMBER z 1 WITHSCORES x
      ZRANDMEMBER z -9223372036854775808
      ZRANDMEMBER z 9223372036854775807 WITHSCORES
      ZRANDMEMBER z -4611686018427387904 WITHSCORES
      ZRANDMEMBER z 4611686018427387904 WITHSCORES
      SET s v
      ZRANDMEMBER s
      ZRANDMEMBER s 1
      `),
    );
  });

  it('ZRANDMEMBER with counts: distinct members for positive counts, repeats for negative, scores paired', async () => {
    const c = suite.diff.brook;
    for (const enc of ['128', '0']) {
      await c.call('FLUSHALL');
      await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', enc);
      const args: string[] = [];
      for (let i = 0; i < 50; i++) args.push(String(i), `m${i}`);
      await c.call('ZADD', 'z', ...args);
      const one = bulks(await c.call('ZRANDMEMBER', 'z'));
      expect(one[0]).toMatch(/^m\d+$/);
      const distinct = bulks(await c.call('ZRANDMEMBER', 'z', '20'));
      expect(new Set(distinct).size).toBe(20);
      const many = bulks(await c.call('ZRANDMEMBER', 'z', '40'));
      expect(new Set(many).size).toBe(40);
      const repeats = bulks(await c.call('ZRANDMEMBER', 'z', '-200'));
      expect(repeats).toHaveLength(200);
      expect(new Set(repeats).size).toBeLessThan(51);
      const pairs = bulks(await c.call('ZRANDMEMBER', 'z', '-30', 'WITHSCORES'));
      expect(pairs).toHaveLength(60);
      for (let i = 0; i < pairs.length; i += 2) expect(`m${pairs[i + 1]}`).toBe(pairs[i]);
    }
    await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('random command sequences (seeded) give the same replies and final contents as Redis, in both encodings', async () => {
    const commands: ((r: () => number) => Step)[] = [
      (r) => [
        'ZADD',
        pick(r, ['z', 'y']),
        ...pick(r, [[], ['NX'], ['XX'], ['GT', 'CH'], ['LT'], ['CH']]),
        score(r),
        member(r),
        score(r),
        member(r),
      ],
      (r) => ['ZADD', pick(r, ['z', 'y']), 'INCR', score(r), member(r)],
      (r) => ['ZINCRBY', 'z', score(r), member(r)],
      (r) => ['ZREM', pick(r, ['z', 'y']), member(r), member(r)],
      (r) => ['ZRANK', 'z', member(r)],
      (r) => ['ZREVRANK', 'y', member(r)],
      (r) => ['ZSCORE', 'z', member(r)],
      (r) => ['ZCOUNT', 'z', bound(r), bound(r)],
      (r) => ['ZRANGE', 'z', index(r), index(r), ...pick(r, [[], ['REV'], ['WITHSCORES']])],
      (r) => ['ZRANGE', 'z', bound(r), bound(r), 'BYSCORE', ...pick(r, [[], ['REV'], ['LIMIT', index(r), index(r)]])],
      // Lex ranges are defined only among equal scores: key l holds score 0 only.
      (r) => ['ZADD', 'l', '0', member(r), '0', member(r)],
      (r) => ['ZRANGEBYLEX', 'l', lex(r), lex(r), ...pick(r, [[], ['LIMIT', index(r), index(r)]])],
      (r) => ['ZREVRANGEBYLEX', 'l', lex(r), lex(r)],
      (r) => ['ZLEXCOUNT', 'l', lex(r), lex(r)],
      (r) => ['ZREMRANGEBYLEX', 'l', lex(r), lex(r)],
      (r) => ['ZREMRANGEBYRANK', 'y', index(r), index(r)],
      (r) => ['ZREMRANGEBYSCORE', 'z', bound(r), bound(r)],
      (r) => ['ZPOPMIN', 'z', String(Math.floor(r() * 3))],
      () => ['ZPOPMAX', 'y'],
      (r) => ['ZUNIONSTORE', 'u', '2', 'z', 'y', 'AGGREGATE', pick(r, ['SUM', 'MIN', 'MAX'])],
      () => ['ZINTER', '2', 'z', 'y', 'WITHSCORES'],
      () => ['ZDIFF', '2', 'y', 'z'],
      (r) => ['ZRANGESTORE', 'rs', 'z', index(r), index(r)],
    ];
    // 60 sequences of 100 commands, listpack-only, converting early, and skiplist from the start.
    for (let seed = 1; seed <= 60; seed++) {
      const entries = ['128', '4', '0'][seed % 3];
      const r = rng(seed);
      const steps: Step[] = [['CONFIG', 'SET', 'zset-max-listpack-entries', entries]];
      for (let i = 0; i < 100; i++) steps.push(pick(r, commands)(r));
      for (const key of ['z', 'y', 'l', 'u', 'rs']) steps.push(['ZRANGE', key, '0', '-1', 'WITHSCORES']);
      steps.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '128']);
      await same(steps);
    }
  });

  it('TYPE and SCAN TYPE see sorted sets', async () => {
    await same(
      script(`
      ZADD z 1 a
      SET s v
      SADD st a
      TYPE z
      SCAN 0 TYPE zset
      `),
    );
  });
});

function pick<T>(r: () => number, of: readonly T[]): T {
  return of[Math.floor(r() * of.length)];
}
function member(r: () => number): string {
  return `m${Math.floor(r() * 12)}`;
}
function score(r: () => number): string {
  return pick(r, ['1', '2', '-3', '0.5', '10', 'inf', '-inf', '2.5e1', '7']);
}
function bound(r: () => number): string {
  return pick(r, ['(', '']) + pick(r, ['-inf', '+inf', '0', '1', '2', '5', '10']);
}
function index(r: () => number): string {
  return String(Math.floor(r() * 16) - 8);
}
function lex(r: () => number): string {
  return pick(r, ['-', '+', '[m1', '(m3', '[m7', '(m10']);
}

describe('sorted sets: the change feed', () => {
  const suite = changeFeedSuite();

  it('pops propagate as ZPOPMIN/ZPOPMAX (with the count where one was given), as Redis 7.0', async () => {
    await suite.client.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f');
    expect(await suite.fedArgv('ZPOPMIN', 'z')).toEqual([['ZPOPMIN', 'z']]);
    expect(await suite.fedArgv('ZPOPMAX', 'z', '1')).toEqual([['ZPOPMAX', 'z', '1']]);
    expect(await suite.fedArgv('ZMPOP', '2', 'nokey', 'z', 'MAX')).toEqual([['ZPOPMAX', 'z', '1']]);
    expect(await suite.fedArgv('BZPOPMIN', 'nokey', 'z', '0')).toEqual([['ZPOPMIN', 'z']]);
    expect(await suite.fedArgv('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '5')).toEqual([['ZPOPMIN', 'z', '5']]);
    expect(await suite.fedArgv('ZPOPMIN', 'z')).toEqual([]);
  });
});
