/**
 * Property test of the HASH family: random sequences of every hash command over three keys (one of
 * them often another type), small alphabets so fields collide, listpack limits lowered so
 * sequences cross the listpack → hashtable conversion; Brook and Redis compared reply by reply.
 */
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { checkDraw, propertySuite, scalars, type Command, type Reply } from './harness.js';

const KEYS = ['h1', 'h2', 'other'];
const key = fc.constantFrom(...KEYS);
const field = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', '1', '-2', 'longfield-over-16-bytes');
const value = fc.constantFrom(
  'x',
  'yy',
  '0',
  '1',
  '-7',
  '10',
  '1.5',
  '9223372036854775807',
  '-9223372036854775808',
  'value-longer-than-16',
  '',
);
const increment = fc.constantFrom('1', '-1', '0', '5', '9223372036854775807', '-9223372036854775808', '1.5', 'abc', '');
const floatIncrement = fc.constantFrom('1.5', '-0.1', '0', '3', '1e308', '-1e308', 'inf', '-inf', 'nan', 'abc', '5e-324', '0x10');
const count = fc.constantFrom('0', '1', '2', '3', '7', '-1', '-3', '-12', '100', 'x', '9223372036854775807', '-9223372036854775808');
const fields = fc.array(field, { minLength: 0, maxLength: 5 });
const pairs = fc.array(fc.tuple(field, value), { minLength: 0, maxLength: 5 }).map((ps) => ps.flat());

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(key, pairs).map(([k, fv]) => ['HSET', k, ...fv]) },
  fc.tuple(key, pairs).map(([k, fv]) => ['HMSET', k, ...fv]),
  fc.tuple(key, field, value).map(([k, f, v]) => ['HSETNX', k, f, v]),
  fc.tuple(key, field).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(key, fields).map(([k, fs]) => ['HMGET', k, ...fs]),
  { weight: 2, arbitrary: fc.tuple(key, fields).map(([k, fs]) => ['HDEL', k, ...fs]) },
  fc.tuple(key).map(([k]) => ['HLEN', k]),
  fc.tuple(key, field).map(([k, f]) => ['HSTRLEN', k, f]),
  fc.tuple(key, field).map(([k, f]) => ['HEXISTS', k, f]),
  fc.constantFrom('HKEYS', 'HVALS', 'HGETALL').chain((c) => key.map((k) => [c, k])),
  fc.tuple(key, field, increment).map(([k, f, n]) => ['HINCRBY', k, f, n]),
  fc.tuple(key, field, floatIncrement).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]),
  fc
    .tuple(key, fc.option(count, { nil: undefined }), fc.constantFrom([], ['WITHVALUES'], ['withvalues', 'x']))
    .map(([k, n, opts]) => (n === undefined ? ['HRANDFIELD', k] : ['HRANDFIELD', k, n, ...opts])),
  fc
    .tuple(key, fc.constantFrom([], ['MATCH', '*'], ['MATCH', '[a-c]'], ['MATCH', '-*'], ['COUNT', '0'], ['NOVALUES']))
    .map(([k, opts]) => ['HSCAN', k, '0', ...opts, 'COUNT', '1000']),
  // Neighbours: the key as another type, gone, renamed, copied.
  fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, field).map(([k, m]) => ['SADD', k, m]),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
  fc.tuple(key).map(([k]) => ['TYPE', k]),
);

/** The hash as a Map from HGETALL's reply (flat in RESP2, a map in RESP3). */
const hashOf = (r: Reply): Map<string, string> => {
  const flat = scalars(r);
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
  return m;
};

const hrandfield = {
  check(argv: Command, reply: Reply, before: Reply): string | undefined {
    const hash = hashOf(before);
    const withValues = argv.length > 3;
    const flat = scalars(reply);
    const picked = withValues ? flat.filter((_, i) => i % 2 === 0) : flat;
    if (withValues) {
      const wrong = picked.findIndex((f, i) => hash.get(f) !== flat[2 * i + 1]);
      if (wrong >= 0) return `value ${JSON.stringify(flat[2 * wrong + 1])} is not ${JSON.stringify(picked[wrong])}'s`;
    }
    return checkDraw(picked, new Set(hash.keys()), argv.length > 2 ? Number(argv[2]) : undefined);
  },
};

describe('hashes: random command sequences, Brook vs Redis', () => {
  const suite = propertySuite(
    {
      command,
      keys: KEYS,
      snapshot: (k) => ['HGETALL', k],
      unordered: { HKEYS: 'members', HVALS: 'members', HGETALL: 'pairs', HSCAN: 'pairs' },
      random: { HRANDFIELD: hrandfield },
      orderedEncodings: ['listpack'],
    },
    ['--hash-max-listpack-entries', '4', '--hash-max-listpack-value', '16'],
  );

  it('replies and final state match Redis', async () => {
    await suite.check();
  }, 120000);
});
