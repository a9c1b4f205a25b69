/**
 * The LIST family against real Redis 7.0: every command's replies and errors byte for byte in
 * RESP2 and RESP3 (lists have a defined order, so everything is compared exactly), lists spanning
 * many chunks edited in the middle, random command sequences, and the change feed's forms.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { rng } from './support/rng.js';

describe('lists: differential against real Redis', () => {
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

  it('LPUSH, RPUSH, LPUSHX, RPUSHX, LLEN, LRANGE: order, missing keys, WRONGTYPE, arity', async () => {
    await same(
      script(`
      LPUSH l a b c
      RPUSH l d e
      LRANGE l 0 -1
      LLEN l
      LPUSHX l x
      RPUSHX l y z
      LPUSHX missing x
      RPUSHX missing x
      EXISTS missing
      LRANGE l 0 -1
      LLEN missing
      LRANGE missing 0 -1
      SET str v
      LPUSH str a
      RPUSH str a
      LPUSHX str a
      RPUSHX str a
      LLEN str
      LRANGE str 0 -1
      LRANGE str x 1
      LRANGE missing x 1
      LRANGE missing 0 y
      LPUSH l
      RPUSH
      LLEN
      LLEN l l
      LRANGE l 0
      TYPE l
      OBJECT ENCODING l
      `),
    );
  });

  it('LRANGE and LINDEX: negative indexes, out of range, huge and non-integer indexes', async () => {
    await same(
      script(`
      RPUSH l 0 1 2 3 4 5 6 7 8 9
      LRANGE l 2 5
      LRANGE l -3 -1
      LRANGE l -100 2
      LRANGE l 5 2
      LRANGE l 8 100
      LRANGE l 10 12
      LRANGE l -1 -2
      LRANGE l 0 9223372036854775807
      LRANGE l -9223372036854775808 0
      LRANGE l 0 9223372036854775808
      LRANGE l 1.5 2
      LINDEX l 0
      LINDEX l -1
      LINDEX l 9
      LINDEX l 10
      LINDEX l -10
      LINDEX l -11
      LINDEX l x
      LINDEX l 9223372036854775807
      LINDEX l -9223372036854775808
      LINDEX missing 0
      LINDEX missing x
      SET str v
      LINDEX str 0
      LINDEX str x
      `),
    );
  });

  it('LPOP and RPOP with and without count: nil forms, count 0, huge counts, errors, key deleted when emptied', async () => {
    await same(
      script(`
      RPUSH l a b c d e f
      LPOP l
      RPOP l
      LPOP l 2
      RPOP l 2
      LPOP l 0
      RPOP l 0
      LPOP l 100
      EXISTS l
      LPOP l
      RPOP l
      LPOP l 2
      RPOP l 0
      LPOP l -1
      LPOP l x
      RPOP l 9223372036854775807
      RPUSH l a b c
      RPOP l 9223372036854775807
      EXISTS l
      RPUSH l a
      LPOP l 1 2
      LPOP l -1
      LPOP l 1.5
      SET str v
      LPOP str
      RPOP str 1
      LPOP str -1
      LPOP
      `),
    );
  });

  it('LSET, LINSERT, LREM, LTRIM: every branch and error', async () => {
    await same(
      script(`
      RPUSH l a b c a b c a
      LSET l 0 A
      LSET l -1 Z
      LSET l 7 x
      LSET l -8 x
      LSET l x y
      LSET missing 0 x
      LSET missing x x
      LRANGE l 0 -1
      LINSERT l BEFORE b B1
      LINSERT l after b B2
      LINSERT l AFTER Z end
      LINSERT l BEFORE A start
      LINSERT l BEFORE nope x
      LINSERT l middle b x
      LINSERT missing BEFORE a x
      LINSERT missing middle a x
      LRANGE l 0 -1
      LREM l 1 c
      LREM l -1 b
      LREM l 0 a
      LREM l 0 nope
      LREM l x a
      LREM missing 0 a
      LRANGE l 0 -1
      LTRIM l 1 -2
      LRANGE l 0 -1
      LTRIM l 0 100
      LRANGE l 0 -1
      LTRIM l -2 -1
      LRANGE l 0 -1
      LTRIM l 5 1
      EXISTS l
      LTRIM missing 0 1
      LTRIM l x 1
      RPUSH m a a a a
      LREM m 0 a
      EXISTS m
      RPUSH m x
      LTRIM m 1 0
      EXISTS m
      RPUSH m a b
      LREM m -9223372036854775808 a
      LRANGE m 0 -1
      SET str v
      LSET str 0 x
      LINSERT str BEFORE a b
      LREM str 0 a
      LTRIM str 0 1
      LINSERT str middle a b
      `),
    );
  });

  it('LPOS: RANK (0 refused, negative from the tail, LLONG_MIN), COUNT, MAXLEN and their errors', async () => {
    await same(
      script(`
      RPUSH l a b c a b c a b c
      LPOS l b
      LPOS l b RANK 2
      LPOS l b RANK -1
      LPOS l b RANK -2
      LPOS l b RANK 4
      LPOS l b RANK 0
      LPOS l b RANK -9223372036854775808
      LPOS l b RANK -9223372036854775808 COUNT 1
      LPOS l b RANK 9223372036854775807
      LPOS l b COUNT 0
      LPOS l b COUNT 2
      LPOS l b COUNT 2 RANK -1
      LPOS l b COUNT 10 RANK 2
      LPOS l b COUNT -1
      LPOS l b COUNT x
      LPOS l b MAXLEN 1
      LPOS l b MAXLEN 2
      LPOS l b MAXLEN 0
      LPOS l b MAXLEN 5 COUNT 0
      LPOS l b MAXLEN 2 RANK -1
      LPOS l b MAXLEN -1
      LPOS l b RANK x
      LPOS l b RANK
      LPOS l b FOO 1
      LPOS l nope
      LPOS l nope COUNT 0
      LPOS missing a
      LPOS missing a COUNT 0
      LPOS missing a RANK 0
      SET str v
      LPOS str a
      LPOS str a COUNT 1
      `),
    );
  });

  it('LMOVE and RPOPLPUSH: every direction, same key, created destination, WRONGTYPE before anything moves', async () => {
    await same(
      script(`
      RPUSH src a b c d
      LMOVE src dst LEFT RIGHT
      LMOVE src dst RIGHT LEFT
      LMOVE src dst left left
      LRANGE src 0 -1
      LRANGE dst 0 -1
      LMOVE dst dst LEFT RIGHT
      LRANGE dst 0 -1
      RPOPLPUSH dst dst
      LRANGE dst 0 -1
      RPOPLPUSH src dst
      EXISTS src
      RPOPLPUSH src dst
      LMOVE src dst LEFT RIGHT
      LMOVE src dst UP RIGHT
      LMOVE src dst LEFT DOWN
      RPUSH one x
      LMOVE one one LEFT RIGHT
      LRANGE one 0 -1
      SET str v
      LMOVE str dst LEFT LEFT
      LMOVE dst str LEFT LEFT
      RPOPLPUSH dst str
      LRANGE dst 0 -1
      RPOPLPUSH str dst
      `),
    );
  });

  it('LMPOP and BLMPOP served at once: numkeys, LEFT/RIGHT, COUNT and their errors', async () => {
    await same(
      script(`
      RPUSH a 1 2 3
      RPUSH b 4 5 6 7
      LMPOP 2 missing a LEFT
      LMPOP 2 missing b RIGHT COUNT 2
      LMPOP 2 a b left count 10
      LMPOP 1 missing LEFT
      LMPOP 0 a LEFT
      LMPOP -1 a LEFT
      LMPOP x a LEFT
      LMPOP 2 a LEFT
      LMPOP 1 a UP
      LMPOP 1 b LEFT COUNT 0
      LMPOP 1 b LEFT COUNT -1
      LMPOP 1 b LEFT COUNT x
      LMPOP 1 b LEFT COUNT 1 COUNT 1
      LMPOP 1 b LEFT FOO
      LMPOP 1 b LEFT COUNT
      LMPOP 9223372036854775807 b LEFT
      BLMPOP 0 2 missing b RIGHT
      BLMPOP 0 1 b LEFT COUNT 5
      BLMPOP 0 0 b LEFT
      BLMPOP x 1 b LEFT
      BLMPOP -1 1 b LEFT
      BLMPOP 0 1 b UP
      SET str v
      LMPOP 2 missing str LEFT
      BLMPOP 0 1 str LEFT
      RPUSH c 1
      LMPOP 2 c str LEFT
      `),
    );
  });

  it('blocking pops served at once and their argument errors: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH', async () => {
    await same(
      script(`
      RPUSH a 1 2 3 4 5 6
      RPUSH b 4 5
      BLPOP missing a b 0
      BRPOP missing b a 1
      BLPOP a 0.5
      BLPOP missing b 0.001
      EXISTS b
      BLMOVE a dst LEFT RIGHT 0
      BRPOPLPUSH a dst 0
      LRANGE dst 0 -1
      BLPOP a x
      BLPOP a -1
      BLPOP a nan
      BLPOP a inf
      BLPOP a 1e400
      BLPOP a 9.3e15
      BLPOP a 0x
      BLMOVE a dst LEFT MIDDLE 0
      BLMOVE a dst LEFT LEFT x
      BLMOVE a dst LEFT LEFT -1
      BRPOPLPUSH a dst x
      BRPOPLPUSH a dst -0.5
      SET str v
      BLPOP missing str 0
      BRPOP str 0
      RPUSH c x
      BLMOVE c str LEFT LEFT 0
      LRANGE c 0 -1
      BLMOVE str c LEFT LEFT 0
      BRPOPLPUSH c str 0
      BLPOP a
      `),
    );
  });

  it('encoding: quicklist for every list in Redis 7.0, whatever list-max-listpack-size says', async () => {
    const steps: Step[] = [];
    for (const size of ['-1', '-2', '-5', '1', '4', '128']) {
      steps.push(
        ['CONFIG', 'SET', 'list-max-listpack-size', size],
        ['DEL', 'l'],
        ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
        ['OBJECT', 'ENCODING', 'l'],
      );
      steps.push(['RPUSH', 'l', 'x'.repeat(70000)], ['OBJECT', 'ENCODING', 'l'], ['LINDEX', 'l', '-1']);
    }
    steps.push(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
    await same(steps);
  });

  it('TYPE, COPY, RENAME, DEL, SCAN TYPE and OBJECT ENCODING with lists', async () => {
    await same(
      script(`
      RPUSH l a b c
      TYPE l
      COPY l l2
      RPUSH l2 d
      LRANGE l 0 -1
      LRANGE l2 0 -1
      RENAME l2 l3
      LRANGE l3 0 -1
      DEL l
      SET s v
      SCAN 0 TYPE list COUNT 100
      DEL l3
      TYPE l3
      `),
    );
  });

  it('big lists spanning many chunks: edits in the middle, ranges across chunk edges, trims and removals', async () => {
    const steps: Step[] = [];
    const items = Array.from({ length: 700 }, (_, i) => `item:${i}`);
    steps.push(['RPUSH', 'big', ...items]);
    steps.push(['LPUSH', 'big', ...items.slice(0, 300)]);
    for (const i of ['0', '127', '128', '129', '500', '999', '-1', '-129', '-500']) steps.push(['LINDEX', 'big', i]);
    steps.push(['LRANGE', 'big', '120', '400'], ['LRANGE', 'big', '-300', '-100']);
    steps.push(['LSET', 'big', '250', 'x'.repeat(9000)], ['LSET', 'big', '251', 'y']);
    steps.push(['LINSERT', 'big', 'BEFORE', 'item:400', 'inserted'], ['LINSERT', 'big', 'AFTER', 'item:699', 'last']);
    steps.push(['LREM', 'big', '2', 'item:10'], ['LREM', 'big', '-1', 'item:20'], ['LREM', 'big', '0', 'item:5']);
    steps.push(['LPOS', 'big', 'item:100', 'COUNT', '0'], ['LPOS', 'big', 'item:100', 'RANK', '-1']);
    steps.push(['LRANGE', 'big', '0', '-1'], ['LLEN', 'big']);
    steps.push(['LTRIM', 'big', '100', '-150'], ['LRANGE', 'big', '0', '-1']);
    steps.push(['LPOP', 'big', '130'], ['RPOP', 'big', '170'], ['LRANGE', 'big', '0', '-1']);
    steps.push(['LMPOP', '1', 'big', 'RIGHT', 'COUNT', '200'], ['LRANGE', 'big', '0', '-1']);
    await same(steps);
  });

  it('binary-safe elements: NUL, CR LF, high bytes, empty strings and long elements', async () => {
    const steps: Step[] = [
      ['RPUSH', 'l', Buffer.from([0, 13, 10, 255]), '', Buffer.alloc(300, 0xc3), 'x'.repeat(20000)],
      ['LRANGE', 'l', '0', '-1'],
      ['LPOS', 'l', Buffer.from([0, 13, 10, 255])],
      ['LPOS', 'l', ''],
      ['LREM', 'l', '0', ''],
      ['RPOP', 'l'],
      ['LINSERT', 'l', 'AFTER', Buffer.alloc(300, 0xc3), Buffer.from([128, 0])],
      ['LRANGE', 'l', '0', '-1'],
    ];
    await same(steps);
  });

  it('random sequences of list commands give the same replies as Redis', async () => {
    const r = rng(7);
    const elems = ['a', 'b', 'c', 'dd', '', 'x'.repeat(50)];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const int = (lo: number, hi: number) => String(lo + Math.floor(r() * (hi - lo + 1)));
    for (let seq = 0; seq < 60; seq++) {
      const steps: Step[] = [];
      for (let i = 0; i < 150; i++) {
        const k = pick(['k1', 'k2']);
        const ops: (() => Step)[] = [
          () => ['RPUSH', k, ...Array.from({ length: Number(int(1, 40)) }, () => pick(elems))],
          () => ['LPUSH', k, ...Array.from({ length: Number(int(1, 40)) }, () => pick(elems))],
          () => ['LPOP', k, int(0, 30)],
          () => ['RPOP', k],
          () => ['LRANGE', k, int(-50, 50), int(-50, 50)],
          () => ['LINDEX', k, int(-80, 80)],
          () => ['LSET', k, int(-80, 80), pick(elems)],
          () => ['LINSERT', k, pick(['BEFORE', 'AFTER']), pick(elems), pick(elems)],
          () => ['LREM', k, int(-3, 3), pick(elems)],
          () => ['LTRIM', k, int(-60, 60), int(-60, 60)],
          () => ['LPOS', k, pick(elems), 'RANK', pick(['1', '2', '-1', '-3']), 'COUNT', int(0, 3), 'MAXLEN', int(0, 50)],
          () => ['LMOVE', k, pick(['k1', 'k2']), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT'])],
          () => ['LMPOP', '2', k, 'k3', pick(['LEFT', 'RIGHT']), 'COUNT', int(1, 20)],
          () => ['LLEN', k],
        ];
        steps.push(pick(ops)());
      }
      steps.push(['LRANGE', 'k1', '0', '-1'], ['LRANGE', 'k2', '0', '-1']);
      expect({ seq, mismatches: await suite.diff.run(steps) }).toEqual({ seq, mismatches: [] });
    }
  });
});

describe('lists: the change feed', () => {
  const suite = changeFeedSuite();
  const fed = suite.fedArgv;

  it('pops and moves propagate as themselves; LMPOP as [LR]POP with the count popped; no-op writes not at all', async () => {
    expect(await fed('RPUSH', 'l', 'a', 'b', 'c')).toEqual([['RPUSH', 'l', 'a', 'b', 'c']]);
    expect(await fed('LPOP', 'l')).toEqual([['LPOP', 'l']]);
    expect(await fed('LMOVE', 'l', 'm', 'LEFT', 'RIGHT')).toEqual([['LMOVE', 'l', 'm', 'LEFT', 'RIGHT']]);
    expect(await fed('LMPOP', '2', 'x', 'l', 'RIGHT', 'COUNT', '5')).toEqual([['RPOP', 'l', '1']]);
    expect(await fed('LMPOP', '1', 'l', 'RIGHT')).toEqual([]);
    expect(await fed('RPUSH', 'l', 'a', 'b')).toEqual([['RPUSH', 'l', 'a', 'b']]);
    expect(await fed('LTRIM', 'l', '0', '-1')).toEqual([]);
    expect(await fed('LTRIM', 'l', '1', '-1')).toEqual([['LTRIM', 'l', '1', '-1']]);
    expect(await fed('LREM', 'l', '0', 'nope')).toEqual([]);
    expect(await fed('LPUSHX', 'nope', 'a')).toEqual([]);
  });

  it('blocking pops served at once propagate as the non-blocking command that took effect', async () => {
    await suite.client.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(await fed('BLPOP', 'x', 'l', '0')).toEqual([['LPOP', 'l']]);
    expect(await fed('BRPOP', 'l', '0')).toEqual([['RPOP', 'l']]);
    expect(await fed('BLMOVE', 'l', 'm', 'RIGHT', 'LEFT', '0')).toEqual([['LMOVE', 'l', 'm', 'RIGHT', 'LEFT']]);
    expect(await fed('BRPOPLPUSH', 'l', 'm', '0')).toEqual([['RPOPLPUSH', 'l', 'm']]);
    expect(await fed('BLMPOP', '0', '1', 'm', 'LEFT', 'COUNT', '10')).toEqual([['LPOP', 'm', '3']]);
    expect(await fed('BLPOP', 'nothing', '0.01')).toEqual([]);
  });
});
