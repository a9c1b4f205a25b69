/**
 * The STREAM type without consumer groups against real Redis 7.0: XADD, XLEN, XRANGE/XREVRANGE,
 * XDEL, XTRIM, XSETID and non-blocking XREAD, every option and error path, byte for byte in RESP2
 * and RESP3 (test/support/differential.ts); IDs at the edges of the u64 range, incomplete and
 * exclusive IDs; `~` trimming with LIMIT at several node sizes (node boundaries must match Redis's);
 * the keyspace commands on streams; the change feed's forms of XADD and XTRIM.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { rng } from './support/rng.js';

describe('streams: differential against real Redis', () => {
  const suite = differentialSuite();
  const sameInBoth = async (steps: Step[]) => expect(await suite.diff.runInBothProtocols(steps)).toEqual([]);
  const both = async (...argv: string[]) => {
    await suite.diff.brook.call(...argv);
    await suite.diff.redis.call(...argv);
  };

  it('XADD with explicit and ms-* IDs, XLEN, XRANGE, XREVRANGE, in RESP2 and RESP3', async () => {
    await sameInBoth(
      script(`
      XADD s 1-1 a 1 b 2
      XADD s 1-* a 3 b 4
      XADD s 1-* c 5
      XADD s 2 a 1 b 2
      XADD s 2-* a 1
      XADD s 5-0 f v
      XADD s 5-0 f v
      XADD s 4-9 f v
      XADD s 5-* f v
      XADD s 0-0 f v
      XADD new 0-0 f v
      EXISTS new
      XADD new 0-* f v
      XADD new2 0-1 f v
      XLEN s
      XLEN nokey
      XRANGE s - +
      XRANGE s - + COUNT 2
      XRANGE s - + COUNT 0
      XRANGE s - + COUNT -3
      XRANGE s - + COUNT 2 COUNT 4
      XRANGE s 1 1
      XRANGE s 2 +
      XRANGE s - 1
      XRANGE s (1-1 +
      XRANGE s - (2-1
      XRANGE s (1 +
      XRANGE s (1-1 (1-2
      XRANGE s 5 4
      XRANGE nokey - +
      XRANGE nokey - + COUNT 0
      XREVRANGE s + -
      XREVRANGE s + - COUNT 3
      XREVRANGE s 2 1
      XREVRANGE s (5-1 (1-1
      XREVRANGE s - +
      XREVRANGE s + - COUNT 0
      XREVRANGE nokey + -
      `),
    );
  });

  it('argument errors of XADD, XRANGE, XLEN and the wrong type', async () => {
    await sameInBoth(
      script(`
      XADD s 1-1 f v
      XADD s 1-x f v
      XADD s x f v
      XADD s - f v
      XADD s + f v
      XADD s 1-2-3 f v
      XADD s *-1 f v
      XADD s 2-* f
      XADD s 2-* f v g
      XADD s 2-*
      XADD s
      XADD s MAXLEN
      XADD s MAXLEN 1
      XADD s MAXLEN x * f v
      XADD s MAXLEN -1 * f v
      XADD s MAXLEN ~ * f v
      XADD s MAXLEN = x * f v
      XADD s MINID x * f v
      XADD s MINID - * f v
      XADD s MAXLEN 1 MINID 1 * f v
      XADD s MINID 1 MAXLEN 1 * f v
      XADD s LIMIT 10 * f v
      XADD s LIMIT 0 3-0 f v
      XADD s MAXLEN 10 LIMIT 10 * f v
      XADD s MAXLEN = 10 LIMIT 10 * f v
      XADD s MAXLEN ~ 10 LIMIT -1 * f v
      XADD s MAXLEN ~ 10 LIMIT x * f v
      XADD s NOMKSTREAM NOMKSTREAM 4-1 f v
      XADD nokey NOMKSTREAM 1-1 f v
      EXISTS nokey
      XADD nokey NOMKSTREAM MAXLEN 0 1-1 f v
      XRANGE s
      XRANGE s -
      XRANGE s x +
      XRANGE s - x
      XRANGE s ( +
      XRANGE s (- +
      XRANGE s - (+
      XRANGE s - +x
      XRANGE s - + COUNT
      XRANGE s - + COUNT x
      XRANGE s - + LIMIT 1
      XRANGE s 1-18446744073709551616 +
      XRANGE s -1 +
      XLEN
      XLEN s extra
      SET str v
      XADD str 1-1 f v
      XADD str NOMKSTREAM 1-1 f v
      XLEN str
      XRANGE str - +
      XREVRANGE str + -
      XDEL str 1-1
      XTRIM str MAXLEN 0
      XSETID str 1-1
      XREAD STREAMS str 0
      XRANGE str x +
      `),
    );
  });

  it('IDs at the top of the u64 range, exhausted streams, exclusive ranges at the edges', async () => {
    await sameInBoth(
      script(`
      XADD s 9007199254740993-9007199254740993 f v
      XADD s 9007199254740993-* f v
      XADD s 18446744073709551615-18446744073709551614 f v
      XRANGE s - +
      XRANGE s 9007199254740993 9007199254740993
      XRANGE s (9007199254740993-9007199254740993 +
      XRANGE s (18446744073709551615-18446744073709551615 +
      XRANGE s - (0-0
      XRANGE s - (0
      XRANGE s (18446744073709551615 +
      XREVRANGE s + (18446744073709551615-18446744073709551614
      XADD s 18446744073709551615-* f v
      XADD s 18446744073709551615-* f v
      XADD s * f v
      XADD s 18446744073709551615-18446744073709551615 f v
      XLEN s
      XADD t 5-18446744073709551615 f v
      XADD t 5-* f v
      XADD t 6-* f v
      XADD t 007-00 f v
      XADD t 8--01 f v
      XADD t 9--1 f v
      XRANGE t - +
      XRANGE t 8-18446744073709551616 +
      `),
    );
  });

  it('XDEL, then XRANGE skips deleted entries, and an emptied stream stays', async () => {
    await sameInBoth(
      script(`
      XADD s 1-1 a 1
      XADD s 2-1 a 2
      XADD s 3-1 a 3
      XDEL s 2-1 2-1 9-9
      XDEL s 2-1
      XDEL s x
      XDEL s 1-1 x
      XDEL s -
      XDEL nokey x
      XDEL s
      XRANGE s - +
      XREVRANGE s + -
      XLEN s
      XDEL s 1-1 3-1
      XLEN s
      EXISTS s
      TYPE s
      XRANGE s - +
      XADD s 2-0 f v
      XADD s 3-2 f v
      XRANGE s - +
      `),
    );
  });

  it('XTRIM and XADD trimming, exact and ~ with LIMIT, at several node sizes', async () => {
    for (const [bytes, entries] of [
      ['4096', '100'],
      ['4096', '10'],
      ['200', '0'],
      ['0', '7'],
      ['1', '0'],
      ['0', '0'],
    ]) {
      await both('CONFIG', 'SET', 'stream-node-max-bytes', bytes);
      await both('CONFIG', 'SET', 'stream-node-max-entries', entries);
      const steps: Step[] = [];
      for (let i = 1; i <= 350; i++)
        steps.push(['XADD', 's', `${i}-1`, 'field', `value-${i}`, ...(i % 7 === 0 ? ['other', String(i)] : [])]);
      steps.push(
        ...script(`
        XTRIM s MAXLEN ~ 340
        XLEN s
        XTRIM s MAXLEN ~ 300
        XLEN s
        XTRIM s MAXLEN ~ 100 LIMIT 20
        XLEN s
        XTRIM s MAXLEN ~ 100 LIMIT 0
        XLEN s
        XTRIM s MINID ~ 250
        XRANGE s - + COUNT 1
        XTRIM s MINID 260-1
        XRANGE s - + COUNT 1
        XTRIM s MAXLEN = 80
        XLEN s
        XTRIM s MAXLEN 80
        XDEL s 300-1 301-1 302-1
        XTRIM s MINID ~ 305
        XLEN s
        XTRIM s MINID = 303
        XLEN s
        XADD s MAXLEN ~ 30 399-1 f v
        XLEN s
        XADD s MAXLEN 30 400-1 f v
        XLEN s
        XADD s MINID ~ 340 401-1 f v
        XADD s MINID 345 LIMIT 0 402-1 f v
        XADD s MINID ~ 345 LIMIT 1 403-1 f v
        XLEN s
        XRANGE s - + COUNT 3
        XTRIM s MAXLEN 0
        XLEN s
        XADD s 500-1 f v
        XRANGE s - +
        XTRIM nokey MAXLEN 0
        XTRIM s MAXLEN
        XTRIM s MAXLEN ~
        XTRIM s LIMIT 1
        XTRIM s MAXLEN 1 LIMIT 1
        XTRIM s MAXLEN -1
        XTRIM s MINID 1 MAXLEN 1
        XTRIM s FOO 1
        XTRIM s MAXLEN 1 FOO
        XTRIM s MINID -
        XTRIM s MINID +
        `),
      );
      expect([bytes, entries, await suite.diff.run(steps)]).toEqual([bytes, entries, []]);
    }
    await both('CONFIG', 'SET', 'stream-node-max-bytes', '4096');
    await both('CONFIG', 'SET', 'stream-node-max-entries', '100');
  });

  it('node boundaries follow the listpack sizes of integer-looking, long and binary fields', async () => {
    for (const [maxBytes, longest, msStep] of [
      [300, 100, 1000],
      [20000, 6000, 2 ** 31],
    ]) {
      await both('CONFIG', 'SET', 'stream-node-max-bytes', String(maxBytes));
      const next = rng(maxBytes);
      const steps: Step[] = [];
      const pick = () => {
        const r = next();
        if (r < 0.3) return String(Math.floor(next() * 2 ** 40) - 2 ** 39);
        if (r < 0.5) return 'x'.repeat(Math.floor(next() * longest));
        if (r < 0.6) return '0' + String(Math.floor(next() * 100));
        if (r < 0.65) return '\0\xff\r\n';
        return `f${Math.floor(next() * 5)}`;
      };
      let ms = 0;
      for (let i = 1; i <= 400; i++) {
        const pairs = 1 + Math.floor(next() * 3);
        ms += 1 + Math.floor(next() * msStep);
        const args = ['XADD', 's', `${ms}-${Math.floor(next() * 5)}`];
        for (let p = 0; p < pairs; p++) args.push(next() < 0.7 ? `field${p}` : pick(), pick());
        steps.push(args);
        if (i % 40 === 0)
          steps.push(['XTRIM', 's', 'MAXLEN', '~', String(400 - i)], ['XLEN', 's'], ['XRANGE', 's', '-', '+', 'COUNT', '1']);
      }
      expect([maxBytes, await suite.diff.run(steps)]).toEqual([maxBytes, []]);
    }
    await both('CONFIG', 'SET', 'stream-node-max-bytes', '4096');
  });

  it('XSETID and its errors', async () => {
    await sameInBoth(
      script(`
      XSETID nokey 1-1
      XADD s 5-5 f v
      XSETID s 5-4
      XSETID s 5-5
      XSETID s 6-0
      XADD s 6-0 f v
      XADD s 6-* f v
      XSETID s 7
      XSETID s x
      XSETID s -
      XSETID s +
      XSETID s 8-0 ENTRIESADDED -1
      XSETID s 8-0 ENTRIESADDED 0
      XSETID s 8-0 ENTRIESADDED x
      XSETID s 8-0 ENTRIESADDED 1
      XSETID s 8-0 ENTRIESADDED 5 MAXDELETEDID 9-0
      XSETID s 8-0 ENTRIESADDED 5 MAXDELETEDID 7-0
      XSETID s 8-0 MAXDELETEDID x
      XSETID s 8-0 MAXDELETEDID
      XSETID s 8-0 FOO 1
      XSETID s 8-0 ENTRIESADDED
      XSETID s 8-0 MAXDELETEDID 0-0
      XSETID s 18446744073709551615-18446744073709551615
      XADD s * f v
      XDEL s 5-5 6-1
      XSETID s 1-0
      XADD e 1-1 f v
      XDEL e 1-1
      XSETID e 0-5
      XADD e 0-6 f v
      XSETID
      XSETID s
      `),
    );
  });

  it('XREAD without BLOCK: several streams, $, COUNT and its errors', async () => {
    await sameInBoth(
      script(`
      XADD a 1-1 f 1
      XADD a 2-1 f 2
      XADD b 3-1 g 3
      XREAD STREAMS a b 0 0
      XREAD COUNT 1 STREAMS a b 0 0
      XREAD COUNT 0 STREAMS a b 0 0
      XREAD COUNT -1 STREAMS a 0
      XREAD STREAMS a b 2-1 3
      XREAD STREAMS a b 2-1 3-1
      XREAD STREAMS a b $ $
      XREAD STREAMS a nokey 1 0
      XREAD STREAMS a a 0 1-1
      XREAD STREAMS a 18446744073709551615-18446744073709551615
      XREAD STREAMS a -
      XREAD STREAMS a +
      XREAD STREAMS a x
      XREAD STREAMS a >
      XREAD STREAMS a
      XREAD STREAMS a b 0
      XREAD STREAMS
      XREAD COUNT 1
      XREAD COUNT x STREAMS a 0
      XREAD BLOCK x STREAMS a 0
      XREAD BLOCK -1 STREAMS a 0
      XREAD BLOCK 1.5 STREAMS a 0
      XREAD GROUP g c STREAMS a 0
      XREAD NOACK STREAMS a 0
      XREAD FOO STREAMS a 0
      XREAD streams a 0
      XDEL a 2-1
      XREAD STREAMS a 1-1
      XREAD STREAMS a 1
      `),
    );
  });

  it('keyspace commands: TYPE, OBJECT ENCODING, COPY, RENAME, DEL, SCAN TYPE', async () => {
    await sameInBoth(
      script(`
      XADD s 1-1 f v
      XADD s 2-1 f v g w
      TYPE s
      OBJECT ENCODING s
      COPY s c
      XDEL s 1-1
      XRANGE c - +
      XADD c 3-1 x y
      XRANGE s - +
      XLEN c
      RENAME c r
      XRANGE r - +
      EXISTS c
      SET str v
      DEL s
      SCAN 0 TYPE stream
      SCAN 0 TYPE string
      DEL r
      UNLINK str
      EXISTS s r
      `),
    );
  });

  it('random workloads of XADD, XDEL, XTRIM and ranges agree with Redis', async () => {
    const next = rng(42);
    for (let round = 0; round < 3; round++) {
      const steps: Step[] = [];
      let ms = 1;
      for (let i = 0; i < 600; i++) {
        const r = next();
        if (r < 0.55) {
          ms += Math.floor(next() * 3);
          const id = next() < 0.5 ? `${ms}-*` : `${ms}-${Math.floor(next() * 4)}`;
          steps.push(['XADD', 's', id, `f${Math.floor(next() * 3)}`, `v${i}`]);
        } else if (r < 0.7) steps.push(['XDEL', 's', `${Math.floor(next() * ms)}-${Math.floor(next() * 3)}`]);
        else if (r < 0.75) steps.push(['XTRIM', 's', 'MAXLEN', next() < 0.5 ? '~' : '=', String(Math.floor(next() * 200))]);
        else if (r < 0.8) steps.push(['XTRIM', 's', 'MINID', next() < 0.5 ? '~' : '=', String(Math.floor(next() * ms))]);
        else {
          const a = Math.floor(next() * ms);
          const b = a + Math.floor(next() * 50);
          steps.push([
            next() < 0.5 ? 'XRANGE' : 'XREVRANGE',
            's',
            ...(next() < 0.5 ? [`(${a}`, `${b}`] : [`${a}`, `(${b}`]),
            'COUNT',
            String(Math.floor(next() * 20)),
          ]);
          steps.push(['XLEN', 's']);
        }
      }
      expect(await suite.diff.run(steps)).toEqual([]);
    }
  });
});

describe('streams: change feed', () => {
  const suite = changeFeedSuite();

  it('XADD feeds the concrete ID, and a ~ trim as = with the effective bound', async () => {
    const [[cmd, key, id, f, v]] = await suite.fedArgv('XADD', 's', '*', 'f', 'v');
    expect([cmd, key, f, v]).toEqual(['XADD', 's', 'f', 'v']);
    expect(id).toMatch(/^\d+-\d+$/);
    expect(await suite.fedArgv('XADD', 's', '99999999999999-5', 'f', 'v')).toEqual([['XADD', 's', '99999999999999-5', 'f', 'v']]);
    expect(await suite.fedArgv('XADD', 's', '99999999999999-*', 'f', 'v')).toEqual([['XADD', 's', '99999999999999-6', 'f', 'v']]);
    expect(await suite.fedArgv('XADD', 's', 'MAXLEN', '1', '99999999999999-7', 'f', 'v')).toEqual([
      ['XADD', 's', 'MAXLEN', '1', '99999999999999-7', 'f', 'v'],
    ]);
    await suite.client.call('CONFIG', 'SET', 'stream-node-max-entries', '2');
    for (let i = 8; i < 15; i++) await suite.client.call('XADD', 's', `99999999999999-${i}`, 'f', 'v');
    expect(await suite.fedArgv('XADD', 's', 'MAXLEN', '~', '3', 'LIMIT', '2', '99999999999999-15', 'f', 'v')).toEqual([
      ['XADD', 's', 'MAXLEN', '=', '8', 'LIMIT', '2', '99999999999999-15', 'f', 'v'],
    ]);
    expect(await suite.fedArgv('XADD', 's', 'MINID', '~', '99999999999999-12', '99999999999999-16', 'f', 'v')).toEqual([
      ['XADD', 's', 'MINID', '=', '99999999999999-12', '99999999999999-16', 'f', 'v'],
    ]);
    expect(await suite.fedArgv('XTRIM', 's', 'MAXLEN', '~', '2')).toEqual([['XTRIM', 's', 'MAXLEN', '=', '3']]);
    expect(await suite.fedArgv('XTRIM', 's', 'MAXLEN', '~', '2')).toEqual([]);
    expect(await suite.fedArgv('XTRIM', 's', 'MAXLEN', '2')).toEqual([['XTRIM', 's', 'MAXLEN', '2']]);
    expect(await suite.fedArgv('XDEL', 's', '1-1')).toEqual([]);
    expect(await suite.fedArgv('XDEL', 's', '99999999999999-16')).toEqual([['XDEL', 's', '99999999999999-16']]);
    expect(await suite.fedArgv('XSETID', 's', '99999999999999-20')).toEqual([['XSETID', 's', '99999999999999-20']]);
    expect(await suite.fedArgv('XADD', 'n', 'NOMKSTREAM', '*', 'f', 'v')).toEqual([]);
    await suite.client.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
  });
});
