/**
 * Property test of the LIST family: random sequences of every list command over three keys (one
 * of them often another type), small alphabets so LREM/LPOS/LINSERT find their pivots, negative
 * and out-of-range indexes, counts at the edges; the blocking pops with a short timeout (they time
 * out on an empty list on both servers alike). Every reply of a list is deterministic.
 */
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { propertySuite, type Command } from './harness.js';

const KEYS = ['l1', 'l2', 'l3'];
const key = fc.constantFrom(...KEYS);
const element = fc.constantFrom('a', 'b', 'c', '1', '-2', '10', '', 'element-longer-than-16-bytes');
const elements = fc.array(element, { minLength: 1, maxLength: 6 });
const index = fc.constantFrom('0', '1', '2', '-1', '-2', '-3', '5', '-100', '100', 'x', '9223372036854775807', '-9223372036854775808');
const count = fc.constantFrom('0', '1', '2', '3', '10', '-1', 'x', '9223372036854775807', '-9223372036854775808');
const side = fc.constantFrom('LEFT', 'RIGHT', 'left', 'middle');
const lposOptions = fc
  .tuple(
    fc.constantFrom([], ['RANK', '1'], ['RANK', '-1'], ['RANK', '2'], ['RANK', '-2'], ['RANK', '0'], ['RANK', '-9223372036854775808']),
    fc.constantFrom([], ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '2'], ['COUNT', '-1']),
    fc.constantFrom([], ['MAXLEN', '0'], ['MAXLEN', '2'], ['MAXLEN', '-1']),
  )
  .map(([r, c, m]) => [...r, ...c, ...m]);
/** The blocking pops wait this long (seconds) on empty lists. */
const SHORT = '0.01';

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), key, elements).map(([c, k, es]) => [c, k, ...es]) },
  fc.tuple(fc.constantFrom('LPUSHX', 'RPUSHX'), key, elements).map(([c, k, es]) => [c, k, ...es]),
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.option(count, { nil: undefined }))
      .map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, n])),
  },
  fc.tuple(key).map(([k]) => ['LLEN', k]),
  fc.tuple(key, index, index).map(([k, a, b]) => ['LRANGE', k, a, b]),
  fc.tuple(key, index).map(([k, i]) => ['LINDEX', k, i]),
  fc.tuple(key, index, element).map(([k, i, e]) => ['LSET', k, i, e]),
  fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER', 'before', 'around'), element, element).map(([k, w, p, e]) => ['LINSERT', k, w, p, e]),
  fc.tuple(key, count, element).map(([k, n, e]) => ['LREM', k, n, e]),
  fc.tuple(key, index, index).map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(key, element, lposOptions).map(([k, e, o]) => ['LPOS', k, e, ...o]),
  fc.tuple(key, key, side, side).map(([a, b, x, y]) => ['LMOVE', a, b, x, y]),
  fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
  fc
    .tuple(
      fc.array(key, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('LEFT', 'RIGHT', 'up'),
      fc.constantFrom([], ['COUNT', '2'], ['COUNT', '0'], ['COUNT', '100']),
    )
    .map(([ks, w, n]) => ['LMPOP', String(ks.length), ...ks, w, ...n]),
  // Blocking pops: served at once on a non-empty list, a null after SHORT on an empty one.
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.array(key, { minLength: 1, maxLength: 2 })).map(([c, ks]) => [c, ...ks, SHORT]),
  fc.tuple(key, key, side, side).map(([a, b, x, y]) => ['BLMOVE', a, b, x, y, SHORT]),
  fc.tuple(key, key).map(([a, b]) => ['BRPOPLPUSH', a, b, SHORT]),
  fc
    .tuple(fc.array(key, { minLength: 1, maxLength: 2 }), fc.constantFrom('LEFT', 'RIGHT'))
    .map(([ks, w]) => ['BLMPOP', SHORT, String(ks.length), ...ks, w, 'COUNT', '2']),
  // Neighbours: the key as another type, gone, renamed, copied.
  fc.tuple(key, element).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, element).map(([k, m]) => ['SADD', k, m]),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
);

describe('lists: random command sequences, Brook vs Redis', () => {
  const suite = propertySuite(
    {
      command,
      keys: KEYS,
      snapshot: (k) => ['LRANGE', k, '0', '-1'],
      orderedEncodings: ['quicklist', 'listpack'],
    },
    ['--list-max-listpack-size', '4'],
  );

  it('replies and final state match Redis', async () => {
    await suite.check();
  }, 120000);
});
