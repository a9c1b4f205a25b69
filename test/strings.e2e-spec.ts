/**
 * The STRING family against real Redis 7.0: every command, option and error path, byte for byte
 * (test/support/differential.ts), plus the change feed's rewritten forms checked in-process.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { rng } from './support/rng.js';

const STRING_COMMANDS = [
  'get',
  'set',
  'getex',
  'getdel',
  'getset',
  'mset',
  'msetnx',
  'mget',
  'setnx',
  'setex',
  'psetex',
  'append',
  'strlen',
  'getrange',
  'substr',
  'setrange',
  'incr',
  'decr',
  'incrby',
  'decrby',
  'incrbyfloat',
  'lcs',
];

describe('strings: differential against real Redis', () => {
  const suite = differentialSuite();
  const same = async (steps: Step[]) => expect(await suite.diff.run(steps)).toEqual([]);

  it('GET and SET with every option, combination and error precedence', async () => {
    await same(
      script(`
      GET k
      SET k v
      GET k
      SET k v2 NX
      SET k v3 XX
      GET k
      SET n v NX
      SET m v XX
      GET m
      SET k v4 XX GET
      SET k v5 NX GET
      SET missing v GET
      SET missing2 v XX GET
      EXISTS missing2
      SET k v nx NX
      SET k v NX XX
      SET k v XX NX
      SET k v GET GET
      SET k v EX 10 EX 20
      TTL k
      SET k v PX 5000 PX 100000
      TTL k
      SET k v EX 10 PX 10
      SET k v EXAT 10 PXAT 10
      SET k v EX 10 KEEPTTL
      SET k v KEEPTTL EX 10
      SET k v KEEPTTL KEEPTTL
      SET k v EX
      SET k v PERSIST
      SET k v EX abc
      SET k v EX abc FOO
      SET k v EX 0
      SET k v EX -1
      SET k v PX 0
      SET k v EXAT 0
      SET k v PXAT -5
      SET k v EX 9223372036854775
      SET k v EX 9223372036854776
      SET k v PX 9223372036854775807
      SET k v PXAT 9223372036854775807
      EXISTS k
      SET k v EXAT 9223372036854775
      EXISTS k
      SET k v EX 1.5
      SET k v EX 010
      SET k v FOO
      SET k v EX 100 GET
      GET k
      SET k v PXAT 1
      GET k
      SET k v EXAT 1 GET
      GET k
      SET
      SET k
      GET
      GET a b
    `),
    );
  });

  it('SET expiry forms and KEEPTTL', async () => {
    await same(
      script(`
      SET k v EX 100
      TTL k
      SET k v2 KEEPTTL
      TTL k
      SET k v3
      TTL k
      SET k v PX 100000
      TTL k
      SET k v EXAT 99999999999
      EXISTS k
      SET k v KEEPTTL NX
      SET k v XX KEEPTTL GET
      SET k v XX PXAT 99999999999000
      SET newkey v KEEPTTL
      TTL newkey
    `),
    );
  });

  it('GETEX, GETDEL and GETSET', async () => {
    await same(
      script(`
      GETEX missing
      GETEX missing EX 10
      GETEX missing EX abc
      GETEX missing FOO
      SET k v
      GETEX k
      TTL k
      GETEX k EX 100
      TTL k
      GETEX k PX 200000
      TTL k
      GETEX k EXAT 99999999999
      GETEX k PXAT 99999999999000
      GETEX k PERSIST
      TTL k
      GETEX k PERSIST
      GETEX k EX 10 PX 10
      GETEX k PERSIST EX 10
      GETEX k EX 10 PERSIST
      GETEX k EX 10 EX 100
      TTL k
      GETEX k KEEPTTL
      GETEX k NX
      GETEX k GET
      GETEX k EX
      GETEX k EX 0
      GETEX k EX -1
      GETEX k EX abc
      GETEX k EX 9223372036854775
      GETEX k PX 9223372036854775807
      GETEX k EXAT 1
      EXISTS k
      SET k v
      GETEX k PXAT 1
      EXISTS k
      GETEX
      GETDEL missing
      SET k v
      GETDEL k
      GETDEL k
      EXISTS k
      SET k 42
      GETDEL k
      GETDEL
      GETDEL a b
      GETSET k v
      GETSET k v2
      GET k
      SET k v EX 100
      GETSET k v3
      TTL k
      GETSET k
    `),
    );
  });

  it('MSET, MSETNX, MGET, SETNX, SETEX and PSETEX', async () => {
    await same(
      script(`
      MSET a 1 b 2 c 3
      MGET a b c missing
      MSET a 1 b
      MSET a
      MSET
      MSET a x a y
      GET a
      MSETNX a 1 z 2
      EXISTS z
      MSETNX y 1 z 2
      MGET y z
      MSETNX q 1 q 2
      GET q
      MSETNX a
      MSETNX a 1 b
      MGET
      MGET missing
      SETNX a v
      SETNX fresh v
      GET fresh
      SETNX fresh
      SET t v EX 100
      MSET t v
      TTL t
      SETEX k 100 v
      GET k
      TTL k
      SETEX k 0 v
      SETEX k -1 v
      SETEX k abc v
      SETEX k 9223372036854775 v
      SETEX k 9223372036854774 v
      SETEX k 10
      PSETEX k 100000 v
      TTL k
      PSETEX k 0 v
      PSETEX k -100 v
      PSETEX k 1.5 v
      PSETEX k 9223372036854775807 v
      PSETEX k 10
    `),
    );
  });

  it('APPEND, STRLEN, GETRANGE, SUBSTR and SETRANGE', async () => {
    await same(
      script(`
      APPEND k Hello
      APPEND k World
      GET k
      STRLEN k
      STRLEN missing
      SET n 123
      APPEND n 45
      GET n
      INCR n
      GETRANGE k 0 3
      GETRANGE k -3 -1
      GETRANGE k 0 -1
      GETRANGE k 5 2
      GETRANGE k -1 -5
      GETRANGE k -100 -200
      GETRANGE k -100 100
      GETRANGE k 100 200
      GETRANGE k 0 9223372036854775807
      GETRANGE k -9223372036854775808 -1
      GETRANGE k -9223372036854775808 9223372036854775807
      GETRANGE k -9007199254740993 -9007199254740994
      GETRANGE k 9007199254740993 9007199254740994
      GETRANGE k 0 9223372036854775808
      GETRANGE k a 1
      GETRANGE k 1 a
      GETRANGE missing 0 -1
      GETRANGE missing a b
      SUBSTR k 1 3
      SUBSTR k -2 -1
      SET num -12345
      GETRANGE num 0 2
      GETRANGE num -2 -1
      SETRANGE k 5 ,
      GET k
      SETRANGE k 15 !!
      GET k
      STRLEN k
      SETRANGE k 0 ""
      SETRANGE k -1 x
      SETRANGE k abc x
      SETRANGE k 9223372036854775807 x
      SETRANGE k 536870912 x
      SETRANGE k 536870911 ""
      SETRANGE fresh 3 abc
      GET fresh
      SETRANGE fresh2 0 ""
      EXISTS fresh2
      SETRANGE fresh3 -1 ""
      SETRANGE fresh3 536870912 ""
      SET i 12345
      SETRANGE i 1 9
      GET i
      INCR i
      SET e ""
      STRLEN e
      GETRANGE e 0 -1
      GETRANGE e 0 0
      APPEND e ""
      STRLEN e
      APPEND fresh4 ""
      EXISTS fresh4
      APPEND
      STRLEN
      SETRANGE k 1
    `),
    );
    // Empty strings and separators cannot be written in a script line.
    await same([
      ['SET', 'e', ''],
      ['APPEND', 'e', ''],
      ['GET', 'e'],
      ['SETRANGE', 'e', '2', ''],
      ['SETRANGE', 'e', '2', 'a b'],
      ['GET', 'e'],
      ['GETRANGE', 'e', '', '1'],
      ['GETRANGE', 'e', ' 1', '1'],
      ['SETRANGE', 'e', '+1', 'x'],
    ]);
  });

  it('INCR, DECR, INCRBY and DECRBY: exact int64, overflow, errors, TTL kept', async () => {
    await same(
      script(`
      INCR c
      INCR c
      DECR c
      DECR d
      INCRBY c 10
      INCRBY c -20
      DECRBY c 5
      DECRBY c -5
      SET big 9223372036854775806
      INCR big
      INCR big
      GET big
      SET small -9223372036854775807
      DECR small
      DECR small
      INCRBY small -1
      INCRBY small 9223372036854775807
      DECRBY small 9223372036854775807
      SET x 9007199254740991
      INCR x
      INCR x
      INCRBY x 9007199254740991
      DECRBY x 18014398509481983
      DECRBY x 9223372036854775807
      DECRBY x 1
      DECRBY x -9223372036854775808
      DECRBY missing -9223372036854775808
      INCRBY x -9223372036854775808
      INCRBY c 9223372036854775808
      INCRBY c abc
      INCRBY c 1.5
      INCRBY c ""
      INCRBY c +1
      INCRBY c 01
      INCRBY c -0
      DECRBY c abc
      SET s abc
      INCR s
      DECR s
      SET s "1"
      SET f 1.0
      INCR f
      SET sp " 1"
      SET lz 01
      INCR lz
      SET neg0 -0
      INCR neg0
      SET t 5 EX 100
      INCR t
      TTL t
      INCRBY t 5
      DECR t
      TTL t
      GET t
      INCR
      INCRBY c
      DECRBY c 1 2
    `),
    );
    await same([
      ['SET', 'sp', ' 1'],
      ['INCR', 'sp'],
      ['SET', 'sp', '1 '],
      ['INCR', 'sp'],
      ['SET', 'sp', ''],
      ['INCR', 'sp'],
      ['SET', 'big', '99999999999999999999'],
      ['INCR', 'big'],
    ]);
  });

  it('INCRBYFLOAT: long double arithmetic and formatting, errors, TTL kept', async () => {
    await same(
      script(`
      SET f 10.5
      INCRBYFLOAT f 0.1
      INCRBYFLOAT f 3.0e3
      INCRBYFLOAT f 5.0e-3
      INCRBYFLOAT f 1e20
      INCRBYFLOAT f -1e20
      INCRBYFLOAT g 1e400
      INCRBYFLOAT g -1e400
      INCRBYFLOAT h 1e-4940
      INCRBYFLOAT h 0.000003814697265625
      INCRBYFLOAT h 0.000011444091796875
      INCRBYFLOAT i 9223372036854775807
      INCRBYFLOAT i 1
      SET i 9223372036854775807
      INCRBYFLOAT i 1
      INCRBYFLOAT f inf
      INCRBYFLOAT f -inf
      INCRBYFLOAT f infinity
      INCRBYFLOAT f nan
      INCRBYFLOAT f abc
      INCRBYFLOAT f 1e5000
      INCRBYFLOAT f 1e-5000
      INCRBYFLOAT f 0x1p3
      INCRBYFLOAT f 0x
      INCRBYFLOAT f 1e
      INCRBYFLOAT f .
      SET bad abc
      INCRBYFLOAT bad 1
      SET big 1e4932
      INCRBYFLOAT big 1e4932
      SET inf inf
      INCRBYFLOAT inf 1
      SET t 1.5 EX 100
      INCRBYFLOAT t 1
      TTL t
      GET t
      INCRBYFLOAT
      INCRBYFLOAT f
    `),
    );
    await same([
      ['INCRBYFLOAT', 'f', ''],
      ['INCRBYFLOAT', 'f', ' 1'],
      ['INCRBYFLOAT', 'f', '1 '],
      ['INCRBYFLOAT', 'f', '1\0'],
      ['SET', 'z', '1.5\0x'],
      ['INCRBYFLOAT', 'z', '1'],
      ['INCRBYFLOAT', 'f', '0'.repeat(5118) + '1'],
      ['INCRBYFLOAT', 'f', '0'.repeat(5119) + '1'],
    ]);
  });

  it('INCRBYFLOAT agrees with Redis on generated values', async () => {
    const rand = rng(20240615);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const num = (): string => {
      const sign = rand() < 0.5 ? '-' : '';
      switch (pick([0, 1, 2, 3, 4, 5])) {
        case 0:
          return sign + Math.floor(rand() * 1e6);
        case 1:
          return sign + (rand() * 1000).toFixed(Math.floor(rand() * 20));
        case 2:
          return `${sign}${Math.floor(rand() * 999) + 1}e${Math.floor(rand() * 80) - 40}`;
        case 3:
          return sign + (rand() * 1e-5).toPrecision(1 + Math.floor(rand() * 20));
        case 4:
          return sign + (rand() * 1e25).toExponential(Math.floor(rand() * 20));
        default:
          return `${sign}0x${Math.floor(rand() * 2 ** 40).toString(16)}p${Math.floor(rand() * 60) - 30}`;
      }
    };
    const steps: Step[] = [];
    for (let i = 0; i < 150; i++) {
      steps.push(['SET', 'f', num()], ['INCRBYFLOAT', 'f', num()], ['INCRBYFLOAT', 'f', num()]);
    }
    await same(steps);
  });

  it('LCS with LEN, IDX, MINMATCHLEN and WITHMATCHLEN', async () => {
    await same(
      script(`
      LCS a b
      MSET a ohmytext b mynewtext
      LCS a b
      LCS a b LEN
      LCS a b IDX
      LCS a b IDX WITHMATCHLEN
      LCS a b IDX MINMATCHLEN 4
      LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN
      LCS a b IDX MINMATCHLEN -4
      LCS a b IDX MINMATCHLEN 9223372036854775807
      LCS a b MINMATCHLEN 3
      LCS a b LEN IDX
      LCS a b idx len
      LCS a b LEN LEN
      LCS a b MINMATCHLEN
      LCS a b MINMATCHLEN abc
      LCS a b FOO
      LCS a b WITHMATCHLEN
      LCS a missing
      LCS a missing IDX
      LCS missing missing LEN
      MSET x GTCGTTCGGAATGCCGTTGCTCTGTAAA y ACCGGTCGAGTGCGCGGAAGCCGGCCGAA
      LCS x y
      LCS x y IDX WITHMATCHLEN
      LCS y x IDX MINMATCHLEN 2 WITHMATCHLEN
      SET n 12345
      LCS n a
      LCS n n IDX
      LCS a
    `),
    );
  });

  it('is binary safe in keys and values (\\r\\n, NUL, high bytes)', async () => {
    const k = 'bin\r\n\0\xffkey';
    const v = '\0\r\n\xfe\xff$3\r\n';
    await same([
      ['SET', k, v],
      ['GET', k],
      ['STRLEN', k],
      ['APPEND', k, '\0\r\n'],
      ['GET', k],
      ['GETRANGE', k, '1', '3'],
      ['SETRANGE', k, '2', '\n\0'],
      ['GET', k],
      ['MSET', '\0', '\r', '\n', '\0'],
      ['MGET', '\0', '\n', k],
      ['GETSET', '\0', '\xff'],
      ['GETDEL', '\0'],
      ['SETNX', '\r\n', '\0'],
      ['LCS', k, '\n'],
      ['LCS', k, k, 'IDX'],
      ['SET', 'opt', 'v', 'NX\0junk'],
      ['SET', 'opt', 'v', 'XX\0', 'GET\0'],
      ['SETEX', '\0\0', '100', '\0'],
      ['GET', '\0\0'],
    ]);
  });

  it('OBJECT ENCODING of the values these commands produce', async () => {
    await same(
      script(`
      SET a 12345
      OBJECT ENCODING a
      SET a -9223372036854775808
      OBJECT ENCODING a
      SET a 9223372036854775808
      OBJECT ENCODING a
      SET a 0123
      OBJECT ENCODING a
      SET a hello
      OBJECT ENCODING a
      SET a aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      OBJECT ENCODING a
      SET a aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      OBJECT ENCODING a
      APPEND a x
      OBJECT ENCODING a
      SET a 1
      APPEND a 2
      OBJECT ENCODING a
      INCR a
      OBJECT ENCODING a
      INCRBYFLOAT a 1
      OBJECT ENCODING a
      INCRBYFLOAT a 0.5
      OBJECT ENCODING a
      INCRBYFLOAT b 1e40
      OBJECT ENCODING b
      INCRBYFLOAT c 1e50
      OBJECT ENCODING c
      SET a short
      SETRANGE a 0 S
      OBJECT ENCODING a
      SETRANGE fresh 1 x
      OBJECT ENCODING fresh
      APPEND new 123
      OBJECT ENCODING new
      APPEND new2 hello
      OBJECT ENCODING new2
      INCR counter
      OBJECT ENCODING counter
      INCRBY counter 9223372036854775806
      OBJECT ENCODING counter
      MSET m1 1 m2 x
      OBJECT ENCODING m1
      OBJECT ENCODING m2
      SETEX s 100 42
      OBJECT ENCODING s
      GETSET s abc
      OBJECT ENCODING s
      SET s 5
      GETEX s EX 100
      OBJECT ENCODING s
    `),
    );
  });

  it('RESP3 replies (nulls, the LCS IDX map)', async () => {
    const hello = ['HELLO', '3'];
    await suite.diff.brook.call(...hello);
    await suite.diff.redis.call(...hello);
    await same(
      script(`
      GET missing
      SET k v NX
      SET k v NX
      SET k v2 XX GET
      MGET k missing
      GETEX missing
      GETDEL missing
      MSET a ohmytext b mynewtext
      LCS a b IDX WITHMATCHLEN
      LCS a b IDX MINMATCHLEN 10
    `),
    );
    await suite.diff.brook.call('HELLO', '2');
    await suite.diff.redis.call('HELLO', '2');
  });

  it('declares the metadata Redis 7.0 does (COMMAND INFO, COMMAND DOCS)', async () => {
    await same(STRING_COMMANDS.map((name) => ['COMMAND', 'INFO', name]));
    await same(STRING_COMMANDS.map((name) => ['COMMAND', 'DOCS', name]));
    await same(
      script(`
      COMMAND GETKEYS MSET a 1 b 2 c 3
      COMMAND GETKEYS MGET a b c
      COMMAND GETKEYS LCS a b IDX
      COMMAND GETKEYS SET k v EX 10
    `),
    );
  });
});

describe('strings: proto-max-bulk-len limits', () => {
  const limited = ['--proto-max-bulk-len', '1048576'];
  const suite = differentialSuite(limited, limited);

  it('refuses strings longer than the limit (SETRANGE, APPEND) and oversized LCS tables', async () => {
    const half = 'x'.repeat(524288);
    const lcsArg = 'a'.repeat(600);
    expect(
      await suite.diff.run([
        ['SETRANGE', 'k', '1048575', 'x'],
        ['STRLEN', 'k'],
        ['SETRANGE', 'k', '1048576', 'x'],
        ['SETRANGE', 'k', '1048575', 'xy'],
        ['APPEND', 'k', 'x'],
        ['SET', 'a', half],
        ['APPEND', 'a', half],
        ['APPEND', 'a', 'x'],
        ['STRLEN', 'a'],
        ['SETRANGE', 'new', '1048576', 'x'],
        ['EXISTS', 'new'],
        ['MSET', 'l1', lcsArg, 'l2', lcsArg],
        ['LCS', 'l1', 'l2'],
        ['LCS', 'l1', 'l2', 'LEN'],
        ['SET', 'l1', 'a'.repeat(200)],
        ['LCS', 'l1', 'l2', 'LEN'],
      ]),
    ).toEqual([]);
  });

  it('LCS checks its table against proto-max-bulk-len exactly, after the options, as CONFIG SET changes it', async () => {
    const limit = 1048576; // the smallest proto-max-bulk-len Redis accepts
    // (511 + 1)^2 cells of 4 bytes is the limit itself; one byte more is over it.
    const x511 = 'x'.repeat(511);
    const longest = 'y'.repeat(limit / 4 - 1);
    expect(
      await suite.diff.run([
        ['CONFIG', 'SET', 'proto-max-bulk-len', String(limit)],
        ['MSET', 'a', x511, 'b', x511, 'long', longest],
        ['LCS', 'a', 'b', 'LEN'],
        ['APPEND', 'b', 'x'],
        ['LCS', 'a', 'b', 'LEN'],
        ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'],
        ['LCS', 'a', 'missing'],
        ['LCS', 'long', 'missing'],
        ['APPEND', 'long', 'y'],
        ['LCS', 'long', 'missing', 'LEN'],
        ['LCS', 'missing', 'long'],
        // Option errors come first, the size check after them.
        ['LCS', 'a', 'b', 'IDX', 'LEN'],
        ['LCS', 'a', 'b', 'NOSUCH'],
        ['LCS', 'a', 'b', 'MINMATCHLEN', 'x'],
        ['CONFIG', 'SET', 'proto-max-bulk-len', '2mb'],
        ['LCS', 'a', 'b', 'LEN'],
        ['LCS', 'long', 'missing', 'LEN'],
        ['CONFIG', 'SET', 'proto-max-bulk-len', String(limit)],
        ['LCS', 'a', 'b', 'LEN'],
      ]),
    ).toEqual([]);
  });
});

describe('strings: change feed rewrites', () => {
  const suite = changeFeedSuite();
  /** Runs a command and returns what it put into the change feed. */
  const fed = suite.fedArgv;

  const near = (text: string, expected: number) => Math.abs(Number(text) - expected) < 5000;

  it('INCRBYFLOAT becomes SET key <result> KEEPTTL', async () => {
    await suite.client.call('SET', 'f', '10.5');
    expect(await fed('INCRBYFLOAT', 'f', '0.1')).toEqual([['SET', 'f', '10.6', 'KEEPTTL']]);
  });

  it('SET/SETEX/PSETEX with relative expiry become SET key value PXAT <absolute ms>', async () => {
    const relative = [
      ['SET', 'k', 'v', 'EX', '100'],
      ['SETEX', 'k', '100', 'v'],
      ['PSETEX', 'k', '100000', 'v'],
      ['SET', 'k', 'v', 'NX', 'PX', '100000'],
    ];
    for (const cmd of relative) {
      await suite.client.call('DEL', 'k');
      const out = await fed(...cmd);
      expect(out).toHaveLength(1);
      expect(out[0].slice(0, 4)).toEqual(['SET', 'k', 'v', 'PXAT']);
      expect(near(out[0][4], Date.now() + 100000)).toBe(true);
    }
    expect(await fed('SET', 'k', 'v', 'EXAT', '9999999999')).toEqual([['SET', 'k', 'v', 'PXAT', '9999999999000']]);
    const max = '9223372036854775807';
    expect(await fed('SET', 'k', 'v', 'PXAT', max)).toEqual([['SET', 'k', 'v', 'PXAT', max]]);
  });

  it('SET ... GET propagates without GET; GETSET as SET; GETDEL as DEL', async () => {
    expect(await fed('SET', 'k', 'v', 'GET', 'KEEPTTL', 'get')).toEqual([['SET', 'k', 'v', 'KEEPTTL']]);
    expect(await fed('GETSET', 'k', 'w')).toEqual([['SET', 'k', 'w']]);
    expect(await fed('GETDEL', 'k')).toEqual([['DEL', 'k']]);
    expect(await fed('GETDEL', 'k')).toEqual([]);
  });

  it('GETEX becomes PEXPIREAT, PERSIST or DEL, and nothing when it changes nothing', async () => {
    await suite.client.call('SET', 'k', 'v');
    expect(await fed('GETEX', 'k')).toEqual([]);
    const out = await fed('GETEX', 'k', 'EX', '100');
    expect(out).toHaveLength(1);
    expect(out[0].slice(0, 2)).toEqual(['PEXPIREAT', 'k']);
    expect(near(out[0][2], Date.now() + 100000)).toBe(true);
    expect(await fed('GETEX', 'k', 'PXAT', '99999999999000')).toEqual([['PEXPIREAT', 'k', '99999999999000']]);
    expect(await fed('GETEX', 'k', 'PERSIST')).toEqual([['PERSIST', 'k']]);
    expect(await fed('GETEX', 'k', 'PERSIST')).toEqual([]);
    expect(await fed('GETEX', 'k', 'EXAT', '1')).toEqual([['DEL', 'k']]);
  });

  it('deterministic writes go through as received', async () => {
    expect(await fed('INCR', 'n')).toEqual([['INCR', 'n']]);
    expect(await fed('APPEND', 'n', 'x')).toEqual([['APPEND', 'n', 'x']]);
    expect(await fed('SETRANGE', 'n', '0', 'y')).toEqual([['SETRANGE', 'n', '0', 'y']]);
    expect(await fed('MSET', 'a', '1', 'b', '2')).toEqual([['MSET', 'a', '1', 'b', '2']]);
    expect(await fed('SETNX', 'a', '1')).toEqual([]);
    expect(await fed('INCR', 'b')).toEqual([['INCR', 'b']]);
  });
});
