/**
 * SCAN against real Redis 7.0 (cursor parsing, options and their errors byte for byte; complete
 * iterations compared as sets), and Redis's guarantee under concurrent writes: a scan returns
 * every key that existed for its whole duration while another client inserts and deletes keys.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBrookProcess, type RunningServer } from './support/servers.js';
import { differentialSuite, script, type Step } from './support/differential.js';
import { encodeCommand, RawClient } from './support/raw-client.js';
import { decodeReply } from './support/resp-value.js';

/** One SCAN call: the next cursor and the keys. */
async function scanPage(client: RawClient, cursor: string, ...opts: string[]): Promise<[string, string[]]> {
  const reply = decodeReply(await client.call('SCAN', cursor, ...opts));
  if (!Array.isArray(reply)) throw new Error(`SCAN replied ${JSON.stringify(reply)}`);
  return [reply[0] as string, reply[1] as string[]];
}

/** A whole iteration; returns every key returned (with repeats) and the number of calls. */
async function scanAll(client: RawClient, ...opts: string[]): Promise<{ keys: string[]; calls: number }> {
  const keys: string[] = [];
  let cursor = '0';
  let calls = 0;
  do {
    const [next, page] = await scanPage(client, cursor, ...opts);
    keys.push(...page);
    cursor = next;
    calls++;
  } while (cursor !== '0');
  return { keys, calls };
}

/** Sends many commands in one write and waits for all replies. */
async function pipeline(client: RawClient, commands: string[][]): Promise<void> {
  client.write(Buffer.concat(commands.map((c) => encodeCommand(c))));
  for (let i = 0; i < commands.length; i++) await client.read();
}

describe('scan: differential against real Redis', () => {
  const suite = differentialSuite();
  const same = async (steps: Step[], flush = true) => expect(await suite.diff.run(steps, { flush })).toEqual([]);

  it('cursor parsing (strtoul rules) and option errors, in Redis order', async () => {
    const steps = script(`
      SCAN
      SCAN abc
      SCAN 1.5
      SCAN 0x10
      SCAN +
      SCAN -
      SCAN 18446744073709551616
      SCAN -18446744073709551616
      SCAN 99999999999999999999999
      SCAN abc COUNT 0
      SCAN abc FOO
      SCAN 0 COUNT 0
      SCAN 0 COUNT -1
      SCAN 0 COUNT x
      SCAN 0 COUNT 99999999999999999999
      SCAN 0 COUNT 1.5
      SCAN 0 COUNT x MATCH
      SCAN 0 COUNT
      SCAN 0 MATCH
      SCAN 0 TYPE
      SCAN 0 FOO bar
      SCAN 0 count 5 FOO
      SCAN 0 MATCH * COUNT 5 TYPE string extra
      SCAN 0
      SCAN +0
      SCAN -0
      SCAN 000
      SCAN 18446744073709551615
      SCAN -1
      SCAN -18446744073709551615
      SCAN 0 COUNT 9223372036854775807
    `);
    steps.push(['SCAN', ''], ['SCAN', ' 1'], ['SCAN', '1 '], ['SCAN', '\t0'], ['SCAN', '0\0']);
    await same(steps);
  });

  it('small databases come back whole in one call, filtered by MATCH and TYPE (as sets)', async () => {
    const setup: Step[] = [];
    for (const k of ['user:1', 'user:2', 'user:10', 'admin', 'u?er', 'x']) setup.push(['SET', k, 'v']);
    await same(setup);
    const cases = [
      [],
      ['COUNT', '10'],
      ['MATCH', 'user:*'],
      ['MATCH', '*'],
      ['MATCH', 'user:?'],
      ['MATCH', 'u\\?er'],
      ['MATCH', 'nope'],
      ['TYPE', 'string'],
      ['TYPE', 'STRING'],
      ['TYPE', 'list'],
      ['TYPE', 'nosuchtype'],
      ['MATCH', 'a*', 'TYPE', 'string'],
      ['MATCH', 'a*', 'MATCH', 'u*'],
      ['COUNT', '1', 'COUNT', '100'],
    ];
    for (const opts of cases) {
      const [b, r] = await Promise.all([scanPage(suite.diff.brook, '0', ...opts), scanPage(suite.diff.redis, '0', ...opts)]);
      expect({ opts, cursor: b[0], keys: b[1].sort() }).toEqual({ opts, cursor: r[0], keys: r[1].sort() });
    }
    await same(script('SCAN 0 COUNT 1000000 MATCH nothing'), false);
  });

  it('complete iterations return the same keys as Redis, and each exactly once', async () => {
    const setup: Step[] = [];
    for (let i = 0; i < 500; i++) setup.push(['SET', `k:${i % 7}:${i}`, String(i)]);
    setup.push(['SET', 'gone', 'v'], ['PEXPIRE', 'gone', '1']);
    await same(setup);
    await new Promise((r) => setTimeout(r, 20));
    for (const opts of [
      [],
      ['COUNT', '1'],
      ['COUNT', '7'],
      ['COUNT', '1000'],
      ['MATCH', 'k:3:*', 'COUNT', '13'],
      ['TYPE', 'string', 'COUNT', '50'],
    ]) {
      const [b, r] = await Promise.all([scanAll(suite.diff.brook, ...opts), scanAll(suite.diff.redis, ...opts)]);
      expect(new Set(b.keys).size).toBe(b.keys.length); // without writes meanwhile, no key comes twice
      expect({ opts, keys: [...new Set(b.keys)].sort() }).toEqual({ opts, keys: [...new Set(r.keys)].sort() });
    }
    // COUNT n hands out at least n keys per call (whole groups, before filtering), like Redis's
    // whole buckets: 500 keys, COUNT 100 is 5 calls (a 6th when only empty groups were left).
    const calls = (await scanAll(suite.diff.brook, 'COUNT', '100')).calls;
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(6);
  });
});

describe("scan: Redis's guarantee under concurrent writes", () => {
  let brook: RunningServer;
  let scanner: RawClient;
  let writer: RawClient;

  beforeAll(async () => {
    brook = await startBrookProcess();
    scanner = await RawClient.connect(brook.port);
    writer = await RawClient.connect(brook.port);
  });

  afterAll(async () => {
    scanner?.close();
    writer?.close();
    await brook?.stop();
  });

  it('returns every key present throughout while another client inserts and deletes', async () => {
    await writer.call('FLUSHALL');
    const N = 20_000;
    const initial: string[][] = [];
    for (let i = 0; i < N; i++) initial.push(['SET', `stable:${i}`, 'v'], ['SET', `doomed:${i}`, 'v']);
    await pipeline(writer, initial);

    const everExisted = new Set<string>();
    for (let i = 0; i < N; i++) everExisted.add(`stable:${i}`).add(`doomed:${i}`);
    const returned: string[] = [];
    let cursor = '0';
    let round = 0;
    let added = 0;
    do {
      const [next, page] = await scanPage(scanner, cursor, 'COUNT', String(50 + (round % 100)));
      returned.push(...page);
      cursor = next;
      // Between pages: delete doomed keys from anywhere in the table (parts already scanned and
      // parts not reached yet) and insert new keys, slower than the scan advances so it ends.
      const burst: string[][] = [];
      for (let j = 0; j < 40; j++) {
        const victim = (round * 7919 + j * 104729) % N;
        burst.push(['DEL', `doomed:${victim}`]);
        if (j % 2 === 0) {
          burst.push(['SET', `new:${added}`, 'v']);
          everExisted.add(`new:${added++}`);
        }
      }
      await pipeline(writer, burst);
      round++;
    } while (cursor !== '0');

    const seen = new Set(returned);
    const missing = [...Array(N).keys()].map((i) => `stable:${i}`).filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
    expect(returned.filter((k) => !everExisted.has(k))).toEqual([]);
    expect(seen.size).toBe(returned.length); // and no key twice
    expect(round).toBeGreaterThan(100);
  });

  it('a cursor can be continued by another connection, and expired keys are skipped and reclaimed', async () => {
    await writer.call('FLUSHALL');
    const setup: string[][] = [];
    for (let i = 0; i < 300; i++) setup.push(['SET', `k${i}`, 'v']);
    for (let i = 0; i < 50; i++) setup.push(['SET', `x${i}`, 'v', 'PX', '1']);
    await pipeline(writer, setup);
    await new Promise((r) => setTimeout(r, 20));
    const [cursor, first] = await scanPage(scanner, '0', 'COUNT', '100');
    expect(cursor).not.toBe('0');
    const keys = [...first];
    let c = cursor;
    while (c !== '0') {
      const [next, page] = await scanPage(writer, c, 'COUNT', '100');
      keys.push(...page);
      c = next;
    }
    expect(keys.sort()).toEqual(Array.from({ length: 300 }, (_, i) => `k${i}`).sort());
    expect(await writer.call('DBSIZE')).toBe(':300\r\n');
  });
});
