/**
 * Builders of the RDB encodings Redis 7.0 reads but no longer writes (ziplist, zipmap, quicklist
 * v1, LIST, ZSET with text scores), as DUMP payloads: RESTORE of the same bytes in Brook and in
 * Redis 7.0 must give the same value.
 */
import { crc64 } from '@brook/persistence';

/** A DUMP payload around `body`: RDB version (9: Redis 6.2's) and a valid CRC64. */
export function payload(body: Buffer, version = 9): Buffer {
  const head = Buffer.concat([body, Buffer.from([version & 0xff, version >> 8])]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(0n, head));
  return Buffer.concat([head, crc]);
}

/** An RDB string (plain length form). */
export function rstr(s: string | Buffer): Buffer {
  const v = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  if (v.length < 64) return Buffer.concat([Buffer.from([v.length]), v]);
  if (v.length < 16384) return Buffer.concat([Buffer.from([0x40 | (v.length >> 8), v.length & 0xff]), v]);
  const h = Buffer.alloc(5);
  h[0] = 0x80;
  h.writeUInt32BE(v.length, 1);
  return Buffer.concat([h, v]);
}

/** An RDB length. */
export function rlen(n: number): Buffer {
  return rstr(Buffer.alloc(n)).subarray(0, n < 64 ? 1 : n < 16384 ? 2 : 5);
}

/** One ziplist entry's encoding + payload (an integer in the encoding its size calls for, as ziplist.c picks). */
function zipEntry(e: string | number): Buffer {
  if (typeof e === 'number') {
    if (e >= 0 && e <= 12) return Buffer.from([0xf1 + e]);
    const b = Buffer.alloc(9);
    if (e >= -128 && e <= 127) return Buffer.from([0xfe, e & 0xff]);
    if (e >= -32768 && e <= 32767) {
      b[0] = 0xc0;
      b.writeInt16LE(e, 1);
      return b.subarray(0, 3);
    }
    if (e >= -8388608 && e <= 8388607) {
      b[0] = 0xf0;
      b.writeIntLE(e, 1, 3);
      return b.subarray(0, 4);
    }
    if (e >= -2147483648 && e <= 2147483647) {
      b[0] = 0xd0;
      b.writeInt32LE(e, 1);
      return b.subarray(0, 5);
    }
    b[0] = 0xe0;
    b.writeBigInt64LE(BigInt(e), 1);
    return b;
  }
  const v = Buffer.from(e, 'latin1');
  const n = v.length;
  const head = n < 64 ? [n] : n < 16384 ? [0x40 | (n >> 8), n & 0xff] : [0x80, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  return Buffer.concat([Buffer.from(head), v]);
}

/** A ziplist blob of `entries`. */
export function ziplist(entries: (string | number)[]): Buffer {
  const parts: Buffer[] = [];
  let prev = 0;
  let offset = 10;
  let tail = 10;
  for (const e of entries) {
    const body = zipEntry(e);
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.from([0xfe, prev & 255, (prev >> 8) & 255, (prev >> 16) & 255, prev >>> 24]);
    const entry = Buffer.concat([prevlen, body]);
    tail = offset;
    offset += entry.length;
    prev = entry.length;
    parts.push(entry);
  }
  const header = Buffer.alloc(10);
  header.writeUInt32LE(offset + 1, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(entries.length, 8);
  return Buffer.concat([header, ...parts, Buffer.from([0xff])]);
}

/** A zipmap blob of field/value pairs (no free bytes but one, to exercise skipping). */
export function zipmap(pairs: [string, string][]): Buffer {
  const len = (n: number): Buffer => (n < 254 ? Buffer.from([n]) : Buffer.from([0xfe, n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24]));
  const parts: Buffer[] = [Buffer.from([pairs.length])];
  for (const [f, v] of pairs) {
    parts.push(len(f.length), Buffer.from(f, 'latin1'), len(v.length), Buffer.from([1]), Buffer.from(v, 'latin1'), Buffer.from([0]));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
const ZSET_TEXT_SCORE = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);

/** name → payload of an old encoding (RDB type byte first). */
export const OLD_ENCODINGS: [string, Buffer][] = [
  ['LIST (1)', payload(cat(Buffer.from([1]), rlen(3), rstr('a'), rstr('bb'), rstr('12')))],
  [
    'ZSET (3) text scores',
    payload(
      cat(Buffer.from([3]), rlen(3), rstr('a'), ZSET_TEXT_SCORE('1.5'), rstr('b'), Buffer.from([254]), rstr('c'), Buffer.from([255])),
    ),
  ],
  [
    'HASH_ZIPMAP (9)',
    payload(
      cat(
        Buffer.from([9]),
        rstr(
          zipmap([
            ['f', 'v'],
            ['n', '12'],
            ['long', 'x'.repeat(300)],
          ]),
        ),
      ),
    ),
  ],
  [
    'HASH_ZIPMAP (9) small',
    payload(
      cat(
        Buffer.from([9]),
        rstr(
          zipmap([
            ['f', 'v'],
            ['n', '12'],
          ]),
        ),
      ),
    ),
  ],
  [
    'LIST_ZIPLIST (10)',
    payload(
      cat(
        Buffer.from([10]),
        rstr(ziplist(['a', 0, 12, 13, -1, 300, -40000, 9000000, 2 ** 31, -(2 ** 40), 'y'.repeat(100), 'z'.repeat(20000)])),
      ),
    ),
  ],
  ['ZSET_ZIPLIST (12)', payload(cat(Buffer.from([12]), rstr(ziplist(['a', 1, 'b', '2.5', 'c', 1000000]))))],
  ['HASH_ZIPLIST (13)', payload(cat(Buffer.from([13]), rstr(ziplist(['f1', 'v1', 'f2', 7, 'n', 100000]))))],
  ['LIST_QUICKLIST (14)', payload(cat(Buffer.from([14]), rlen(2), rstr(ziplist(['a', 'b', 3])), rstr(ziplist(['c', 'x'.repeat(300)]))))],
];
