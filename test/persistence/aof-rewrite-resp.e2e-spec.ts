/**
 * `aof-use-rdb-preamble no`: BGREWRITEAOF writes the base as commands (`*.base.aof`), the ones
 * Redis 7.0's rewrite writes for the same data (one key after another, 64 items per command,
 * streams as XADD/XSETID/XGROUP/XCLAIM, PEXPIREAT for TTLs). redis-check-aof accepts it, and Brook
 * and a real redis-server restart from it with the data redis-server restores from its own.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AofReader } from '@brook/persistence';
import { RawClient } from '../support/raw-client.js';
import { tempDirs } from '../support/temp-dirs.js';
import { requireTool, startBrookProcess, startRedis } from '../support/servers.js';
import { datasetOf, fillEveryType } from './aof-support.js';

const MANIFEST = 'appendonlydir/appendonly.aof.manifest';
const BASE = 'appendonlydir/appendonly.aof.2.base.aof';
const RESP_BASE = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];

const tempDir = tempDirs('brook-aofrw-');

/** Every type, plus what only the rewrite's special forms rebuild: an emptied stream with a group, a list of more than 64 items. */
async function fill(c: RawClient): Promise<void> {
  await fillEveryType(c);
  await c.call('XADD', 'emptied', '7-1', 'a', 'b');
  await c.call('XDEL', 'emptied', '7-1');
  await c.call('XGROUP', 'CREATE', 'emptied', 'g', '0');
  await c.call('RPUSH', 'ints', ...Array.from({ length: 130 }, (_, i) => String(i)));
  await c.call('SET', 'expiring', 'v', 'PXAT', '4102444800999');
}

/** Each command of a RESP file reduced to its name, key and argument count (element order inside a batch is the hash table's). */
function shapes(path: string): string[] {
  const reader = new AofReader(readFileSync(path));
  const out: string[] = [];
  for (let argv = reader.next(); argv !== null; argv = reader.next()) {
    const key = argv[0] === 'XGROUP' ? `${argv[1]} ${argv[2]}` : argv[1];
    out.push(`${argv[0]} ${key} ${String(argv.length)}`);
  }
  return out.sort();
}

async function rewritten(c: RawClient): Promise<void> {
  expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
  for (;;) {
    const info = await c.call('INFO', 'persistence');
    if (info.includes('aof_last_bgrewrite_status:err')) throw new Error(`the rewrite failed:\n${info}`);
    if (info.includes('aof_rewrites:1\r\n') && info.includes('aof_rewrite_in_progress:0')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('BGREWRITEAOF with aof-use-rdb-preamble no', () => {
  it('writes the base as the commands redis-server writes; redis-check-aof accepts it; Brook and redis-server restart from it with the same data', async () => {
    requireTool('redis-check-aof');
    const [bdir, rdir] = [tempDir(), tempDir()];
    const [brook, redis] = await Promise.all([startBrookProcess([...RESP_BASE, '--dir', bdir]), startRedis([...RESP_BASE, '--dir', rdir])]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      await Promise.all([fill(b), fill(r)]);
      await Promise.all([rewritten(b), rewritten(r)]);
      b.close();
      r.close();
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
    expect(readFileSync(join(bdir, MANIFEST), 'latin1')).toBe(readFileSync(join(rdir, MANIFEST), 'latin1'));
    expect(readFileSync(join(bdir, BASE), 'latin1').startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n')).toBe(true);
    expect(shapes(join(bdir, BASE))).toEqual(shapes(join(rdir, BASE)));
    const check = spawnSync('redis-check-aof', [join(bdir, MANIFEST)], { encoding: 'latin1' });
    expect(check.stdout).toContain('All AOF files and manifest are valid');
    expect(check.status).toBe(0);

    const copy = tempDir();
    cpSync(join(bdir, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
    const [again, fromBrook, own] = await Promise.all([
      startBrookProcess([...RESP_BASE, '--dir', bdir]),
      startRedis([...RESP_BASE, '--dir', copy]),
      startRedis([...RESP_BASE, '--dir', rdir]),
    ]);
    try {
      const expected = await datasetOf(own, true);
      expect(await datasetOf(again, true)).toEqual(expected);
      expect(await datasetOf(fromBrook, true)).toEqual(expected);
    } finally {
      await Promise.all([again.stop(), fromBrook.stop(), own.stop()]);
    }
  });
});
