/**
 * Hostile RESTORE payloads, side by side with Redis 7.0 (run here with sanitize-dump-payload yes,
 * so Redis validates as deeply as Brook always does and both reply errors): truncated bodies with
 * valid checksums, huge declared lengths and counts, corrupt listpack/intset/LZF/stream internals,
 * a zero or wrong checksum, unknown types. Brook must reply Redis's error and keep serving.
 */
import { describe, expect, it } from '@jest/globals';
import { crc64 } from '@brook/persistence';
import { adversarialSuite, call, underAttack } from './harness.js';

const suite = adversarialSuite([], ['--sanitize-dump-payload', 'yes']);

/** A DUMP payload around `body` (type byte + value): RDB version 10 and a valid CRC64. */
function payload(body: Buffer, version = 10): Buffer {
  const head = Buffer.concat([body, Buffer.from([version & 0xff, version >> 8])]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(0n, head));
  return Buffer.concat([head, crc]);
}

const b = (...parts: (number[] | Buffer | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
/** An RDB string of raw bytes (6-bit, 14-bit or 32-bit length). */
function rstr(s: Buffer | string): Buffer {
  const v = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  if (v.length < 64) return b([v.length], v);
  if (v.length < 16384) return b([0x40 | (v.length >> 8), v.length & 0xff], v);
  const h = Buffer.alloc(5);
  h[0] = 0x80;
  h.writeUInt32BE(v.length, 1);
  return b(h, v);
}
/** A listpack of raw pre-encoded entries with its header computed (count given or real). */
function listpack(entries: number[][], count = entries.length, sizeDelta = 0): Buffer {
  const body = Buffer.from(entries.flat());
  const h = Buffer.alloc(6);
  h.writeUInt32LE(6 + body.length + 1 + sizeDelta, 0);
  h.writeUInt16LE(count, 4);
  return b(h, body, [0xff]);
}
/** A 6-bit listpack string entry with its backlen. */
const lpStr = (s: string): number[] => [0x80 | s.length, ...Buffer.from(s), 1 + s.length];
/** A 7-bit listpack integer entry. */
const lpInt = (n: number): number[] => [n, 1];
function intset(width: number, values: number[], count = values.length): Buffer {
  const out = Buffer.alloc(8 + values.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(count, 4);
  values.forEach((v, i) => out.writeIntLE(v, 8 + i * width, width));
  return out;
}

const LIST = 18;
const SET_INTSET = 11;
const HASH_LP = 16;
const ZSET_LP = 17;
const ZSET2 = 5;
const STREAM = 19;

const goodList = b([LIST, 1, 2], rstr(listpack([lpStr('a'), lpStr('b'), lpStr('c')])));

/**
 * Marks a payload Redis itself cannot survive: it sizes a table by the declared count before
 * reading a member (dictTryExpand of 2^32 entries) and stops answering. Brook alone gets these.
 */
const BROOK_ONLY = true;

/** name → payload; every one must be refused by both servers with the same error. */
const HOSTILE: ([string, Buffer] | [string, boolean, Buffer])[] = [
  ['checksum of zero', Buffer.concat([goodList, Buffer.from([10, 0]), Buffer.alloc(8)])],
  [
    'wrong checksum',
    (() => {
      const p = payload(goodList);
      p[p.length - 1] ^= 0x55;
      return p;
    })(),
  ],
  ['version 11', payload(goodList, 11)],
  ['footer only', payload(Buffer.alloc(0))],
  ...[1, 2, 3, 5, 8, 12].map((cut): [string, Buffer] => [`list truncated to ${cut} bytes`, payload(goodList.subarray(0, cut))]),
  ['string with a 2^62 length', payload(b([0, 0x81, 0x40, 0, 0, 0, 0, 0, 0, 0], 'abc'))],
  ['string with a 32-bit length past the end', payload(b([0, 0x80, 0x7f, 0xff, 0xff, 0xff], 'abc'))],
  ['bad length encoding', payload(b([0, 0x82, 1, 2, 3]))],
  ['unknown string encoding', payload(b([0, 0xc4, 1, 2, 3]))],
  ['LZF claiming 2^40 bytes', payload(b([0, 0xc3, 0x02, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0x00, 0x61]))],
  ['LZF back reference before the start', payload(b([0, 0xc3, 0x02, 0x0a, 0x20, 0x05]))],
  ['LZF shorter than declared', payload(b([0, 0xc3, 0x02, 0x0a, 0x00, 0x61]))],
  ['quicklist claiming 10^9 nodes', payload(b([LIST, 0x80, 0x3b, 0x9a, 0xca, 0x00, 2], rstr(listpack([lpStr('a')]))))],
  ['quicklist bad container', payload(b([LIST, 1, 3], rstr(listpack([lpStr('a')]))))],
  ['listpack size mismatch', payload(b([LIST, 1, 2], rstr(listpack([lpStr('a')], 1, 5))))],
  ['listpack count mismatch', payload(b([LIST, 1, 2], rstr(listpack([lpStr('a'), lpStr('b')], 7))))],
  ['listpack bad backlen', payload(b([LIST, 1, 2], rstr(listpack([[0x81, 0x61, 9]]))))],
  ['listpack string past its end', payload(b([LIST, 1, 2], rstr(listpack([[0xbf, 0x61, 2]]))))],
  ['listpack bad encoding byte', payload(b([LIST, 1, 2], rstr(listpack([[0xf7, 1]]))))],
  ['listpack without terminator', payload(b([LIST, 1, 2], rstr(listpack([lpStr('a')]).subarray(0, 9))))],
  ['empty listpack node', payload(b([LIST, 1, 2], rstr(listpack([]))))],
  ['intset width 3', payload(b([SET_INTSET], rstr(intset(3, [1, 2]))))],
  ['intset count beyond its bytes', payload(b([SET_INTSET], rstr(intset(2, [1, 2], 1000))))],
  ['intset unsorted', payload(b([SET_INTSET], rstr(intset(2, [5, 1]))))],
  ['intset duplicate', payload(b([SET_INTSET], rstr(intset(4, [7, 7]))))],
  ['intset empty', payload(b([SET_INTSET], rstr(intset(2, []))))],
  ['hash listpack odd entries', payload(b([HASH_LP], rstr(listpack([lpStr('f'), lpStr('v'), lpStr('g')]))))],
  ['hash listpack duplicate field', payload(b([HASH_LP], rstr(listpack([lpStr('f'), lpStr('v'), lpStr('f'), lpStr('w')]))))],
  ['zset listpack score not a number', payload(b([ZSET_LP], rstr(listpack([lpStr('m'), lpStr('x')]))))],
  ['zset listpack duplicate member', payload(b([ZSET_LP], rstr(listpack([lpStr('m'), lpInt(1), lpStr('m'), lpInt(2)]))))],
  ['zset with a NaN score', payload(b([ZSET2, 1], rstr('m'), Buffer.from(new Float64Array([NaN]).buffer)))],
  ['zset duplicate member', payload(b([ZSET2, 2], rstr('m'), Buffer.alloc(8), rstr('m'), Buffer.alloc(8)))],
  ['zset claiming 2^32 members', BROOK_ONLY, payload(b([ZSET2, 0x80, 0xff, 0xff, 0xff, 0xff], rstr('m'), Buffer.alloc(8)))],
  ['set claiming 2^32 members', BROOK_ONLY, payload(b([2, 0x80, 0xff, 0xff, 0xff, 0xff], rstr('m')))],
  ['stream node key not 16 bytes', payload(b([STREAM, 1], rstr('short'), rstr(listpack([lpInt(1)]))))],
  ['stream claiming 10^9 groups', payload(b([STREAM, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3b, 0x9a, 0xca, 0x00]))],
  [
    'stream consumer PEL entry not in the group PEL',
    payload(b([STREAM, 0, 0, 5, 0, 0, 0, 0, 0, 5, 1], rstr('g'), [5, 0, 1, 0, 1], rstr('c'), Buffer.alloc(8), [1], Buffer.alloc(16, 1))),
  ],
  ['type 20 (7.2 set listpack)', payload(b([20], rstr(listpack([lpStr('a')]))))],
  ['type 21 (7.2 stream)', payload(b([21, 0]))],
  ['type 8', payload(b([8, 0]))],
  ['module type 7', payload(b([7, 0x81, 1, 2, 3, 4, 5, 6, 7, 8]))],
  ['type 255', payload(b([255]))],
];

describe('RESTORE with hostile payloads', () => {
  const cases = HOSTILE.map((h): [string, boolean, Buffer] => (h.length === 2 ? [h[0], false, h[1]] : h));
  it.each(cases)('%s: the same error as Redis, and Brook keeps serving', async (_name, brookOnly, p) => {
    const targets = brookOnly ? [suite.brook] : suite.both();
    await Promise.all(targets.map((t) => call(t, 'DEL', 'hostile')));
    const [brook, redis = '-ERR Bad data format\r\n'] = await Promise.all(targets.map((t) => call(t, 'RESTORE', 'hostile', '0', p)));
    // Where Redis trusts the payload anyway (it reads a non-numeric listpack score as 0), Brook still refuses it.
    expect(brook).toBe(redis.startsWith('-') ? redis : '-ERR Bad data format\r\n');
    expect(await call(suite.brook, 'PING')).toBe('+PONG\r\n');
    expect(await call(suite.brook, 'EXISTS', 'hostile')).toBe(':0\r\n');
  });

  it('a payload truncated at every byte (checksum recomputed) is refused, never loaded, never fatal', async () => {
    // A stream with a group, PEL and consumers, as Redis dumps it.
    const r = suite.redis;
    await call(r, 'DEL', 's');
    await call(r, 'XADD', 's', '1-1', 'a', '1', 'b', '2');
    await call(r, 'XADD', 's', '1-2', 'a', '3', 'b', '4');
    await call(r, 'XGROUP', 'CREATE', 's', 'g', '0');
    await call(r, 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    const raw = Buffer.from(await call(r, 'DUMP', 's'), 'latin1');
    const crlf = raw.indexOf('\r\n');
    const dump = raw.subarray(crlf + 2, crlf + 2 + Number(raw.latin1Slice(1, crlf)));
    const body = dump.subarray(0, dump.length - 10);
    const { result } = await underAttack(suite.brook, async (t) => {
      const replies = new Set<string>();
      for (let cut = 0; cut < body.length; cut++) replies.add(await call(t, 'RESTORE', 'cut', '0', payload(body.subarray(0, cut))));
      return replies;
    });
    expect([...result]).toEqual(['-ERR Bad data format\r\n']);
    expect(await call(suite.brook, 'RESTORE', 'cut', '0', dump)).toBe('+OK\r\n');
  });
});
