/**
 * Hostile uses of the observability commands, Brook and Redis side by side: huge SLOWLOG counts and
 * arguments, a MONITOR that never reads while others write, unknown latency events.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { decodeReply, type RespValue } from '../support/resp-value.js';
import { adversarialSuite, call, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';
import { eventually, waitUntil } from '../support/wait.js';

describe('adversarial: observability', () => {
  const s = adversarialSuite();

  afterEach(async () => {
    for (const t of s.both()) {
      await call(t, 'CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
      await call(t, 'CONFIG', 'SET', 'slowlog-max-len', '128');
      await call(t, 'CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
      await call(t, 'SLOWLOG', 'RESET');
      await call(t, 'FLUSHALL');
    }
  });

  it('SLOWLOG GET with counts at and past the integer range, and a full log', async () => {
    for (const t of s.both()) {
      await call(t, 'CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await call(t, 'CONFIG', 'SET', 'slowlog-max-len', '2000');
      const c = await RawClient.connect(t.port);
      const input = Buffer.concat(Array.from({ length: 3000 }, (_, i) => encodeCommand(['SET', `k${i}`, 'v'])));
      c.write(input);
      for (let i = 0; i < 3000; i++) await c.read();
      c.close();
    }
    for (const count of ['9223372036854775807', '-1', '1000000000000']) {
      const [b, r] = await Promise.all(s.both().map((t) => call(t, 'SLOWLOG', 'GET', count)));
      expect((decodeReply(b) as RespValue[]).length).toBe(2000);
      expect((decodeReply(r) as RespValue[]).length).toBe(2000);
    }
    for (const bad of ['9223372036854775808', '-9223372036854775809', '1.5', '']) {
      const [b, r] = await Promise.all(s.both().map((t) => call(t, 'SLOWLOG', 'GET', bad)));
      expect(b).toBe(r);
    }
  });

  it('SLOWLOG keeps 128 bytes of a 16 MB argument and 32 of 100000 arguments', async () => {
    const big = Buffer.alloc(16 * MB, 'x');
    const many = Array.from({ length: 100_000 }, (_, i) => `m${i}`);
    for (const t of s.both()) {
      await call(t, 'CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await call(t, 'SLOWLOG', 'RESET');
      await call(t, 'SET', 'big', big);
      await call(t, 'SADD', 'many', ...many);
    }
    const [b, r] = await Promise.all(s.both().map((t) => call(t, 'SLOWLOG', 'GET', '2')));
    const args = (reply: string) => (decodeReply(reply) as RespValue[][]).map((e) => e[3]);
    expect(args(b)).toEqual(args(r));
    const [sadd, set] = args(b) as string[][];
    expect(sadd).toHaveLength(32);
    expect(sadd[31]).toBe('... (99971 more arguments)');
    expect(set[2]).toBe(`${'x'.repeat(128)}... (${16 * MB - 128} more bytes)`);
  });

  it('a MONITOR that never reads is closed at the output limit while a writer floods, and the server keeps answering', async () => {
    // 8000 lines of about 1 KB: twice the monitor's 4 MB limit.
    const value = 'v'.repeat(1024);
    const flood = Buffer.concat(Array.from({ length: 8000 }, (_, i) => encodeCommand(['SET', `f${i % 100}`, value])));
    for (const t of s.both()) {
      await call(t, 'CONFIG', 'SET', 'client-output-buffer-limit', 'normal 4mb 0 0');
      const attack = await underAttack(t, async (target: Target) => {
        const mon = new Socket();
        mon.on('error', () => undefined);
        await new Promise<void>((r) => mon.connect(target.port, '127.0.0.1', () => r()));
        mon.write(encodeCommand(['CLIENT', 'SETNAME', 'sleepy-monitor']));
        mon.write(encodeCommand(['MONITOR']));
        await waitUntil(async () => (await call(target, 'CLIENT', 'LIST')).includes('flags=O'), 'the monitor listed', 5000);
        mon.pause();
        const writer = await RawClient.connect(target.port);
        writer.write(flood);
        for (let i = 0; i < 8000; i++) await writer.read(30_000);
        writer.close();
        const gone = await eventually(async () => !(await call(target, 'CLIENT', 'LIST')).includes('sleepy-monitor'), 10_000);
        mon.destroy();
        return gone;
      });
      expect({ server: t.name, closed: attack.result }).toEqual({ server: t.name, closed: true });
      expect(attack.maxPingMs).toBeLessThan(MAX_PING_MS);
    }
  });

  it('LATENCY HISTORY and RESET of unknown or huge event names', async () => {
    const huge = 'e'.repeat(MB);
    for (const args of [
      ['HISTORY', 'no-such-event'],
      ['HISTORY', huge],
      ['RESET', huge, 'x', 'command'],
      ['HISTOGRAM', huge, 'nosuch|sub'],
    ]) {
      const [b, r] = await Promise.all(s.both().map((t) => call(t, 'LATENCY', ...args)));
      expect(b).toBe(r);
    }
  });
});
