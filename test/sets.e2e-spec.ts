/**
 * The SET family against real Redis 7.0: replies byte for byte in RESP2 and RESP3 where Redis's
 * order is defined (intsets iterate in ascending order; so do results that Redis builds as
 * intsets), as sorted member lists where a hashtable's order is Redis's own, and properties for
 * the random commands. The change feed's SPOP → SREM/DEL is checked in-process.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { bulks } from './support/resp-value.js';
import type { RawClient } from './support/raw-client.js';

describe('sets: differential against real Redis', () => {
  const suite = differentialSuite();

  /** Runs `steps` in RESP2 and again in RESP3: no reply may differ. */
  const same = async (steps: Step[]) => expect(await suite.diff.runInBothProtocols(steps)).toEqual([]);

  /** A reply whose members come in hashtable order: its type byte, then its bulks sorted. */
  const unordered = (reply: string) => `${reply[0]} ${bulks(reply).sort().join(',')}`;
  /** Runs `steps`; each reply is compared as `unordered` (RESP3 for the type byte). */
  const sameUnordered = async (steps: Step[]) => {
    const { brook, redis } = suite.diff;
    for (const c of [brook, redis]) {
      await c.call('FLUSHALL');
      await c.call('HELLO', '3');
    }
    const out: string[] = [];
    for (const step of steps) {
      const [b, r] = await Promise.all([brook.call(...step), redis.call(...step)]);
      if (unordered(b) !== unordered(r)) out.push(`${step.join(' ')}: brook ${b} redis ${r}`);
    }
    for (const c of [brook, redis]) await c.call('HELLO', '2');
    expect(out).toEqual([]);
  };

  it('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER and SMEMBERS on intsets, with errors and arity', async () => {
    await same(
      script(`
      SADD s 3 1 2 -5 9223372036854775807 -9223372036854775808 1
      SMEMBERS s
      SCARD s
      SISMEMBER s 2
      SISMEMBER s 02
      SISMEMBER s x
      SISMEMBER missing 1
      SMISMEMBER s 1 x 3 +3 -5
      SMISMEMBER missing a b
      SREM s 1 1 x 3
      SMEMBERS s
      SREM s -5 2 9223372036854775807 -9223372036854775808
      EXISTS s
      SREM s 1
      SCARD missing
      SMEMBERS missing
      SET str v
      SADD str 1
      SREM str 1
      SCARD str
      SISMEMBER str 1
      SMISMEMBER str 1
      SMEMBERS str
      SADD s
      SREM s
      SCARD
      SISMEMBER s
      SMISMEMBER s
      SMEMBERS s t
      `),
    );
  });

  it('encodings: intset for canonical int64 members up to set-max-intset-entries, hashtable after, one way', async () => {
    await same(
      script(`
      CONFIG SET set-max-intset-entries 4
      SADD s 4 3 2 1
      OBJECT ENCODING s
      SMEMBERS s
      SADD s 5
      OBJECT ENCODING s
      SREM s 5 4 3 2
      OBJECT ENCODING s
      SADD a 1
      SADD a 01
      OBJECT ENCODING a
      SADD b -0
      OBJECT ENCODING b
      SADD c +1
      OBJECT ENCODING c
      SADD d 9223372036854775808
      OBJECT ENCODING d
      SADD e -9223372036854775808 0
      OBJECT ENCODING e
      SMEMBERS e
      SADD f 1.5
      OBJECT ENCODING f
      CONFIG SET set-max-intset-entries 0
      SADD g 1
      OBJECT ENCODING g
      CONFIG SET set-max-intset-entries 512
      TYPE e
      COPY e e2
      OBJECT ENCODING e2
      SMEMBERS e2
      SADD e2 7
      SMEMBERS e
      RENAME e2 e3
      SMEMBERS e3
      DEL e3 e
      TYPE e
      `),
    );
  });

  it('SINTER, SUNION, SDIFF and their STOREs on intsets: replies, missing keys, WRONGTYPE order, dst replaced', async () => {
    await same(
      script(`
      SADD a 1 2 3 4 5
      SADD b 4 5 6 7
      SADD c 5 7 9
      SET str v
      SINTER a b
      SINTER a b c
      SINTER a missing
      SINTER missing str
      SINTER a str
      SINTER str missing
      SUNION a b c
      SUNION a missing
      SUNION missing
      SUNION missing str
      SDIFF a b
      SDIFF a b c
      SDIFF a a
      SDIFF missing a
      SDIFF missing str
      SDIFF a str
      SDIFF b missing
      SET dst x EX 100
      SINTERSTORE dst a b
      TTL dst
      SMEMBERS dst
      OBJECT ENCODING dst
      SINTERSTORE dst a missing
      EXISTS dst
      SUNIONSTORE dst a b c
      SMEMBERS dst
      SUNIONSTORE a a b
      SMEMBERS a
      SDIFFSTORE dst a b
      SMEMBERS dst
      SDIFFSTORE dst a a
      EXISTS dst
      SDIFFSTORE dst a str
      SUNIONSTORE dst missing
      SINTERSTORE str a b
      TYPE str
      SINTERSTORE dst
      SINTER
      SUNION
      SDIFF
      `),
    );
  });

  it('SINTERCARD: LIMIT, numkeys errors and option errors', async () => {
    await same(
      script(`
      SADD a 1 2 3 4 5
      SADD b 2 3 4 5 6
      SET str v
      SINTERCARD 2 a b
      SINTERCARD 2 a b LIMIT 0
      SINTERCARD 2 a b LIMIT 2
      SINTERCARD 2 a b limit 100
      SINTERCARD 1 a
      SINTERCARD 2 a missing
      SINTERCARD 2 missing str
      SINTERCARD 2 a str
      SINTERCARD 0 a
      SINTERCARD -1 a
      SINTERCARD x a
      SINTERCARD 3 a b
      SINTERCARD 2 a b LIMIT -1
      SINTERCARD 2 a b LIMIT x
      SINTERCARD 2 a b LIMIT
      SINTERCARD 2 a b FOO 1
      SINTERCARD 1 a b
      SINTERCARD 2 a b LIMIT 1 LIMIT 3
      SINTERCARD 1
      `),
    );
  });

  it('SMOVE: missing source, same key, absent member, emptied source, created destination, WRONGTYPE', async () => {
    await same(
      script(`
      SADD a 1 2
      SADD b 3
      SET str v
      SMOVE missing b 1
      SMOVE a a 1
      SMOVE a a 9
      SMOVE a b 9
      SMOVE a b 1
      SMEMBERS b
      SMOVE a b 2
      EXISTS a
      SMOVE b c 3
      SMEMBERS c
      SMOVE b c x
      SMOVE str c 3
      SMOVE c str 3
      SMOVE missing str 3
      SMEMBERS c
      SADD b x
      SMOVE b c x
      OBJECT ENCODING c
      SMOVE a b
      `),
    );
  });

  it('SPOP and SRANDMEMBER: every deterministic reply and error, byte for byte', async () => {
    await same(
      script(`
      SPOP missing
      SPOP missing 3
      SRANDMEMBER missing
      SRANDMEMBER missing 3
      SRANDMEMBER missing -3
      SADD s 1 2 3
      SPOP s 0
      SPOP s -1
      SPOP s x
      SPOP s 1 2
      SRANDMEMBER s 0
      SRANDMEMBER s 3
      SRANDMEMBER s 100
      SRANDMEMBER s 9223372036854775807
      SRANDMEMBER s -9223372036854775808
      SRANDMEMBER s 9223372036854775808
      SRANDMEMBER s x
      SRANDMEMBER s 1 2
      SADD one 7
      SPOP one 100
      EXISTS one
      SADD one 7
      SRANDMEMBER one -3
      SRANDMEMBER one 1
      SRANDMEMBER one
      SPOP one
      EXISTS one
      SPOP s 3
      EXISTS s
      SADD s 1 2 3
      SPOP s 9223372036854775807
      SET str v
      SPOP str
      SPOP str 1
      SPOP str 0
      SRANDMEMBER str
      SRANDMEMBER str 1
      SRANDMEMBER str -9223372036854775808
      SPOP
      SRANDMEMBER
      `),
    );
  });

  it('SSCAN: an intset in one call with cursor 0, MATCH, and option errors', async () => {
    await same(
      script(`
      SADD s 1 2 3 10 11 12 100
      SSCAN s 0
      SSCAN s 0 COUNT 1
      SSCAN s 12345 COUNT 2
      SSCAN s 0 MATCH 1*
      SSCAN s 0 MATCH *2 COUNT 1
      SSCAN s 0 COUNT 0
      SSCAN s 0 COUNT x
      SSCAN s 0 TYPE set
      SSCAN s 0 FOO bar
      SSCAN s 0 MATCH
      SSCAN s x
      SSCAN missing 0
      SSCAN missing 0 COUNT 0
      SSCAN missing x
      SET str v
      SSCAN str 0
      SSCAN str x
      SSCAN s
      `),
    );
  });

  it('hashtable sets give the same members as Redis (order aside)', async () => {
    await sameUnordered(
      script(`
      SADD a x y z 1 2
      SADD b y z w 2
      SADD c z 2 q
      SMEMBERS a
      SINTER a b
      SINTER a b c
      SUNION a b c
      SDIFF a b
      SDIFF a b c
      SINTERSTORE d a b
      SMEMBERS d
      SUNIONSTORE d a c
      SMEMBERS d
      SDIFFSTORE d a c
      SMEMBERS d
      SINTERCARD 3 a b c
      SMOVE a b x
      SMEMBERS b
      SREM a y z 1 2
      SPOP a 1
      EXISTS a
      SSCAN b 0 COUNT 1000
      SET str v
      SCAN 0 TYPE set COUNT 100
      `),
    );
  });

  it('SSCAN over a large hashtable returns every member, with cursors, as a full SCAN does', async () => {
    const members = Array.from({ length: 3000 }, (_, i) => `m${i}`);
    const full = async (c: RawClient) => {
      await c.call('FLUSHALL');
      await c.call('SADD', 'big', ...members);
      const seen = new Set<string>();
      let cursor = '0';
      let calls = 0;
      do {
        const reply = await c.call('SSCAN', 'big', cursor, 'COUNT', '50');
        const [next, ...found] = bulks(reply);
        for (const m of found) seen.add(m);
        cursor = next;
        calls++;
      } while (cursor !== '0');
      return { seen: [...seen].sort(), manyCalls: calls > 10 };
    };
    const [b, r] = await Promise.all([full(suite.diff.brook), full(suite.diff.redis)]);
    expect(b).toEqual(r);
    expect(b.seen).toHaveLength(3000);
  });

  it('SPOP and SRANDMEMBER with counts: distinct members for positive counts, repeats allowed for negative', async () => {
    const c = suite.diff.brook;
    for (const encoding of ['intset', 'hashtable']) {
      const members = Array.from({ length: 20 }, (_, i) => (encoding === 'intset' ? String(i) : `m${i}`));
      await c.call('FLUSHALL');
      await c.call('SADD', 's', ...members);
      expect(await c.call('OBJECT', 'ENCODING', 's')).toBe(`$${encoding.length}\r\n${encoding}\r\n`);
      for (const count of [1, 5, 7, 19, 20, 25]) {
        const got = bulks(await c.call('SRANDMEMBER', 's', String(count)));
        expect(got).toHaveLength(Math.min(count, 20));
        expect(new Set(got).size).toBe(got.length);
        for (const m of got) expect(members).toContain(m);
      }
      const repeated = bulks(await c.call('SRANDMEMBER', 's', '-200'));
      expect(repeated).toHaveLength(200);
      expect(new Set(repeated).size).toBeLessThan(200);
      for (const m of repeated) expect(members).toContain(m);
      const popped = bulks(await c.call('SPOP', 's', '15'));
      expect(new Set(popped).size).toBe(15);
      const left = bulks(await c.call('SMEMBERS', 's'));
      expect([...popped, ...left].sort()).toEqual([...members].sort());
      const one = bulks(await c.call('SPOP', 's'));
      expect(left).toContain(one[0]);
      expect(await c.call('SCARD', 's')).toBe(':4\r\n');
    }
  });
});

describe('sets: the change feed', () => {
  const suite = changeFeedSuite();
  const fed = suite.fedArgv;

  it('SPOP becomes SREM of the popped members, or DEL when it takes the whole set', async () => {
    await suite.client.call('SADD', 's', 'a', 'b', 'c', 'd');
    const [[name, key, member]] = await fed('SPOP', 's');
    expect([name, key]).toEqual(['SREM', 's']);
    expect(['a', 'b', 'c', 'd']).toContain(member);
    const out = await fed('SPOP', 's', '2');
    expect(out).toHaveLength(1);
    expect(out[0].slice(0, 2)).toEqual(['SREM', 's']);
    expect(out[0]).toHaveLength(4);
    expect(await fed('SPOP', 's', '5')).toEqual([['DEL', 's']]);
    expect(await fed('SPOP', 's')).toEqual([]);
  });

  it('SPOP of many members is fed as SREMs of at most 1024 members', async () => {
    const members = Array.from({ length: 3000 }, (_, i) => `m${i}`);
    await suite.client.call('SADD', 'big', ...members);
    const out = await fed('SPOP', 'big', '2500');
    expect(out.map((argv) => argv.length - 2)).toEqual([1024, 1024, 452]);
    expect(new Set(out.flatMap((argv) => argv.slice(2))).size).toBe(2500);
  });

  it('the other writes are fed as received', async () => {
    expect(await fed('SADD', 'x', '1', '2')).toEqual([['SADD', 'x', '1', '2']]);
    expect(await fed('SMOVE', 'x', 'y', '1')).toEqual([['SMOVE', 'x', 'y', '1']]);
    expect(await fed('SINTERSTORE', 'z', 'x', 'y')).toEqual([['SINTERSTORE', 'z', 'x', 'y']]);
  });
});
