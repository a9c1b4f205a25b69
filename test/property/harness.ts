/**
 * Property tests: random command sequences (fast-check) run on Brook and on a real redis-server
 * side by side, replies compared byte for byte in RESP2 and RESP3, then each key's final state
 * compared through reads. Commands whose reply order is a hashtable's own (Redis seeds its hash
 * function at random) are compared unordered; commands whose replies are random (SPOP,
 * SRANDMEMBER, ...) are checked by their properties on each side, and a random write is followed
 * by rebuilding the key on both sides from Redis's content so the sequence goes on in step.
 *
 * Seeded: PROPERTY_SEED (default below) and PROPERTY_RUNS pick the runs; a failure prints the seed,
 * the shrunk command sequence and both replies.
 */
import { afterAll, beforeAll, expect } from '@jest/globals';
import fc from 'fast-check';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { startBrookProcess, startRedis, type RunningServer } from '../support/servers.js';

export type Command = string[];

/** A decoded reply that keeps RESP's type byte ('*', '~', '%', '$', ...) for every node. */
export interface Reply {
  t: string;
  /** Scalar text (bulk content, simple string, number, error), or the children of an aggregate. */
  v: string | Reply[] | null;
}

/** How a deterministic command's reply is compared when the bytes differ. */
export type Order =
  /** Aggregates are sets: children sorted, at every depth. */
  | 'members'
  /** Flat field/value aggregates (RESP2 HGETALL, HSCAN's page): pairs sorted; others as 'members'. */
  | 'pairs';

/** A command whose reply is random: checked on each server against the key's content around it. */
export interface RandomSpec {
  /**
   * The property of one server's non-error reply; `before`/`after` are the family's snapshot of
   * the key (argv[1]) on that server. Returns what is wrong, or undefined.
   */
  check(argv: Command, reply: Reply, before: Reply, after: Reply): string | undefined;
  /** For a random write: commands that recreate the key from Redis's snapshot (after DEL) on both sides. */
  rebuild?(key: string, content: Reply): Command[];
}

export interface Family {
  /** One random command of the family (and neighbours: other types' writes, DEL, ...). */
  command: fc.Arbitrary<Command>;
  /** Every key the commands touch; their final state is compared after each sequence. */
  keys: readonly string[];
  /** The read that gives a key's whole content (HGETALL, SMEMBERS, LRANGE 0 -1, ...). */
  snapshot(key: string): Command;
  /** Upper-case command names compared unordered when their bytes differ. */
  unordered?: Readonly<Record<string, Order>>;
  /** Upper-case command names whose replies are random. */
  random?: Readonly<Record<string, RandomSpec>>;
  /**
   * Encodings (OBJECT ENCODING) whose snapshot order is defined, so it is compared byte for byte;
   * other snapshots are compared as `unordered` says for the snapshot's command.
   */
  orderedEncodings?: readonly string[];
}

const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

export function decode(raw: string): Reply {
  const [r, end] = decodeAt(raw, 0);
  if (end !== raw.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(raw.slice(end, end + 40))}`);
  return r;
}

function decodeAt(s: string, pos: number): [Reply, number] {
  const t = s[pos];
  const lf = s.indexOf('\r\n', pos);
  const head = s.slice(pos + 1, lf);
  const next = lf + 2;
  if (t === '$' || t === '=' || t === '!') {
    const n = Number(head);
    return n < 0 ? [{ t, v: null }, next] : [{ t, v: s.slice(next, next + n) }, next + n + 2];
  }
  if (t === '*' || t === '~' || t === '%' || t === '>') {
    const n = Number(head) * (t === '%' ? 2 : 1);
    if (n < 0) return [{ t, v: null }, next];
    const children: Reply[] = [];
    let p = next;
    for (let i = 0; i < n; i++) {
      const [c, q] = decodeAt(s, p);
      children.push(c);
      p = q;
    }
    return [{ t, v: children }, p];
  }
  return [{ t, v: t === '_' ? null : head }, next];
}

/** The scalars of a reply in order, at any depth (a member list, a flat field/value list). */
export function scalars(r: Reply): string[] {
  if (Array.isArray(r.v)) return r.v.flatMap(scalars);
  return r.v === null ? [] : [r.v];
}

export function isError(r: Reply): boolean {
  return r.t === '-' || r.t === '!';
}

/** A canonical text of a reply whose aggregates are unordered. */
function canonical(r: Reply, order: Order): string {
  if (!Array.isArray(r.v)) return `${r.t}${JSON.stringify(r.v)}`;
  const kids = r.v.map((c) => canonical(c, order));
  const flat = r.v.every((c) => !Array.isArray(c.v));
  if ((r.t === '%' || (order === 'pairs' && flat)) && kids.length % 2 === 0) {
    const pairs: string[] = [];
    for (let i = 0; i < kids.length; i += 2) pairs.push(`${kids[i]}=${kids[i + 1]}`);
    return `${r.t}[${pairs.sort().join(',')}]`;
  }
  return `${r.t}[${kids.sort().join(',')}]`;
}

/** A count-limited distinct/membership check shared by the random-member commands. */
export function checkDraw(picked: readonly string[], pool: ReadonlySet<string>, count: number | undefined): string | undefined {
  const outside = picked.find((m) => !pool.has(m));
  if (outside !== undefined) return `${JSON.stringify(outside)} is not in the key`;
  if (count === undefined) return picked.length === (pool.size ? 1 : 0) ? undefined : `${picked.length} members without count`;
  if (count >= 0) {
    if (new Set(picked).size !== picked.length) return 'repeated members for a positive count';
    const want = Math.min(count, pool.size);
    return picked.length === want ? undefined : `${picked.length} members, expected ${want}`;
  }
  const want = pool.size ? -count : 0;
  return picked.length === want ? undefined : `${picked.length} members, expected ${want}`;
}

/** One connection to each server, speaking one protocol version. */
class Pair {
  private constructor(
    readonly brook: RawClient,
    readonly redis: RawClient,
  ) {}

  static async connect(brookPort: number, redisPort: number, proto: string): Promise<Pair> {
    const pair = new Pair(await RawClient.connect(brookPort), await RawClient.connect(redisPort));
    await pair.send([['HELLO', proto]]);
    return pair;
  }

  /** Pipelines `cmds` to both servers; returns both reply lists. */
  async send(cmds: readonly Command[]): Promise<[string[], string[]]> {
    const wire = Buffer.concat(cmds.map((c) => encodeCommand(c)));
    const read = async (c: RawClient) => {
      c.write(wire);
      const out: string[] = [];
      for (let i = 0; i < cmds.length; i++) out.push((await c.read()).toString('latin1'));
      return out;
    };
    return Promise.all([read(this.brook), read(this.redis)]);
  }

  close(): void {
    this.brook.close();
    this.redis.close();
  }
}

const shown = (reply: string) => JSON.stringify(reply.length > 400 ? `${reply.slice(0, 400)}...` : reply);

function describeStep(argv: Command, brook: string, redis: string, why: string): string {
  return `${why}\n  command: ${argv.map((a) => JSON.stringify(a)).join(' ')}\n  brook: ${shown(brook)}\n  redis: ${shown(redis)}`;
}

/**
 * Runs one sequence on a connection pair: deterministic commands pipelined, random ones one at a
 * time around snapshots; then the final state of every key. Throws on the first difference.
 */
async function runSequence(pair: Pair, family: Family, cmds: readonly Command[]): Promise<void> {
  await pair.send([['FLUSHALL']]);
  let batch: Command[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const [b, r] = await pair.send(batch);
    batch.forEach((argv, i) => {
      if (b[i] === r[i]) return;
      const order = family.unordered?.[argv[0].toUpperCase()];
      if (order && canonical(decode(b[i]), order) === canonical(decode(r[i]), order)) return;
      throw new Error(describeStep(argv, b[i], r[i], 'replies differ'));
    });
    batch = [];
  };
  for (const argv of cmds) {
    const spec = family.random?.[argv[0].toUpperCase()];
    if (!spec) {
      batch.push(argv);
      continue;
    }
    await flush();
    await runRandom(pair, family, spec, argv);
  }
  await flush();
  await compareState(pair, family);
}

async function runRandom(pair: Pair, family: Family, spec: RandomSpec, argv: Command): Promise<void> {
  const key = argv[1];
  const [bs, rs] = await pair.send([family.snapshot(key), argv, family.snapshot(key)]);
  const [b, r] = [bs.map(decode), rs.map(decode)];
  // A wrong-type key or a refused argument is deterministic: bytes.
  if (isError(r[0]) || isError(r[1]) || isError(b[1])) {
    if (bs[1] !== rs[1]) throw new Error(describeStep(argv, bs[1], rs[1], 'replies differ'));
    return;
  }
  if (shape(b[1]) !== shape(r[1])) throw new Error(describeStep(argv, bs[1], rs[1], 'reply types differ'));
  for (const [name, side] of [
    ['brook', b],
    ['redis', r],
  ] as const) {
    const why = spec.check(argv, side[1], side[0], side[2]);
    if (why) throw new Error(describeStep(argv, bs[1], rs[1], `${name}'s reply is wrong: ${why}`));
  }
  if (spec.rebuild) await pair.send([['DEL', key], ...spec.rebuild(key, r[2])]);
}

/** The RESP types of a reply: its own and, for an aggregate, those of its children. */
function shape(r: Reply): string {
  return Array.isArray(r.v) ? `${r.t}(${[...new Set(r.v.map(shape))].sort().join('|')})` : r.t;
}

async function compareState(pair: Pair, family: Family): Promise<void> {
  const reads = family.keys.flatMap((k) => [['TYPE', k], ['OBJECT', 'ENCODING', k], family.snapshot(k)]);
  const [b, r] = await pair.send(reads);
  for (let i = 0; i < reads.length; i += 3) {
    for (const j of [i, i + 1]) if (b[j] !== r[j]) throw new Error(describeStep(reads[j], b[j], r[j], 'final state differs'));
    const encoding = decode(r[i + 1]).v as string | null;
    const ordered = encoding !== null && (family.orderedEncodings ?? []).includes(encoding);
    const order = family.unordered?.[reads[i + 2][0].toUpperCase()] ?? 'members';
    const same = ordered ? b[i + 2] === r[i + 2] : canonical(decode(b[i + 2]), order) === canonical(decode(r[i + 2]), order);
    if (!same) throw new Error(describeStep(reads[i + 2], b[i + 2], r[i + 2], 'final state differs'));
  }
}

/**
 * Declares the property test of a family: Brook and Redis started for the enclosing describe
 * block (with the same extra arguments, e.g. small listpack thresholds so conversions happen),
 * and a `check()` that runs the seeded sequences in RESP2 and RESP3.
 */
export function propertySuite(
  family: Family,
  serverArgs: string[] = [],
): { check(opts?: { runs?: number; maxCommands?: number }): Promise<void> } {
  let brook: RunningServer | undefined;
  let redis: RunningServer | undefined;
  const pairs = new Map<string, Pair>();
  const connect = async (proto: string) => pairs.set(proto, await Pair.connect(brook!.port, redis!.port, proto));
  beforeAll(async () => {
    [brook, redis] = await Promise.all([startBrookProcess(serverArgs), startRedis(serverArgs)]);
  });
  afterAll(async () => {
    for (const p of pairs.values()) p.close();
    await Promise.all([brook?.stop(), redis?.stop()]);
  });
  return {
    async check(opts = {}) {
      const property = fc.asyncProperty(
        fc.array(family.command, { minLength: 1, maxLength: opts.maxCommands ?? 30 }),
        fc.constantFrom('2', '3'),
        async (cmds, proto) => {
          if (!pairs.has(proto)) await connect(proto);
          try {
            await runSequence(pairs.get(proto)!, family, cmds);
          } catch (e) {
            // Replies of a failed sequence may still be in flight: the next one starts on fresh connections.
            pairs.get(proto)!.close();
            pairs.delete(proto);
            throw e;
          }
        },
      );
      const details = await fc.check(property, { seed: SEED, numRuns: opts.runs ?? RUNS });
      const failure = details.failed
        ? `PROPERTY_SEED=${SEED}\n${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`
        : 'ok';
      expect(failure).toBe('ok');
    },
  };
}
