/**
 * The expire family against real Redis 7.0 (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT,
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST): every option, combination and error path byte for
 * byte, with absolute times wherever a reply would otherwise depend on the clock. Then expiry over
 * time: lazy on access, and the active cycle reclaiming 100k untouched keys while clients are served.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBrookProcess, type RunningServer } from './support/servers.js';
import { differentialSuite, script, type Step } from './support/differential.js';
import { encodeCommand, RawClient } from './support/raw-client.js';

describe('expire: differential against real Redis', () => {
  const suite = differentialSuite();
  const same = async (steps: Step[]) => expect(await suite.diff.run(steps)).toEqual([]);

  it('arity, option parsing and its precedence over the time argument', async () => {
    const steps = script(`
      EXPIRE
      EXPIRE k
      PEXPIRE k
      EXPIREAT k
      PEXPIREAT k
      TTL
      TTL k x
      PTTL
      EXPIRETIME
      PEXPIRETIME k x
      PERSIST
      PERSIST k x
      EXPIRE nokey 100
      EXPIRE nokey abc
      SET k v
      EXPIRE k abc
      EXPIRE k 1.5
      EXPIRE k ""
      EXPIRE k 100 foo
      EXPIRE k abc foo
      EXPIRE k abc nx xx
      EXPIRE k 100 nx xx
      EXPIRE k 100 NX GT
      EXPIRE k 100 nx LT
      EXPIRE k 100 gt lt
      EXPIRE k 100 XX GT LT
      EXPIRE k 100 GT foo
      PEXPIRE k 100 Lt gT
      EXPIREAT k 100 xx nx
      PEXPIREAT k 100 lt nx
      EXPIRE k 100 nx nx
      TTL k
      PERSIST k
      TTL k
    `);
    steps.push(['EXPIRE', 'k', '100', 'a\r\nb'], ['EXPIRE', 'k', '100', 'a\0b'], ['EXPIRE', 'k', '100', '']);
    await same(steps);
  });

  it('NX, XX, GT and LT against absent, persistent and volatile keys', async () => {
    await same(
      script(`
      SET k v
      EXPIRE k 100 XX
      EXPIRE k 100 GT
      TTL k
      EXPIREAT k 99999999999 LT
      EXPIRETIME k
      EXPIREAT k 99999999990 NX
      EXPIRETIME k
      PEXPIREAT k 99999999999000 GT
      PEXPIREAT k 99999999999001 GT
      PEXPIRETIME k
      EXPIREAT k 99999999998 LT
      PEXPIREAT k 99999999998000 LT
      PEXPIREAT k 99999999997999 LT XX
      PEXPIRETIME k
      EXPIREAT k 99999999999 XX GT
      EXPIRETIME k
      PEXPIREAT k 99999999998500 XX
      EXPIRETIME k
      PEXPIRETIME k
      PEXPIREAT k 99999999999499
      EXPIRETIME k
      PEXPIREAT k 99999999999500
      EXPIRETIME k
      EXPIREAT nokey 99999999999 NX
      EXPIREAT nokey 99999999999 XX
      PERSIST k
      PERSIST k
      PERSIST nokey
      PEXPIRETIME k
      EXPIRETIME k
      PTTL k
      TTL k
      PEXPIRETIME nokey
      EXPIRETIME nokey
      PTTL nokey
      TTL nokey
      EXPIRE k 100
      TTL k
      PEXPIRE k 100000
      TTL k
      EXPIRE k 100 NX
      SET k v2
      TTL k
      SET k v3 EX 100
      SET k v4 KEEPTTL
      TTL k
    `),
    );
  });

  it('a time already past deletes the key, unless an option refuses first', async () => {
    await same(
      script(`
      SET k v
      EXPIRE k 0
      EXISTS k
      SET k v
      EXPIRE k -1
      EXISTS k
      SET k v
      PEXPIRE k -100
      EXISTS k
      SET k v
      EXPIREAT k 1
      EXISTS k
      SET k v
      PEXPIREAT k 0 NX
      EXISTS k
      SET k v
      EXPIRE k -1 GT
      EXPIRE k -1 XX
      EXISTS k
      EXPIRE k -1 LT
      EXISTS k
      SET k v
      EXPIREAT k 99999999999
      EXPIRE k -1 GT
      EXPIRE k -1 NX
      EXISTS k
      EXPIRE k -1 XX LT
      EXISTS k
      EXPIRE nokey -1
      DBSIZE
    `),
    );
  });

  it('64-bit limits: unit conversion and base time overflows, exact huge times', async () => {
    await same(
      script(`
      SET k v
      EXPIRE k 9223372036854775
      EXPIRE k 9223372036854776
      EXPIRE k -9223372036854776
      EXPIREAT k 9223372036854776
      EXPIREAT k -9223372036854776
      PEXPIRE k 9223372036854775807
      PEXPIRE k 9223372036854775808
      PEXPIREAT k 9223372036854775808
      EXPIRE k 99999999999999999999
      EXISTS k
      PEXPIREAT k 9223372036854775807
      PEXPIRETIME k
      EXPIRETIME k
      EXPIREAT k 9223372036854775
      PEXPIRETIME k
      EXPIRETIME k
      PEXPIREAT k 9007199254740993
      PEXPIRETIME k
      EXPIREAT k 9007199254740993 GT
      EXPIRETIME k
      PEXPIREAT k 9007199254740992 LT
      PEXPIRETIME k
      RENAME k k2
      PEXPIRETIME k2
      COPY k2 k3
      PEXPIRETIME k3
      PERSIST k3
      PEXPIRETIME k3
      EXPIRE k2 -9223372036854775
      EXISTS k2
      SET k v
      PEXPIREAT k -9223372036854775808
      EXISTS k
      SET k v
      EXPIREAT k -9223372036854775
      EXISTS k
    `),
    );
  });

  it('every command taking an expire argument agrees at the int64 edges: 2^53 ± 1, LLONG_MAX, s→ms overflow, ≤ 0', async () => {
    const values = [
      '0',
      '-1',
      '-9007199254740993',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '9223372036854775',
      '9223372036854776',
      '-9223372036854775',
      '-9223372036854776',
      '9223372036854773807',
      '9223372036854775807',
      '9223372036854775808',
      '-9223372036854775808',
      '1.5',
    ];
    // Relative forms: TTL (whole seconds) is stable while the run takes under half a second.
    // Absolute forms: the stored time itself, to the millisecond, also once COPY copied it.
    const forms: [string, (v: string) => Step[], boolean][] = [
      ['SET EX', (v) => [['SET', 'k', 'v', 'EX', v]], false],
      ['SET PX', (v) => [['SET', 'k', 'v', 'PX', v]], false],
      ['SET EXAT', (v) => [['SET', 'k', 'v', 'EXAT', v]], true],
      ['SET PXAT', (v) => [['SET', 'k', 'v', 'PXAT', v]], true],
      [
        'GETEX EX',
        (v) => [
          ['SET', 'k', 'v'],
          ['GETEX', 'k', 'EX', v],
        ],
        false,
      ],
      [
        'GETEX PX',
        (v) => [
          ['SET', 'k', 'v'],
          ['GETEX', 'k', 'PX', v],
        ],
        false,
      ],
      [
        'GETEX EXAT',
        (v) => [
          ['SET', 'k', 'v'],
          ['GETEX', 'k', 'EXAT', v],
        ],
        true,
      ],
      [
        'GETEX PXAT',
        (v) => [
          ['SET', 'k', 'v'],
          ['GETEX', 'k', 'PXAT', v],
        ],
        true,
      ],
      ['SETEX', (v) => [['SETEX', 'k', v, 'v']], false],
      ['PSETEX', (v) => [['PSETEX', 'k', v, 'v']], false],
      [
        'EXPIRE',
        (v) => [
          ['SET', 'k', 'v'],
          ['EXPIRE', 'k', v],
        ],
        false,
      ],
      [
        'PEXPIRE',
        (v) => [
          ['SET', 'k', 'v'],
          ['PEXPIRE', 'k', v],
        ],
        false,
      ],
      [
        'EXPIREAT',
        (v) => [
          ['SET', 'k', 'v'],
          ['EXPIREAT', 'k', v],
        ],
        true,
      ],
      [
        'PEXPIREAT',
        (v) => [
          ['SET', 'k', 'v'],
          ['PEXPIREAT', 'k', v],
        ],
        true,
      ],
    ];
    for (const [, steps, absolute] of forms) {
      const run: Step[] = [];
      for (const v of values) {
        run.push(['DEL', 'k'], ...steps(v), ['TTL', 'k']);
        if (absolute)
          run.push(['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'], ['GET', 'k'], ['COPY', 'k', 'k2', 'REPLACE'], ['PEXPIRETIME', 'k2']);
      }
      await same(run);
    }
  });

  it('expired keys are gone on access, on both servers', async () => {
    await same(
      script(`
      SET a v
      SET b v
      SET c v
      PEXPIRE a 50
      PEXPIRE b 50
      PEXPIRE c 50
      EXISTS a
    `),
    );
    await new Promise((r) => setTimeout(r, 120));
    expect(await suite.diff.run(script('GET a\nEXISTS b\nTTL c\nPTTL c\nEXPIRE c 100\nPERSIST a'), { flush: false })).toEqual([]);
  });
});

describe('expire: the active cycle', () => {
  let brook: RunningServer;

  beforeAll(async () => {
    brook = await startBrookProcess();
  });

  afterAll(async () => {
    await brook?.stop();
  });

  it('reclaims 100k untouched keys with a 1 s TTL within seconds while PINGs keep being answered', async () => {
    const loader = await RawClient.connect(brook.port);
    const pinger = await RawClient.connect(brook.port);
    const watcher = await RawClient.connect(brook.port);
    try {
      const N = 100_000;
      const CHUNK = 5000;
      for (let i = 0; i < N; i += CHUNK) {
        const parts: Buffer[] = [];
        for (let j = i; j < i + CHUNK; j++) parts.push(encodeCommand(['SET', `key:${j}`, 'value', 'PX', '1000']));
        loader.write(Buffer.concat(parts));
        for (let j = 0; j < CHUNK; j++) await loader.read();
      }
      await loader.call('SET', 'persistent', 'v');
      // Loading may take longer than the TTL on a busy machine: time the reclaim from its end.
      const loadedAt = Date.now();
      expect(Number((await watcher.call('DBSIZE')).slice(1, -2))).toBeGreaterThan(1);

      // PING continuously (one at a time, measuring each round trip) until the keys are gone.
      let done = false;
      const latencies: number[] = [];
      const pings = (async () => {
        while (!done) {
          const t = performance.now();
          expect(await pinger.call('PING')).toBe('+PONG\r\n');
          latencies.push(performance.now() - t);
        }
      })();
      let size = N + 1;
      while (size > 1 && Date.now() - loadedAt < 10_000) {
        await new Promise((r) => setTimeout(r, 100));
        size = Number((await watcher.call('DBSIZE')).slice(1, -2));
      }
      const reclaimedAfter = Date.now() - loadedAt;
      done = true;
      await pings;
      expect(size).toBe(1);
      expect(reclaimedAfter).toBeLessThan(1000 + 4000);
      latencies.sort((a, b) => a - b);
      // The cycle runs in slices of at most 25 ms: no PING waits for the whole reclaim.
      expect(latencies[latencies.length - 1]).toBeLessThan(250);
      expect(latencies.length).toBeGreaterThan(50);
      expect(await watcher.call('GET', 'persistent')).toBe('$1\r\nv\r\n');
      const info = await watcher.call('INFO', 'stats');
      expect(info).toMatch(/expired_keys:100000\r\n/);
    } finally {
      loader.close();
      pinger.close();
      watcher.close();
    }
  });
});
