/**
 * The HASH family against real Redis 7.0: every command, option and error path, byte for byte in
 * RESP2 and RESP3 (test/support/differential.ts); the listpack → hashtable conversions; random
 * replies (HRANDFIELD) checked by their properties; HSCAN over a hashtable; the change feed.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { rng } from './support/rng.js';
import { decodeReply } from './support/resp-value.js';

const HASH_COMMANDS = [
  'hset',
  'hsetnx',
  'hget',
  'hmset',
  'hmget',
  'hdel',
  'hlen',
  'hstrlen',
  'hexists',
  'hkeys',
  'hvals',
  'hgetall',
  'hincrby',
  'hincrbyfloat',
  'hrandfield',
  'hscan',
];

describe('hashes: differential against real Redis', () => {
  const suite = differentialSuite();
  const same = async (steps: Step[]) => expect(await suite.diff.run(steps)).toEqual([]);
  const both = async (...argv: string[]) => {
    await suite.diff.brook.call(...argv);
    await suite.diff.redis.call(...argv);
  };

  it('HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS and their errors', async () => {
    await same(
      script(`
      HSET h a 1
      HSET h a 2 b 3 c 4
      HSET h a 2 b
      HSET h
      HSET h a
      HMSET h d 5 e 6
      HMSET h d
      HMSET h
      HSETNX h a 9
      HSETNX h z 9
      HSETNX h z
      HGET h a
      HGET h missing
      HGET nokey a
      HMGET h a missing b
      HMGET nokey a b
      HMGET h
      HLEN h
      HLEN nokey
      HSTRLEN h a
      HSTRLEN h missing
      HSTRLEN nokey a
      HEXISTS h a
      HEXISTS h missing
      HEXISTS nokey a
      HGETALL h
      HKEYS h
      HVALS h
      HDEL h a missing b
      HDEL h a
      HDEL nokey a
      HDEL h
      HGETALL h
      HDEL h c d e z
      EXISTS h
      HGETALL h
      HKEYS h
      HVALS h
      SET s v
      HSET s a 1
      HSETNX s a 1
      HMSET s a 1
      HGET s a
      HMGET s a
      HLEN s
      HSTRLEN s a
      HEXISTS s a
      HKEYS s
      HVALS s
      HGETALL s
      HDEL s a
      HINCRBY s a 1
      HINCRBYFLOAT s a 1
      HRANDFIELD s
      HRANDFIELD s 1
      HSCAN s 0
    `),
    );
    await same([
      ['HSET', 'h', '', ''],
      ['HGET', 'h', ''],
      ['HSTRLEN', 'h', ''],
      ['HINCRBYFLOAT', 'h', 'f', ''],
      ['HINCRBY', 'h', '', '1'],
      ['HGETALL', 'h'],
    ]);
  });

  it('HINCRBY and HINCRBYFLOAT: exact int64, long double formatting, error order', async () => {
    await same(
      script(`
      HINCRBY h a 5
      HINCRBY h a -10
      HINCRBY h a abc
      HINCRBY nokey a abc
      HINCRBY h a 9223372036854775807
      HSET h big 9223372036854775807
      HINCRBY h big 1
      HINCRBY h big 0
      HSET h min -9223372036854775808
      HINCRBY h min -1
      HINCRBY h min 1
      HSET h text hello
      HINCRBY h text 1
      HSET h sp " 1"
      HINCRBY h sp 1
      HINCRBYFLOAT h sp 1
      HSET h exp 1e5 hex 0x10 dot .5 trail 1.
      HINCRBY h exp 1
      HINCRBYFLOAT h exp 1
      HINCRBYFLOAT h hex 1
      HINCRBYFLOAT h dot 1
      HINCRBYFLOAT h trail 1
      HINCRBY h a 1.5
      HINCRBY h a 99999999999999999999
      HINCRBYFLOAT h f 1.5
      HINCRBYFLOAT h f 0.1
      HINCRBYFLOAT h f -1.6
      HINCRBYFLOAT h f 1e3
      HINCRBYFLOAT h f 5.0e3
      HINCRBYFLOAT h f abc
      HINCRBYFLOAT h f inf
      HINCRBYFLOAT h f -inf
      HINCRBYFLOAT h f nan
      HINCRBYFLOAT h text 1
      HINCRBYFLOAT h a 1.25
      HINCRBYFLOAT h big 1
      HINCRBYFLOAT h g 0x10
      HINCRBYFLOAT h g 3.0000000000000000001
      HSET h huge 1e4932
      HINCRBYFLOAT h huge 1e4932
      HGETALL h
      OBJECT ENCODING h
    `),
    );
  });

  it('HRANDFIELD: argument checks, edge counts, and the whole-hash case byte for byte', async () => {
    await same(
      script(`
      HRANDFIELD nokey
      HRANDFIELD nokey 5
      HRANDFIELD nokey -5 WITHVALUES
      HRANDFIELD nokey 0
      HSET h a 1 b 2 c 3
      HRANDFIELD h 0
      HRANDFIELD h 0 WITHVALUES
      HRANDFIELD h 3
      HRANDFIELD h 3 WITHVALUES
      HRANDFIELD h 100 WITHVALUES
      HRANDFIELD h 9223372036854775807
      HRANDFIELD h abc
      HRANDFIELD h 1.5
      HRANDFIELD h 1 WITHVALUE
      HRANDFIELD h 1 WITHVALUES x
      HRANDFIELD h -9223372036854775808
      HRANDFIELD h -9223372036854775807 WITHVALUES
      HRANDFIELD h 9223372036854775807 WITHVALUES
      HRANDFIELD h -4611686018427387904 WITHVALUES
      HRANDFIELD h 4611686018427387904 WITHVALUES
      HRANDFIELD h 99999999999999999999
      HRANDFIELD nokey abc
      HRANDFIELD nokey 1 foo
    `),
    );
    await both('HELLO', '3');
    await same(
      script(`
      HRANDFIELD nokey
      HRANDFIELD nokey 3 WITHVALUES
      HSET h a 1 b 2 c 3
      HRANDFIELD h 3 WITHVALUES
      HRANDFIELD h 10 WITHVALUES
      HRANDFIELD h 0 WITHVALUES
    `),
    );
    await both('HELLO', '2');
  });

  it('RESP3 replies: HGETALL is a map, nulls are _, HKEYS/HVALS/HMGET arrays', async () => {
    await both('HELLO', '3');
    await same(
      script(`
      HGETALL nokey
      HGET nokey a
      HMGET nokey a b
      HSET h a 1 b 2
      HGETALL h
      HKEYS h
      HVALS h
      HMGET h a x b
      HINCRBYFLOAT h f 2.5
      HSCAN h 0
      HSCAN nokey 0
    `),
    );
    await both('HELLO', '2');
  });

  it('converts listpack → hashtable at hash-max-listpack-entries/-value, set with CONFIG SET', async () => {
    const long64 = 'x'.repeat(64);
    const long65 = 'x'.repeat(65);
    const steps: Step[] = [];
    for (let i = 0; i < 512; i++) steps.push(['HSET', 'big', `f${i}`, String(i)]);
    steps.push(['OBJECT', 'ENCODING', 'big'], ['HLEN', 'big'], ['HSET', 'big', 'f512', 'v'], ['OBJECT', 'ENCODING', 'big']);
    steps.push(['HDEL', 'big', 'f512', 'f0', 'f1'], ['OBJECT', 'ENCODING', 'big'], ['HLEN', 'big']);
    steps.push(['HSET', 'v', 'a', long64], ['OBJECT', 'ENCODING', 'v'], ['HSET', 'v', 'b', long65], ['OBJECT', 'ENCODING', 'v']);
    steps.push(['HSET', 'f', long64, '1'], ['OBJECT', 'ENCODING', 'f'], ['HSET', 'f', long65, '1'], ['OBJECT', 'ENCODING', 'f']);
    steps.push(['HSETNX', 'n', long65, '1'], ['OBJECT', 'ENCODING', 'n']);
    steps.push(['HINCRBYFLOAT', 'i', long65, '1'], ['OBJECT', 'ENCODING', 'i']);
    steps.push(['HSET', 'i2', 'a', '1'], ['HINCRBY', 'i2', long65, '1'], ['OBJECT', 'ENCODING', 'i2']);
    steps.push(['HSET', 'v', 'b', '1'], ['OBJECT', 'ENCODING', 'v'], ['HSTRLEN', 'v', 'a'], ['HGET', 'v', 'b'], ['TYPE', 'v']);
    steps.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '2'], ['CONFIG', 'SET', 'hash-max-listpack-value', '3']);
    steps.push(['HSET', 'c', 'a', '1', 'b', '2'], ['OBJECT', 'ENCODING', 'c'], ['HSET', 'c', 'c', '3'], ['OBJECT', 'ENCODING', 'c']);
    steps.push(['HSET', 'd', 'abc', 'abc'], ['OBJECT', 'ENCODING', 'd'], ['HSET', 'd2', 'abcd', '1'], ['OBJECT', 'ENCODING', 'd2']);
    steps.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '0']);
    steps.push(['HSET', 'z', 'a', '1'], ['OBJECT', 'ENCODING', 'z'], ['HGET', 'z', 'a']);
    steps.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '512'], ['CONFIG', 'SET', 'hash-max-listpack-value', '64']);
    await same(steps);
  });

  it('generic commands see hashes: TYPE, OBJECT ENCODING, COPY, RENAME, DEL, SCAN TYPE, EXPIRE', async () => {
    await same(
      script(`
      HSET h a 1 b 2
      TYPE h
      OBJECT ENCODING h
      SCAN 0 TYPE hash
      SCAN 0 TYPE string
      COPY h h2
      HSET h2 c 3
      HGETALL h
      HGETALL h2
      RENAME h2 h3
      HGETALL h3
      EXISTS h2
      EXPIRE h 100
      HSET h c 3
      TTL h
      HDEL h a b c
      TTL h
      DEL h3
      EXISTS h3
      SET s 1
      HSETNX s a 1
    `),
    );
    // A copied hashtable is independent of its source.
    const steps: Step[] = [];
    for (let i = 0; i < 600; i++) steps.push(['HSET', 'big', `f${i}`, String(i)]);
    steps.push(['COPY', 'big', 'big2'], ['HDEL', 'big2', 'f1'], ['HLEN', 'big'], ['HLEN', 'big2'], ['OBJECT', 'ENCODING', 'big2']);
    steps.push(['HGET', 'big', 'f1'], ['HGET', 'big2', 'f1'], ['HGET', 'big2', 'f599']);
    await same(steps);
  });

  it('binary-safe fields and values', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    // Listpack, so whole-hash replies keep one order on both servers.
    await both('CONFIG', 'SET', 'hash-max-listpack-value', '256');
    await same([
      ['HSET', 'b', bytes, bytes, Buffer.from('\r\n\0'), Buffer.from('\0')],
      ['HGET', 'b', bytes],
      ['HGETALL', 'b'],
      ['HSTRLEN', 'b', bytes],
      ['HSCAN', 'b', '0', 'MATCH', Buffer.from('\r*')],
      ['OBJECT', 'ENCODING', 'b'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
      ['HSET', 'b', 'x', bytes],
      ['OBJECT', 'ENCODING', 'b'],
      ['HGET', 'b', bytes],
      ['HGET', 'b', 'x'],
    ]);
  });

  it('HSCAN: cursor and option errors in Redis order, MATCH, a listpack whole with cursor 0', async () => {
    await same(
      script(`
      HSCAN nokey 0
      HSCAN nokey abc
      HSCAN nokey 0 COUNT 0
      HSET h a 1 b 2 ab 3
      HSCAN h 0
      HSCAN h 123
      HSCAN h 0 COUNT 1
      HSCAN h 0 MATCH a*
      HSCAN h 0 MATCH a* COUNT 1
      HSCAN h 0 COUNT 0
      HSCAN h 0 COUNT -1
      HSCAN h 0 COUNT abc
      HSCAN h 0 MATCH
      HSCAN h 0 TYPE string
      HSCAN h 0 FOO bar
      HSCAN h -1
      HSCAN h 18446744073709551616
      HSCAN h 1x
    `),
    );
  });

  it('HSCAN over a hashtable returns every field exactly as HGETALL, with values paired', async () => {
    const n = 2000;
    const args = ['HSET', 'h'];
    for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
    await suite.diff.brook.call('DEL', 'h');
    await suite.diff.brook.call(...args);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = decodeReply(await suite.diff.brook.call('HSCAN', 'h', cursor, 'COUNT', '50')) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(n);
    for (let i = 0; i < n; i++) expect(seen.get(`f${i}`)).toBe(`v${i}`);
    expect(calls).toBeGreaterThan(10);
  });

  it('HSCAN keeps the SCAN guarantee while the hash grows and shrinks between calls', async () => {
    const c = suite.diff.brook;
    await c.call('DEL', 'h');
    const args = ['HSET', 'h'];
    for (let i = 0; i < 3000; i++) args.push(`keep${i}`, 'v');
    await c.call(...args);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, items] = decodeReply(await c.call('HSCAN', 'h', cursor, 'COUNT', '20')) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
      cursor = next;
      // Grow past several resizes, then shrink back, while the iteration runs.
      const more = ['HSET', 'h'];
      for (let i = 0; i < 200; i++) more.push(`tmp${round}-${i}`, 'v');
      if (round < 40) await c.call(...more);
      else await c.call('HDEL', 'h', ...Array.from({ length: 200 }, (_, i) => `tmp${round - 40}-${i}`));
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 3000; i++) expect(seen.has(`keep${i}`)).toBe(true);
  });

  it('HRANDFIELD properties: distinct for positive counts, repeats for negative, values paired', async () => {
    const c = suite.diff.brook;
    for (const size of [5, 1000]) {
      await c.call('DEL', 'h');
      const args = ['HSET', 'h'];
      for (let i = 0; i < size; i++) args.push(`f${i}`, `v${i}`);
      await c.call(...args);
      const fields = new Set(Array.from({ length: size }, (_, i) => `f${i}`));
      for (const count of [1, 3, Math.floor(size / 2), size - 1, size, size + 10]) {
        const got = decodeReply(await c.call('HRANDFIELD', 'h', String(count))) as string[];
        expect(got.length).toBe(Math.min(count, size));
        expect(new Set(got).size).toBe(got.length);
        for (const f of got) expect(fields.has(f)).toBe(true);
        const pairs = decodeReply(await c.call('HRANDFIELD', 'h', String(count), 'WITHVALUES')) as string[];
        expect(pairs.length).toBe(2 * Math.min(count, size));
        for (let i = 0; i < pairs.length; i += 2) expect(pairs[i + 1]).toBe(`v${pairs[i].slice(1)}`);
      }
      const many = decodeReply(await c.call('HRANDFIELD', 'h', '-3000')) as string[];
      expect(many.length).toBe(3000);
      expect(new Set(many).size).toBeLessThan(3000);
      for (const f of many) expect(fields.has(f)).toBe(true);
      const manyPairs = decodeReply(await c.call('HRANDFIELD', 'h', '-50', 'WITHVALUES')) as string[];
      expect(manyPairs.length).toBe(100);
      for (let i = 0; i < manyPairs.length; i += 2) expect(manyPairs[i + 1]).toBe(`v${manyPairs[i].slice(1)}`);
      const one = decodeReply(await c.call('HRANDFIELD', 'h')) as string;
      expect(fields.has(one)).toBe(true);
    }
    await c.call('HELLO', '3');
    const nested = decodeReply(await c.call('HRANDFIELD', 'h', '-4', 'WITHVALUES')) as string[][];
    expect(nested.length).toBe(4);
    for (const [f, v] of nested) expect(v).toBe(`v${f.slice(1)}`);
    await c.call('HELLO', '2');
  });

  it('random sequences of hash commands reply as Redis does (seeded), in both encodings', async () => {
    const rand = rng(7);
    const int = (n: number): number => Math.floor(rand() * n);
    const writes = ['HSET', 'HSETNX', 'HDEL', 'HINCRBY', 'HINCRBYFLOAT'];
    const reads = ['HGET', 'HMGET', 'HLEN', 'HSTRLEN', 'HEXISTS', 'HSCAN', 'OBJECT', 'WHOLE', 'HRANDFIELD'];
    for (let seq = 0; seq < 100; seq++) {
      // Half the sequences stay listpack (whole-hash replies compare byte for byte, in order);
      // the other half convert at 8 fields, where the table's order is its own: compared sorted.
      const small = seq % 2 === 0;
      await both('CONFIG', 'SET', 'hash-max-listpack-entries', small ? '512' : '8');
      const steps: Step[] = [['SET', 's', 'x']];
      const key = (): string => ['h1', 'h2', 's'][int(3)];
      const field = (): string => `f${int(12)}`;
      // Values over 64 bytes convert too: only in the sequences allowed to.
      const num = (): string => (!small && int(10) === 0 ? 'x'.repeat(int(100)) : String(int(200) - 100));
      for (let i = 0; i < 60; i++) {
        const all = int(2) === 0 ? writes : reads;
        const cmd = all[int(all.length)];
        const k = key();
        if (cmd === 'HSET') steps.push(['HSET', k, field(), num(), field(), num()]);
        else if (cmd === 'HSETNX' || cmd === 'HINCRBY' || cmd === 'HINCRBYFLOAT') steps.push([cmd, k, field(), num()]);
        else if (cmd === 'HMGET' || cmd === 'HDEL') steps.push([cmd, k, field(), field()]);
        else if (cmd === 'HGET' || cmd === 'HSTRLEN' || cmd === 'HEXISTS') steps.push([cmd, k, field()]);
        else if (cmd === 'OBJECT') steps.push(['OBJECT', 'ENCODING', k]);
        else if (cmd === 'HLEN') steps.push(['HLEN', k]);
        else if (small || k === 's') {
          if (cmd === 'HSCAN') steps.push(['HSCAN', k, '0', 'COUNT', '100']);
          else if (cmd === 'HRANDFIELD') steps.push(['HRANDFIELD', k, String(12 + int(5)), 'WITHVALUES']);
          else steps.push([['HGETALL', 'HKEYS', 'HVALS'][int(3)], k]);
        } else steps.push(['HLEN', k]);
      }
      expect(await suite.diff.run(steps)).toEqual([]);
      for (const k of ['h1', 'h2']) {
        const [b, rd] = await Promise.all([suite.diff.brook.call('HGETALL', k), suite.diff.redis.call('HGETALL', k)]);
        expect(pairsOf(b)).toEqual(pairsOf(rd));
      }
    }
    await both('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
  });

  it('declares the metadata Redis 7.0 does (COMMAND INFO, COMMAND DOCS)', async () => {
    await same(HASH_COMMANDS.map((name) => ['COMMAND', 'INFO', name]));
    await same(HASH_COMMANDS.map((name) => ['COMMAND', 'DOCS', name]));
  });
});

/** HGETALL's RESP2 reply as sorted "field=value" strings (hashtable order is the table's own). */
function pairsOf(reply: string): string[] {
  const flat = decodeReply(reply) as string[];
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
  return out.sort();
}

describe('hashes: the change feed', () => {
  const suite = changeFeedSuite();

  it('HINCRBYFLOAT propagates as HSET with the result; other writes as themselves', async () => {
    expect(await suite.fedArgv('HINCRBYFLOAT', 'h', 'f', '1.5')).toEqual([['HSET', 'h', 'f', '1.5']]);
    expect(await suite.fedArgv('HINCRBYFLOAT', 'h', 'f', '0.25')).toEqual([['HSET', 'h', 'f', '1.75']]);
    expect(await suite.fedArgv('HSET', 'h', 'a', '1')).toEqual([['HSET', 'h', 'a', '1']]);
    expect(await suite.fedArgv('HINCRBY', 'h', 'a', '2')).toEqual([['HINCRBY', 'h', 'a', '2']]);
    expect(await suite.fedArgv('HDEL', 'h', 'a', 'f')).toEqual([['HDEL', 'h', 'a', 'f']]);
    expect(await suite.fedArgv('HDEL', 'h', 'a')).toEqual([]);
    expect(await suite.fedArgv('HSETNX', 'h', 'a', '1')).toEqual([['HSETNX', 'h', 'a', '1']]);
    expect(await suite.fedArgv('HSETNX', 'h', 'a', '1')).toEqual([]);
  });
});
