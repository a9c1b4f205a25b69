/**
 * Settings Brook accepts but does not honour yet (AOF, eviction...) are accepted and logged as
 * not in effect, and INFO does not pretend otherwise. (RDB snapshots are honoured: see
 * test/persistence/snapshot-*.e2e-spec.ts.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { RawClient } from './support/raw-client.js';
import { BROOK_BIN, freePort, listening, startBrookProcess, type RunningServer } from './support/servers.js';
import { waitUntil } from './support/wait.js';

const NOT_IN_EFFECT = 'is accepted but not in effect yet';

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
    expect(s.output()).not.toContain(`save "60 1" ${NOT_IN_EFFECT}`);
    // maxmemory is honoured (eviction): no warning about it.
    expect(s.output()).not.toContain(`maxmemory 104857600 ${NOT_IN_EFFECT}`);
    const c = await RawClient.connect(s.port);
    try {
      expect(await c.call('CONFIG', 'SET', 'no-appendfsync-on-rewrite', 'yes', 'lazyfree-lazy-eviction', 'yes')).toBe('+OK\r\n');
      expect(await c.call('CONFIG', 'SET', 'hz', '20')).toBe('+OK\r\n');
      await waitUntil(() => s.output().includes(`lazyfree-lazy-eviction yes ${NOT_IN_EFFECT}`), 'the not-in-effect line', 5000);
      expect(s.output()).toContain(`no-appendfsync-on-rewrite yes ${NOT_IN_EFFECT}`);
      // hz is honoured: no warning about it.
      expect(s.output()).not.toContain(`hz 20`);
      const info = await c.call('INFO', 'persistence');
      expect(info).toContain('aof_enabled:0\r\n');
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
      // Not SIGTERM: with save points it saves first, into the dir removed here, and a failed save keeps the server running (as Redis).
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    await waitUntil(() => listening(port), 'the server listening', 15000);
    expect(output).toContain(`aof-timestamp-enabled yes ${NOT_IN_EFFECT}`);
    expect(output).not.toContain(`save "900 1 300 10" ${NOT_IN_EFFECT}`);
  });

  it('the usage text shows no replication example', () => {
    const r = spawnSync(process.execPath, [BROOK_BIN, '--help'], { encoding: 'utf8' });
    expect(r.stdout).toContain('Usage: brook-server');
    expect(r.stdout).not.toContain('replicaof');
  });
});
