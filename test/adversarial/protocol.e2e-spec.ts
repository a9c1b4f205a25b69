/**
 * Hostile requests at the protocol level, sent to Brook and Redis side by side: argument counts
 * near V8's limits, inline (telnet) values that once cost 31x their size, and clients that keep
 * writing after a protocol error.
 */
import { describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { MAX_ARGS } from '@brook/resp';
import { RawClient } from '../support/raw-client.js';
import { adversarialSuite, MAX_PING_MS, MB, sendRaw, underAttack, type Target } from './harness.js';

/** Writes `bad`, then keeps writing PINGs for up to `ms`: what came back, and how the connection ended. */
function keepWriting(port: number, bad: string, ms = 3000): Promise<{ reply: string; closed: boolean; error: string | null }> {
  return new Promise((resolve) => {
    // Half-open allowed: the server's FIN must not end our side, so only a reset stops the writes.
    const s = new Socket({ allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => finish(false), ms);
    const finish = (closed: boolean): void => {
      clearTimeout(deadline);
      clearInterval(timer);
      s.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed, error });
    };
    s.on('data', (d) => chunks.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => finish(true));
    s.connect(port, '127.0.0.1', () => {
      s.write(bad);
      const more = Buffer.from('PING\r\n'.repeat(2000));
      timer = setInterval(() => s.write(more), 10);
    });
  });
}

describe('adversarial: protocol', () => {
  const s = adversarialSuite();

  it(`refuses an argument count above MAX_ARGS (2^26) at its header, where V8 would abort; Redis waits for the arguments`, async () => {
    // A deliberate difference (README "Known differences"): Redis accepts counts up to INT_MAX.
    const header = `*${MAX_ARGS + 1}\r\n`;
    const args = '$0\r\n\r\n'.repeat(10000);
    const b = await underAttack(s.brook, (t) => sendRaw(t.port, header + args, 2000));
    expect(b.result).toEqual({ reply: '-ERR Protocol error: invalid multibulk length\r\n', closed: true });
    expect(b.maxPingMs).toBeLessThan(MAX_PING_MS);
    expect(await sendRaw(s.redis.port, header + args, 500)).toEqual({ reply: '', closed: false });
    // Above INT_MAX both refuse alike.
    for (const t of s.both()) {
      expect(await sendRaw(t.port, '*2147483648\r\n')).toEqual({
        reply: '-ERR Protocol error: invalid multibulk length\r\n',
        closed: true,
      });
    }
  });

  it('takes a request declared with MAX_ARGS arguments while they stream in, and frees it when the client goes', async () => {
    for (const t of s.both()) {
      const res = await underAttack(t, async (target) => {
        const c = await RawClient.connect(target.port);
        c.write(`*${MAX_ARGS}\r\n`);
        const chunk = Buffer.from('$0\r\n\r\n'.repeat(100000));
        for (let i = 0; i < 10; i++) {
          c.write(chunk); // 1M empty arguments, 6 MB
          await new Promise((r) => setTimeout(r, 20));
        }
        const other = await RawClient.connect(target.port);
        const pong = await other.call('PING');
        other.close();
        const open = !c.isClosed;
        c.close();
        return { pong, open };
      });
      expect(res.result).toEqual({ pong: '+PONG\r\n', open: true });
      expect(res.maxPingMs).toBeLessThan(MAX_PING_MS);
      expect(res.endRss - res.startRss).toBeLessThan(64 * MB);
    }
  });

  it('stores values sent inline (telnet protocol) as flat strings: 1000 x 60 KB cost about what Redis spends', async () => {
    const n = 1000;
    const values = Array.from({ length: 10 }, (_, d) => Buffer.alloc(60000, String(d)));
    const growth: Record<string, number> = {};
    for (const t of s.both()) {
      const res = await underAttack(
        t,
        async (target) => {
          const c = await RawClient.connect(target.port);
          for (let i = 0; i < n; i += 20) {
            const lines: Buffer[] = [];
            for (let j = i; j < i + 20; j++) lines.push(Buffer.from(`SET inline:${j} `), values[j % 10], Buffer.from('\r\n'));
            c.write(Buffer.concat(lines));
            for (let j = i; j < i + 20; j++) expect((await c.read()).toString()).toBe('+OK\r\n');
          }
          const got = await c.call('GET', 'inline:7');
          c.close();
          return got;
        },
        256 * MB,
      );
      expect(res.result).toBe(`$60000\r\n${values[7].toString()}\r\n`);
      expect(res.maxPingMs).toBeLessThan(MAX_PING_MS);
      growth[t.name] = res.endRss - res.startRss;
    }
    // 60 MB of values: Redis grows ~62 MB; Brook once grew 1,875 MB (a rope of one-char strings per value).
    expect(growth.brook).toBeLessThan(2 * Math.max(growth.redis, 60 * MB));
    for (const t of s.both()) {
      const c = await RawClient.connect(t.port);
      expect(await c.call('FLUSHALL')).toBe('+OK\r\n');
      c.close();
    }
  });

  describe('a protocol error closes the connection; a client that keeps writing gets a reset', () => {
    const inputs: [string, string][] = [
      ['too big inline request', 'x'.repeat(70000)],
      ['too big mbulk count string', '*' + '1'.repeat(70000)],
      ['invalid bulk length', '*1\r\n$-5\r\n'],
      ['unbalanced quotes', 'ECHO "a\r\n'],
      ["expected '$'", '*1\r\nx\r\n'],
    ];
    it.each(inputs)('%s', async (_, bad) => {
      const run = async (t: Target): Promise<{ closed: boolean; reset: boolean; pong: string }> => {
        const x = await keepWriting(t.port, bad);
        const c = await RawClient.connect(t.port);
        const pong = await c.call('PING');
        c.close();
        return { closed: x.closed, reset: x.error === 'ECONNRESET' || x.error === 'EPIPE', pong };
      };
      const [b, r] = await Promise.all([run(s.brook), run(s.redis)]);
      expect(r).toEqual({ closed: true, reset: true, pong: '+PONG\r\n' });
      expect(b).toEqual(r);
    });
  });
});
