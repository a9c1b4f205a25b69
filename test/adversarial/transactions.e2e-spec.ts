/**
 * Hostile transactions side by side with Redis: a MULTI queueing a million commands (Redis bounds
 * it by nothing but memory: multi-mem counts only towards maxmemory-clients, off by default), the
 * same after a queueing error (kept nowhere), an EXEC of 100k commands (atomic, so it holds other
 * clients up in Redis too: Brook's stall is compared with Redis's), and WATCH of many keys or by
 * many clients.
 */
import { describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { adversarialSuite, call, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';

const suite = adversarialSuite();

/**
 * Pipelines `n` commands made by `make(i)` on `socket` in chunks, waiting for each chunk's replies
 * (counted in bytes: each reply is `replyBytes` long), so neither side buffers more than a chunk.
 */
async function pipeline(socket: Socket, n: number, make: (i: number) => string[], replyBytes: number): Promise<void> {
  const CHUNK = 50_000;
  let received = 0;
  let wanted = 0;
  let wake: (() => void) | null = null;
  const onData = (d: Buffer): void => {
    received += d.length;
    if (received >= wanted && wake) wake();
  };
  socket.on('data', onData);
  try {
    for (let from = 0; from < n; from += CHUNK) {
      const parts: Buffer[] = [];
      const to = Math.min(n, from + CHUNK);
      for (let i = from; i < to; i++) parts.push(encodeCommand(make(i)));
      wanted += (to - from) * replyBytes;
      const arrived = new Promise<void>((r) => (wake = r));
      socket.write(Buffer.concat(parts));
      if (received < wanted) await arrived;
      wake = null;
    }
  } finally {
    socket.off('data', onData);
  }
}

function connectSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    s.once('error', reject);
    s.connect(port, '127.0.0.1', () => resolve(s));
  });
}

async function multiFields(t: Target, name: string): Promise<string> {
  const list = await call(t, 'CLIENT', 'LIST');
  const line = list.split('\n').find((l) => l.includes(` name=${name} `))!;
  return / (multi=-?\d+) .* (multi-mem=\d+) /.exec(line)!.slice(1).join(' ');
}

describe('a MULTI queueing a million commands', () => {
  const N = 1_000_000;

  it('after a queueing error keeps nothing: multi= stays 0 and memory flat, then EXECABORT', async () => {
    const runs = await Promise.all(
      suite.both().map((t) =>
        underAttack(t, async () => {
          const s = await connectSocket(t.port);
          try {
            await pipeline(s, 1, () => ['CLIENT', 'SETNAME', 'aborted'], '+OK\r\n'.length);
            await pipeline(s, 1, () => ['MULTI'], '+OK\r\n'.length);
            await pipeline(s, 1, () => ['NOSUCH'], "-ERR unknown command 'NOSUCH', with args beginning with: \r\n".length);
            await pipeline(s, N, (i) => ['SET', `key:${i}`, 'value'], '+QUEUED\r\n'.length);
            const fields = await multiFields(t, 'aborted');
            await pipeline(s, 1, () => ['EXEC'], '-EXECABORT Transaction discarded because of previous errors.\r\n'.length);
            return fields;
          } finally {
            s.destroy();
          }
        }),
      ),
    );
    process.stdout.write(
      `MULTI x 1M after an error: brook +${((runs[0].peakRss - runs[0].startRss) / MB).toFixed(0)} MB, redis +${((runs[1].peakRss - runs[1].startRss) / MB).toFixed(0)} MB\n`,
    );
    expect(runs[0].result).toBe('multi=0 multi-mem=0');
    expect(runs[1].result).toBe('multi=0 multi-mem=0');
    // Nothing is kept; what the parser and the replies churn through is garbage V8 collects when it likes.
    expect(runs[0].peakRss - runs[0].startRss).toBeLessThan((runs[1].peakRss - runs[1].startRss) / 2 + 64 * MB);
    for (const t of suite.both()) expect(await call(t, 'DBSIZE')).toBe(':0\r\n');
  });

  it('is kept whole as in Redis (same multi= and multi-mem), costs memory of the same order, and is freed by DISCARD', async () => {
    const runs = await Promise.all(
      suite.both().map((t) =>
        underAttack(t, async () => {
          const s = await connectSocket(t.port);
          try {
            await pipeline(s, 1, () => ['CLIENT', 'SETNAME', 'queuer'], '+OK\r\n'.length);
            await pipeline(s, 1, () => ['MULTI'], '+OK\r\n'.length);
            await pipeline(s, N, (i) => ['SET', `key:${i}`, 'value'], '+QUEUED\r\n'.length);
            const fields = await multiFields(t, 'queuer');
            await pipeline(s, 1, () => ['DISCARD'], '+OK\r\n'.length);
            return fields;
          } finally {
            s.destroy();
          }
        }),
      ),
    );
    const [b, r] = runs;
    expect(b.result).toBe(r.result);
    expect(b.result).toMatch(/^multi=1000000 multi-mem=\d+$/);
    const growth = (x: { peakRss: number; startRss: number }) => x.peakRss - x.startRss;
    process.stdout.write(
      `MULTI x 1M: brook +${(growth(b) / MB).toFixed(0)} MB (max ping ${b.maxPingMs.toFixed(0)} ms), ` +
        `redis +${(growth(r) / MB).toFixed(0)} MB (max ping ${r.maxPingMs.toFixed(0)} ms)\n`,
    );
    // Same order as Redis's robj-per-argument queue. Redis stalls too (freeing the queue at DISCARD).
    expect(growth(b)).toBeLessThan(3 * growth(r) + 64 * MB);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 3 * r.maxPingMs));
    for (const t of suite.both()) expect(await call(t, 'DBSIZE')).toBe(':0\r\n');
  });
});

describe('an EXEC of 100k commands', () => {
  it('runs atomically; the stall other clients see is of the order of Redis’s own', async () => {
    const N = 100_000;
    const runs = await Promise.all(
      suite.both().map((t) =>
        underAttack(t, async () => {
          await call(t, 'DEL', 'counter');
          const s = await connectSocket(t.port);
          try {
            await pipeline(s, 1, () => ['MULTI'], '+OK\r\n'.length);
            await pipeline(s, N, () => ['INCR', 'counter'], '+QUEUED\r\n'.length);
            let reply = 0;
            const header = `*${N}\r\n`;
            // The EXEC reply: the array header, then :1 ... :N.
            for (let i = 1; i <= N; i++) reply += `:${i}\r\n`.length;
            await pipeline(s, 1, () => ['EXEC'], header.length + reply);
          } finally {
            s.destroy();
          }
          return call(t, 'GET', 'counter');
        }),
      ),
    );
    const [b, r] = runs;
    expect(b.result).toBe('$6\r\n100000\r\n');
    expect(r.result).toBe(b.result);
    process.stdout.write(`EXEC x 100k: max ping brook ${b.maxPingMs.toFixed(0)} ms, redis ${r.maxPingMs.toFixed(0)} ms\n`);
    expect(b.maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, 10 * r.maxPingMs));
  });
});

describe('WATCH at scale', () => {
  it('one client watching 10k keys: WATCH, a write to one of them, and UNWATCH stay cheap (Redis scans its list per key)', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `w:${i}`);
    const runs = await Promise.all(
      suite.both().map((t) =>
        underAttack(t, async () => {
          const [c, other] = [await RawClient.connect(t.port), await RawClient.connect(t.port)];
          try {
            // Redis's WATCH is quadratic in the keys of one call (seconds here): wait for it.
            const watchAll = async () => {
              c.write(encodeCommand(['WATCH', ...keys]));
              return (await c.read(60_000)).toString('latin1');
            };
            const seen = [await watchAll(), await other.call('SET', 'w:9999', 'x'), await c.call('MULTI'), await c.call('EXEC')];
            seen.push(await watchAll(), await c.call('UNWATCH'), await other.call('SET', 'w:0', 'x'));
            seen.push(await c.call('MULTI'), await c.call('EXEC'));
            return seen;
          } finally {
            c.close();
            other.close();
          }
        }),
      ),
    );
    expect(runs[0].result).toEqual(runs[1].result);
    expect(runs[0].result).toEqual(['+OK\r\n', '+OK\r\n', '+OK\r\n', '*-1\r\n', '+OK\r\n', '+OK\r\n', '+OK\r\n', '+OK\r\n', '*0\r\n']);
    process.stdout.write(`WATCH 10k keys: max ping brook ${runs[0].maxPingMs.toFixed(0)} ms, redis ${runs[1].maxPingMs.toFixed(0)} ms\n`);
    expect(runs[0].maxPingMs).toBeLessThan(Math.max(MAX_PING_MS, runs[1].maxPingMs));
  });

  it('1000 clients watching one key all fail on one write, and nothing is left watched', async () => {
    for (const t of suite.both()) {
      const clients = await Promise.all(Array.from({ length: 1000 }, () => RawClient.connect(t.port)));
      try {
        await Promise.all(clients.map((c) => c.call('WATCH', 'hot')));
        await call(t, 'SET', 'hot', '1');
        const replies = await Promise.all(clients.map(async (c) => [await c.call('MULTI'), await c.call('EXEC')].join('')));
        expect(new Set(replies)).toEqual(new Set(['+OK\r\n*-1\r\n']));
        // Watches end with EXEC: a later write fails nobody.
        await Promise.all(clients.map((c) => c.call('MULTI')));
        await call(t, 'SET', 'hot', '2');
        const again = await Promise.all(clients.map((c) => c.call('EXEC')));
        expect(new Set(again)).toEqual(new Set(['*0\r\n']));
      } finally {
        for (const c of clients) c.close();
      }
    }
  });
});
