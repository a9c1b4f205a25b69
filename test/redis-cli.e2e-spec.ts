/**
 * The real redis-cli against Brook: mass insertion with --pipe, binary values from stdin with -x,
 * key iteration with --scan, RESP3 mode with -3, and inline commands on a raw socket. Where the
 * output is deterministic it is compared with what redis-cli prints against a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCommand, RawClient } from './support/raw-client.js';
import { requireTool, startBrookProcess, startRedis, type RunningServer } from './support/servers.js';
import { exchange } from './support/wire.js';

interface CliResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** Runs redis-cli against `port` with `args`; stdin is the given bytes, or the named file (`< file`). */
function cli(port: number, args: string[], stdin?: Buffer | { file: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const bytes = stdin === undefined || Buffer.isBuffer(stdin) ? stdin : undefined;
    const fd = stdin !== undefined && !Buffer.isBuffer(stdin) ? openSync(stdin.file, 'r') : undefined;
    const p = spawn('redis-cli', ['-p', String(port), ...args], { stdio: [fd ?? 'pipe', 'pipe', 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    const out: Buffer[] = [];
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => out.push(d));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr, code }));
    p.stdin?.on('error', () => undefined);
    p.stdin?.end(bytes ?? Buffer.alloc(0));
  });
}

const text = (r: CliResult): string => r.stdout.toString('latin1');

describe('redis-cli against Brook', () => {
  let brook: RunningServer;
  let redis: RunningServer;
  let dir: string;

  beforeAll(async () => {
    requireTool('redis-cli');
    [brook, redis] = await Promise.all([startBrookProcess(), startRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'brook-cli-'));
  });

  afterAll(async () => {
    await Promise.all([brook?.stop(), redis?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--pipe loads 100k SET commands, with zero errors', async () => {
    expect(text(await cli(brook.port, ['FLUSHALL']))).toBe('OK\n');
    const n = 100000;
    const input = Buffer.concat(Array.from({ length: n }, (_, i) => encodeCommand(['SET', `pipe:${i}`, `value:${i}`])));
    const r = await cli(brook.port, ['--pipe'], input);
    expect(r.code).toBe(0);
    expect(text(r)).toContain(`errors: 0, replies: ${n}`);
    expect(text(await cli(brook.port, ['DBSIZE']))).toBe(`${n}\n`);
    const c = await RawClient.connect(brook.port);
    for (const i of [0, 1, 4242, 77777, n - 1]) expect(await c.call('GET', `pipe:${i}`)).toBe(`$${`value:${i}`.length}\r\nvalue:${i}\r\n`);
    c.close();
  });

  it('--pipe takes inline commands too (quoting included)', async () => {
    const lines = Array.from({ length: 10000 }, (_, i) => `SET "inline pipe:${i}" "a b\\x00\\r\\n${i}"\r\n`).join('');
    const r = await cli(brook.port, ['--pipe'], Buffer.from(lines, 'latin1'));
    expect(text(r)).toContain('errors: 0, replies: 10000');
    const c = await RawClient.connect(brook.port);
    expect(await c.call('GET', 'inline pipe:9999')).toBe('$10\r\na b\0\r\n9999\r\n');
    c.close();
  });

  it('-x SET takes a binary value from stdin byte for byte, and --raw GET prints it back', async () => {
    const value = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('\r\n\0\r\n'),
      Buffer.alloc(300000, '\xfe\r\n\0'),
    ]);
    const file = join(dir, 'value.bin');
    writeFileSync(file, value);
    for (const port of [brook.port, redis.port]) {
      expect(text(await cli(port, ['-x', 'SET', 'cli:bin'], { file }))).toBe('OK\n');
      const c = await RawClient.connect(port);
      const reply = Buffer.from(await c.call('GET', 'cli:bin'), 'latin1');
      expect(reply.equals(Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]))).toBe(true);
      expect(await c.call('STRLEN', 'cli:bin')).toBe(`:${value.length}\r\n`);
      c.close();
    }
    const [b, r] = await Promise.all([cli(brook.port, ['--raw', 'GET', 'cli:bin']), cli(redis.port, ['--raw', 'GET', 'cli:bin'])]);
    expect(b.stdout.equals(r.stdout)).toBe(true);
    expect(b.stdout.subarray(0, value.length).equals(value)).toBe(true);
  });

  it('inline commands on a raw socket, as telnet or nc send them', async () => {
    const input =
      'SET cli:inline "hello world"\r\nGET cli:inline\nEXISTS cli:inline cli:none\r\nAPPEND cli:inline \'!\'\r\nGET cli:inline\r\nDEL cli:inline\r\nQUIT\r\n';
    const [b, r] = await Promise.all([exchange(brook.port, input), exchange(redis.port, input)]);
    expect(r).toEqual({ reply: '+OK\r\n$11\r\nhello world\r\n:1\r\n:12\r\n$12\r\nhello world!\r\n:1\r\n+OK\r\n', closed: true });
    expect(b).toEqual(r);
  });

  // Needs SCAN (written by another helper); passes once it is in the command table.
  it('--scan lists exactly the keys matching a pattern', async () => {
    const c = await RawClient.connect(brook.port);
    expect(await c.call('FLUSHALL')).toBe('+OK\r\n');
    const keys = Array.from({ length: 1500 }, (_, i) => `scan:${i}`);
    for (let i = 0; i < keys.length; i += 500)
      expect(await c.call('MSET', ...keys.slice(i, i + 500).flatMap((k) => [k, 'v']))).toBe('+OK\r\n');
    expect(await c.call('MSET', 'other:1', 'v', 'other:2', 'v')).toBe('+OK\r\n');
    c.close();
    // redis-cli walks the cursor with SCAN's default COUNT 10: well over a hundred round trips.
    const r = await cli(brook.port, ['--scan', '--pattern', 'scan:*']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text(r).trim().split('\n').sort()).toEqual([...keys].sort());
    const all = await cli(brook.port, ['--scan']);
    expect(text(all).trim().split('\n')).toHaveLength(1502);
  });

  it('-3 (RESP3) prints the same as against Redis', async () => {
    const commands = [
      ['SET', 'cli:r3', 'v'],
      ['GET', 'cli:r3'],
      ['GET', 'cli:missing'],
      ['INCR', 'cli:n'],
      ['MGET', 'cli:r3', 'cli:missing'],
      ['EXISTS', 'cli:r3', 'cli:missing'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['PING'],
      ['ECHO', 'a\nb'],
      ['GET'],
      ['DEL', 'cli:r3', 'cli:n'],
    ];
    for (const cmd of commands) {
      const [b, r] = await Promise.all([cli(brook.port, ['-3', '--no-raw', ...cmd]), cli(redis.port, ['-3', '--no-raw', ...cmd])]);
      expect({ cmd, out: text(b) }).toEqual({ cmd, out: text(r) });
    }
    // One session reading commands from stdin, like scripts do.
    const script = Buffer.from('SET cli:s 1\nINCRBY cli:s 41\nGET cli:s\nCONFIG GET maxmemory\nDEL cli:s\n');
    const [b, r] = await Promise.all([cli(brook.port, ['-3'], script), cli(redis.port, ['-3'], script)]);
    expect(text(r)).toBe('OK\n42\n42\nmaxmemory 0\n1\n');
    expect(text(b)).toBe(text(r));
    // HELLO 3 answers with a map (server-specific values, so only its shape is compared).
    const hello = text(await cli(brook.port, ['-3', '--no-raw', 'HELLO', '3']));
    expect(hello).toMatch(/^1# "server" => "redis"\n2# "version" => "7\.0\.\d+"\n3# "proto" => \(integer\) 3\n/);
  });
});
