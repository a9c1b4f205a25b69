/**
 * Stream consumer groups and XINFO against real Redis 7.0: XGROUP, XREADGROUP, XACK, XPENDING,
 * XCLAIM, XAUTOCLAIM and XINFO, every option and error path, in RESP2 and RESP3. Replies carrying
 * the clock (idle times, delivery and seen times) and XINFO STREAM's radix-tree-nodes (Redis's rax
 * node count; Brook reports its blocks plus its index nodes) are masked; everything else is
 * compared byte for byte, radix-tree-keys included (Brook's blocks are Redis's listpack nodes).
 * Then the change feed: what group writes propagate as.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { decodeReply, type RespValue } from './support/resp-value.js';
import type { RawClient } from './support/raw-client.js';

/** Marks a clock-dependent or structure-dependent integer as masked. */
const MASK = '<masked>';

/** Field names whose integer values depend on the clock or on the server's internals. */
const MASKED_FIELDS = new Set(['idle', 'seen-time', 'radix-tree-nodes']);

/**
 * The decoded reply of `argv` with its clock-dependent and internals-dependent integers masked:
 * XPENDING's per-entry idle time, XINFO's idle/seen-time fields and FULL's delivery times,
 * radix-tree-keys/-nodes (see the file comment).
 */
function mask(argv: readonly string[], v: RespValue): RespValue {
  const cmd = argv.map((a) => a.toUpperCase());
  if (!Array.isArray(v)) return v;
  if (cmd[0] === 'XPENDING' && argv.length > 3) return v.map((e) => (Array.isArray(e) ? [e[0], e[1], MASK, e[3]] : e));
  if (cmd[0] === 'XINFO') return maskFields(v, cmd[1] === 'STREAM' && cmd[3] === 'FULL');
  return v;
}

/** Masks the values of MASKED_FIELDS in flat field/value arrays, recursively; `full`: also PEL delivery times. */
function maskFields(v: RespValue[], full: boolean): RespValue[] {
  const out = v.map((x) => (Array.isArray(x) ? maskFields(x, full) : x));
  for (let i = 0; i + 1 < out.length; i += 2) {
    const k = out[i];
    if (typeof k !== 'string') continue;
    if (MASKED_FIELDS.has(k) && typeof out[i + 1] !== 'object') out[i + 1] = MASK;
    // FULL: group PEL entries are [id, consumer, delivery-time, count]; consumer PEL entries [id, delivery-time, count].
    if (full && k === 'pending' && Array.isArray(out[i + 1])) {
      out[i + 1] = (out[i + 1] as RespValue[][]).map((e) => (e.length === 4 ? [e[0], e[1], MASK, e[3]] : [e[0], MASK, e[2]]));
    }
  }
  return out;
}

/** The raw reply with every integer replaced: the shape (types, lengths, maps vs arrays) compared byte for byte. */
const shape = (raw: string) => raw.replace(/^:-?\d+\r\n/gm, ':#\r\n');

/** A decoded reply as text; integers beyond 2^53 decode as bigints, which JSON cannot write. */
const json = (v: RespValue) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

interface Difference {
  proto: string;
  step: number;
  command: string;
  brook: string;
  redis: string;
}

async function runMasked(brook: RawClient, redis: RawClient, steps: readonly Step[], proto: string, out: Difference[]): Promise<void> {
  await brook.call('FLUSHALL');
  await redis.call('FLUSHALL');
  for (let i = 0; i < steps.length; i++) {
    const argv = steps[i].map(String);
    const [b, r] = await Promise.all([brook.call(...steps[i]), redis.call(...steps[i])]);
    if (b === r) continue;
    const same = shape(b) === shape(r) && json(mask(argv, decodeReply(b))) === json(mask(argv, decodeReply(r)));
    if (!same) out.push({ proto, step: i, command: argv.join(' '), brook: b, redis: r });
  }
}

describe('stream consumer groups: differential against real Redis', () => {
  const suite = differentialSuite();

  /** Runs `steps` in RESP2 and again in RESP3 on both servers: no reply may differ beyond the masked fields. */
  const same = async (text: string) => {
    const steps = script(text);
    const out: Difference[] = [];
    for (const proto of ['2', '3']) {
      await suite.diff.brook.call('HELLO', proto);
      await suite.diff.redis.call('HELLO', proto);
      await runMasked(suite.diff.brook, suite.diff.redis, steps, proto, out);
    }
    await suite.diff.brook.call('HELLO', '2');
    await suite.diff.redis.call('HELLO', '2');
    expect(out).toEqual([]);
  };

  it('XGROUP CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP and their errors', async () => {
    await same(`
      XGROUP HELP
      XGROUP help extra
      XGROUP
      XGROUP NOSUCH s g
      XGROUP CREATE s g $
      XGROUP CREATE s g
      XGROUP CREATE s g $ MKSTREAM
      TYPE s
      XLEN s
      XGROUP CREATE s g $
      XGROUP CREATE s g2 0 MKSTREAM
      XGROUP CREATE s g3 0-1 ENTRIESREAD 5
      XGROUP CREATE s g4 0 ENTRIESREAD -1
      XGROUP CREATE s g5 0 ENTRIESREAD -2
      XGROUP CREATE s g5 0 ENTRIESREAD abc
      XGROUP CREATE s g5 0 ENTRIESREAD
      XGROUP CREATE s g5 0 NOSUCH
      XGROUP CREATE s g5 0 MKSTREAM MKSTREAM MKSTREAM ENTRIESREAD 1
      XGROUP CREATE s g5 0 MKSTREAM MKSTREAM MKSTREAM MKSTREAM
      XGROUP CREATE s g6 abc
      XGROUP CREATE s g6 1-
      XGROUP CREATE s g6 18446744073709551615-18446744073709551615
      XGROUP CREATE s g7 18446744073709551616
      XGROUP CREATE s g8 5
      XINFO GROUPS s
      XGROUP SETID s g 0
      XGROUP SETID s g 3-4 ENTRIESREAD 2
      XGROUP SETID s g $
      XGROUP SETID s g $ MKSTREAM
      XGROUP SETID s g 0 ENTRIESREAD -3
      XGROUP SETID s nogroup 0
      XGROUP SETID nokey g 0
      XGROUP SETID s g bad-id
      XGROUP SETID s g
      XINFO GROUPS s
      XGROUP CREATECONSUMER s g alice
      XGROUP CREATECONSUMER s g alice
      XGROUP CREATECONSUMER s g bob
      XGROUP CREATECONSUMER s nogroup alice
      XGROUP CREATECONSUMER nokey g alice
      XGROUP CREATECONSUMER s g
      XINFO CONSUMERS s g
      XGROUP DELCONSUMER s g alice
      XGROUP DELCONSUMER s g alice
      XGROUP DELCONSUMER s nogroup alice
      XINFO CONSUMERS s g
      XGROUP DESTROY s g
      XGROUP DESTROY s g
      XGROUP DESTROY nokey g
      XGROUP DESTROY s g extra
      XINFO GROUPS s
      SET str x
      XGROUP CREATE str g $
      XGROUP CREATE str g $ MKSTREAM
      XGROUP DESTROY str g
      XADD s 1-1 f v
      XGROUP CREATE s late $
      XINFO GROUPS s
    `);
  });

  it('XREADGROUP: new entries, history, COUNT, NOACK, several streams and the errors', async () => {
    await same(`
      XADD s 1-1 a 1
      XADD s 1-2 b 2
      XADD s 2-1 c 3
      XADD t 5-5 x y
      XREADGROUP GROUP g alice STREAMS s >
      XGROUP CREATE s g 0
      XGROUP CREATE t g $
      XREADGROUP GROUP g alice COUNT 1 STREAMS s >
      XREADGROUP GROUP g alice STREAMS s 0
      XREADGROUP GROUP g bob COUNT 5 STREAMS s >
      XREADGROUP GROUP g bob STREAMS s >
      XREADGROUP GROUP g alice STREAMS s 0
      XREADGROUP GROUP g bob STREAMS s 0
      XREADGROUP GROUP g bob COUNT 1 STREAMS s 1-1
      XREADGROUP GROUP g bob STREAMS s 1-2
      XREADGROUP GROUP g carol STREAMS s 0
      XREADGROUP GROUP g alice STREAMS s t > >
      XADD t 6-1 x z
      XREADGROUP GROUP g alice STREAMS s t > >
      XREADGROUP GROUP g alice STREAMS s t 0 0
      XPENDING s g
      XPENDING t g
      XGROUP CREATE s ng 0
      XREADGROUP GROUP ng dave NOACK STREAMS s >
      XPENDING s ng
      XINFO CONSUMERS s ng
      XREADGROUP GROUP ng dave COUNT -5 STREAMS s 0
      XREADGROUP GROUP g alice COUNT 0 STREAMS s 0
      XREADGROUP GROUP g alice COUNT x STREAMS s 0
      XREADGROUP GROUP nosuch alice STREAMS s >
      XREADGROUP GROUP g alice STREAMS nokey >
      XREADGROUP GROUP g alice STREAMS s $
      XREADGROUP GROUP g alice STREAMS s
      XREADGROUP GROUP g alice STREAMS s t >
      XREADGROUP GROUP g alice s >
      XREADGROUP STREAMS s >
      XREADGROUP GROUP g STREAMS s >
      XREADGROUP GROUP g alice STREAMS s bad
      XREADGROUP GROUP g alice STREAMS s 1-
      XREADGROUP GROUP g alice BLOCK x STREAMS s >
      XREADGROUP GROUP g alice BLOCK -1 STREAMS s >
      XREADGROUP GROUP g alice BLOCK 100 STREAMS s 0
      XREADGROUP GROUP g alice NOACK BLOCK 100 COUNT 1 STREAMS s 0
      XREAD GROUP g alice STREAMS s >
      XREAD NOACK STREAMS s 0
      XREAD STREAMS s >
      SET str x
      XREADGROUP GROUP g alice STREAMS str >
      XREADGROUP GROUP g alice STREAMS s str > >
      XADD s 3-1 d 4
      XDEL s 1-1 3-1
      XREADGROUP GROUP g alice STREAMS s 0
      XREADGROUP GROUP g alice STREAMS s >
      XINFO GROUPS s
    `);
  });

  it('XREADGROUP after XGROUP SETID back: entries change owner and restart their delivery count', async () => {
    await same(`
      XADD s 1-1 a 1
      XADD s 1-2 b 2
      XGROUP CREATE s g 0
      XREADGROUP GROUP g alice STREAMS s >
      XREADGROUP GROUP g alice STREAMS s 0
      XREADGROUP GROUP g alice STREAMS s 0
      XPENDING s g - + 10
      XGROUP SETID s g 0
      XREADGROUP GROUP g bob COUNT 1 STREAMS s >
      XPENDING s g - + 10
      XPENDING s g
      XINFO GROUPS s
    `);
  });

  it('XACK and XPENDING, summary and extended, with IDLE, exclusive ranges, a consumer, and their errors', async () => {
    await same(`
      XACK s g 1-1
      XADD s 1-1 a 1
      XADD s 1-2 b 2
      XADD s 2-1 c 3
      XADD s 3-1 d 4
      XACK s g 1-1
      XPENDING s g
      XGROUP CREATE s g 0
      XPENDING s g
      XPENDING s g - + 10
      XREADGROUP GROUP g alice COUNT 2 STREAMS s >
      XREADGROUP GROUP g bob STREAMS s >
      XPENDING s g
      XPENDING s g - + 10
      XPENDING s g - + 2
      XPENDING s g - + 0
      XPENDING s g - + -1
      XPENDING s g (1-1 + 10
      XPENDING s g - (3-1 10
      XPENDING s g 1-2 2 10
      XPENDING s g - + 10 alice
      XPENDING s g - + 10 nobody
      XPENDING s g IDLE 0 - + 10
      XPENDING s g IDLE 100000 - + 10
      XPENDING s g IDLE 100000 - + 10 bob
      XCLAIM s g bob 0 1-1 IDLE 200000
      XPENDING s g IDLE 100000 - + 10
      XPENDING s g IDLE 100000 - + 10 bob
      XPENDING s g IDLE 100000 - + 10 alice
      XPENDING s g IDLE x - + 10
      XPENDING s g IDLE 5 - + 
      XPENDING s g IDLE 5 - +
      XPENDING s g - +
      XPENDING s g - + x
      XPENDING s g x + 10
      XPENDING s g - x 10
      XPENDING s g (18446744073709551615-18446744073709551615 + 10
      XPENDING s g - (0-0 10
      XPENDING s g - + 10 alice extra
      XPENDING s nogroup
      XPENDING nokey g - + 10
      XPENDING s
      XACK s g 1-1 9-9 1-1
      XACK s g 1-2 bad
      XACK s g 1-2 2-1
      XACK s nogroup 3-1
      XACK s g
      XPENDING s g
      XPENDING s g - + 10
      XINFO CONSUMERS s g
      SET str x
      XACK str g 1-1
      XPENDING str g
      XGROUP DELCONSUMER s g bob
      XPENDING s g
    `);
  });

  it('XCLAIM: IDLE, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID, deleted entries and the errors', async () => {
    await same(`
      XCLAIM s g alice 0 1-1
      XADD s 1-1 a 1
      XADD s 1-2 b 2
      XADD s 2-1 c 3
      XADD s 3-1 d 4
      XADD s 4-1 e 5
      XCLAIM s g alice 0 1-1
      XGROUP CREATE s g 0
      XCLAIM s g alice 0 1-1
      XINFO CONSUMERS s g
      XREADGROUP GROUP g alice COUNT 3 STREAMS s >
      XCLAIM s g bob 0 1-1
      XCLAIM s g bob 100000 1-2
      XCLAIM s g bob 0 1-2 JUSTID
      XPENDING s g - + 10
      XCLAIM s g bob 0 1-2 RETRYCOUNT 7
      XCLAIM s g bob 0 1-2 RETRYCOUNT 3 JUSTID
      XPENDING s g - + 10
      XCLAIM s g carol 0 2-1 IDLE 300000
      XCLAIM s g bob 200000 2-1 JUSTID
      XCLAIM s g bob 0 2-1 TIME 1000 JUSTID
      XCLAIM s g carol 100000 2-1 JUSTID
      XCLAIM s g bob 0 2-1 TIME 99999999999999 JUSTID
      XCLAIM s g bob 0 2-1 IDLE -5 JUSTID
      XCLAIM s g bob -1 2-1 JUSTID
      XPENDING s g - + 10
      XCLAIM s g dave 0 4-1
      XCLAIM s g dave 0 4-1 FORCE
      XCLAIM s g dave 0 9-9 FORCE
      XPENDING s g - + 10
      XINFO GROUPS s
      XCLAIM s g dave 0 3-1 FORCE JUSTID LASTID 5-0
      XINFO GROUPS s
      XCLAIM s g dave 0 9-9 LASTID 7-0
      XINFO GROUPS s
      XCLAIM s g dave 0 9-9 LASTID 1-0
      XINFO GROUPS s
      XDEL s 1-1 2-1
      XCLAIM s g eve 0 1-1 2-1 1-2 JUSTID
      XPENDING s g - + 10
      XCLAIM s g eve 0 1-2 1-2 1-2
      XCLAIM s g eve x 1-2
      XCLAIM s g eve 0 1-2 IDLE x
      XCLAIM s g eve 0 1-2 TIME x
      XCLAIM s g eve 0 1-2 RETRYCOUNT x
      XCLAIM s g eve 0 1-2 LASTID x
      XCLAIM s g eve 0 1-2 NOSUCH
      XCLAIM s g eve 0 1-2 IDLE
      XCLAIM s g eve 0 bad
      XCLAIM s g eve 0 1-2 bad 3-1
      XCLAIM s nogroup eve 0 1-2
      XCLAIM nokey g eve 0 1-2
      XCLAIM s g eve 0
      SET str x
      XCLAIM str g eve 0 1-2
      XINFO CONSUMERS s g
    `);
  });

  it('XAUTOCLAIM: cursor, COUNT and its limits, JUSTID, deleted entries and the errors', async () => {
    await same(`
      XAUTOCLAIM s g alice 0 0
      XADD s 1-1 a 1
      XADD s 1-2 b 2
      XADD s 2-1 c 3
      XADD s 3-1 d 4
      XADD s 4-1 e 5
      XAUTOCLAIM s g alice 0 0
      XGROUP CREATE s g 0
      XAUTOCLAIM s g alice 0 0
      XREADGROUP GROUP g alice STREAMS s >
      XAUTOCLAIM s g bob 0 0 COUNT 2
      XAUTOCLAIM s g bob 0 2-1 COUNT 2
      XAUTOCLAIM s g bob 0 (3-1 COUNT 2
      XAUTOCLAIM s g bob 0 0 JUSTID
      XPENDING s g - + 10
      XAUTOCLAIM s g carol 100000 0
      XCLAIM s g alice 0 2-1 3-1 IDLE 500000 JUSTID
      XAUTOCLAIM s g carol 100000 0 JUSTID
      XAUTOCLAIM s g carol 100000 - COUNT 1
      XDEL s 1-1 1-2
      XAUTOCLAIM s g dave 0 0 COUNT 1
      XAUTOCLAIM s g dave 0 0 COUNT 1
      XPENDING s g
      XDEL s 2-1 3-1 4-1
      XAUTOCLAIM s g dave 0 0 COUNT 2
      XAUTOCLAIM s g dave 0 0
      XPENDING s g
      XINFO CONSUMERS s g
      XAUTOCLAIM s g dave 0 0 COUNT 0
      XAUTOCLAIM s g dave 0 0 COUNT -1
      XAUTOCLAIM s g dave 0 0 COUNT x
      XAUTOCLAIM s g dave 0 0 COUNT 576460752303423487
      XAUTOCLAIM s g dave 0 0 COUNT 576460752303423488
      XAUTOCLAIM s g dave 0 0 COUNT
      XAUTOCLAIM s g dave 0 0 NOSUCH
      XAUTOCLAIM s g dave x 0
      XAUTOCLAIM s g dave -5 0
      XAUTOCLAIM s g dave 0 bad
      XAUTOCLAIM s g dave 0 (18446744073709551615-18446744073709551615
      XAUTOCLAIM s nogroup dave 0 0
      XAUTOCLAIM nokey g dave 0 0
      XAUTOCLAIM s g dave 0
      SET str x
      XAUTOCLAIM str g dave 0 0
    `);
  });

  it('XINFO STREAM (and FULL with COUNT), GROUPS, CONSUMERS, HELP and their errors', async () => {
    await same(`
      XINFO HELP
      XINFO HELP extra
      XINFO
      XINFO STREAM nokey
      XINFO GROUPS nokey
      XINFO CONSUMERS nokey g
      XINFO NOSUCH nokey
      XADD s 1-1 a 1
      XADD s 1-2 b 2 c 3
      XADD s 2-1 d 4
      XINFO STREAM s
      XINFO STREAM s FULL
      XINFO GROUPS s
      XGROUP CREATE s g1 0
      XGROUP CREATE s g0 $
      XGROUP CREATE s G 1-1
      XREADGROUP GROUP g1 bob COUNT 1 STREAMS s >
      XREADGROUP GROUP g1 alice STREAMS s >
      XGROUP CREATECONSUMER s g1 zed
      XINFO STREAM s
      XINFO STREAM s FULL
      XINFO STREAM s FULL COUNT 1
      XINFO STREAM s FULL COUNT 0
      XINFO STREAM s FULL COUNT -3
      XINFO STREAM s FULL COUNT x
      XINFO STREAM s FULL COUNT
      XINFO STREAM s FULL EXTRA 1
      XINFO STREAM s PARTIAL
      XINFO STREAM s FULL COUNT 1 extra
      XINFO GROUPS s
      XINFO GROUPS s extra
      XINFO CONSUMERS s g1
      XINFO CONSUMERS s nogroup
      XINFO CONSUMERS s
      XINFO NOSUCH s
      XDEL s 1-2
      XINFO STREAM s
      XINFO GROUPS s
      XDEL s 1-1 2-1
      XINFO STREAM s
      XINFO STREAM s FULL
      XINFO GROUPS s
      SET str x
      XINFO STREAM str
      XINFO GROUPS str
      XINFO CONSUMERS str g
    `);
  });

  it('XINFO STREAM radix-tree-keys counts the nodes Redis would have (blocks split where Redis splits)', async () => {
    await same(`
      CONFIG SET stream-node-max-entries 2
      XADD s 1-1 f v
      XADD s 2-1 f v
      XADD s 3-1 f v
      XADD s 4-1 f v
      XADD s 5-1 f v
      XINFO STREAM s
      XDEL s 3-1 4-1
      XINFO STREAM s
      XTRIM s MAXLEN 1
      XINFO STREAM s FULL
      CONFIG SET stream-node-max-entries 100
    `);
  });

  it('lag and entries-read as Redis 7.0 estimates them: tombstones, trims, SETID, ENTRIESREAD', async () => {
    await same(`
      XGROUP CREATE s g $ MKSTREAM
      XINFO GROUPS s
      XADD s 1-1 f v
      XADD s 2-1 f v
      XADD s 3-1 f v
      XADD s 4-1 f v
      XADD s 5-1 f v
      XGROUP CREATE s from0 0
      XGROUP CREATE s fromfirst 1-1
      XGROUP CREATE s frommid 3-1
      XGROUP CREATE s fromlast $
      XGROUP CREATE s given 2-1 ENTRIESREAD 2
      XGROUP CREATE s future 9-9
      XINFO GROUPS s
      XREADGROUP GROUP from0 c COUNT 2 STREAMS s >
      XREADGROUP GROUP frommid c COUNT 1 STREAMS s >
      XINFO GROUPS s
      XDEL s 4-1
      XINFO GROUPS s
      XREADGROUP GROUP from0 c COUNT 1 STREAMS s >
      XREADGROUP GROUP given c STREAMS s >
      XINFO GROUPS s
      XTRIM s MAXLEN 2
      XINFO GROUPS s
      XGROUP SETID s from0 0
      XGROUP SETID s frommid 3-1 ENTRIESREAD 3
      XGROUP SETID s fromlast $
      XINFO GROUPS s
      XREADGROUP GROUP from0 c STREAMS s >
      XINFO GROUPS s
      XADD s 6-1 f v
      XINFO GROUPS s
      XSETID s 7-1 ENTRIESADDED 10 MAXDELETEDID 6-5
      XINFO GROUPS s
      XINFO STREAM s FULL
    `);
  });

  it('IDs above 2^53 and at the top of the range, the largest ID given for `>`, huge counts', async () => {
    await same(`
      XADD s 9007199254740993-5 a 1
      XADD s 9007199254740993-18446744073709551615 b 2
      XADD s 18446744073709551615-18446744073709551614 c 3
      XGROUP CREATE s g 9007199254740993-4
      XINFO GROUPS s
      XREADGROUP GROUP g alice COUNT 9223372036854775807 STREAMS s 18446744073709551615-18446744073709551615
      XREADGROUP GROUP g alice STREAMS s 9007199254740993-5
      XREADGROUP GROUP g alice STREAMS s 18446744073709551615-18446744073709551615
      XPENDING s g
      XPENDING s g 9007199254740993 9007199254740993 9223372036854775807
      XPENDING s g (9007199254740993-5 + 10
      XPENDING s g - (18446744073709551615-18446744073709551614 10
      XCLAIM s g bob 0 18446744073709551615-18446744073709551614 JUSTID
      XAUTOCLAIM s g carol 0 9007199254740993-18446744073709551615 COUNT 1 JUSTID
      XACK s g 9007199254740993-5 18446744073709551615-18446744073709551614
      XINFO STREAM s FULL
      XGROUP SETID s g 18446744073709551615-18446744073709551615
      XINFO GROUPS s
      XGROUP CREATE s over 0 ENTRIESREAD 100
      XINFO GROUPS s
    `);
  });

  it('XSETID ENTRIESADDED exact across 2^53 and up to 2^63 - 1, wrapping like Redis once XADD passes it', async () => {
    await same(`
      XADD s 1-1 f v
      XSETID s 1-1 ENTRIESADDED 9007199254740991
      XADD s 2-1 f v
      XADD s 3-1 f v
      XINFO STREAM s
      XSETID s 3-1 ENTRIESADDED 9007199254740993
      XINFO STREAM s
      XSETID s 3-1 ENTRIESADDED 9223372036854775806
      XADD s 4-1 f v
      XINFO STREAM s
      XADD s 5-1 f v
      XINFO STREAM s
      XSETID s 5-1 ENTRIESADDED 9223372036854775808
      XSETID s 5-1 ENTRIESADDED -9223372036854775808
      XSETID s 5-1 ENTRIESADDED 18446744073709551615
      XSETID s 5-1 ENTRIESADDED 4
      XSETID s 5-1 ENTRIESADDED 5
      XINFO STREAM s
      XADD e 5-1 f v
      XSETID e 18446744073709551615-18446744073709551615 ENTRIESADDED 9223372036854775807 MAXDELETEDID 18446744073709551615-18446744073709551615
      XINFO STREAM e
      COPY s c
      XINFO STREAM c
    `);
  });

  it('entries-read and lag exact near and above 2^53 and at the long long limits, wrapping like Redis', async () => {
    await same(`
      XADD s 1-1 f v
      XADD s 2-1 f v
      XADD s 3-1 f v
      XSETID s 3-1 ENTRIESADDED 9007199254740993
      XGROUP CREATE s est 0
      XGROUP CREATE s first 1-1
      XGROUP CREATE s last $
      XGROUP CREATE s below 0 ENTRIESREAD 9007199254740990
      XGROUP CREATE s above 0 ENTRIESREAD 9223372036854775806
      XGROUP CREATE s bad 0 ENTRIESREAD 9223372036854775808
      XGROUP CREATE s neg 0 ENTRIESREAD -9223372036854775808
      XINFO GROUPS s
      XREADGROUP GROUP below c STREAMS s >
      XREADGROUP GROUP above c STREAMS s >
      XREADGROUP GROUP est c COUNT 1 STREAMS s >
      XINFO GROUPS s
      XADD s 4-1 f v
      XINFO GROUPS s
      XDEL s 2-1
      XINFO GROUPS s
      XREADGROUP GROUP first c STREAMS s >
      XINFO STREAM s FULL
      XGROUP SETID s below 0 ENTRIESREAD 9007199254740992
      XGROUP SETID s above $ ENTRIESREAD 9223372036854775807
      XGROUP SETID s last $ ENTRIESREAD -1
      XGROUP SETID s est 0 ENTRIESREAD 18446744073709551615
      XINFO GROUPS s
      XADD s 5-1 f v
      XREADGROUP GROUP above c STREAMS s >
      XINFO GROUPS s
      COPY s c
      XINFO GROUPS c
      XADD e 5-1 f v
      XSETID e 18446744073709551615-18446744073709551615 ENTRIESADDED 9223372036854775807 MAXDELETEDID 18446744073709551615-18446744073709551615
      XGROUP CREATE e g $
      XGROUP SETID e g $ ENTRIESREAD 9223372036854775807
      XINFO GROUPS e
      XINFO STREAM e FULL
    `);
  });

  it('consumers and groups listed in byte order; the same consumer claiming its own entries', async () => {
    await same(`
      XADD s 1-1 a 1
      XADD s 2-1 b 2
      XGROUP CREATE s zeta 0
      XGROUP CREATE s Alpha 0
      XGROUP CREATE s alpha 0
      XGROUP CREATE s ébc 0
      XGROUP CREATECONSUMER s alpha bob
      XGROUP CREATECONSUMER s alpha Bob
      XGROUP CREATECONSUMER s alpha b
      XGROUP CREATECONSUMER s alpha bobby
      XGROUP CREATECONSUMER s alpha _x
      XGROUP CREATECONSUMER s alpha é
      XINFO GROUPS s
      XINFO CONSUMERS s alpha
      XREADGROUP GROUP alpha bob STREAMS s >
      XREADGROUP GROUP alpha Bob STREAMS s 0
      XPENDING s alpha
      XCLAIM s alpha bob 0 1-1 1-1 2-1 JUSTID
      XPENDING s alpha - + 10
      XCLAIM s alpha Bob 0 2-1 1-1
      XPENDING s alpha
      XINFO STREAM s FULL COUNT 1
    `);
  });

  it('streams with groups survive COPY, RENAME and DEL like any key', async () => {
    await same(`
      XADD s 1-1 a 1
      XADD s 2-1 b 2
      XGROUP CREATE s g 0
      XREADGROUP GROUP g alice COUNT 1 STREAMS s >
      COPY s s2
      XACK s2 g 1-1
      XPENDING s g
      XPENDING s2 g
      XREADGROUP GROUP g bob STREAMS s2 >
      XINFO GROUPS s
      XINFO GROUPS s2
      RENAME s2 s3
      XINFO CONSUMERS s3 g
      DEL s3
      XINFO GROUPS s3
    `);
  });
});

describe('stream consumer groups: the change feed', () => {
  const suite = changeFeedSuite();

  /** Replaces the TIME argument of propagated XCLAIMs (the delivery time, a clock reading). */
  const noTime = (feed: string[][]) => feed.map((argv) => argv.map((a, i) => (argv[i - 1] === 'TIME' ? '<time>' : a)));

  it('XREADGROUP propagates one XCLAIM … FORCE JUSTID LASTID per delivered entry; NOACK as XGROUP SETID', async () => {
    await suite.client.call('XADD', 's', '1-1', 'a', '1');
    await suite.client.call('XADD', 's', '2-1', 'b', '2');
    expect(await suite.fedArgv('XGROUP', 'CREATE', 's', 'g', '0')).toEqual([['XGROUP', 'CREATE', 's', 'g', '0']]);
    expect(noTime(await suite.fedArgv('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'))).toEqual([
      ['XCLAIM', 's', 'g', 'alice', '0', '1-1', 'TIME', '<time>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-1'],
      ['XCLAIM', 's', 'g', 'alice', '0', '2-1', 'TIME', '<time>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '2-1'],
    ]);
    // History reads and reads of nothing change no replicated state.
    expect(await suite.fedArgv('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0')).toEqual([]);
    expect(await suite.fedArgv('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>')).toEqual([]);
    await suite.client.call('XGROUP', 'CREATE', 's', 'n', '0');
    expect(await suite.fedArgv('XREADGROUP', 'GROUP', 'n', 'bob', 'NOACK', 'STREAMS', 's', '>')).toEqual([
      ['XGROUP', 'CREATECONSUMER', 's', 'n', 'bob'],
      ['XGROUP', 'SETID', 's', 'n', '2-1', 'ENTRIESREAD', '2'],
    ]);
    // The read counter goes out exact above 2^53.
    await suite.client.call('XGROUP', 'CREATE', 's', 'big', '1-1', 'ENTRIESREAD', '9007199254740993');
    expect(await suite.fedArgv('XREADGROUP', 'GROUP', 'big', 'bob', 'NOACK', 'STREAMS', 's', '>')).toEqual([
      ['XGROUP', 'CREATECONSUMER', 's', 'big', 'bob'],
      ['XGROUP', 'SETID', 's', 'big', '2-1', 'ENTRIESREAD', '9007199254740994'],
    ]);
  });

  it('XCLAIM and XAUTOCLAIM propagate as XCLAIM with the resulting delivery state; deleted entries too', async () => {
    await suite.client.call('FLUSHALL');
    for (const id of ['1-1', '2-1', '3-1']) await suite.client.call('XADD', 's', id, 'f', 'v');
    await suite.client.call('XGROUP', 'CREATE', 's', 'g', '0');
    await suite.client.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    expect(noTime(await suite.fedArgv('XCLAIM', 's', 'g', 'bob', '0', '1-1', 'RETRYCOUNT', '5'))).toEqual([
      ['XCLAIM', 's', 'g', 'bob', '0', '1-1', 'TIME', '<time>', 'RETRYCOUNT', '5', 'FORCE', 'JUSTID', 'LASTID', '3-1'],
    ]);
    expect(await suite.fedArgv('XCLAIM', 's', 'g', 'bob', '0', '9-9', 'LASTID', '10-0')).toEqual([
      ['XGROUP', 'SETID', 's', 'g', '10-0', 'ENTRIESREAD', '3'],
    ]);
    await suite.client.call('XDEL', 's', '2-1');
    expect(noTime(await suite.fedArgv('XAUTOCLAIM', 's', 'g', 'carol', '0', '0', 'COUNT', '2'))).toEqual([
      ['XCLAIM', 's', 'g', 'carol', '0', '1-1', 'TIME', '<time>', 'RETRYCOUNT', '6', 'FORCE', 'JUSTID', 'LASTID', '10-0'],
      ['XCLAIM', 's', 'g', 'alice', '0', '2-1', 'TIME', '<time>', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '10-0'],
    ]);
    expect(await suite.fedArgv('XACK', 's', 'g', '1-1')).toEqual([['XACK', 's', 'g', '1-1']]);
    expect(await suite.fedArgv('XACK', 's', 'g', '1-1')).toEqual([]);
  });
});
