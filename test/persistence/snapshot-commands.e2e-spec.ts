import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, serverPool } from '../support/servers.js';
import { waitUntil } from '../support/wait.js';
import { bgsaveFinished } from './key-image.js';

/** SAVE, BGSAVE, LASTSAVE, save points, MISCONF, FLUSHALL with save points. */

const { brook, redis, client } = serverPool();

describe('SAVE, BGSAVE, LASTSAVE', () => {
  it('reply as Redis 7.0, and count saves and changes in INFO persistence', async () => {
    requireTool('redis-check-rdb');
    const s = await brook();
    const c = client(s);
    await c.call('debug', 'populate', '200000');
    const before = await c.lastsave();
    expect(await c.info('persistence')).toMatch(/rdb_changes_since_last_save:200000\r\n/);
    await expect(c.call('bgsave', 'now')).rejects.toThrow('ERR syntax error');
    const replies = await c.pipeline().bgsave().bgsave().call('bgsave', 'schedule').save().exec();
    expect(replies).toEqual([
      [null, 'Background saving started'],
      [expect.objectContaining({ message: 'ERR Background save already in progress' }), undefined],
      [expect.objectContaining({ message: 'ERR Background save already in progress' }), undefined],
      [expect.objectContaining({ message: 'ERR Background save already in progress' }), undefined],
    ]);
    const info = await bgsaveFinished(c);
    expect(info).toMatch(/rdb_last_bgsave_status:ok\r\n/);
    expect(info).toMatch(/rdb_saves:1\r\n/);
    expect(info).toMatch(/rdb_changes_since_last_save:0\r\n/);
    expect(await c.lastsave()).toBeGreaterThanOrEqual(before);
    // Inside MULTI a BGSAVE is scheduled, then started by the cron.
    expect(await c.multi().bgsave().exec()).toEqual([[null, 'Background saving scheduled']]);
    await waitUntil(async () => (await c.info('persistence')).includes('rdb_saves:2'), 'the scheduled BGSAVE', 15000);
    await bgsaveFinished(c);
    await c.set('after', '1');
    expect(await c.save()).toBe('OK');
    expect(await c.info('persistence')).toMatch(/rdb_saves:3\r\n/);
    expect(execFileSync('redis-check-rdb', [join(s.dir, 'dump.rdb')]).toString()).toContain('200001 keys read');
  });

  it('save points start a BGSAVE once enough changes are old enough', async () => {
    const s = await brook(['--save', '1 3']);
    const c = client(s);
    await c.set('a', '1');
    await c.set('b', '2');
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(join(s.dir, 'dump.rdb'))).toBe(false); // 2 changes: below the point
    await c.set('c', '3');
    await waitUntil(
      async () => existsSync(join(s.dir, 'dump.rdb')) && (await c.info('persistence')).includes('rdb_changes_since_last_save:0'),
      'the save point',
      15000,
    );
  });

  it('a failed BGSAVE refuses writes and PING with MISCONF, as Redis, until a save succeeds', async () => {
    const args = ['--save', '3600 1', '--enable-protected-configs', 'yes'];
    const [b, r] = await Promise.all([brook(args), redis(args)]);
    const replies: string[][] = [];
    for (const s of [b, r]) {
      const c = client(s);
      const gone = mkdtempSync(join(tmpdir(), 'brook-gone-'));
      await c.config('SET', 'dir', gone);
      rmSync(gone, { recursive: true });
      await c.set('k', 'v');
      await c.bgsave().catch(() => null);
      await waitUntil(async () => (await c.info('persistence')).includes('rdb_last_bgsave_status:err'), 'the failed BGSAVE', 15000);
      const out: string[] = [];
      for (const cmd of [['set', 'k', 'v2'], ['ping'], ['get', 'k'], ['config', 'set', 'dir', s.dir], ['save'], ['set', 'k', 'v3']])
        out.push(await c.call(cmd[0], ...cmd.slice(1)).then(String, (e: unknown) => (e as Error).message));
      replies.push(out);
    }
    expect(replies[0][0]).toMatch(/^MISCONF Redis is configured to save RDB snapshots/);
    expect(replies[0]).toEqual(replies[1]);
  });

  it('FLUSHALL with save points writes the empty data set at once', async () => {
    const s = await brook(['--save', '3600 1']);
    const c = client(s);
    await c.set('k', 'v');
    await c.save();
    const full = statSync(join(s.dir, 'dump.rdb')).size;
    await c.flushall();
    expect(statSync(join(s.dir, 'dump.rdb')).size).toBeLessThan(full);
    expect(execFileSync('redis-check-rdb', [join(s.dir, 'dump.rdb')]).toString()).toContain('0 keys read');
  });
});
