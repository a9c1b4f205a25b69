/**
 * Settings Brook accepts but does not honour yet (persistence, eviction...) are accepted and
 * logged as not in effect, INFO does not pretend otherwise, and SHUTDOWN SAVE refuses to exit
 * as if it had saved.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { RawClient } from './support/raw-client.js';
import { BROOK_BIN, freePort, listening, startBrookProcess, type RunningServer } from './support/servers.js';

const NOT_IN_EFFECT = 'is accepted but not in effect yet';

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('accepted but not honoured settings', () => {
  const stops: (() => unknown)[] = [];
  afterAll(() => Promise.all(stops.map((f) => f())));

  async function start(extra: string[]): Promise<RunningServer> {
    const s = await startBrookProcess(extra);
    stops.push(() => s.stop());
    return s;
  }

  it('logs the command-line ones at start and the CONFIG SET ones, and INFO says what is in effect', async () => {
    const s = await start(['--aof-timestamp-enabled', 'yes', '--save', '60 1', '--maxmemory', '100mb']);
    expect(s.output()).toContain(`aof-timestamp-enabled yes ${NOT_IN_EFFECT}: Brook writes no #TS annotations`);
    expect(s.output()).toContain(`save "60 1" ${NOT_IN_EFFECT}: Brook has no RDB snapshots`);
    expect(s.output()).toContain(`maxmemory 104857600 ${NOT_IN_EFFECT}: Brook enforces no memory limit`);
    const c = await RawClient.connect(s.port);
    try {
      expect(await c.call('CONFIG', 'SET', 'no-appendfsync-on-rewrite', 'yes', 'maxmemory-samples', '10')).toBe('+OK\r\n');
      expect(await c.call('CONFIG', 'SET', 'hz', '20')).toBe('+OK\r\n');
      expect(await until(() => s.output().includes(`maxmemory-samples 10 ${NOT_IN_EFFECT}`))).toBe(true);
      expect(s.output()).toContain(`no-appendfsync-on-rewrite yes ${NOT_IN_EFFECT}`);
      // hz is honoured: no warning about it.
      expect(s.output()).not.toContain(`hz 20`);
      const info = await c.call('INFO', 'persistence');
      expect(info).toContain('aof_enabled:0\r\n');
      expect(info).not.toContain('rdb_last_save_time');
      expect(await c.call('CONFIG', 'GET', 'aof-timestamp-enabled')).toBe('*2\r\n$21\r\naof-timestamp-enabled\r\n$3\r\nyes\r\n');
    } finally {
      c.close();
    }
  });

  it('logs the ones read from a config file', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'brook-'));
    const conf = join(dir, 'redis.conf');
    writeFileSync(conf, `port ${port}\ndir ${dir}\naof-timestamp-enabled yes\nsave 900 1\nsave 300 10\nloglevel warning\n`);
    let output = '';
    const proc = spawn(process.execPath, [BROOK_BIN, conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    stops.push(() => {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });
    expect(await until(() => listening(port), 15000)).toBe(true);
    expect(output).toContain(`aof-timestamp-enabled yes ${NOT_IN_EFFECT}`);
    expect(output).toContain(`save "900 1 300 10" ${NOT_IN_EFFECT}`);
  });

  it('SHUTDOWN SAVE fails like a failed save and leaves the server running; with FORCE it exits', async () => {
    const s = await start([]);
    const c = await RawClient.connect(s.port);
    expect(await c.call('SHUTDOWN', 'SAVE')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    expect(await until(() => s.output().includes('SHUTDOWN SAVE refused: Brook has no RDB snapshots'))).toBe(true);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.write('*3\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n$5\r\nFORCE\r\n');
    expect(await c.waitClosed()).toBe('');
    expect(await until(() => s.proc.exitCode !== null)).toBe(true);
    expect(s.proc.exitCode).toBe(0);
    expect(s.output()).toContain('SHUTDOWN SAVE FORCE: nothing was saved');
  });

  it('plain SHUTDOWN with save points configured exits and says nothing was saved; NOSAVE just exits', async () => {
    const withSave = await start(['--save', '60 1']);
    const c = await RawClient.connect(withSave.port);
    c.write('*1\r\n$8\r\nSHUTDOWN\r\n');
    await c.waitClosed();
    expect(await until(() => withSave.proc.exitCode !== null)).toBe(true);
    expect(withSave.output()).toContain('SHUTDOWN with save points configured: nothing was saved');

    const noSave = await start([]);
    const d = await RawClient.connect(noSave.port);
    d.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    await d.waitClosed();
    expect(await until(() => noSave.proc.exitCode !== null)).toBe(true);
    expect(noSave.proc.exitCode).toBe(0);
    expect(noSave.output()).not.toContain('nothing was saved');
  });

  it('SIGTERM stops like SHUTDOWN: with save points it says nothing was saved; shutdown-on-sigterm save refuses, as a failed save', async () => {
    const withSave = await start(['--save', '60 1']);
    const launcher = withSave.proc;
    launcher.kill('SIGTERM');
    expect(await until(() => launcher.exitCode !== null)).toBe(true);
    expect(launcher.exitCode).toBe(0);
    expect(withSave.output()).toContain('SIGTERM with save points configured: nothing was saved');

    const mustSave = await start(['--shutdown-on-sigterm', 'save']);
    mustSave.proc.kill('SIGTERM');
    expect(await until(() => mustSave.output().includes('SIGTERM received but the shutdown failed: still running'))).toBe(true);
    const c = await RawClient.connect(mustSave.port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    await c.waitClosed();
  });

  it('the usage text shows no replication example', () => {
    const r = spawnSync(process.execPath, [BROOK_BIN, '--help'], { encoding: 'utf8' });
    expect(r.stdout).toContain('Usage: brook-server');
    expect(r.stdout).not.toContain('replicaof');
  });
});
