/**
 * Loading a big AOF at start-up, in slices as Redis loads it: the server listens at once, answers
 * -LOADING (and INFO loading_* fields) while the base and the incr file load, then PONG with the
 * whole data set in; a torn tail met after the listeners opened is still cut off under
 * aof-load-truncated, and a corrupt command there still stops the server with Redis's message.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BROOK_BIN, freePort, startBrookProcess, type RunningServer } from '../support/servers.js';
import { tempDirs } from '../support/temp-dirs.js';

const AOF = ['--appendonly', 'yes', '--appendfsync', 'no'];
/** Keys put into the RDB base by a rewrite, then commands appended to the incr file. */
const BASE_KEYS = 20_000;
const SETS = 200_000;
const PUSHES = 50_000;
const HSETS = 50_000;

const servers: RunningServer[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
const tempDir = tempDirs('brook-aofload-');

/** A client that sends at once, without ioredis's ready check (which waits for loading:0), never retrying. */
function client(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  clients.push(c);
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function resp(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`;
}

/** 300k commands and a MULTI block in RESP, as an incr file holds them (SELECT first, as Redis starts each file). */
function bigIncr(): Buffer {
  const parts = [resp(['SELECT', '0'])];
  for (let i = 0; i < SETS; i++) parts.push(resp(['SET', `key:${i}`, `value:${i}`]));
  for (let i = 0; i < PUSHES; i++) parts.push(resp(['RPUSH', 'list', String(i)]));
  for (let i = 0; i < HSETS; i++) parts.push(resp(['HSET', 'hash', `f${i}`, `v${i}`]));
  // A transaction replayed while clients get -LOADING: EXEC runs its commands through the same gate.
  parts.push(resp(['MULTI']), resp(['SET', 'tx', '1']), resp(['INCR', 'tx']), resp(['EXEC']));
  return Buffer.from(parts.join(''), 'latin1');
}

describe('AOF loading at start-up', () => {
  it('a big AOF loads in slices: -LOADING and INFO loading_* meanwhile, then PONG with every command applied, and the AOF open for appending', async () => {
    const dir = tempDir();
    // A first server writes the layout (RDB base of BASE_KEYS keys by a rewrite, an empty incr file) in `dir`.
    const first = await startBrookProcess([...AOF, '--dir', dir]);
    const fc = client(first.port);
    for (let i = 0; i < BASE_KEYS; i += 5000) {
      const p = fc.pipeline();
      for (let j = i; j < i + 5000; j++) p.set(`base:${j}`, `b${j}`);
      await p.exec();
    }
    await fc.bgrewriteaof();
    while (!(await fc.info('persistence')).includes('aof_rewrite_in_progress:0\r\n')) await sleep(50);
    await first.stop();
    const incrName = readdirSync(join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
    const incr = join(dir, 'appendonlydir', incrName);
    appendFileSync(incr, bigIncr());
    const whole = statSync(incr).size;
    // A torn last command, met long after the listeners opened: cut off (aof-load-truncated yes, the default).
    appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nval');

    const s = await startBrookProcess([...AOF, '--dir', dir]);
    servers.push(s);
    const c = client(s.port);
    const replies: string[] = [];
    let info = '';
    for (;;) {
      const reply = await c.ping().catch((e: unknown) => (e as Error).message);
      replies.push(reply);
      if (reply === 'PONG') break;
      if (info === '') info = await c.info('persistence');
      await sleep(5);
    }
    expect(replies[0]).toBe('LOADING Redis is loading the dataset in memory');
    expect(replies.slice(0, -1).every((r) => r === replies[0])).toBe(true);
    expect(info).toContain('loading:1\r\n');
    expect(info).toContain('async_loading:0\r\n');
    const total = Number(/loading_total_bytes:(\d+)\r\n/.exec(info)?.[1]);
    const loaded = Number(/loading_loaded_bytes:(\d+)\r\n/.exec(info)?.[1]);
    expect(total).toBeGreaterThan(whole);
    expect(loaded).toBeLessThan(total);
    expect(info).toMatch(/loading_loaded_perc:\d+\.\d\d\r\n/);
    expect(info).toMatch(/loading_eta_seconds:\d+\r\n/);

    expect(await c.info('persistence')).toContain('loading:0\r\n');
    expect(await c.dbsize()).toBe(BASE_KEYS + SETS + 3);
    expect(await c.get('tx')).toBe('2');
    expect(await c.get(`base:${BASE_KEYS - 1}`)).toBe(`b${BASE_KEYS - 1}`);
    expect(await c.get(`key:${SETS - 1}`)).toBe(`value:${SETS - 1}`);
    expect(await c.llen('list')).toBe(PUSHES);
    expect(await c.lindex('list', -1)).toBe(String(PUSHES - 1));
    expect(await c.hlen('hash')).toBe(HSETS);
    expect(await c.exists('torn')).toBe(0);
    expect(statSync(incr).size).toBe(whole);
    // Loading is not client traffic (the stats start at zero), and writes now go to the AOF.
    expect(Number(/total_commands_processed:(\d+)\r\n/.exec(await c.info('stats'))?.[1])).toBeLessThan(100);
    await c.set('after', 'load');
    expect(statSync(incr).size).toBeGreaterThan(whole);
  });

  it('a corrupt command far into a big AOF stops the server with status 1 and Redis message, after it listened', async () => {
    const dir = tempDir();
    const aofDir = join(dir, 'appendonlydir');
    mkdirSync(aofDir);
    writeFileSync(join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    writeFileSync(join(aofDir, 'appendonly.aof.1.incr.aof'), Buffer.concat([bigIncr(), Buffer.from('*2\r\n$3\r\nGET\r\n!oops\r\n')]));
    let status: number | null = 0;
    let output = '';
    try {
      const args = [BROOK_BIN, '--port', String(await freePort()), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...AOF];
      execFileSync(process.execPath, args, { timeout: 40_000, stdio: 'pipe' });
    } catch (e) {
      const err = e as { status: number | null; stdout: Buffer; stderr: Buffer };
      status = err.status;
      output = err.stdout.toString() + err.stderr.toString();
    }
    expect(status).toBe(1);
    // Listening first, then the load meets the bad command and exits, as Redis does.
    expect(output).toContain('ready to accept connections');
    expect(output).toContain('Bad file format reading the append only file appendonly.aof.1.incr.aof');
  });
});
