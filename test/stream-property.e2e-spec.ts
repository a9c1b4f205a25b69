/**
 * Property test of streams and consumer groups: seeded random sequences (test/support/rng.ts) of
 * XADD (explicit IDs and `ms-*`, never a bare `*`, so every ID is deterministic), XTRIM and XADD
 * trimming (MAXLEN/MINID, `=` and `~`, LIMIT), XDEL, XSETID, XGROUP CREATE/SETID/CREATECONSUMER/
 * DELCONSUMER/DESTROY, XREADGROUP (`>` and history, COUNT, NOACK), XACK, XCLAIM (JUSTID, FORCE,
 * RETRYCOUNT, IDLE, TIME, LASTID), XAUTOCLAIM, XPENDING, XRANGE/XREVRANGE/XREAD and XINFO, sent to
 * Brook and to a real redis-server; every reply is compared byte for byte, then the final state.
 *
 * Two small streams with stream-node-max-entries 4 on both servers, so trims (`~` cuts whole
 * nodes), deletes and node boundaries collide often. The generator follows Redis's replies (the
 * top ID of each stream, the IDs it added) so most commands hit live entries.
 *
 * Masked, because they are times: the idle time in XPENDING's extended form, `idle` in XINFO
 * CONSUMERS, `seen-time` of a consumer and the delivery times in the `pending` lists of XINFO
 * STREAM FULL. Also masked: `radix-tree-keys` and `radix-tree-nodes` of XINFO STREAM (Redis's rax
 * internals, not semantics). Everything else in those replies is compared exactly.
 */
import { describe, it } from '@jest/globals';
import { RawClient } from './support/raw-client.js';
import { rng } from './support/rng.js';
import { serverPair } from './support/servers.js';
import { decode, type Reply } from './property/harness.js';

const STREAMS = ['s1', 's2'];
/** A string key, set before each sequence. */
const STRING_KEY = 'str';
const GROUPS = ['g1', 'g2'];
const CONSUMERS = ['c1', 'c2', 'c3'];
const STEPS = Number(process.env.STREAM_PROPERTY_STEPS ?? 300);
/** STREAM_PROPERTY_SEED moves the whole set of seeds, to explore beyond the fixed ones. */
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => s + Number(process.env.STREAM_PROPERTY_SEED ?? 0));

/** Reply fields holding times (or rax internals), masked wherever a map or flat key/value list has them. */
const MASKED_FIELDS = new Set(['idle', 'seen-time', 'radix-tree-keys', 'radix-tree-nodes']);

/**
 * The reply with time-dependent values replaced (type byte kept): named fields anywhere, the
 * delivery time inside XINFO STREAM FULL's `pending` lists (index 2 of a group's [id, consumer,
 * time, count], index 1 of a consumer's [id, time, count]), and the idle time of XPENDING's
 * extended entries.
 */
function mask(r: Reply, argv: string[]): Reply {
  const cmd = argv[0].toUpperCase();
  if (cmd === 'XPENDING' && argv.length > 3 && Array.isArray(r.v)) {
    return { t: r.t, v: r.v.map((e) => maskAt(e, 2)) };
  }
  return maskFields(r);
}

function maskAt(r: Reply, i: number): Reply {
  if (!Array.isArray(r.v) || r.v.length <= i) return r;
  const v = [...r.v];
  v[i] = { t: v[i].t, v: '<time>' };
  return { t: r.t, v };
}

function maskFields(r: Reply): Reply {
  if (!Array.isArray(r.v)) return r;
  const v = r.v.map(maskFields);
  for (let i = 0; i + 1 < v.length; i += 2) {
    const name = v[i].v;
    if (typeof name !== 'string') continue;
    if (MASKED_FIELDS.has(name)) v[i + 1] = { t: v[i + 1].t, v: '<masked>' };
    else if (name === 'pending' && Array.isArray(v[i + 1].v)) {
      const pel = v[i + 1].v as Reply[];
      v[i + 1] = { t: v[i + 1].t, v: pel.map((e) => maskAt(e, Array.isArray(e.v) && e.v.length === 4 ? 2 : 1)) };
    }
  }
  return { t: r.t, v };
}

/** Commands whose replies hold masked values: compared after masking, the rest byte for byte. */
const MASKED_COMMANDS = new Set(['XPENDING', 'XINFO']);

/** The generator's knowledge of each stream, kept from Redis's replies. */
interface Model {
  top: Map<string, [number, number]>;
  ids: Map<string, string[]>;
}

/** A seeded generator of stream commands. */
/** Commands of the consumer groups and XINFO (the groups' family), left out of the streams-only sequences. */
function isGroupCommand(argv: string[]): boolean {
  return ['XGROUP', 'XREADGROUP', 'XACK', 'XCLAIM', 'XAUTOCLAIM', 'XPENDING', 'XINFO'].includes(argv[0]);
}

/** A seeded generator of stream commands; without `groups`, of the stream commands alone. */
function generator(seed: number, groups: boolean) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => r() < p;
  const model: Model = { top: new Map(), ids: new Map() };

  const known = (key: string) => model.ids.get(key) ?? [];
  /** An ID near the stream's content: a live or deleted one, just around the top, an edge, rarely a malformed one. */
  const someId = (key: string): string => {
    const ids = known(key);
    const [ms, seq] = model.top.get(key) ?? [3, 0];
    const w = int(100);
    if (w < 55) return ids.length ? pick(ids.slice(-12)) : `${ms}-${seq}`;
    if (w < 70) return `${Math.max(0, ms - int(4))}-${int(3)}`;
    if (w < 78) return String(Math.max(0, ms - int(3))); // incomplete: ms only
    if (w < 86) return `${ms + int(3)}-${int(3)}`;
    if (w < 95) return pick(['0', '0-0', '0-1', '18446744073709551615-18446744073709551615']);
    return pick(['abc', '1-x', '-1', '1-2-3', '']);
  };
  const count = () => pick(['0', '1', '2', '3', '5', '100', '-1', 'x']);
  const fields = (): string[] => {
    const out = ['a', pick(['1', 'x', 'yy', ''])];
    if (chance(0.4)) out.push(pick(['b', 'a', 'c']), pick(['2', 'z']));
    if (chance(0.03)) out.pop(); // odd number of arguments: an error
    return out;
  };
  const trimArgs = (key: string): string[] => {
    const strategy = chance(0.6) ? 'MAXLEN' : 'MINID';
    const exact = pick(['', '=', '~', '~']);
    const threshold = strategy === 'MAXLEN' ? pick(['0', '1', '2', '3', '4', '5', '7', '9', '-1']) : someId(key);
    const out = [strategy, ...(exact ? [exact] : []), threshold];
    if (chance(0.3)) out.push('LIMIT', pick(['0', '1', '2', '4', '8', '100', '-1']));
    return out;
  };
  /** Mostly above the top (the XADD succeeds), sometimes equal, below or malformed (its errors). */
  const explicitId = (key: string): string => {
    const [ms, seq] = model.top.get(key) ?? [1 + int(3), 0];
    const w = int(100);
    if (w < 30) return `${ms}-${seq + 1 + int(2)}`;
    if (w < 55) return `${ms + 1 + int(2)}-${int(3)}`;
    if (w < 70) return `${ms}-*`;
    if (w < 82) return `${ms + 1 + int(2)}-*`;
    if (w < 88) return `${ms}-${seq}`; // equal to the top: an error once the stream exists
    if (w < 94) return `${Math.max(0, ms - 1)}-${int(3)}`;
    return pick(['0-0', '0-*', 'x-1', '1-', '0-1']);
  };
  const streamsFor = (id: () => string): string[] => {
    const keys = chance(0.3) ? STREAMS : [pick(STREAMS)];
    return ['STREAMS', ...keys, ...keys.map(id)];
  };

  const draw = (): string[] => {
    // Now and then the string key: every command's WRONGTYPE path.
    const key = chance(0.02) ? STRING_KEY : pick(STREAMS);
    const group = pick(GROUPS);
    const consumer = pick(CONSUMERS);
    const w = int(100);
    if (w < 22) {
      const opts: string[] = [];
      if (chance(0.1)) opts.push('NOMKSTREAM');
      if (chance(0.3)) opts.push(...trimArgs(key));
      return ['XADD', key, ...opts, explicitId(key), ...fields()];
    }
    if (w < 27) return ['XTRIM', key, ...trimArgs(key)];
    if (w < 32) return ['XDEL', key, ...Array.from({ length: 1 + int(3) }, () => someId(key))];
    if (w < 34) {
      const out = ['XSETID', key, chance(0.7) ? someId(key) : `${(model.top.get(key)?.[0] ?? 0) + int(3)}-${int(3)}`];
      if (chance(0.4)) out.push('ENTRIESADDED', pick(['0', '5', '100', '-1']));
      if (chance(0.3)) out.push('MAXDELETEDID', someId(key));
      return out;
    }
    if (w < 41) {
      const out = ['XGROUP', 'CREATE', key, group, chance(0.3) ? '$' : chance(0.5) ? '0' : someId(key)];
      if (chance(0.7)) out.push('MKSTREAM');
      if (chance(0.2)) out.push('ENTRIESREAD', pick(['0', '1', '3', '100', '-1', 'x']));
      return out;
    }
    if (w < 44) {
      const out = ['XGROUP', 'SETID', key, group, chance(0.3) ? '$' : someId(key)];
      if (chance(0.3)) out.push('ENTRIESREAD', pick(['0', '2', '-1']));
      return out;
    }
    if (w < 46) return ['XGROUP', 'CREATECONSUMER', key, group, consumer];
    if (w < 47) return ['XGROUP', 'DELCONSUMER', key, group, consumer];
    if (w < 48) return chance(0.5) ? ['XGROUP', 'DESTROY', key, group] : ['XLEN', key];
    if (w < 60) {
      const out = ['XREADGROUP', 'GROUP', group, consumer];
      if (chance(0.6)) out.push('COUNT', pick(['1', '2', '3', '10', '0']));
      if (chance(0.15)) out.push('NOACK');
      return [...out, ...streamsFor(() => (chance(0.7) ? '>' : someId(key)))];
    }
    if (w < 66) return ['XACK', key, group, ...Array.from({ length: 1 + int(3) }, () => someId(key))];
    if (w < 72) {
      const out = ['XCLAIM', key, group, consumer, chance(0.95) ? '0' : 'x', ...Array.from({ length: 1 + int(3) }, () => someId(key))];
      if (chance(0.2)) out.push('IDLE', pick(['0', '1000', '50']));
      if (chance(0.1)) out.push('TIME', pick(['1000', '1']));
      if (chance(0.2)) out.push('RETRYCOUNT', pick(['0', '3', '-1']));
      if (chance(0.25)) out.push('FORCE');
      if (chance(0.3)) out.push('JUSTID');
      if (chance(0.1)) out.push('LASTID', someId(key));
      return out;
    }
    if (w < 77) {
      const out = ['XAUTOCLAIM', key, group, consumer, '0', chance(0.5) ? '0-0' : someId(key)];
      if (chance(0.6)) out.push('COUNT', pick(['1', '2', '3', '10', '0', '-1']));
      if (chance(0.3)) out.push('JUSTID');
      return out;
    }
    if (w < 83) {
      if (chance(0.4)) return ['XPENDING', key, group];
      const out = ['XPENDING', key, group];
      if (chance(0.2)) out.push('IDLE', '0');
      out.push(pick(['-', someId(key)]), pick(['+', someId(key)]), pick(['1', '3', '10', '0', '-1']));
      if (chance(0.3)) out.push(consumer);
      return out;
    }
    if (w < 89) {
      const cmd = chance(0.5) ? 'XRANGE' : 'XREVRANGE';
      const bound = () => (chance(0.3) ? pick(['-', '+']) : chance(0.2) ? `(${someId(key)}` : someId(key));
      const out = [cmd, key, bound(), bound()];
      if (chance(0.4)) out.push('COUNT', count());
      return out;
    }
    if (w < 91) return ['XLEN', key];
    if (w < 94) {
      const out = ['XREAD'];
      if (chance(0.5)) out.push('COUNT', pick(['1', '2', '5']));
      return [...out, ...streamsFor(() => (chance(0.2) ? '$' : someId(key)))];
    }
    if (w < 98) {
      switch (int(4)) {
        case 0:
          return ['XINFO', 'STREAM', key];
        case 1:
          return ['XINFO', 'STREAM', key, 'FULL', ...(chance(0.5) ? ['COUNT', pick(['1', '2', '0'])] : [])];
        case 2:
          return ['XINFO', 'GROUPS', key];
        default:
          return ['XINFO', 'CONSUMERS', key, group];
      }
    }
    if (w < 99) return ['DEL', key];
    return ['XINFO', 'STREAM', key, 'FULL'];
  };

  const next = (): string[] => {
    for (;;) {
      const argv = draw();
      if (groups || !isGroupCommand(argv)) return argv;
    }
  };

  /** Follows Redis's reply so the next commands aim at live IDs. */
  const observe = (argv: string[], reply: Reply): void => {
    const cmd = argv[0].toUpperCase();
    const key = argv[1];
    if (cmd === 'XADD' && reply.t === '$' && typeof reply.v === 'string') {
      const [ms, seq] = reply.v.split('-').map(Number);
      model.top.set(key, [ms, seq]);
      model.ids.set(key, [...known(key), reply.v].slice(-40));
    } else if (cmd === 'XSETID' && reply.t === '+') {
      // The generator's arithmetic stays below 2^53: an XSETID to the u64 edge is left out of the model.
      const [ms, seq] = argv[2].split('-').map(Number);
      if (Number.isSafeInteger(ms) && Number.isSafeInteger(seq || 0)) model.top.set(key, [ms, seq || 0]);
    } else if (cmd === 'DEL' && reply.v === '1') {
      model.top.delete(key);
    }
  };
  return { next, observe };
}

/** Reads that give the whole state of the streams and their groups. */
function stateReads(groups: boolean): string[][] {
  return STREAMS.flatMap((k) => [
    ['TYPE', k],
    ['XRANGE', k, '-', '+'],
    ['XLEN', k],
    ...(groups
      ? [
          ['XINFO', 'STREAM', k, 'FULL'],
          ['XINFO', 'GROUPS', k],
        ]
      : []),
    ...(groups ? GROUPS : []).flatMap((g) => [
      ['XPENDING', k, g],
      ['XPENDING', k, g, '-', '+', '1000'],
      ['XINFO', 'CONSUMERS', k, g],
    ]),
  ]);
}

/** Both replies from a little before where they first differ (long replies differ deep inside). */
function difference(a: string, b: string): [string, string] {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 300);
  const part = (s: string) => JSON.stringify(`${from ? '...' : ''}${s.slice(from, i + 300)}${s.length > i + 300 ? '...' : ''}`);
  return [part(a), part(b)];
}

describe('streams: seeded random command sequences, Brook vs Redis', () => {
  const servers = serverPair();

  /** Runs one seeded sequence and compares every reply, then the final state; throws on the first difference. */
  async function runSeed(seed: number, groups: boolean, fixed?: readonly string[][]): Promise<void> {
    const [b, r] = await Promise.all([RawClient.connect(servers.brook.port), RawClient.connect(servers.redis.port)]);
    const proto = seed % 2 ? '2' : '3';
    const both = async (argv: string[]) => Promise.all([b.call(...argv), r.call(...argv)]);
    const history: string[] = [];
    const same = (argv: string[], bReply: string, rReply: string, when: string): void => {
      let equal = bReply === rReply;
      if (!equal && MASKED_COMMANDS.has(argv[0].toUpperCase())) {
        equal = JSON.stringify(mask(decode(bReply), argv)) === JSON.stringify(mask(decode(rReply), argv));
      }
      if (!equal) {
        const recent = history.slice(-15).join('\n    ');
        const [bShown, rShown] = difference(bReply, rReply);
        throw new Error(
          `seed ${seed} (RESP${proto}), ${when}: replies differ\n  command: ${argv.join(' ')}\n  brook: ${bShown}\n  redis: ${rShown}\n  last commands:\n    ${recent}`,
        );
      }
    };
    try {
      for (const argv of [['HELLO', proto], ['FLUSHALL'], ['SET', STRING_KEY, 'x'], ['CONFIG', 'SET', 'stream-node-max-entries', '4']]) {
        const [x, y] = await both(argv);
        if (argv[0] !== 'HELLO') same(argv, x, y, 'setup');
      }
      const gen = generator(seed, groups);
      for (let step = 0; step < (fixed?.length ?? STEPS); step++) {
        const argv = fixed?.[step] ?? gen.next();
        history.push(argv.join(' '));
        const [x, y] = await both(argv);
        same(argv, x, y, `step ${step}`);
        gen.observe(argv, decode(y));
      }
      for (const argv of stateReads(groups)) {
        const [x, y] = await both(argv);
        same(argv, x, y, 'final state');
      }
    } finally {
      b.close();
      r.close();
    }
  }

  it.each(SEEDS)('seed %i: every reply and the final state match Redis', (seed) => runSeed(seed, true), 120_000);

  // The stream structure on its own (XADD, XTRIM, XDEL, XSETID, XRANGE, XREAD, XLEN): its faults show apart from the groups'.
  it.each(SEEDS.map((s) => s + 100))(
    'streams alone, seed %i: every reply and the final state match Redis',
    (seed) => runSeed(seed, false),
    120_000,
  );

  // Sequences the random runs found (shrunk by hand), kept so they are checked on every run.
  const found: [string, string[][]][] = [
    [
      // Seed 2108 (STREAM_PROPERTY_SEED=2000, 2000 steps): XSETID below a deleted top, then an XADD
      // puts a live entry after a deleted one with a higher ID in the same node.
      'a live entry after a deleted one with a higher ID is found by XRANGE and XDEL',
      [
        ['XADD', 's1', '1-0', 'a', '1'],
        ['XADD', 's1', '2-0', 'a', '1'],
        ['XDEL', 's1', '2-0'],
        ['XSETID', 's1', '1-5'],
        ['XADD', 's1', '1-6', 'a', '1'],
        ['XRANGE', 's1', '1-6', '1-6'],
        ['XRANGE', 's1', '(1-0', '+'],
        ['XREVRANGE', 's1', '1-6', '-'],
        ['XREAD', 'STREAMS', 's1', '1-0'],
        ['XDEL', 's1', '1-6'],
        ['XLEN', 's1'],
      ],
    ],
  ];
  it.each(found)('found by the random runs: %s', (_, steps) => runSeed(0, false, steps));
});
