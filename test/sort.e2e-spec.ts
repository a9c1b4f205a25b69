/**
 * SORT and SORT_RO against real Redis 7.0, byte for byte in RESP2 and RESP3: numeric and ALPHA
 * orders, BY patterns on strings and hash fields (and BY nosort), GET patterns with `#`, LIMIT
 * at its edges, the errors and their order, and COMMAND GETKEYS. Where ties would leave the order
 * to Redis's hash-table iteration (ALPHA BY with equal or missing weights over a hashtable set),
 * the cases are built without ties.
 */
import { describe, expect, it } from '@jest/globals';
import { changeFeedSuite } from './support/change-feed.js';
import { differentialSuite, script, type Step } from './support/differential.js';
import { rng } from './support/rng.js';

describe('sort: differential against real Redis', () => {
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

  it('sets: numeric and ALPHA order, ASC/DESC, LIMIT edges, SORT_RO, errors in Redis order', async () => {
    await same(
      script(`
      SADD s 3 1 2 10 -5 7
      SORT s
      SORT s DESC
      SORT s ASC
      SORT s ALPHA
      SORT s ALPHA DESC
      SORT s LIMIT 1 2
      SORT s LIMIT -5 2
      SORT s LIMIT 2 -1
      SORT s LIMIT 2 0
      SORT s LIMIT 6 1
      SORT s LIMIT 100 2
      SORT s LIMIT 5 100
      SORT s LIMIT 1 9223372036854775807
      SORT s LIMIT -9223372036854775808 9223372036854775807
      SORT s LIMIT 0 1 LIMIT 3 2
      SORT s DESC ASC
      SORT_RO s
      SORT_RO s LIMIT 1 3 DESC
      SORT s LIMIT x 1
      SORT s LIMIT 1 y
      SORT s LIMIT 1
      SORT s BY
      SORT s GET
      SORT s STORE
      SORT_RO s STORE dst
      SORT s nosuchoption
      SORT s LIMIT x 1 nosuchoption
      SADD t banana apple cherry 10 9
      SORT t ALPHA
      SORT t ALPHA DESC LIMIT 1 2
      SORT t
      SORT missing
      SORT missing LIMIT 0 1 GET # BY w_*
      SET str x
      SORT str
      SORT_RO str
      SORT str LIMIT x 1
      HSET hash a 1
      SORT hash
      SORT
      SORT_RO
      `),
    );
  });

  it('BY patterns on string keys and hash fields, BY nosort, GET with # and missing keys', async () => {
    await same(
      script(`
      SADD s 1 2 3 4 5
      MSET w_1 50 w_2 40 w_3 30 w_4 20 w_5 10
      SORT s BY w_*
      SORT s BY w_* DESC
      SORT s BY w_* LIMIT 1 3
      SORT s BY w_* GET #
      SORT s BY w_* GET # GET w_* GET nokey_* GET constant
      SORT s BY w_* ALPHA
      SET w_3 25.5
      SET w_4 -inf
      SORT s BY w_*
      DEL w_2
      SORT s BY w_*
      SORT s BY w_* GET w_*
      SORT s BY nosort
      SORT s BY nosort DESC
      SORT s BY nosort LIMIT 1 2
      SORT s BY constant GET #
      HSET h_1 f 5 g x
      HSET h_2 f 3 g y
      HSET h_3 f 4 g z
      HSET h_4 f 1
      HSET h_5 f 2 g w
      SORT s BY h_*->f
      SORT s BY h_*->f GET h_*->g GET # GET h_*->nofield
      SORT s BY h_*->g ALPHA GET h_*->g
      SORT s BY h_*-> GET h_*->
      SORT s GET h_*->f BY h_*->f DESC LIMIT 0 3
      SET h_x 1
      SORT s GET *_x GET h_*->f
      SADD k a b c
      SET pre_a_post 3
      SET pre_b_post 1
      SET pre_c_post 2
      SORT k BY pre_*_post
      SORT k BY pre_*_post GET pre_*_post
      SORT k BY pre_*_post->x
      SADD w_1 member
      SORT s BY w_*
      `),
    );
  });

  it('scores strtod reads: whitespace, hex, inf, empty; refused: NaN, trailing text', async () => {
    const cases: Step[] = [];
    const scores = [' 1.5', '\t2', '0x10', '0x1p4', 'inf', '-Infinity', '', '+3', '.5', '5.', '1e3', '-0', '1e308'];
    scores.forEach((v, i) => cases.push(['SADD', 'ok', `m${i}`], ['SET', `w_m${i}`, v]));
    cases.push(['SORT', 'ok', 'BY', 'w_*'], ['SORT', 'ok', 'BY', 'w_*', 'DESC', 'GET', 'w_*']);
    for (const bad of ['nan', '1x', '2 ', ' ', 'x', '0x', '--1']) {
      cases.push(
        ['DEL', 'one', 'w_1'],
        ['SADD', 'one', '1', '2'],
        ['SET', 'w_1', bad],
        ['SORT', 'one', 'BY', 'w_*'],
        ['SORT', 'one', 'BY', 'w_*', 'ALPHA'],
      );
      cases.push(['DEL', 'self'], ['SADD', 'self', bad, '7'], ['SORT', 'self'], ['SORT', 'self', 'LIMIT', '0', '1']);
    }
    cases.push(['SADD', 'nul', Buffer.from('1\0x'), Buffer.from('\0'), '3'], ['SORT', 'nul']);
    await same(cases);
  });

  it('seeded random sets and weights: numeric, ALPHA and BY orders with LIMIT and GET', async () => {
    for (const seed of [11, 12, 13, 14]) {
      const next = rng(seed);
      const n = 1 + Math.floor(next() * 300);
      const intset = next() < 0.5;
      const members = new Set<string>();
      while (members.size < n) members.add(intset ? String(Math.floor(next() * 2000) - 1000) : `m${Math.floor(next() * 100000)}`);
      const steps: Step[] = [['SADD', 's', ...members]];
      // Distinct weights, so ALPHA BY leaves nothing to the set's own iteration order.
      const weights = [...members].map((m, i) => [`w_${m}`, (next() < 0.5 ? 'x' : '') + String((i * 7919) % 1009) + '.' + String(i)]);
      steps.push(['MSET', ...weights.flat()]);
      for (let q = 0; q < 20; q++) {
        const argv = ['SORT', 's'];
        const r = next();
        if (r < 0.3) argv.push('BY', 'w_*', 'ALPHA');
        else if (r < 0.5 && intset) argv.push('ALPHA');
        if (next() < 0.5) argv.push('DESC');
        if (next() < 0.6) argv.push('LIMIT', String(Math.floor(next() * n * 1.2) - 5), String(Math.floor(next() * n) - 2));
        if (next() < 0.4) argv.push('GET', '#', 'GET', 'w_*');
        steps.push(argv);
      }
      if (intset) steps.push(['SORT', 's'], ['SORT', 's', 'BY', 'nosort'], ['SORT', 's', 'BY', 'nosort', 'DESC', 'LIMIT', '3', '7']);
      await same(steps);
    }
  });

  it('lists: sorted, or in list order with BY nosort (LIMIT read from the right end for DESC); duplicates', async () => {
    await same(
      script(`
      RPUSH l 3 1 2 10 -5 1 7 1
      SORT l
      SORT l DESC
      SORT l ALPHA
      SORT l LIMIT 2 3
      SORT l BY nosort
      SORT l BY nosort DESC
      SORT l BY nosort LIMIT 1 3
      SORT l BY nosort DESC LIMIT 1 3
      SORT l BY nosort DESC LIMIT 6 5
      SORT l BY nosort LIMIT 0 0
      SORT l BY nosort LIMIT 8 1
      SORT l BY nosort LIMIT -3 2 GET #
      MSET w_3 c w_1 a w_2 b w_10 z w_-5 y w_7 d
      SORT l BY w_* ALPHA
      SORT l BY w_* ALPHA DESC GET # GET w_*
      SORT_RO l BY w_* ALPHA LIMIT 2 4
      RPUSH bad 1 x 2
      SORT bad
      SORT bad ALPHA
      SORT bad BY nosort
      `),
    );
  });

  it('sorted sets: numeric/ALPHA sorts of members, BY nosort walks the ranks (DESC from the top) with LIMIT', async () => {
    await same(
      script(`
      ZADD z 3 a 1 b 2 c 10 d 5 e
      SORT z ALPHA
      SORT z ALPHA DESC LIMIT 1 2
      SORT z
      SORT z BY nosort
      SORT z BY nosort DESC
      SORT z BY nosort LIMIT 1 2
      SORT z BY nosort DESC LIMIT 1 2
      SORT z BY nosort DESC LIMIT 3 5
      SORT z BY nosort LIMIT 5 1
      SORT z BY nosort GET # GET w_*
      MSET w_a 4 w_b 3 w_c 2 w_d 1 w_e 0.5
      SORT z BY w_*
      SORT z BY w_* DESC GET # GET w_*
      SORT_RO z BY w_* LIMIT 1 3
      OBJECT ENCODING z
      ZADD small 1 a
      OBJECT ENCODING small
      SORT_RO small BY nosort
      OBJECT ENCODING small
      ZADD zn 1 10 2 9 3 8
      SORT zn
      SORT zn DESC LIMIT 0 2
      `),
    );
  });

  it('STORE: a list replacing the key and its TTL, GET misses stored as "", an empty result deletes', async () => {
    await same(
      script(`
      RPUSH l 3 1 2
      SORT l STORE dst
      LRANGE dst 0 -1
      TYPE dst
      OBJECT ENCODING dst
      SORT l BY nosort DESC STORE dst
      LRANGE dst 0 -1
      SORT l GET # GET w_* STORE dst
      LRANGE dst 0 -1
      SET w_1 one
      SORT l GET w_* STORE dst STORE dst2
      EXISTS dst
      LRANGE dst2 0 -1
      SET tgt x
      EXPIRE tgt 100
      SORT l STORE tgt
      TTL tgt
      LRANGE tgt 0 -1
      SORT l LIMIT 10 1 STORE tgt
      EXISTS tgt
      SORT missing STORE dst2
      EXISTS dst2
      SADD s c a b 10
      SORT s BY nosort STORE sd
      LRANGE sd 0 -1
      SORT s BY nosort DESC LIMIT 1 2 STORE sd
      LRANGE sd 0 -1
      ZADD z 1 x 2 y
      SORT z BY nosort DESC STORE zd
      LRANGE zd 0 -1
      SORT l STORE l
      LRANGE l 0 -1
      RPUSH bad x 1
      SORT bad STORE bd
      EXISTS bd
      SORT str STORE dst
      `),
    );
  });

  it('COMMAND INFO and GETKEYS: the sorted key and the last STORE key, options skipped', async () => {
    await same(
      script(`
      COMMAND INFO sort sort_ro
      COMMAND GETKEYS SORT s
      COMMAND GETKEYS SORT s BY x STORE d LIMIT 0 1 GET z STORE e
      COMMAND GETKEYS SORT s GET store STORE d2
      COMMAND GETKEYS SORT_RO s BY x GET y
      `),
    );
  });

  // Last in the file: Redis tests errno for ERANGE without clearing it first, so once a score has
  // been out of range every later numeric SORT on that server fails too (until errno changes).
  it('scores out of range (overflow, underflow) are refused', async () => {
    await same([
      ['SADD', 'big', '1', '1e400'],
      ['SORT', 'big'],
      ['SADD', 'tiny', '1', '1e-400'],
      ['SORT', 'tiny', 'LIMIT', '0', '1'],
    ]);
  });
});

describe('sort: the change feed', () => {
  const suite = changeFeedSuite();
  const fed = suite.fedArgv;

  it('SORT ... STORE as sent when it writes; SORT and SORT_RO without STORE never', async () => {
    await suite.client.call('RPUSH', 'l', '2', '1');
    expect(await fed('SORT', 'l')).toEqual([]);
    expect(await fed('SORT_RO', 'l', 'DESC')).toEqual([]);
    expect(await fed('SORT', 'l', 'STORE', 'dst')).toEqual([['SORT', 'l', 'STORE', 'dst']]);
    expect(await fed('SORT', 'l', 'LIMIT', '5', '1', 'STORE', 'dst')).toEqual([['SORT', 'l', 'LIMIT', '5', '1', 'STORE', 'dst']]);
    expect(await fed('SORT', 'l', 'LIMIT', '5', '1', 'STORE', 'dst')).toEqual([]);
  });
});
