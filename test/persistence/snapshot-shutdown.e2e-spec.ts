import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, serverPool, type RunningServer } from '../support/servers.js';
import { keysImage } from './key-image.js';

/** SHUTDOWN and SIGTERM saving, restart on the saved file, DEBUG RELOAD, redis-cli --rdb (SYNC). */

const { brook, client } = serverPool();
const exited = (s: RunningServer): Promise<number | null> =>
  s.proc.exitCode !== null ? Promise.resolve(s.proc.exitCode) : new Promise((r) => s.proc.once('exit', (code) => r(code)));

describe('saving on the way out, and back', () => {
  it('SHUTDOWN with save points saves; a restart on the same dir has the data', async () => {
    const s = await brook(['--save', '3600 1']);
    const c = client(s);
    await c.call('debug', 'populate', '1000');
    await c.select(7);
    await c.set('seven', '7', 'PX', 600_000);
    const ttl = await c.pexpiretime('seven');
    const exit = exited(s);
    await c.shutdown().catch(() => null);
    expect(await exit).toBe(0);
    const again = await brook(['--dir', s.dir]);
    const c2 = client(again);
    expect(await c2.dbsize()).toBe(1000);
    await c2.select(7);
    expect(await c2.get('seven')).toBe('7');
    expect(await c2.pexpiretime('seven')).toBe(ttl);
  });

  it('SHUTDOWN NOSAVE does not save; SIGTERM with save points does', async () => {
    const s = await brook(['--save', '3600 1']);
    const c = client(s);
    await c.set('k', 'v');
    const exit = exited(s);
    await c.call('shutdown', 'nosave').catch(() => null);
    await exit;
    expect(existsSync(join(s.dir, 'dump.rdb'))).toBe(false);

    const t = await brook(['--save', '3600 1']);
    await client(t).set('k', 'v');
    const exitT = exited(t);
    t.proc.kill('SIGTERM');
    expect(await exitT).toBe(0);
    expect(existsSync(join(t.dir, 'dump.rdb'))).toBe(true);
  });

  it('SHUTDOWN SAVE whose save fails keeps the server running, as Redis; with FORCE it exits', async () => {
    const s = await brook(['--enable-protected-configs', 'yes']);
    const c = client(s);
    const gone = mkdtempSync(join(tmpdir(), 'brook-gone-'));
    await c.config('SET', 'dir', gone);
    rmSync(gone, { recursive: true });
    await expect(c.call('shutdown', 'save')).rejects.toThrow('ERR Errors trying to SHUTDOWN. Check logs.');
    expect(await c.ping()).toBe('PONG');
    const exit = exited(s);
    await c.call('shutdown', 'save', 'force').catch(() => null);
    expect(await exit).toBe(0);
  });

  it('DEBUG RELOAD saves, empties and loads: the same data, in every database', async () => {
    const s = await brook();
    const c = client(s);
    await c.rpush('l', 'a', 'b');
    await c.hset('h', 'f', 'v');
    await c.set('t', 'x', 'PX', 500_000);
    await c.xadd('st', '1-1', 'f', 'v');
    await c.xgroup('CREATE', 'st', 'g', '0');
    await c.xreadgroup('GROUP', 'g', 'c1', 'STREAMS', 'st', '>');
    await c.select(9);
    await c.sadd('s9', 'a');
    await c.select(0);
    const keys = ['l', 'h', 't', 'st'];
    const before = await keysImage(c, keys);
    expect(await c.call('debug', 'reload')).toBe('OK');
    expect(await keysImage(c, keys)).toEqual(before);
    await c.select(9);
    expect(await c.smembers('s9')).toEqual(['a']);
  });
});

describe('redis-cli --rdb', () => {
  it('gets a snapshot through SYNC that redis-check-rdb accepts', async () => {
    requireTool('redis-cli');
    requireTool('redis-check-rdb');
    const s = await brook();
    const c = client(s);
    await c.call('debug', 'populate', '5000');
    await c.xadd('st', '1-1', 'f', 'v');
    const out = join(s.dir, 'out.rdb');
    execFileSync('redis-cli', ['-p', String(s.port), '--rdb', out], { timeout: 30000 });
    expect(execFileSync('redis-check-rdb', [out]).toString()).toContain('5001 keys read');
  });
});
