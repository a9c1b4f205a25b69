/**
 * Starting with `appendonly yes` in a directory that holds only Redis ≤ 6's single-file
 * `appendonly.aof` (commands, or an RDB preamble followed by commands): Brook upgrades it to the
 * multi-part layout as redis-server 7.0.15 does (the file becomes the base inside appenddirname,
 * the manifest is written, a first incr file opened) and loads it, with the data redis-server
 * loads from the same file. The single files are made from real redis-server output: a base and
 * its incr file concatenated.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { tempDirs } from '../support/temp-dirs.js';
import { requireTool, startBrookProcess, startRedis } from '../support/servers.js';
import { datasetOf, fillEveryType } from './aof-support.js';

const tempDir = tempDirs('brook-aofup-');

/**
 * A single-file AOF from real redis-server: every type in the base (RDB or commands, by
 * `preamble`), a few more writes in the incr file; returns the file's bytes and the data set.
 */
async function singleFileAof(preamble: boolean): Promise<{ file: Buffer; data: string[] }> {
  const dir = tempDir();
  const redis = await startRedis(['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble ? 'yes' : 'no', '--dir', dir]);
  try {
    const c = await RawClient.connect(redis.port);
    await fillEveryType(c);
    expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    // Redis counts a rewrite when it starts: it is done once none is in progress.
    const done = (info: string): boolean => info.includes('aof_rewrites:1\r\n') && info.includes('aof_rewrite_in_progress:0');
    while (!done(await c.call('INFO', 'persistence'))) await new Promise((r) => setTimeout(r, 50));
    await c.call('SET', 'after', 'base');
    await c.call('RPUSH', 'list', 'tail');
    await c.call('SELECT', '5');
    await c.call('HSET', 'in5', 'f', 'v');
    c.close();
    const data = await datasetOf(redis, true);
    const aof = join(dir, 'appendonlydir');
    const base = `appendonly.aof.2.base.${preamble ? 'rdb' : 'aof'}`;
    const file = Buffer.concat([readFileSync(join(aof, base)), readFileSync(join(aof, 'appendonly.aof.2.incr.aof'))]);
    expect(file.latin1Slice(0, 5) === 'REDIS').toBe(preamble);
    return { file, data };
  } finally {
    await redis.stop();
  }
}

describe('an old single-file AOF at start-up', () => {
  for (const preamble of [false, true]) {
    it(`${preamble ? 'RDB preamble + commands' : 'commands only'}: upgraded to the multi-part layout and loaded, as redis-server does`, async () => {
      requireTool('redis-check-aof');
      const { file, data } = await singleFileAof(preamble);
      const [bdir, rdir] = [tempDir(), tempDir()];
      for (const d of [bdir, rdir]) writeFileSync(join(d, 'appendonly.aof'), file);
      const [brook, redis] = await Promise.all([
        startBrookProcess(['--appendonly', 'yes', '--dir', bdir]),
        startRedis(['--appendonly', 'yes', '--dir', rdir]),
      ]);
      try {
        expect(await datasetOf(brook, true)).toEqual(data);
        expect(await datasetOf(redis, true)).toEqual(data);
      } finally {
        await Promise.all([brook.stop(), redis.stop()]);
      }
      // The same layout as redis-server's: the old file moved in as the base, a first incr file.
      expect(existsSync(join(bdir, 'appendonly.aof'))).toBe(false);
      expect(readdirSync(join(bdir, 'appendonlydir')).sort()).toEqual(readdirSync(join(rdir, 'appendonlydir')).sort());
      const manifest = readFileSync(join(bdir, 'appendonlydir/appendonly.aof.manifest'), 'latin1');
      expect(manifest).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      expect(manifest).toBe(readFileSync(join(rdir, 'appendonlydir/appendonly.aof.manifest'), 'latin1'));
      const check = spawnSync('redis-check-aof', [join(bdir, 'appendonlydir/appendonly.aof.manifest')], { encoding: 'latin1' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
      // And the upgraded directory starts again, the same data.
      const again = await startBrookProcess(['--appendonly', 'yes', '--dir', bdir]);
      try {
        expect(await datasetOf(again, true)).toEqual(data);
      } finally {
        await again.stop();
      }
    });
  }
});
