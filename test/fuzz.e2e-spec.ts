/**
 * Protocol fuzzing: many connections throw random and truncated RESP at a spawned brook-server
 * for a bounded time (random bytes, valid frames with corrupted bytes or lengths, huge declared
 * lengths and counts, deep pipelines cut mid-frame, inline garbage, byte-by-byte trickles). The
 * server process must stay alive, its resident memory bounded, and a well-formed client on its
 * own connection must keep getting exactly the right replies throughout.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_SECONDS=<n> changes its length (default 20).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { encodeCommand, RawClient } from './support/raw-client.js';
import { startBrookProcess, type RunningServer } from './support/servers.js';
import { alive, rssBytes, serverPid } from './support/wire.js';
import { rng } from './support/rng.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const WORKERS = 12;
const MB = 1024 * 1024;
/** Resident memory may grow this much over the idle server's while fuzzed (GC slack included). */
const RSS_HEADROOM = 400 * MB;

class Gen {
  constructor(readonly rand: () => number) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  /** A short argument: often printable, sometimes any bytes (CR, LF, NUL, quotes included). */
  arg(): Buffer {
    const n = this.pick([0, 1, 3, 8, 20, 100, 1000]);
    return this.int(3) === 0 ? this.bytes(n) : Buffer.from('x'.repeat(n));
  }

  /** A valid command confined to fuzz:* keys, so the checker's keys are never touched. */
  command(): Buffer {
    const key = Buffer.from(`fuzz:${this.int(50)}`);
    switch (this.int(8)) {
      case 0:
        return encodeCommand(['SET', key, this.arg()]);
      case 1:
        return encodeCommand(['GET', key]);
      case 2:
        return encodeCommand(['INCR', key]);
      case 3:
        return encodeCommand(['APPEND', key, this.arg()]);
      case 4:
        return encodeCommand(['ECHO', this.arg()]);
      case 5:
        return encodeCommand(['DEL', key, `fuzz:${this.int(50)}`]);
      case 6:
        return Buffer.from(`PING "${this.pick(['a b', '\\x41\\x00', '', "it's"])}"\r\n`);
      default:
        return encodeCommand(['STRLEN', key]);
    }
  }

  pipeline(n: number): Buffer {
    return Buffer.concat(Array.from({ length: n }, () => this.command()));
  }

  /** One fuzz payload of a random kind. */
  payload(): Buffer {
    switch (this.int(8)) {
      case 0: // random bytes
        return this.bytes(1 + this.int(4096));
      case 1: {
        // a valid pipeline with a few bytes corrupted
        const b = this.pipeline(1 + this.int(50));
        for (let i = 1 + this.int(4); i > 0; i--)
          b[this.int(b.length)] = this.pick([this.int(256), 48 + this.int(10), 13, 10, 0, 36, 42, 45]);
        return b;
      }
      case 2: {
        // a valid frame whose count or length line says something else
        const b = this.command().toString('latin1');
        const lie = this.pick([
          '-1',
          '0',
          '-0',
          '01',
          '2147483648',
          '99999999999999999999',
          '',
          ' 3',
          '+3',
          '3.0',
          String(this.int(1e6)),
          '9223372036854775807',
        ]);
        return Buffer.from(this.int(2) === 0 ? b.replace(/^\*\d+/, `*${lie}`) : b.replace(/\$\d+/, `$${lie}`), 'latin1');
      }
      case 3: {
        // huge declared lengths and counts, followed by a little data
        const len = this.pick([512 * MB, 2 ** 29 - 24, 2 ** 29, 100 * MB, 16 * MB, 2 * MB, 2 ** 31, 2 ** 53]);
        const head =
          this.int(2) === 0
            ? `*3\r\n$3\r\nSET\r\n$8\r\nfuzz:big\r\n$${len}\r\n`
            : `*${this.pick([2147483647, 1e7, 1048577])}\r\n$4\r\nECHO\r\n`;
        return Buffer.concat([Buffer.from(head), this.bytes(this.int(70000))]);
      }
      case 4: {
        // a deep pipeline cut mid-frame
        const b = this.pipeline(100 + this.int(1500));
        return b.subarray(0, 1 + this.int(b.length - 1));
      }
      case 5: {
        // inline garbage: quotes, escapes, long lines, NULs
        const parts = [
          'ECHO ',
          '"',
          "'",
          '\\x4',
          '\\x41',
          '\\',
          ' ',
          '\t',
          '\0',
          'a',
          '\r',
          '\n',
          '"a"b',
          'x'.repeat(this.int(3) === 0 ? 70000 : 10),
        ];
        return Buffer.from(Array.from({ length: 1 + this.int(30) }, () => this.pick(parts)).join(''), 'latin1');
      }
      case 6: // a big value arriving in many chunks, read back
        return Buffer.concat([
          encodeCommand(['SET', 'fuzz:big', Buffer.alloc(1 + this.int(4 * MB), this.bytes(16))]),
          encodeCommand(['STRLEN', 'fuzz:big']),
          encodeCommand(['GET', 'fuzz:big']),
        ]);
      default: // a valid pipeline, complete
        return this.pipeline(1 + this.int(200));
    }
  }
}

/**
 * Sends one payload on a fresh connection, in random pieces, reading the replies; resolves to
 * true when the server answered with a protocol error (so the run can show it reached them).
 */
function attack(port: number, g: Gen, stop: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    let finished = false;
    let protocolError = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      s.destroy();
      resolve(protocolError);
    };
    s.on('data', (d: Buffer) => {
      protocolError ||= d.includes('-ERR Protocol error: ');
    });
    s.on('error', finish);
    s.on('close', finish);
    const send = async (): Promise<void> => {
      const data = g.payload();
      const trickle = g.int(10) === 0;
      for (let at = 0; at < data.length && !finished && !stop();) {
        const n = trickle ? 1 : 1 + g.int(data.length);
        s.write(data.subarray(at, at + n));
        at += n;
        await new Promise((r) => (trickle ? setTimeout(r, 1) : setImmediate(r)));
        if (trickle && at > 2000) break;
      }
      // Linger a little so the server answers (or closes), then hang up.
      setTimeout(finish, g.int(50));
    };
    s.connect(port, '127.0.0.1', () => void send());
  });
}

describe(`protocol fuzzing (seed ${SEED}, ${SECONDS}s)`, () => {
  let brook: RunningServer;
  let pid: number;

  beforeAll(async () => {
    brook = await startBrookProcess();
    pid = serverPid(brook.proc.pid!);
  });

  afterAll(async () => {
    await brook?.stop();
  });

  it(
    'stays up, bounded in memory, and correct for a well-formed client',
    async () => {
      const idleRss = rssBytes(pid);
      let maxRss = idleRss;
      const deadline = Date.now() + SECONDS * 1000;
      const stop = (): boolean => Date.now() >= deadline;
      const sampler = setInterval(() => {
        if (alive(pid)) maxRss = Math.max(maxRss, rssBytes(pid));
      }, 200);
      sampler.unref();

      const workers = Array.from({ length: WORKERS }, async (_, w) => {
        const g = new Gen(rng(SEED + w));
        let attacks = 0;
        let errors = 0;
        while (!stop()) {
          if (await attack(brook.port, g, stop)) errors++;
          attacks++;
        }
        return [attacks, errors];
      });

      // The checker: its own connection, binary values, exact replies, all along.
      const checker = (async () => {
        const g = new Gen(rng(SEED - 1));
        const c = await RawClient.connect(brook.port);
        let rounds = 0;
        let counter = 0;
        try {
          while (!stop()) {
            const value = g.bytes(g.int(300));
            expect(await c.call('SET', 'check:value', value)).toBe('+OK\r\n');
            const reply = Buffer.from(await c.call('GET', 'check:value'), 'latin1');
            expect(reply.equals(Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]))).toBe(true);
            expect(await c.call('INCR', 'check:counter')).toBe(`:${++counter}\r\n`);
            expect(await c.call('PING')).toBe('+PONG\r\n');
            rounds++;
            await new Promise((r) => setTimeout(r, 5));
          }
        } finally {
          c.close();
        }
        return rounds;
      })();

      let attacks: number[][];
      let rounds: number;
      try {
        [attacks, rounds] = await Promise.all([Promise.all(workers), checker]);
      } finally {
        clearInterval(sampler);
      }
      const total = attacks.reduce((a, [n]) => a + n, 0);
      const errors = attacks.reduce((a, [, e]) => a + e, 0);
      const context = `seed ${SEED}: ${total} fuzz connections (${errors} answered with a protocol error), ${rounds} checker rounds, RSS ${Math.round(idleRss / MB)} MB idle, max ${Math.round(maxRss / MB)} MB`;

      const up = alive(pid) && brook.proc.exitCode === null;
      expect({ up, context, output: up ? '' : brook.output().slice(-3000) }).toEqual({ up: true, context, output: '' });
      console.log(context);
      expect(total).toBeGreaterThan(WORKERS * 10);
      expect(errors).toBeGreaterThan(total / 20);
      expect(rounds).toBeGreaterThan(10);
      expect({ grew: maxRss - idleRss < RSS_HEADROOM, context }).toEqual({ grew: true, context });

      // And afterwards the server still serves everyone normally.
      const c = await RawClient.connect(brook.port);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      expect(await c.call('GET', 'check:counter')).toBe(`$${String(rounds).length}\r\n${rounds}\r\n`);
      c.close();
    },
    (SECONDS + 60) * 1000,
  );
});
