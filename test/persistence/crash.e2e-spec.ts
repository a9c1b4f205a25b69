/**
 * Crash safety: brook-server (the child process that holds the data) is SIGKILLed at random
 * moments while 10 clients write, restarted on the same AOF each time, and every write a client
 * saw acknowledged must be there with its exact value. With appendfsync always that is the
 * contract (a reply means durable); with everysec Redis promises at most about a second of loss,
 * and the files must always load.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { rng } from '../support/rng.js';
import { startBrookProcess, waitLoaded, type RunningServer } from '../support/servers.js';
import { tempDirs } from '../support/temp-dirs.js';

const CLIENTS = 10;

interface Acked {
  key: string;
  value: string;
  at: number;
}

const tempDir = tempDirs('brook-crash-');

async function start(dir: string, fsync: string): Promise<{ server: RunningServer; pid: number }> {
  const pidfile = join(dir, 'brook.pid');
  rmSync(pidfile, { force: true });
  const server = await startBrookProcess(['--appendonly', 'yes', '--appendfsync', fsync, '--dir', dir, '--pidfile', pidfile]);
  // The server writes its pid file right after it starts listening.
  while (!existsSync(pidfile)) await new Promise((r) => setTimeout(r, 10));
  // The AOF loads in slices after the port opens (-LOADING meanwhile): the checks start once it is in.
  await waitLoaded(server.port);
  return { server, pid: Number(readFileSync(pidfile, 'latin1').trim()) };
}

/** One client writing SETs of its own keys until the connection dies; what was acknowledged is recorded. */
async function writer(port: number, id: number, round: number, acked: Acked[]): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    for (let n = 0; ; n++) {
      const key = `r${String(round)}:c${String(id)}:${String(n)}`;
      const value = `${key}:${'v'.repeat(n % 50)}`;
      if ((await c.call('SET', key, value)) !== '+OK\r\n') throw new Error(`SET ${key} was refused`);
      acked.push({ key, value, at: Date.now() });
    }
  } catch {
    // The server was killed: the write in flight was not acknowledged.
  } finally {
    c.close();
  }
}

/** Checks every acknowledged write against the restarted server; returns those missing. */
async function missing(port: number, acked: Acked[]): Promise<Acked[]> {
  const c = await RawClient.connect(port);
  const lost: Acked[] = [];
  try {
    for (let i = 0; i < acked.length; i += 500) {
      const batch = acked.slice(i, i + 500);
      for (const a of batch) c.write(`*2\r\n$3\r\nGET\r\n$${String(a.key.length)}\r\n${a.key}\r\n`);
      for (const a of batch) {
        const reply = (await c.read()).toString('latin1');
        if (reply === '$-1\r\n') lost.push(a);
        // A value that is there must be exactly what was written: nothing corrupt or torn.
        else expect(reply).toBe(`$${String(a.value.length)}\r\n${a.value}\r\n`);
      }
    }
  } finally {
    c.close();
  }
  return lost;
}

/** Runs `rounds` kill/restart rounds; returns acknowledged writes, lost ones and the widest loss window (ms). */
async function crashRounds(fsync: string, rounds: number, seed: number): Promise<{ acked: number; lost: number; lossMs: number }> {
  const dir = tempDir();
  const random = rng(seed);
  const all: Acked[] = [];
  let lost = 0;
  let lossMs = 0;
  let { server, pid } = await start(dir, fsync);
  for (let round = 0; round < rounds; round++) {
    const acked: Acked[] = [];
    const writers = Array.from({ length: CLIENTS }, (_, id) => writer(server.port, id, round, acked));
    await new Promise((r) => setTimeout(r, 50 + random() * 250));
    process.kill(pid, 'SIGKILL');
    await Promise.all(writers);
    await server.stop();
    ({ server, pid } = await start(dir, fsync));
    all.push(...acked);
    const gone = await missing(server.port, acked);
    lost += gone.length;
    if (gone.length) lossMs = Math.max(lossMs, acked[acked.length - 1].at - Math.min(...gone.map((g) => g.at)));
  }
  // Everything acknowledged in earlier rounds survived the later crashes too.
  const finallyGone = await missing(server.port, all);
  await server.stop();
  return { acked: all.length, lost: Math.max(lost, finallyGone.length), lossMs };
}

describe('crash safety (SIGKILL mid-write, restart from the AOF)', () => {
  it('appendfsync always: 20 kills, every acknowledged write survives with its exact value', async () => {
    const r = await crashRounds('always', 20, 12);
    console.log(`appendfsync always: ${String(r.acked)} writes acknowledged over 20 SIGKILLs, ${String(r.lost)} lost`);
    expect(r.acked).toBeGreaterThan(20 * CLIENTS);
    expect(r.lost).toBe(0);
  });

  it('appendfsync everysec: the files always load, and at most about a second of writes is lost', async () => {
    const r = await crashRounds('everysec', 5, 34);
    console.log(
      `appendfsync everysec: ${String(r.acked)} writes acknowledged over 5 SIGKILLs, ${String(r.lost)} lost, loss window ${String(r.lossMs)} ms`,
    );
    expect(r.acked).toBeGreaterThan(5 * CLIENTS);
    expect(r.lossMs).toBeLessThanOrEqual(1500);
  });
});
