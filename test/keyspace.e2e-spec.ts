/**
 * The generic keyspace family against real Redis 7.0: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS,
 * RENAME(NX), RANDOMKEY, DBSIZE, FLUSHDB/FLUSHALL, MOVE, COPY, SWAPDB and OBJECT, every option and
 * error path byte for byte (KEYS compared as sets); OBJECT IDLETIME over time; and the change
 * feed as its consumers (AOF, replication) see it, in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBrookProcess, type RunningServer } from './support/servers.js';
import { differentialSuite, script, type Step } from './support/differential.js';
import { RawClient } from './support/raw-client.js';
import { changeFeedSuite } from './support/change-feed.js';
import { decodeReply } from './support/resp-value.js';

const LONG = 'x'.repeat(45); // one byte past embstr

describe('keyspace: differential against real Redis', () => {
  const suite = differentialSuite();
  const same = async (steps: Step[]) => expect(await suite.diff.run(steps)).toEqual([]);

  it('DEL, UNLINK, EXISTS, TOUCH and TYPE', async () => {
    const steps = script(`
      DEL
      UNLINK
      EXISTS
      TOUCH
      TYPE
      TYPE a b
      DEL nokey
      SET a 1
      SET b 2
      SET c hello
      EXISTS a
      EXISTS a a b nokey
      TOUCH a b nokey b
      TYPE a
      TYPE c
      TYPE nokey
      DEL a b nokey a
      DEL a
      UNLINK c nokey
      UNLINK c
      EXISTS a b c
      DBSIZE
      DBSIZE x
    `);
    steps.push(['SET', 'bin\r\n\0\xffkey', 'v'], ['EXISTS', 'bin\r\n\0\xffkey'], ['TYPE', 'bin\r\n\0\xffkey']);
    steps.push(['DEL', 'bin\r\n\0\xffkey'], ['EXISTS', 'bin\r\n\0\xffkey']);
    await same(steps);
  });

  it('RENAME and RENAMENX move the value and its TTL', async () => {
    await same(
      script(`
      RENAME nokey x
      RENAMENX nokey x
      RENAME a
      RENAME a b c
      SET a 1
      RENAME a a
      RENAMENX a a
      RENAME a b
      EXISTS a
      GET b
      SET c 3
      RENAMENX b c
      RENAMENX b d
      GET d
      EXISTS b
      RENAME d c
      GET c
      PEXPIREAT c 99999999999990
      RENAME c e
      PEXPIRETIME e
      SET f v
      PEXPIREAT f 99999999999991
      RENAME e f
      PEXPIRETIME f
      SET h v
      RENAME h f
      PEXPIRETIME f
      PEXPIREAT f 99999999999992
      RENAMENX f g
      PEXPIRETIME g
      DBSIZE
    `),
    );
  });

  it('MOVE between databases keeps the TTL and never overwrites', async () => {
    await same(
      script(`
      MOVE k
      MOVE k 1
      SET k v
      MOVE k abc
      MOVE k 1.5
      MOVE k 16
      MOVE k -1
      MOVE k 4294967296
      MOVE k 99999999999999999999
      MOVE k 0
      MOVE nokey 0
      MOVE k 1
      MOVE k 1
      EXISTS k
      SELECT 1
      GET k
      MOVE k 0
      SELECT 0
      GET k
      PEXPIREAT k 99999999999990
      MOVE k 2
      SELECT 2
      PEXPIRETIME k
      SET x 2
      SELECT 0
      SET x 1
      MOVE x 2
      GET x
      DBSIZE
    `),
    );
  });

  it('COPY with DB and REPLACE, errors in argument order, TTL and encodings copied', async () => {
    await same(
      script(`
      COPY
      COPY a
      COPY a b FOO
      COPY a b DB
      COPY a b DB x
      COPY a b DB 16
      COPY a b DB -1
      COPY a b DB 1 FOO
      COPY a b DB x FOO
      COPY a b DB 4294967296
      COPY a b DB 99999999999999999999
      COPY a a
      COPY a a DB 0
      COPY nokey b
      SET a hello
      COPY a b
      GET b
      COPY a b
      SET a world
      COPY a b REPLACE
      GET b
      COPY a b REPLACE REPLACE
      COPY a a DB 1
      SELECT 1
      GET a
      SELECT 0
      PEXPIREAT a 99999999999990
      COPY a c
      PEXPIRETIME c
      PEXPIRETIME b
      COPY a c DB 1 REPLACE DB 2
      SELECT 2
      PEXPIRETIME c
      GET c
      SELECT 0
      SET n 12345
      COPY n m
      OBJECT ENCODING m
      GET m
      SET s short
      COPY s s2
      OBJECT ENCODING s2
      SET big ${LONG}
      COPY big big2
      OBJECT ENCODING big2
      GET big2
      SET grown abc
      APPEND grown def
      OBJECT ENCODING grown
      COPY grown twin
      OBJECT ENCODING twin
      APPEND twin X
      SETRANGE grown 0 Z
      GET grown
      GET twin
      DBSIZE
    `),
    );
  });

  it('SWAPDB, FLUSHDB and FLUSHALL', async () => {
    await same(
      script(`
      SET a 1
      SELECT 1
      SET b 2
      SET c 3
      SELECT 0
      SWAPDB 0 1
      DBSIZE
      GET b
      SWAPDB 0 1
      DBSIZE
      SWAPDB a 1
      SWAPDB 1 b
      SWAPDB a b
      SWAPDB 0 16
      SWAPDB -1 0
      SWAPDB 0 2147483648
      SWAPDB 0 0
      SWAPDB 0
      GET a
      FLUSHDB x
      FLUSHDB SYNC x
      FLUSHDB ASYNC
      DBSIZE
      SELECT 1
      DBSIZE
      FLUSHDB sync
      DBSIZE
      SET d 4
      SELECT 0
      FLUSHALL x
      FLUSHALL async
      SELECT 1
      DBSIZE
      SELECT 0
      FLUSHALL SYNC
      FLUSHDB
      FLUSHALL
    `),
    );
  });

  // Counters are compared only up to 6: from 5 (LFU_INIT_VAL) every access counts, above it
  // increments are random (p = 1/11 at 6) on both servers.
  it('OBJECT: container errors, HELP, ENCODING, REFCOUNT, and the LFU policy switches', async () => {
    await same(
      script(`
      OBJECT
      OBJECT foo
      OBJECT foo bar
      OBJECT help
      OBJECT HELP extra
      OBJECT encoding
      OBJECT encoding a b
      OBJECT encoding nokey
      OBJECT refcount nokey
      OBJECT idletime nokey
      OBJECT freq nokey
      SET i 123
      SET j -5
      SET k 9999
      SET l 10000
      SET s short
      SET r ${LONG}
      SET big 9223372036854775807
      SET over 9223372036854775808
      SET z 0123
      SET neg -0
      OBJECT ENCODING i
      OBJECT ENCODING j
      OBJECT ENCODING s
      OBJECT ENCODING r
      OBJECT ENCODING big
      OBJECT ENCODING over
      OBJECT ENCODING z
      OBJECT ENCODING neg
      OBJECT REFCOUNT i
      OBJECT REFCOUNT j
      OBJECT REFCOUNT k
      OBJECT REFCOUNT l
      OBJECT REFCOUNT s
      OBJECT REFCOUNT big
      OBJECT FREQ s
      OBJECT IDLETIME s
      CONFIG SET maxmemory-policy allkeys-lfu
      OBJECT IDLETIME s
      SET f v
      OBJECT FREQ f
      GET f
      OBJECT FREQ f
      EXISTS f
      TYPE f
      TTL f
      OBJECT FREQ f
      COPY f g
      OBJECT FREQ g
      SET t v
      TOUCH t
      OBJECT FREQ t
      SET o v
      SET o w
      OBJECT FREQ o
      OBJECT REFCOUNT i
      CONFIG SET maxmemory 100mb
      SET i2 5
      OBJECT REFCOUNT i2
      CONFIG SET maxmemory 0
      CONFIG SET maxmemory-policy noeviction
      OBJECT FREQ f
    `),
    );
  });

  it('KEYS matches glob patterns and skips expired keys (compared as sets)', async () => {
    await suite.diff.run(script('FLUSHALL'));
    const setup: Step[] = [];
    for (const k of ['foo', 'foobar', 'fo', 'f*o', 'f\\o', 'bar', 'baz', 'hello', 'hallo', 'hxllo', 'h[e]llo', 'a?b', '']) {
      setup.push(['SET', k, 'v']);
    }
    setup.push(['SET', 'gone', 'v'], ['PEXPIRE', 'gone', '1']);
    expect(await suite.diff.run(setup, { flush: false })).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    const patterns = [
      '*',
      'foo*',
      'f?o',
      'f\\*o',
      'h[ae]llo',
      'h[^e]llo',
      'h[a-b]llo',
      'h[b-a]llo',
      '*o',
      '*\\?*',
      'h\\[e\\]llo',
      'nothing',
      '',
      'g*',
      '[',
      'f[o',
      '*a*a*a*a*',
    ];
    for (const p of patterns) {
      const [b, r] = await Promise.all([suite.diff.brook.call('KEYS', p), suite.diff.redis.call('KEYS', p)]);
      expect({ p, keys: sorted(decodeReply(b)) }).toEqual({ p, keys: sorted(decodeReply(r)) });
    }
    expect(await suite.diff.run(script('KEYS\nKEYS a b'), { flush: false })).toEqual([]);
  });

  it('keyspace hits and misses count like Redis (NOTOUCH lookups count, KEYS/SCAN/RANDOMKEY do not)', async () => {
    await same(
      script(`
      SET a 1
      SET b hello
      CONFIG RESETSTAT
      GET a
      GET nokey
      EXISTS a b nokey
      TYPE a
      TYPE nokey
      TTL a
      PTTL nokey
      EXPIRETIME b
      TOUCH a nokey
      OBJECT ENCODING b
      OBJECT REFCOUNT nokey
      COPY a c
      COPY nokey d
      DBSIZE
      DEL c
      RENAME a e
      MOVE e 1
      EXPIRE b 100
      PERSIST b
    `),
    );
    // Order-dependent replies: sent to both, compared only through the counters below.
    for (const cmd of [['KEYS', '*'], ['SCAN', '0'], ['SCAN', '0', 'TYPE', 'string'], ['RANDOMKEY']]) {
      await Promise.all([suite.diff.brook.call(...cmd), suite.diff.redis.call(...cmd)]);
    }
    const counters = async (client: RawClient) => {
      const info = await client.call('INFO', 'stats');
      return ['keyspace_hits', 'keyspace_misses', 'expired_keys'].map((f) => new RegExp(`${f}:(\\d+)`).exec(info)?.[0]);
    };
    const redisCounters = await counters(suite.diff.redis);
    expect(redisCounters).toEqual(['keyspace_hits:10', 'keyspace_misses:7', 'expired_keys:0']);
    expect(await counters(suite.diff.brook)).toEqual(redisCounters);
  });

  it('RANDOMKEY: nil when empty, the only key, and never an expired key', async () => {
    await same(
      script(`
      RANDOMKEY
      RANDOMKEY x
      SET only v
      RANDOMKEY
      DEL only
      RANDOMKEY
    `),
    );
    // Every key but one has expired: RANDOMKEY must reclaim them until it finds the live one.
    const steps: Step[] = [];
    for (let i = 0; i < 50; i++) steps.push(['SET', `dead${i}`, 'v'], ['PEXPIRE', `dead${i}`, '1']);
    steps.push(['SET', 'alive', 'v']);
    await same(steps);
    await new Promise((r) => setTimeout(r, 20));
    expect(await suite.diff.run(script('RANDOMKEY\nRANDOMKEY'), { flush: false })).toEqual([]);
  });
});

function sorted(v: unknown): string[] {
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return (v as string[]).slice().sort();
}

describe('keyspace: RANDOMKEY spreads over the keys', () => {
  let brook: RunningServer;
  let client: RawClient;

  beforeAll(async () => {
    brook = await startBrookProcess();
    client = await RawClient.connect(brook.port);
  });

  afterAll(async () => {
    client?.close();
    await brook?.stop();
  });

  it('returns each of a few keys over many calls', async () => {
    for (const k of ['a', 'b', 'c', 'd']) await client.call('SET', k, 'v');
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) seen.add(decodeReply(await client.call('RANDOMKEY')));
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('keyspace: OBJECT IDLETIME over time', () => {
  let brook: RunningServer;
  let client: RawClient;
  const idle = async (key: string) => decodeReply(await client.call('OBJECT', 'IDLETIME', key)) as number;

  beforeAll(async () => {
    brook = await startBrookProcess();
    client = await RawClient.connect(brook.port);
  });

  afterAll(async () => {
    client?.close();
    await brook?.stop();
  });

  it('TTL, TYPE, EXISTS and OBJECT do not count as accesses; GET, TOUCH and writes do', async () => {
    // The first question about a plain string value starts Brook's access tracking for them.
    await client.call('SET', 'warmup', 'v');
    expect(await idle('warmup')).toBe(0);
    for (const k of ['foo', 'bar', 'baz', 'qux']) await client.call('SET', k, 'v');
    // An object value (APPEND makes an in-place editable raw string) keeps its own access time.
    await client.call('SET', 'obj', 'v');
    await client.call('APPEND', 'obj', 'w');
    await new Promise((r) => setTimeout(r, 2100));
    expect(await idle('obj')).toBeGreaterThanOrEqual(2);
    await client.call('STRLEN', 'obj');
    expect(await idle('obj')).toBe(0);
    for (const cmd of ['TTL', 'TYPE', 'EXISTS', 'PTTL', 'EXPIRETIME']) await client.call(cmd, 'foo');
    await client.call('OBJECT', 'ENCODING', 'foo');
    await client.call('SCAN', '0', 'TYPE', 'string');
    await client.call('KEYS', '*');
    expect(await idle('foo')).toBeGreaterThanOrEqual(2);
    await client.call('GET', 'bar');
    await client.call('TOUCH', 'baz');
    await client.call('SET', 'qux', 'new');
    expect(await idle('bar')).toBe(0);
    expect(await idle('baz')).toBe(0);
    expect(await idle('qux')).toBe(0);
    await client.call('RENAME', 'foo', 'renamed');
    expect(await idle('renamed')).toBe(0); // RENAME's lookup is a write access, as in Redis
  });
});

describe('keyspace: change feed (in-process)', () => {
  const suite = changeFeedSuite();
  const { feed } = suite;
  /** Runs a command and returns what it put into the change feed, as [db, ...argv]. */
  const fed = suite.fed;

  const activeExpiry = () => (suite.server as unknown as { expiry: { start(): void; stop(): void } }).expiry;

  it('EXPIRE family → PEXPIREAT with the absolute time; past times → DEL', async () => {
    await suite.client.call('SET', 'k', 'v');
    const before = Date.now();
    const [[db, cmd, key, at, ...rest]] = await fed('EXPIRE', 'k', '100', 'NX');
    expect([db, cmd, key, rest]).toEqual(['0', 'PEXPIREAT', 'k', ['NX']]);
    expect(Number(at)).toBeGreaterThanOrEqual(before + 100_000);
    expect(Number(at)).toBeLessThanOrEqual(Date.now() + 100_000);
    const [[, , , pat]] = await fed('PEXPIRE', 'k', '5000');
    expect(Math.abs(Number(pat) - (Date.now() + 5000))).toBeLessThan(1000);
    expect(await fed('EXPIREAT', 'k', '99999999999')).toEqual([['0', 'PEXPIREAT', 'k', '99999999999000']]);
    expect(await fed('PEXPIREAT', 'k', '9223372036854775807', 'GT')).toEqual([['0', 'PEXPIREAT', 'k', '9223372036854775807', 'GT']]);
    expect(await fed('EXPIRE', 'k', '10', 'GT')).toEqual([]); // not applied: nothing to replay
    expect(await fed('PERSIST', 'k')).toEqual([['0', 'PERSIST', 'k']]);
    expect(await fed('PERSIST', 'k')).toEqual([]);
    expect(await fed('EXPIRE', 'k', '-1')).toEqual([['0', 'DEL', 'k']]);
    expect(await fed('EXPIRE', 'k', '-1')).toEqual([]);
  });

  it('DEL, RENAME, COPY, MOVE, SWAPDB and FLUSH* as received; no-ops and reads feed nothing', async () => {
    await suite.client.call('SET', 'a', '1');
    await suite.client.call('SET', 'b', '2');
    expect(await fed('DEL', 'a', 'nokey')).toEqual([['0', 'DEL', 'a', 'nokey']]);
    expect(await fed('DEL', 'a')).toEqual([]);
    expect(await fed('UNLINK', 'b')).toEqual([['0', 'UNLINK', 'b']]);
    await suite.client.call('SET', 'x', '1');
    expect(await fed('RENAME', 'x', 'y')).toEqual([['0', 'RENAME', 'x', 'y']]);
    expect(await fed('RENAME', 'y', 'y')).toEqual([]);
    expect(await fed('RENAMENX', 'y', 'z')).toEqual([['0', 'RENAMENX', 'y', 'z']]);
    expect(await fed('COPY', 'z', 'w', 'DB', '3')).toEqual([['0', 'COPY', 'z', 'w', 'DB', '3']]);
    expect(await fed('MOVE', 'z', '2')).toEqual([['0', 'MOVE', 'z', '2']]);
    expect(await fed('MOVE', 'z', '2')).toEqual([]);
    expect(await fed('SET', 'p', 'q')).toEqual([['0', 'SET', 'p', 'q']]);
    for (const read of [
      ['GET', 'p'],
      ['EXISTS', 'p'],
      ['TYPE', 'p'],
      ['TTL', 'p'],
      ['KEYS', '*'],
      ['SCAN', '0'],
      ['DBSIZE'],
      ['RANDOMKEY'],
      ['TOUCH', 'p'],
      ['OBJECT', 'ENCODING', 'p'],
      ['PEXPIRETIME', 'p'],
    ]) {
      expect({ read, fed: await fed(...read) }).toEqual({ read, fed: [] });
    }
    expect(await fed('SWAPDB', '2', '3')).toEqual([['0', 'SWAPDB', '2', '3']]);
    expect(await fed('FLUSHDB')).toEqual([['0', 'FLUSHDB']]);
    expect(await fed('FLUSHDB', 'ASYNC')).toEqual([['0', 'FLUSHDB', 'ASYNC']]); // even when empty
    expect(await fed('FLUSHALL')).toEqual([['0', 'FLUSHALL']]);
    expect(await fed('FLUSHDB', 'bad')).toEqual([]);
  });

  it('a lazily expired key becomes DEL in its own database, once', async () => {
    // Without the active cycle (as DEBUG SET-ACTIVE-EXPIRE 0 in Redis's tests), only access reclaims.
    activeExpiry().stop();
    await suite.client.call('SELECT', '5');
    await suite.client.call('SET', 'soon', 'v', 'PX', '30');
    await new Promise((r) => setTimeout(r, 60));
    expect(await fed('GET', 'soon')).toEqual([['5', 'DEL', 'soon']]);
    expect(await fed('GET', 'soon')).toEqual([]);
    // A write command on an expired key: the DEL comes first, then the command itself.
    await suite.client.call('SET', 'soon', 'v', 'PX', '30');
    await new Promise((r) => setTimeout(r, 60));
    expect(await fed('RENAME', 'soon', 'other')).toEqual([['5', 'DEL', 'soon']]);
    await suite.client.call('SELECT', '0');
    activeExpiry().start();
  });

  it('the active cycle feeds a DEL for every key it reclaims', async () => {
    feed.length = 0;
    for (let i = 0; i < 100; i++) await suite.client.call('SET', `t${i}`, 'v', 'PX', '20');
    const deadline = Date.now() + 5000;
    while (feed.filter((l) => l[1] === 'DEL').length < 100 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const dels = feed.filter((l) => l[1] === 'DEL').map((l) => l[2]);
    expect(dels.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`).sort());
    expect(suite.server.ks.dbs[0].size).toBe(0);
  });
});
