/**
 * Property test of the SET family: random sequences of every set command over three keys (one of
 * them often another type), members from a small alphabet mixing integers (intset) and strings so
 * they collide and cross the intset → hashtable conversion (set-max-intset-entries lowered);
 * SPOP's effect is checked on each side and the set rebuilt from Redis's remainder.
 */
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { checkDraw, propertySuite, scalars, type Command, type Reply } from './harness.js';

const KEYS = ['s1', 's2', 's3'];
const key = fc.constantFrom(...KEYS);
const member = fc.constantFrom('1', '2', '3', '-5', '10', '007', '9223372036854775807', '-9223372036854775808', 'a', 'b', 'c', '');
const members = (min: number) => fc.array(member, { minLength: min, maxLength: 5 });
const keyList = (min: number) => fc.array(key, { minLength: min, maxLength: 3 });
const count = fc.constantFrom('0', '1', '2', '3', '7', '-1', '-3', '-12', '100', 'x', '9223372036854775807', '-9223372036854775808');

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(key, members(0)).map(([k, ms]) => ['SADD', k, ...ms]) },
  { weight: 2, arbitrary: fc.tuple(key, members(0)).map(([k, ms]) => ['SREM', k, ...ms]) },
  fc.tuple(key).map(([k]) => ['SCARD', k]),
  fc.tuple(key, member).map(([k, m]) => ['SISMEMBER', k, m]),
  fc.tuple(key, members(0)).map(([k, ms]) => ['SMISMEMBER', k, ...ms]),
  fc.tuple(key).map(([k]) => ['SMEMBERS', k]),
  fc.tuple(key, fc.option(count, { nil: undefined })).map(([k, n]) => (n === undefined ? ['SPOP', k] : ['SPOP', k, n])),
  fc.tuple(key, fc.option(count, { nil: undefined })).map(([k, n]) => (n === undefined ? ['SRANDMEMBER', k] : ['SRANDMEMBER', k, n])),
  fc.tuple(key, key, member).map(([a, b, m]) => ['SMOVE', a, b, m]),
  fc.constantFrom('SINTER', 'SUNION', 'SDIFF').chain((c) => keyList(0).map((ks) => [c, ...ks])),
  fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE').chain((c) => fc.tuple(key, keyList(0)).map(([d, ks]) => [c, d, ...ks])),
  fc
    .tuple(keyList(0), fc.constantFrom([], ['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '2'], ['LIMIT', '-1'], ['LIMIT', 'x'], ['LIMIT']))
    .map(([ks, limit]) => ['SINTERCARD', String(ks.length), ...ks, ...limit]),
  fc.tuple(keyList(1)).map(([ks]) => ['SINTERCARD', String(ks.length + 1), ...ks]),
  fc
    .tuple(key, fc.constantFrom([], ['MATCH', '*'], ['MATCH', '1*'], ['MATCH', '[a-c]'], ['COUNT', '0']))
    .map(([k, opts]) => ['SSCAN', k, '0', ...opts, 'COUNT', '1000']),
  // Neighbours: the key as another type, gone, renamed, copied.
  fc.tuple(key, member).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, member).map(([k, f]) => ['HSET', k, f, 'v']),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
);

const membersOf = (r: Reply) => new Set(scalars(r));

const srandmember = {
  check(argv: Command, reply: Reply, before: Reply): string | undefined {
    return checkDraw(scalars(reply), membersOf(before), argv.length > 2 ? Number(argv[2]) : undefined);
  },
};

const spop = {
  check(argv: Command, reply: Reply, before: Reply, after: Reply): string | undefined {
    const popped = scalars(reply);
    const drawn = checkDraw(popped, membersOf(before), argv.length > 2 ? Number(argv[2]) : undefined);
    if (drawn) return drawn;
    const left = membersOf(after);
    const expected = [...membersOf(before)].filter((m) => !popped.includes(m));
    const same = left.size === expected.length && expected.every((m) => left.has(m));
    return same ? undefined : `left ${JSON.stringify([...left])} after popping ${JSON.stringify(popped)}`;
  },
  rebuild: (k: string, content: Reply): Command[] => {
    const ms = scalars(content);
    return ms.length ? [['SADD', k, ...ms]] : [];
  },
};

describe('sets: random command sequences, Brook vs Redis', () => {
  const suite = propertySuite(
    {
      command,
      keys: KEYS,
      snapshot: (k) => ['SMEMBERS', k],
      unordered: { SMEMBERS: 'members', SINTER: 'members', SUNION: 'members', SDIFF: 'members', SSCAN: 'members' },
      random: { SPOP: spop, SRANDMEMBER: srandmember },
      orderedEncodings: ['intset'],
    },
    ['--set-max-intset-entries', '4'],
  );

  it('replies and final state match Redis', async () => {
    await suite.check();
  }, 120000);
});
