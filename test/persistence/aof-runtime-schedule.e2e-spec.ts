/**
 * CONFIG SET appendonly yes beside other work, against real Redis 7.0.15: behind a running BGSAVE
 * the rewrite is scheduled and runs once the save is done; SHUTDOWN is refused while the rewrite
 * that turns the AOF on runs (the AOF would have no base); inside MULTI it starts after EXEC.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { startBrookProcess, startRedis } from '../support/servers.js';
import { aofState, fillKeys, MANIFEST, pipeline, rewritten } from './aof-runtime-support.js';

describe('CONFIG SET appendonly yes beside a BGSAVE or a SHUTDOWN', () => {
  it('during a BGSAVE the rewrite is scheduled and runs once the save is done, as in redis-server', async () => {
    const [brook, redis] = await Promise.all([startBrookProcess(), startRedis(['--rdb-key-save-delay', '100'])]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      // Enough keys that Brook's BGSAVE takes many turns; redis-server's child waits 100 µs a key.
      await Promise.all([fillKeys(b, 100000), fillKeys(r, 5000)]);
      const steps = [['BGSAVE'], ['CONFIG', 'SET', 'appendonly', 'yes'], ['INFO', 'persistence']];
      const [bs, rs] = await Promise.all([pipeline(b, ...steps), pipeline(r, ...steps)]);
      expect(bs.slice(0, 2)).toEqual(['+Background saving started\r\n', '+OK\r\n']);
      expect(aofState(bs[2])).toEqual(aofState(rs[2]));
      expect(aofState(bs[2])).toEqual(['aof_enabled:1', 'aof_rewrite_in_progress:0', 'aof_rewrite_scheduled:1', 'aof_pending_rewrite:1']);
      const [bi, ri] = await Promise.all([rewritten(b, 1), rewritten(r, 1)]);
      expect(aofState(bi)).toEqual(aofState(ri));
      expect(bi).toContain('rdb_last_bgsave_status:ok\r\n');
      expect(readFileSync(join(brook.dir, MANIFEST), 'latin1')).toBe(readFileSync(join(redis.dir, MANIFEST), 'latin1'));
      b.close();
      r.close();
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
  });
  it('SHUTDOWN is refused while the rewrite that turns the AOF on runs, as in redis-server', async () => {
    const [brook, redis] = await Promise.all([startBrookProcess(), startRedis(['--rdb-key-save-delay', '100'])]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      await Promise.all([fillKeys(b, 100000), fillKeys(r, 5000)]);
      const steps = [['CONFIG', 'SET', 'appendonly', 'yes'], ['SHUTDOWN'], ['PING']];
      const [bs, rs] = await Promise.all([pipeline(b, ...steps), pipeline(r, ...steps)]);
      expect(bs).toEqual(rs);
      expect(bs).toEqual(['+OK\r\n', '-ERR Errors trying to SHUTDOWN. Check logs.\r\n', '+PONG\r\n']);
      await Promise.all([rewritten(b, 1), rewritten(r, 1)]);
      b.close();
      r.close();
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
  });
  it('inside MULTI the rewrite is scheduled and starts after EXEC: the transaction is in the base once, as in redis-server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-aofrt-'));
    const [brook, redis] = await Promise.all([startBrookProcess(['--dir', dir]), startRedis()]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      const steps = [['MULTI'], ['INCR', 'c'], ['CONFIG', 'SET', 'appendonly', 'yes'], ['INCR', 'c'], ['INFO', 'persistence'], ['EXEC']];
      const [bs, rs] = await Promise.all([pipeline(b, ...steps), pipeline(r, ...steps)]);
      // INFO ran inside EXEC: the AOF on, its rewrite scheduled.
      expect(aofState(bs[5])).toEqual(aofState(rs[5]));
      expect(aofState(bs[5])).toEqual(['aof_enabled:1', 'aof_rewrite_in_progress:0', 'aof_rewrite_scheduled:1', 'aof_pending_rewrite:1']);
      await Promise.all([rewritten(b, 1), rewritten(r, 1)]);
      b.close();
      r.close();
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
    const again = await startBrookProcess(['--appendonly', 'yes', '--dir', dir]);
    try {
      const c = await RawClient.connect(again.port);
      expect(await c.call('GET', 'c')).toBe('$1\r\n2\r\n');
      c.close();
    } finally {
      await again.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a directory that cannot be created: CONFIG SET appendonly yes and BGREWRITEAOF fail as in redis-server, and the server goes on', async () => {
    const [bdir, rdir] = [mkdtempSync(join(tmpdir(), 'brook-aofrt-')), mkdtempSync(join(tmpdir(), 'brook-aofrt-'))];
    // A file where appenddirname should be.
    for (const d of [bdir, rdir]) writeFileSync(join(d, 'appendonlydir'), '');
    const [brook, redis] = await Promise.all([startBrookProcess(['--dir', bdir]), startRedis(['--dir', rdir])]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      const steps = [
        ['SET', 'a', '1'],
        ['CONFIG', 'SET', 'appendonly', 'yes'],
        ['BGREWRITEAOF'],
        ['CONFIG', 'GET', 'appendonly'],
        ['INFO', 'persistence'],
      ];
      const [bs, rs] = await Promise.all([pipeline(b, ...steps), pipeline(r, ...steps)]);
      expect(bs.slice(0, 4)).toEqual(rs.slice(0, 4));
      expect(bs[1]).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs.\r\n",
      );
      const status = (info: string): string[] =>
        info.split('\r\n').filter((l) => /^aof_(enabled|rewrite_in_progress|last_bgrewrite_status|rewrites):/.test(l));
      expect(status(bs[4])).toEqual(status(rs[4]));
      expect(status(bs[4])).toEqual(['aof_enabled:0', 'aof_rewrite_in_progress:0', 'aof_last_bgrewrite_status:err', 'aof_rewrites:0']);
      expect(await b.call('GET', 'a')).toBe('$1\r\n1\r\n');
      b.close();
      r.close();
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
      for (const d of [bdir, rdir]) rmSync(d, { recursive: true, force: true });
    }
  });
});
