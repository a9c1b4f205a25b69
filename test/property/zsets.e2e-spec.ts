/**
 * Property test of the sorted-set family (and GEO, which stores into sorted sets): random
 * sequences over three keys with small alphabets of members and edge scores (±inf, -0, NaN text,
 * 1e300, %.17g-unfriendly decimals), score and lex ranges with exclusive bounds, negative ranks,
 * LIMIT, WEIGHTS/AGGREGATE, listpack limits lowered so sequences cross the listpack → skiplist
 * conversion; ZRANDMEMBER checked by its properties.
 */
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { checkDraw, propertySuite, scalars, type Command, type Reply } from './harness.js';

const KEYS = ['z1', 'z2', 'z3'];
const key = fc.constantFrom(...KEYS);
const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', '1', '10', '', 'member-longer-than-16');
const score = fc.constantFrom('0', '1', '-1', '2.5', '0.1', '1.1', '-0', '3', '1e300', '-1e-300', 'inf', '-inf', '+inf', 'nan', 'x', '17');
const bound = fc.constantFrom('-inf', '+inf', '0', '1', '(1', '2.5', '(2.5', '-1', '(-inf', 'x', '((1');
const lex = fc.constantFrom('-', '+', '[a', '(a', '[c', '(d', '[', 'b');
const index = fc.constantFrom('0', '1', '2', '-1', '-2', '-100', '100', 'x');
const count = fc.constantFrom('0', '1', '2', '3', '-1', '-3', '-12', '100', 'x', '9223372036854775807', '-9223372036854775808');
const limit = fc.constantFrom([], ['LIMIT', '0', '2'], ['LIMIT', '1', '-1'], ['LIMIT', '-1', '2'], ['LIMIT', '0']);
const keyList = fc.array(key, { minLength: 1, maxLength: 3 });
const pairs = fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }).map((ps) => ps.flat());
const flags = fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']);
const lon = fc.constantFrom('0', '13.361389', '15.087269', '-180', '180', '179.99', '200', 'x');
const lat = fc.constantFrom('0', '38.115556', '37.502669', '85.05112878', '-85.05112878', '86');

/** numkeys, the keys, then WEIGHTS/AGGREGATE options for ZUNION/ZINTER(STORE). */
const setOpArgs = fc
  .tuple(
    keyList,
    fc.constantFrom([], ['WEIGHTS', '2'], ['WEIGHTS', '1', '0.5', '3'], ['WEIGHTS', '-1', '0', '-2'], ['WEIGHTS', 'x']),
    fc.constantFrom([], ['AGGREGATE', 'MIN'], ['AGGREGATE', 'MAX'], ['AGGREGATE', 'SUM'], ['AGGREGATE', 'no']),
  )
  .map(([ks, weights, aggregate]) => [
    String(ks.length),
    ...ks,
    ...(weights.length ? [weights[0], ...weights.slice(1, 1 + ks.length)] : []),
    ...aggregate,
  ]);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(key, flags, pairs).map(([k, f, ps]) => ['ZADD', k, ...f, ...ps]) },
  fc.tuple(key, score, member).map(([k, s, m]) => ['ZINCRBY', k, s, m]),
  { weight: 2, arbitrary: fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['ZREM', k, ...ms]) },
  fc.tuple(key).map(([k]) => ['ZCARD', k]),
  fc.tuple(key, member).map(([k, m]) => ['ZSCORE', k, m]),
  fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['ZMSCORE', k, ...ms]),
  fc.tuple(fc.constantFrom('ZRANK', 'ZREVRANK'), key, member).map(([c, k, m]) => [c, k, m]),
  fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZCOUNT', k, a, b]),
  fc.tuple(key, lex, lex).map(([k, a, b]) => ['ZLEXCOUNT', k, a, b]),
  fc
    .tuple(key, index, index, fc.constantFrom([], ['REV'], ['WITHSCORES'], ['REV', 'WITHSCORES']))
    .map(([k, a, b, o]) => ['ZRANGE', k, a, b, ...o]),
  fc
    .tuple(key, bound, bound, fc.constantFrom([], ['REV']), limit, fc.constantFrom([], ['WITHSCORES']))
    .map(([k, a, b, rev, l, w]) => ['ZRANGE', k, a, b, 'BYSCORE', ...rev, ...l, ...w]),
  fc.tuple(key, lex, lex, fc.constantFrom([], ['REV']), limit).map(([k, a, b, rev, l]) => ['ZRANGE', k, a, b, 'BYLEX', ...rev, ...l]),
  fc
    .tuple(fc.constantFrom('ZRANGEBYSCORE', 'ZREVRANGEBYSCORE'), key, bound, bound, fc.constantFrom([], ['WITHSCORES']), limit)
    .map(([c, k, a, b, w, l]) => [c, k, a, b, ...w, ...l]),
  fc.tuple(fc.constantFrom('ZRANGEBYLEX', 'ZREVRANGEBYLEX'), key, lex, lex, limit).map(([c, k, a, b, l]) => [c, k, a, b, ...l]),
  fc.tuple(key, index, index, fc.constantFrom([], ['WITHSCORES'])).map(([k, a, b, w]) => ['ZREVRANGE', k, a, b, ...w]),
  fc.tuple(key, key, index, index).map(([d, k, a, b]) => ['ZRANGESTORE', d, k, a, b]),
  fc.tuple(key, key, bound, bound).map(([d, k, a, b]) => ['ZRANGESTORE', d, k, a, b, 'BYSCORE']),
  fc.tuple(key, index, index).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, a, b]),
  fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZREMRANGEBYSCORE', k, a, b]),
  fc.tuple(key, lex, lex).map(([k, a, b]) => ['ZREMRANGEBYLEX', k, a, b]),
  fc
    .tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key, fc.option(count, { nil: undefined }))
    .map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, n])),
  fc
    .tuple(keyList, fc.constantFrom('MIN', 'MAX', 'x'), fc.constantFrom([], ['COUNT', '2'], ['COUNT', '0'], ['COUNT', '100']))
    .map(([ks, w, n]) => ['ZMPOP', String(ks.length), ...ks, w, ...n]),
  fc
    .tuple(key, fc.option(count, { nil: undefined }), fc.constantFrom([], ['WITHSCORES'], ['withscores', 'x']))
    .map(([k, n, o]) => (n === undefined ? ['ZRANDMEMBER', k] : ['ZRANDMEMBER', k, n, ...o])),
  fc.tuple(fc.constantFrom('ZUNION', 'ZINTER'), setOpArgs, fc.constantFrom([], ['WITHSCORES'])).map(([c, a, w]) => [c, ...a, ...w]),
  fc.tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE'), key, setOpArgs).map(([c, d, a]) => [c, d, ...a]),
  fc.tuple(keyList, fc.constantFrom([], ['WITHSCORES'])).map(([ks, w]) => ['ZDIFF', String(ks.length), ...ks, ...w]),
  fc.tuple(key, keyList).map(([d, ks]) => ['ZDIFFSTORE', d, String(ks.length), ...ks]),
  fc
    .tuple(keyList, fc.constantFrom([], ['LIMIT', '1'], ['LIMIT', '0'], ['LIMIT', '-1']))
    .map(([ks, l]) => ['ZINTERCARD', String(ks.length), ...ks, ...l]),
  fc.tuple(key, fc.constantFrom([], ['MATCH', '*'], ['MATCH', '[a-c]'])).map(([k, o]) => ['ZSCAN', k, '0', ...o, 'COUNT', '1000']),
  // GEO stores positions in sorted sets.
  fc
    .tuple(key, fc.subarray(['NX', 'XX', 'CH']), fc.array(fc.tuple(lon, lat, member), { minLength: 1, maxLength: 3 }))
    .map(([k, f, ps]) => ['GEOADD', k, ...f, ...ps.flat()]),
  fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['GEOPOS', k, ...ms]),
  fc.tuple(key, member, member, fc.constantFrom([], ['km'], ['mi'])).map(([k, a, b, u]) => ['GEODIST', k, a, b, ...u]),
  fc
    .tuple(key, member, fc.constantFrom('1', '500', '5000'))
    .map(([k, m, r]) => ['GEOSEARCH', k, 'FROMMEMBER', m, 'BYRADIUS', r, 'km', 'ASC', 'WITHDIST']),
  // Neighbours: the key as another type, gone, renamed, copied.
  fc.tuple(key, member).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, member).map(([k, m]) => ['SADD', k, m]),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
);

/** member → score text from ZRANGE 0 -1 WITHSCORES (flat in RESP2, pairs in RESP3). */
const zsetOf = (r: Reply): Map<string, string> => {
  const flat = scalars(r);
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
  return m;
};

const zrandmember = {
  check(argv: Command, reply: Reply, before: Reply): string | undefined {
    const zset = zsetOf(before);
    const withScores = argv.length > 3;
    const flat = scalars(reply);
    const picked = withScores ? flat.filter((_, i) => i % 2 === 0) : flat;
    if (withScores) {
      const wrong = picked.findIndex((m, i) => zset.get(m) !== flat[2 * i + 1]);
      if (wrong >= 0) return `score ${JSON.stringify(flat[2 * wrong + 1])} is not ${JSON.stringify(picked[wrong])}'s`;
    }
    return checkDraw(picked, new Set(zset.keys()), argv.length > 2 ? Number(argv[2]) : undefined);
  },
};

describe('sorted sets: random command sequences, Brook vs Redis', () => {
  const suite = propertySuite(
    {
      command,
      keys: KEYS,
      snapshot: (k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
      unordered: { ZSCAN: 'pairs' },
      random: { ZRANDMEMBER: zrandmember },
      orderedEncodings: ['listpack', 'skiplist'],
    },
    ['--zset-max-listpack-entries', '4', '--zset-max-listpack-value', '16'],
  );

  it('replies and final state match Redis', async () => {
    await suite.check();
  }, 120000);
});
