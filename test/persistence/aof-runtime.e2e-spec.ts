/**
 * Turning the AOF on and off at run time, against real Redis 7.0.15: CONFIG SET appendonly yes
 * starts the rewrite that writes the first base and reports it in INFO as Redis does; writes made
 * meanwhile reach the incr file; the directory it leaves passes redis-check-aof and loads with the
 * same data in Brook and in redis-server. appendonly no stops appending and keeps the files.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { tempDirs } from '../support/temp-dirs.js';
import { requireTool, startBrookProcess, startRedis } from '../support/servers.js';
import { datasetOf, fillEveryType } from './aof-support.js';
import { aofState, MANIFEST, pipeline, rewritten } from './aof-runtime-support.js';

const tempDir = tempDirs('brook-aofrt-');

/** Every type, then `hashes` hashes of 100 fields: a base that takes several slices, and a data set quick to compare. */
async function fillHashes(c: RawClient, hashes: number): Promise<void> {
  await fillEveryType(c);
  for (let i = 0; i < hashes; i++) {
    await c.call('HSET', `h${String(i)}`, ...Array.from({ length: 100 }, (_, j) => [`f${String(j)}`, `v${String(i * j)}`]).flat());
  }
}

function checkAof(dir: string): void {
  const check = spawnSync('redis-check-aof', [join(dir, MANIFEST)], { encoding: 'latin1' });
  expect(check.stdout).toContain('All AOF files and manifest are valid');
  expect(check.status).toBe(0);
}

describe('CONFIG SET appendonly at run time', () => {
  it('yes: a rewrite writes the base while writes continue into the new incr file; Brook and redis-server restart from it with the same data', async () => {
    requireTool('redis-check-aof');
    const dir = tempDir();
    const [brook, redis] = await Promise.all([startBrookProcess(['--dir', dir]), startRedis()]);
    let before: string[];
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      await Promise.all([fillHashes(b, 500), fillHashes(r, 500)]);
      const enable = [
        ['CONFIG', 'SET', 'appendonly', 'yes'],
        ['INFO', 'persistence'],
      ];
      const [bs, rs] = await Promise.all([pipeline(b, ...enable), pipeline(r, ...enable)]);
      // Right after the switch both report the AOF on and its first rewrite running.
      expect(bs[0]).toBe('+OK\r\n');
      expect(aofState(bs[1])).toEqual(aofState(rs[1]));
      expect(aofState(bs[1])).toEqual(['aof_enabled:1', 'aof_rewrite_in_progress:1', 'aof_rewrite_scheduled:0', 'aof_pending_rewrite:0']);
      // The manifest appears only once the base is complete.
      expect(readdirSync(join(dir, 'appendonlydir'))).not.toContain('appendonly.aof.manifest');
      for (let i = 0; i < 300; i++) {
        await b.call('HSET', `h${String(i * 7)}`, 'f1', `changed${String(i)}`);
        await b.call('RPUSH', 'list', `during${String(i)}`);
        await b.call('DEL', `h${String(i * 5 + 1)}`);
        await b.call('HSET', 'hash', `during${String(i % 7)}`, String(i));
      }
      const [bi, ri] = await Promise.all([rewritten(b, 1), rewritten(r, 1)]);
      expect(aofState(bi)).toEqual(aofState(ri));
      expect(bi).toContain('aof_last_bgrewrite_status:ok\r\n');
      expect(bi).toContain('aof_rewrites_consecutive_failures:0\r\n');
      expect(bi).toContain('aof_delayed_fsync:0\r\n');
      // Every aof_* field redis-server prints with the AOF on, in its order.
      const names = (info: string): string[] => info.split('\r\n').flatMap((l) => (l.startsWith('aof_') ? [l.split(':')[0]] : []));
      expect(names(bi)).toEqual(names(ri));
      // The layout redis-server leaves after the same switch.
      expect(readFileSync(join(dir, MANIFEST), 'latin1')).toBe(readFileSync(join(redis.dir, MANIFEST), 'latin1'));
      expect(readdirSync(join(dir, 'appendonlydir')).sort()).toEqual(readdirSync(join(redis.dir, 'appendonlydir')).sort());
      // The writes made during the rewrite reach the incr file (under everysec a write may wait up
      // to 2 s for a background fsync, its reply not, as in Redis).
      const incr = join(dir, 'appendonlydir/appendonly.aof.1.incr.aof');
      for (let i = 0; i < 100 && !readFileSync(incr, 'latin1').includes('during299'); i++) await new Promise((w) => setTimeout(w, 50));
      expect(readFileSync(incr, 'latin1')).toContain('during299');
      checkAof(dir);
      b.close();
      r.close();
      before = await datasetOf(brook, true);
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
    const copy = tempDir();
    cpSync(join(dir, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
    const [again, real] = await Promise.all([
      startBrookProcess(['--appendonly', 'yes', '--dir', dir]),
      startRedis(['--appendonly', 'yes', '--dir', copy]),
    ]);
    try {
      expect(await datasetOf(again, true)).toEqual(before);
      expect(await datasetOf(real, true)).toEqual(before);
    } finally {
      await Promise.all([again.stop(), real.stop()]);
    }
  });

  it('no: stops appending and keeps the files; yes again writes a new base and the old files go, as in redis-server', async () => {
    const dir = tempDir();
    const [brook, redis] = await Promise.all([startBrookProcess(['--dir', dir]), startRedis()]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      for (const c of [b, r]) {
        await c.call('SET', 'a', '1');
        expect(await c.call('CONFIG', 'SET', 'appendonly', 'yes')).toBe('+OK\r\n');
        await rewritten(c, 1);
        await c.call('SET', 'b', '2');
      }
      const incr = join(dir, 'appendonlydir/appendonly.aof.1.incr.aof');
      const size = statSync(incr).size;
      expect(size).toBeGreaterThan(0);
      for (const c of [b, r]) {
        expect(await c.call('CONFIG', 'SET', 'appendonly', 'no')).toBe('+OK\r\n');
        await c.call('SET', 'c', '3');
      }
      const [bi, ri] = await Promise.all([b.call('INFO', 'persistence'), r.call('INFO', 'persistence')]);
      expect(aofState(bi)).toEqual(aofState(ri));
      expect(aofState(bi)).toEqual(['aof_enabled:0', 'aof_rewrite_in_progress:0', 'aof_rewrite_scheduled:0']);
      expect(statSync(incr).size).toBe(size);
      expect(readdirSync(join(dir, 'appendonlydir')).sort()).toEqual(readdirSync(join(redis.dir, 'appendonlydir')).sort());
      for (const c of [b, r]) {
        expect(await c.call('CONFIG', 'SET', 'appendonly', 'yes')).toBe('+OK\r\n');
        await rewritten(c, 2);
      }
      expect(readFileSync(join(dir, MANIFEST), 'latin1')).toBe(
        'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
      );
      expect(readFileSync(join(dir, MANIFEST), 'latin1')).toBe(readFileSync(join(redis.dir, MANIFEST), 'latin1'));
      expect(readdirSync(join(dir, 'appendonlydir')).sort()).toEqual(readdirSync(join(redis.dir, 'appendonlydir')).sort());
      b.close();
      r.close();
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
  });
});
