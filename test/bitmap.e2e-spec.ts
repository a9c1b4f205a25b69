/**
 * The BITMAP family against real Redis 7.0, byte for byte: SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD and BITFIELD_RO, every option and error, plus generated range cases.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { rng } from './support/rng.js';

const BITMAP_COMMANDS = ['setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro'];

describe('bitmap: differential against real Redis', () => {
  const suite = differentialSuite();
  const same = async (steps: Step[]) => expect(await suite.diff.run(steps)).toEqual([]);

  it('SETBIT and GETBIT, offsets up to the limit and every error', async () => {
    await same(
      script(`
      SETBIT k 7 1
      GET k
      SETBIT k 7 1
      SETBIT k 7 0
      SETBIT k 100 1
      GET k
      STRLEN k
      GETBIT k 100
      GETBIT k 99
      GETBIT k 10000
      GETBIT missing 5
      SETBIT k 4294967296 1
      GETBIT k 4294967296
      GETBIT k 4294967295
      SETBIT k -1 1
      GETBIT k -1
      SETBIT k abc 1
      SETBIT k 1.5 1
      SETBIT k 01 1
      SETBIT k 1 2
      SETBIT k 1 -1
      SETBIT k 1 abc
      SETBIT k 1 01
      SETBIT k 1 9223372036854775808
      SETBIT k abc abc
      SET n 5
      GETBIT n 5
      GETBIT n 7
      SETBIT n 6 1
      GET n
      OBJECT ENCODING n
      SET s ab
      SETBIT s 0 1
      OBJECT ENCODING s
      SETBIT fresh 3 1
      OBJECT ENCODING fresh
      SET t v EX 100
      SETBIT t 20 1
      TTL t
      SETBIT k 1
      GETBIT k
    `),
    );
  });

  it('BITCOUNT with BYTE and BIT ranges, negative and huge indexes', async () => {
    await same(
      script(`
      BITCOUNT missing
      BITCOUNT missing 0 -1
      BITCOUNT missing a b
      BITCOUNT missing 1
      SET k foobar
      BITCOUNT k
      BITCOUNT k 0 0
      BITCOUNT k 1 1
      BITCOUNT k 1 -2
      BITCOUNT k -2 -1
      BITCOUNT k -1 -2
      BITCOUNT k -100 -200
      BITCOUNT k -100 100
      BITCOUNT k 5 30 BIT
      BITCOUNT k 5 30 bit
      BITCOUNT k 0 -1 BYTE
      BITCOUNT k -5 -1 BIT
      BITCOUNT k 47 47 BIT
      BITCOUNT k 40 1000 BIT
      BITCOUNT k 3 2 BIT
      BITCOUNT k -9223372036854775808 9223372036854775807
      BITCOUNT k -9223372036854775808 9223372036854775807 BIT
      BITCOUNT k -9007199254740993 -9007199254740994
      BITCOUNT k 0 9223372036854775808
      BITCOUNT k 1
      BITCOUNT k a b
      BITCOUNT k 0 b
      BITCOUNT k 0 1 FOO
      BITCOUNT k a 1 FOO
      BITCOUNT k 0 1 BIT extra
      SET n 12345
      BITCOUNT n
      BITCOUNT n 1 2
      SET e ""
      BITCOUNT e
      BITCOUNT e 0 -1
      BITCOUNT e 0 -1 BIT
      BITCOUNT
    `),
    );
  });

  it('BITPOS for set and clear bits, explicit and implicit ends, BYTE and BIT', async () => {
    await same(
      script(
        `
      BITPOS missing 0
      BITPOS missing 1
      BITPOS missing 1 a b
      BITPOS missing 2
      BITPOS missing abc
      SET k \xff\xf0\x00
      BITPOS k 0
      BITPOS k 1
      BITPOS k 0 1
      BITPOS k 0 2
      BITPOS k 1 2
      BITPOS k 0 1 1
      BITPOS k 0 -1
      BITPOS k 0 -100 -200
      BITPOS k 1 -100 -200
      BITPOS k 1 100
      BITPOS k 0 100
      BITPOS k 0 5 30 BIT
      BITPOS k 1 5 30 bit
      BITPOS k 1 12 30 BIT
      BITPOS k 0 0 11 BIT
      BITPOS k 0 0 12 BIT
      BITPOS k 0 0 1 BYTE
      BITPOS k 1 -9223372036854775808 9223372036854775807
      BITPOS k 0 -9223372036854775808 9223372036854775807 BIT
      BITPOS k 2
      BITPOS k -1
      BITPOS k 1 a
      BITPOS k 1 0 a
      BITPOS k 1 a b FOO
      BITPOS k 1 0 b FOO
      BITPOS k 1 0 b BIT
      BITPOS k 1 0 1 BIT extra
      SET ones \xff\xff
      BITPOS ones 0
      BITPOS ones 0 0
      BITPOS ones 0 0 -1
      BITPOS ones 0 1 1
      BITPOS ones 0 0 15 BIT
      BITPOS ones 1 15 15 BIT
      SET zeros \x00\x00
      BITPOS zeros 1
      BITPOS zeros 0
      BITPOS zeros 1 1 -1
      SET e ""
      BITPOS e 0
      BITPOS e 1
      BITPOS e 0 0 -1
      SET n 12345
      BITPOS n 1
      BITPOS n 0 2
      BITPOS
      BITPOS k
    `.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      ),
    );
  });

  it('BITCOUNT and BITPOS agree with Redis on generated strings and ranges', async () => {
    const rand = rng(7001);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const steps: Step[] = [];
    for (let round = 0; round < 40; round++) {
      const len = int(0, 12);
      let value = '';
      for (let i = 0; i < len; i++) value += String.fromCharCode(rand() < 0.3 ? 0 : rand() < 0.5 ? 255 : int(0, 255));
      steps.push(['SET', 'r', value]);
      for (let q = 0; q < 15; q++) {
        const unit = ['', 'BYTE', 'BIT'][int(0, 2)];
        const span = unit === 'BIT' ? len * 8 + 4 : len + 2;
        const a = String(int(-span, span));
        const b = String(int(-span, span));
        const bit = String(int(0, 1));
        steps.push(unit ? ['BITCOUNT', 'r', a, b, unit] : ['BITCOUNT', 'r', a, b]);
        if (unit) steps.push(['BITPOS', 'r', bit, a, b, unit]);
        else steps.push(rand() < 0.5 ? ['BITPOS', 'r', bit, a, b] : ['BITPOS', 'r', bit, a]);
      }
      steps.push(['BITPOS', 'r', '0'], ['BITPOS', 'r', '1'], ['BITCOUNT', 'r']);
    }
    await same(steps);
  });

  it('BITOP AND, OR, XOR and NOT over strings of different lengths', async () => {
    await same(
      script(
        `
      SET a \xff\x0f\xf0
      SET b \x0f
      SET c \x01\x02\x03\x04
      BITOP AND dest a b
      GET dest
      BITOP OR dest a b c
      GET dest
      BITOP XOR dest a c
      GET dest
      BITOP NOT dest a
      GET dest
      OBJECT ENCODING dest
      BITOP and dest a missing
      GET dest
      BITOP or dest missing missing2
      EXISTS dest
      SET dest x EX 100
      BITOP OR dest a
      TTL dest
      BITOP NOT dest a b
      BITOP NOT dest
      BITOP NAND dest a b
      BITOP AND dest
      BITOP AND dest a a a a
      GET dest
      SET n 12345
      BITOP NOT dest n
      GET dest
      BITOP OR a a b
      GET a
      SET e ""
      BITOP NOT dest e
      EXISTS dest
      BITOP
    `.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      ),
    );
  });

  it('BITFIELD GET, SET and INCRBY with every type width and overflow mode', async () => {
    await same(
      script(`
      BITFIELD k
      EXISTS k
      BITFIELD k GET u8 0
      EXISTS k
      BITFIELD k SET u8 0 255 GET u8 0
      GET k
      BITFIELD k SET i8 0 -1 GET u8 0 GET i8 0
      BITFIELD k INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
      BITFIELD k SET i5 #3 -7 GET i5 #3 GET u5 #3
      BITFIELD k SET u63 0 9223372036854775807 GET u63 0 GET i64 0
      BITFIELD k SET i64 0 -9223372036854775808 GET i64 0 INCRBY i64 0 -1
      BITFIELD k OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807 INCRBY i64 0 1
      BITFIELD k OVERFLOW FAIL INCRBY i64 0 1 GET i64 0
      BITFIELD k OVERFLOW WRAP INCRBY i64 0 1
      BITFIELD k SET u8 0 200 OVERFLOW WRAP INCRBY u8 0 100 OVERFLOW SAT INCRBY u8 0 100 OVERFLOW FAIL INCRBY u8 0 100
      BITFIELD k OVERFLOW SAT SET u8 0 -5 SET u8 0 300 OVERFLOW WRAP SET u8 0 300 OVERFLOW FAIL SET u8 0 -1 GET u8 0
      BITFIELD k OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0
      BITFIELD k OVERFLOW WRAP SET i8 0 -9223372036854775808 GET i8 0
      BITFIELD k OVERFLOW SAT SET i8 0 200 SET i8 0 -200 OVERFLOW WRAP SET i8 0 200 SET i8 0 -200
      BITFIELD k OVERFLOW SAT INCRBY i8 0 -9223372036854775808 INCRBY i8 0 9223372036854775807
      BITFIELD k OVERFLOW WRAP INCRBY u63 0 9223372036854775807 INCRBY u63 0 -9223372036854775808
      BITFIELD k OVERFLOW SAT INCRBY u63 0 9223372036854775807 INCRBY u63 0 -9223372036854775808
      BITFIELD k INCRBY i1 7 1 INCRBY i1 7 1 INCRBY u1 7 1 INCRBY u1 7 1
      BITFIELD k GET u8 #1000 GET i32 999999 GET u16 3
      BITFIELD k set U8 0 1 get I8 0 incrby u8 0 1 overflow sat get u8 0
      BITFIELD k set u8 0 1 get i8 0 incrby u8 0 1 overflow sat get u8 0
      BITFIELD fail1 OVERFLOW FAIL INCRBY u2 0 10
      EXISTS fail1
      GET fail1
      BITFIELD big SET u8 4294967289 1
      BITFIELD k GET u64 0
      BITFIELD k GET i65 0
      BITFIELD k GET i0 0
      BITFIELD k GET x8 0
      BITFIELD k GET u 0
      BITFIELD k GET u8 -1
      BITFIELD k GET u8 abc
      BITFIELD k GET u8 #
      BITFIELD k GET u8 #-1
      BITFIELD k GET u8 #9223372036854775807
      BITFIELD k GET u8 #1152921504606846976
      BITFIELD k GET u8 4294967296
      BITFIELD k SET u8 0 abc
      BITFIELD k SET u8 0 9223372036854775808
      BITFIELD k INCRBY u8 0
      BITFIELD k GET u8
      BITFIELD k SET u8 0
      BITFIELD k OVERFLOW
      BITFIELD k OVERFLOW FOO GET u8 0
      BITFIELD k FOO
      BITFIELD k GET u8 0 FOO
      BITFIELD k GET u64 0 SET u8 0 abc
      BITFIELD k SET u8 0 abc GET u64 0
      SET n 12345
      BITFIELD n GET u8 0 GET u16 8
      BITFIELD n INCRBY u8 0 1
      GET n
      OBJECT ENCODING n
      SET t abc EX 100
      BITFIELD t SET u8 0 65
      TTL t
      BITFIELD
    `),
    );
  });

  it('BITFIELD_RO allows only GET', async () => {
    await same(
      script(`
      BITFIELD_RO k GET u8 0
      EXISTS k
      SET k abc
      BITFIELD_RO k GET u8 0 GET i4 #3 GET u16 100
      BITFIELD_RO k
      BITFIELD_RO k SET u8 0 1
      BITFIELD_RO k GET u8 0 INCRBY u8 0 1
      BITFIELD_RO k OVERFLOW SAT GET u8 0
      BITFIELD_RO k GET u64 0 SET u8 0 1
      BITFIELD_RO k SET u8 0 1 GET u64 0
      BITFIELD_RO k FOO
      BITFIELD_RO
    `),
    );
  });

  it('is binary safe and handles option keywords as C strings', async () => {
    await same([
      ['SETBIT', '\0\r\n', '9', '1'],
      ['GET', '\0\r\n'],
      ['BITCOUNT', '\0\r\n'],
      ['BITOP', 'OR', '\xff', '\0\r\n', '\0\r\n'],
      ['GET', '\xff'],
      ['BITOP', 'OR\0x', '\xff', '\0\r\n'],
      ['BITCOUNT', '\0\r\n', '0', '-1', 'BIT\0'],
      ['BITFIELD', '\0\r\n', 'GET\0', 'u8\0x', '0'],
      ['BITFIELD', '\0\r\n', 'OVERFLOW', 'SAT\0', 'INCRBY', 'u8', '8', '300'],
      ['BITPOS', '\0\r\n', '1', '0', '-1', 'BYTE\0z'],
    ]);
  });

  it('declares the metadata Redis 7.0 does (COMMAND INFO, COMMAND DOCS)', async () => {
    await same(BITMAP_COMMANDS.map((name) => ['COMMAND', 'INFO', name]));
    await same(BITMAP_COMMANDS.map((name) => ['COMMAND', 'DOCS', name]));
    await same(
      script(`
      COMMAND GETKEYS BITOP AND dest a b c
      COMMAND GETKEYS BITFIELD k GET u8 0
      COMMAND GETKEYS BITFIELD_RO k GET u8 0
    `),
    );
  });
});

describe('bitmap: proto-max-bulk-len limits', () => {
  const limited = ['--proto-max-bulk-len', '1048576'];
  const suite = differentialSuite(limited, limited);

  it('bounds bit offsets by the configured limit', async () => {
    await same(
      script(`
      SETBIT k 8388607 1
      STRLEN k
      SETBIT k 8388608 1
      GETBIT k 8388608
      BITFIELD k SET u8 8388600 1
      BITFIELD k SET u8 8388607 1
      STRLEN k
      BITFIELD k SET u8 8388608 1
      BITFIELD k GET u8 #1048575
      BITFIELD k GET u8 #1048576
    `),
    );
  });

  async function same(steps: Step[]): Promise<void> {
    expect(await suite.diff.run(steps)).toEqual([]);
  }
});

describe('bitmap: change feed', () => {
  const { fedArgv: run } = changeFeedSuite();

  it('propagates writes as received and read-only forms not at all', async () => {
    expect(await run('SETBIT', 'k', '7', '1')).toEqual([['SETBIT', 'k', '7', '1']]);
    expect(await run('BITOP', 'NOT', 'd', 'k')).toEqual([['BITOP', 'NOT', 'd', 'k']]);
    expect(await run('BITOP', 'AND', 'd', 'missing')).toEqual([['BITOP', 'AND', 'd', 'missing']]);
    expect(await run('BITOP', 'AND', 'd', 'missing')).toEqual([]);
    expect(await run('BITFIELD', 'k', 'INCRBY', 'u8', '0', '1')).toEqual([['BITFIELD', 'k', 'INCRBY', 'u8', '0', '1']]);
    expect(await run('BITFIELD', 'k', 'GET', 'u8', '0')).toEqual([]);
    expect(await run('BITFIELD_RO', 'k', 'GET', 'u8', '0')).toEqual([]);
    expect(await run('BITCOUNT', 'k')).toEqual([]);
  });
});
