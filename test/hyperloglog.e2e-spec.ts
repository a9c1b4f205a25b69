/**
 * HyperLogLog against real Redis 7.0: the value is Redis's own string format, so GET after the
 * same PFADDs returns the same bytes (sparse and dense, through the promotion point at any
 * hll-sparse-max-bytes), PFCOUNT gives the same estimates from 1 to 1M elements, PFMERGE and
 * multi-key PFCOUNT mix encodings, PFDEBUG shows the same registers and opcodes, and corrupted
 * values are refused with Redis's errors. RESP2 and RESP3, byte for byte.
 */
import { describe, expect, it } from '@jest/globals';
import { changeFeedSuite } from './support/change-feed.js';
import { differentialSuite, script, type Step } from './support/differential.js';
import { decodeReply } from './support/resp-value.js';
import { rng } from './support/rng.js';
import { encodeCommand } from './support/raw-client.js';

/** A 16-byte HLL header: "HYLL", the encoding byte, 3 zero bytes, the 8 cardinality bytes. */
function header(encoding: number, card: number[] = [0, 0, 0, 0, 0, 0, 0, 0x80]): Buffer {
  return Buffer.from([0x48, 0x59, 0x4c, 0x4c, encoding, 0, 0, 0, ...card]);
}

/** Random elements of 0..40 random bytes (binary, so hashing covers every tail length). */
function randomElements(next: () => number, n: number): Buffer[] {
  return Array.from({ length: n }, () => Buffer.from(Array.from({ length: Math.floor(next() * 41) }, () => Math.floor(next() * 256))));
}

describe('hyperloglog: differential against real Redis', () => {
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

  it('PFADD, PFCOUNT, PFMERGE basics: replies, the bytes, TYPE/OBJECT ENCODING, COPY/RENAME, errors and arity', async () => {
    await same(
      script(`
      PFADD h a b c d e f g
      GET h
      PFCOUNT h
      GET h
      PFADD h a
      PFADD h
      PFADD fresh
      GET fresh
      PFCOUNT fresh
      PFCOUNT missing
      PFCOUNT h missing fresh
      TYPE h
      OBJECT ENCODING h
      STRLEN h
      COPY h h2
      PFADD h2 x y z
      PFCOUNT h h2
      PFCOUNT h
      RENAME h2 h3
      GET h3
      PFMERGE dst h h3
      GET dst
      PFCOUNT dst
      PFMERGE only
      GET only
      PFMERGE only missing
      EXISTS missing
      PFMERGE h
      GET h
      SET str hello
      PFADD str a
      PFCOUNT str
      PFCOUNT h str
      PFMERGE dst str
      PFMERGE str h
      SET int 12345
      PFADD int a
      PFCOUNT int
      SADD set a
      PFADD set a
      PFCOUNT set
      PFCOUNT h set
      PFMERGE set h
      PFADD
      PFCOUNT
      PFMERGE
      COMMAND INFO pfadd pfcount pfmerge pfdebug pfselftest
      `),
    );
  });

  it('seeded random PFADD sequences: GET, PFCOUNT and the encoding identical after every batch, sparse through dense', async () => {
    for (const seed of [1, 2, 3]) {
      const next = rng(seed);
      const steps: Step[] = [];
      for (let batch = 0; batch < 60; batch++) {
        const key = `k${batch % 3}`;
        const size = Math.floor(next() * (batch < 30 ? 8 : 120)) + 1;
        steps.push(['PFADD', key, ...randomElements(next, size)]);
        steps.push(['GET', key], ['PFDEBUG', 'ENCODING', key]);
        if (batch % 4 === 0) steps.push(['PFCOUNT', key], ['GET', key]);
      }
      steps.push(['PFCOUNT', 'k0', 'k1', 'k2'], ['PFMERGE', 'k0', 'k1', 'k2'], ['GET', 'k0'], ['PFCOUNT', 'k0']);
      await same(steps);
    }
  });

  it('the promotion point follows hll-sparse-max-bytes set with CONFIG SET, VAL values above 32 promote at once', async () => {
    for (const max of ['0', '60', '400', '3000', '12000']) {
      const steps: Step[] = [['CONFIG', 'SET', 'hll-sparse-max-bytes', max]];
      for (let i = 0; i < 1500; i += 25) {
        steps.push(['PFADD', 'p', ...Array.from({ length: 25 }, (_, j) => `el-${i + j}`)]);
        steps.push(['STRLEN', 'p'], ['PFDEBUG', 'ENCODING', 'p']);
      }
      steps.push(['GET', 'p'], ['PFCOUNT', 'p'], ['PFDEBUG', 'DECODE', 'p']);
      await same(steps);
    }
    // Some element hashes to a run longer than 32 zeros: no sparse VAL holds it.
    const steps: Step[] = [['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']];
    for (let i = 0; i < 400; i++) steps.push(['PFADD', 'long', `x${i}`], ['PFDEBUG', 'ENCODING', 'long']);
    steps.push(['GET', 'long']);
    await same(steps);
  });

  it('PFCOUNT gives Redis exact estimates from 1 to 1M elements, and the same bytes', async () => {
    const { brook, redis } = suite.diff;
    for (const c of [brook, redis]) await c.call('FLUSHALL');
    const checkpoints = new Set([1, 2, 10, 50, 100, 300, 1000, 3000, 10000, 30000, 100000, 300000, 1000000]);
    const out: string[] = [];
    let added = 0;
    while (added < 1000000) {
      let n = 1;
      for (const cp of checkpoints)
        if (cp > added) {
          n = Math.min(cp - added, 10000);
          break;
        }
      const args = Array.from({ length: n }, (_, j) => `member:${added + j}`);
      await Promise.all([brook.call('PFADD', 'big', ...args), redis.call('PFADD', 'big', ...args)]);
      added += n;
      if (!checkpoints.has(added)) continue;
      for (const step of [
        ['PFCOUNT', 'big'],
        ['GET', 'big'],
      ]) {
        const [b, r] = await Promise.all([brook.call(...step), redis.call(...step)]);
        if (b !== r) out.push(`${added} ${step[0]}: brook ${b.slice(0, 40)} redis ${r.slice(0, 40)}`);
        else if (step[0] === 'PFCOUNT') out.push(`${added} ${b.trim()}`);
      }
    }
    // Every checkpoint matched (a mismatch line names the command).
    expect(out.filter((l) => l.includes('brook'))).toEqual([]);
    expect(out).toHaveLength(checkpoints.size);
  }, 120_000);

  it('multi-key PFCOUNT and PFMERGE over sparse and dense mixes', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => `d${i}`);
    await same([
      ['PFADD', 'dense', ...big],
      ['PFDEBUG', 'ENCODING', 'dense'],
      ['PFADD', 's1', 'a', 'b', 'c'],
      ['PFADD', 's2', 'c', 'd', 'e', 'd0', 'd1'],
      ['PFCOUNT', 's1', 's2'],
      ['PFCOUNT', 's1', 'dense', 's2', 'nokey'],
      ['PFCOUNT', 'dense', 'dense'],
      ['PFMERGE', 'm1', 's1', 's2'],
      ['PFDEBUG', 'ENCODING', 'm1'],
      ['GET', 'm1'],
      ['PFMERGE', 'm2', 's1', 'dense'],
      ['PFDEBUG', 'ENCODING', 'm2'],
      ['GET', 'm2'],
      ['PFCOUNT', 'm2'],
      ['PFMERGE', 's1', 'dense'],
      ['GET', 's1'],
      ['PFMERGE', 'dense', 's2'],
      ['GET', 'dense'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '30'],
      ['PFMERGE', 'm3', 's2', 'm1'],
      ['PFDEBUG', 'ENCODING', 'm3'],
      ['GET', 'm3'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
    ]);
  });

  it('PFDEBUG GETREG, DECODE, ENCODING, TODENSE and its errors', async () => {
    await same(
      script(`
      PFADD h one two three four
      PFDEBUG DECODE h
      PFDEBUG ENCODING h
      PFDEBUG getreg h
      PFDEBUG ENCODING h
      GET h
      PFDEBUG DECODE h
      PFDEBUG TODENSE h
      PFADD h2 x
      PFDEBUG TODENSE h2
      GET h2
      PFCOUNT h2
      PFDEBUG nosuch h
      PFDEBUG nosuch missing
      PFDEBUG GETREG missing
      SET s plain
      PFDEBUG GETREG s
      SADD set m
      PFDEBUG GETREG set
      PFDEBUG GETREG
      PFDEBUG GETREG h extra
      `),
    );
  });

  it('corrupted values: Redis errors for bad headers and opcodes, cached counts trusted while valid', async () => {
    const xzero = (n: number) => [0x40 | ((n - 1) >> 8), (n - 1) & 0xff];
    const cases: [string, Buffer][] = [
      ['short', Buffer.from('HYLL')],
      ['magic', Buffer.concat([Buffer.from('HYLX'), header(1).subarray(4), Buffer.from(xzero(16384))])],
      ['enc2', Buffer.concat([header(2), Buffer.from(xzero(16384))])],
      ['denseshort', Buffer.concat([header(0), Buffer.alloc(100)])],
      ['denseok', Buffer.concat([header(0), Buffer.alloc(12288, 0xff)])],
      ['noops', header(1)],
      ['noopscached', header(1, [5, 0, 0, 0, 0, 0, 0, 0])],
      ['hugecache', header(1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])],
      ['undercount', Buffer.concat([header(1), Buffer.from(xzero(16000))])],
      ['overcount', Buffer.concat([header(1), Buffer.from([...xzero(16384), 0x80])])],
      ['valoverflow', Buffer.concat([header(1), Buffer.from([...xzero(16383), 0x83])])],
      ['cutxzero', Buffer.concat([header(1), Buffer.from([...xzero(16128), 0x40])])],
      ['zeroruns', Buffer.concat([header(1), Buffer.alloc(256, 0x3f)])],
    ];
    const steps: Step[] = [];
    for (const [key, bytes] of cases) {
      steps.push(
        ['SET', key, bytes],
        ['PFCOUNT', key],
        ['GET', key],
        ['PFCOUNT', key, 'h'],
        ['PFMERGE', 'dst', key],
        ['PFDEBUG', 'GETREG', key],
      );
      steps.push(['SET', key, bytes], ['PFADD', key, 'a', 'b', 'c', 'd', 'e'], ['GET', key], ['PFDEBUG', 'DECODE', key]);
      steps.push(['SET', key, bytes], ['PFDEBUG', 'TODENSE', key], ['PFDEBUG', 'ENCODING', key], ['PFCOUNT', key]);
    }
    await same(steps);
  });

  it("SET of Redis's own HLL bytes, then PFCOUNT/PFADD, matches Redis", async () => {
    const { redis } = suite.diff;
    const values: Buffer[] = [];
    for (const n of [5, 500, 5000]) {
      await redis.call('DEL', 'src');
      await redis.call('PFADD', 'src', ...Array.from({ length: n }, (_, i) => `v${i}`));
      values.push(Buffer.from(decodeReply(await redis.call('GET', 'src')) as string, 'latin1'));
    }
    const steps: Step[] = [];
    values.forEach((v, i) =>
      steps.push(['SET', `k${i}`, v], ['PFCOUNT', `k${i}`], ['GET', `k${i}`], ['PFADD', `k${i}`, 'new'], ['GET', `k${i}`]),
    );
    steps.push(['PFCOUNT', 'k0', 'k1', 'k2']);
    await same(steps);
  });

  it('PFSELFTEST passes', async () => {
    // It adds 10M elements: longer than RawClient.call's 5 s wait on a loaded machine.
    const { brook } = suite.diff;
    brook.write(encodeCommand(['PFSELFTEST']));
    expect((await brook.read(100_000)).toString()).toBe('+OK\r\n');
    expect(await suite.diff.brook.call('PFSELFTEST', 'x')).toBe(await suite.diff.redis.call('PFSELFTEST', 'x'));
  }, 120_000);
});

describe('hyperloglog: the change feed', () => {
  const suite = changeFeedSuite();
  const fed = suite.fedArgv;

  it('PFADD and PFMERGE as sent, only when they change something; PFCOUNT when it rewrites the cached count', async () => {
    expect(await fed('PFADD', 'h', 'a', 'b')).toEqual([['PFADD', 'h', 'a', 'b']]);
    expect(await fed('PFADD', 'h', 'a')).toEqual([]);
    expect(await fed('PFCOUNT', 'h')).toEqual([['PFCOUNT', 'h']]);
    expect(await fed('PFCOUNT', 'h')).toEqual([]);
    expect(await fed('PFCOUNT', 'h', 'missing')).toEqual([]);
    expect(await fed('PFMERGE', 'm', 'h')).toEqual([['PFMERGE', 'm', 'h']]);
    expect(await fed('PFDEBUG', 'ENCODING', 'm')).toEqual([]);
    expect(await fed('PFDEBUG', 'TODENSE', 'm')).toEqual([['PFDEBUG', 'TODENSE', 'm']]);
    expect(await fed('PFDEBUG', 'TODENSE', 'm')).toEqual([]);
  });
});
