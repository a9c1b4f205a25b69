/**
 * The AOF against real Redis 7.0.15: what Brook appends equals what redis-server appends for the
 * same commands, Brook's AOF directory passes redis-check-aof and loads in redis-server, Brook
 * loads a directory redis-server wrote, and torn or corrupt files are handled as Redis does.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { tempDirs } from '../support/temp-dirs.js';
import { requireTool, startBrookProcess, startRedis, type RunningServer } from '../support/servers.js';
import { aofCommands, datasetOf, fillEveryType } from './aof-support.js';

const AOF = ['--appendonly', 'yes'];
const INCR = 'appendonlydir/appendonly.aof.1.incr.aof';
const MANIFEST = 'appendonlydir/appendonly.aof.manifest';

const tempDir = tempDirs('brook-aof-');

async function fill(s: RunningServer): Promise<void> {
  const c = await RawClient.connect(s.port);
  try {
    await fillEveryType(c);
  } finally {
    c.close();
  }
}

/** Commands whose propagated form differs from what the client sent (Redis's rules), one family after another. */
const SCRIPT: string[][] = [
  ['SET', 's1', 'v1'],
  ['SET', 's2', 'v2', 'EX', '100'],
  ['SETEX', 's4', '100', 'v4'],
  ['PSETEX', 's5', '100000', 'v5'],
  ['MSET', 'm1', 'a', 'm2', 'b'],
  ['INCRBYFLOAT', 'f1', '1.5'],
  ['GETEX', 's1', 'EX', '200'],
  ['GETEX', 's1', 'PERSIST'],
  ['GETDEL', 'm2'],
  ['EXPIRE', 's1', '300'],
  ['PEXPIRE', 'm1', '300000'],
  ['EXPIREAT', 'm1', '4102444800'],
  ['BITFIELD', 'b3', 'SET', 'u8', '0', '200', 'INCRBY', 'u8', '0', '100'],
  ['RPUSH', 'l1', 'a', 'b', 'c', 'd', 'e', 'f'],
  ['RPOPLPUSH', 'l1', 'l2'],
  ['LMOVE', 'l1', 'l2', 'LEFT', 'RIGHT'],
  ['LMPOP', '1', 'l1', 'LEFT', 'COUNT', '1'],
  ['BLPOP', 'l1', '1'],
  ['BRPOP', 'l1', '1'],
  ['BLMOVE', 'l2', 'l1', 'LEFT', 'LEFT', '1'],
  ['SADD', 'sp', 'only'],
  ['SPOP', 'sp'],
  ['SADD', 'st1', 'a', 'b'],
  ['SMOVE', 'st1', 'st2', 'a'],
  ['HSET', 'h1', 'n', '1'],
  ['HINCRBYFLOAT', 'h1', 'n', '1.5'],
  ['ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c'],
  ['ZPOPMIN', 'z1'],
  ['BZPOPMAX', 'z1', '1'],
  ['ZMPOP', '1', 'z1', 'MIN'],
  ['PFADD', 'hll', 'a', 'b'],
  ['PFCOUNT', 'hll'],
  ['GEOADD', 'g1', '13.361389', '38.115556', 'Palermo'],
  ['XADD', 'x1', '1-1', 'a', '1'],
  ['XADD', 'x1', '2-1', 'b', '2'],
  ['XADD', 'x1', 'MAXLEN', '10', '*', 'c', '3'],
  ['XGROUP', 'CREATE', 'x1', 'g1', '0'],
  ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '1', 'STREAMS', 'x1', '>'],
  ['XACK', 'x1', 'g1', '1-1'],
  ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '1', 'STREAMS', 'x1', '>'],
  ['XCLAIM', 'x1', 'g1', 'carol', '0', '2-1'],
  ['XAUTOCLAIM', 'x1', 'g1', 'dave', '0', '0-0'],
  ['XGROUP', 'SETID', 'x1', 'g1', '0'],
  ['XGROUP', 'DELCONSUMER', 'x1', 'g1', 'carol'],
  ['SELECT', '2'],
  ['SET', 'db2', 'x'],
  ['SWAPDB', '2', '3'],
  ['SELECT', '0'],
  ['MULTI'],
  ['SET', 't1', '1'],
  ['INCR', 't1'],
  ['EXEC'],
  ['SET', 'gone', 'v', 'PX', '1'],
  ['FLUSHDB'],
];

describe('AOF', () => {
  it("appends what redis-server 7.0.15 appends for the same commands (Redis's propagation rules, SELECT, MULTI)", async () => {
    const [brook, redis] = await Promise.all([startBrookProcess(AOF), startRedis(AOF)]);
    try {
      const [b, r] = await Promise.all([RawClient.connect(brook.port), RawClient.connect(redis.port)]);
      for (const argv of SCRIPT) {
        const [rb, rr] = await Promise.all([b.call(...argv), r.call(...argv)]);
        // Generated stream IDs and claimed entries' times differ; their replies are compared for their shape only.
        expect(rb.replace(/1[789]\d{11}-\d+/g, 'T')).toBe(rr.replace(/1[789]\d{11}-\d+/g, 'T'));
      }
      b.close();
      r.close();
      // redis-server appends in its beforeSleep: stopping it (SIGTERM) flushes and fsyncs its AOF.
      await new Promise((res) => setTimeout(res, 100));
      expect(aofCommands(join(brook.dir, INCR))).toEqual(aofCommands(join(redis.dir, INCR)));
    } finally {
      await Promise.all([brook.stop(), redis.stop()]);
    }
  });

  it('restores the whole data set from the AOF after a restart, as redis-server restores its own', async () => {
    const [dir, redisDir] = [tempDir(), tempDir()];
    const [first, firstRedis] = await Promise.all([startBrookProcess([...AOF, '--dir', dir]), startRedis([...AOF, '--dir', redisDir])]);
    let before: string[];
    try {
      await Promise.all([fill(first), fill(firstRedis)]);
      before = await datasetOf(first, true);
    } finally {
      await Promise.all([first.stop(), firstRedis.stop()]);
    }
    expect(before.length).toBeGreaterThan(20);
    const [second, redis] = await Promise.all([startBrookProcess([...AOF, '--dir', dir]), startRedis([...AOF, '--dir', redisDir])]);
    try {
      expect(await datasetOf(second, true)).toEqual(before);
      // Redis 7.0 reloading its own AOF is the oracle for what the AOF does not carry (entries-read).
      expect(await datasetOf(second)).toEqual(await datasetOf(redis));
    } finally {
      await Promise.all([second.stop(), redis.stop()]);
    }
  });

  it('writes a directory redis-check-aof accepts and redis-server loads with the same data', async () => {
    requireTool('redis-check-aof');
    const dir = tempDir();
    const brook = await startBrookProcess([...AOF, '--dir', dir, '--appendfsync', 'always']);
    let before: string[];
    try {
      await fill(brook);
      before = await datasetOf(brook, true);
      const manifest = readFileSync(join(dir, MANIFEST), 'latin1');
      // As redis-server's first start: an empty RDB base (aof-use-rdb-preamble yes) and the first incr file.
      expect(manifest).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      const check = spawnSync('redis-check-aof', [join(dir, MANIFEST)], { encoding: 'latin1' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
      expect(check.status).toBe(0);
    } finally {
      await brook.stop();
    }
    const copy = tempDir();
    cpSync(join(dir, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
    const redis = await startRedis([...AOF, '--dir', copy]);
    try {
      expect(await datasetOf(redis, true)).toEqual(before);
    } finally {
      await redis.stop();
    }
  });

  it('starts from an AOF directory redis-server wrote (RDB base of every encoding, then incr), with the same data', async () => {
    const dir = tempDir();
    const redis = await startRedis([...AOF, '--dir', dir]);
    let before: string[];
    try {
      await fill(redis);
      // The base becomes an RDB holding everything (listpack, intset, quicklist, stream encodings)...
      const c = await RawClient.connect(redis.port);
      expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
      while ((await c.call('INFO', 'persistence')).includes('aof_rewrite_in_progress:1')) await new Promise((r) => setTimeout(r, 50));
      // ...and later writes go to the new incr file.
      await c.call('SET', 'after-rewrite', 'x');
      await c.call('HSET', 'hash', 'f9', 'v9');
      c.close();
      before = await datasetOf(redis, true);
    } finally {
      await redis.stop();
    }
    const copy = tempDir();
    cpSync(join(dir, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
    const brook = await startBrookProcess([...AOF, '--dir', copy]);
    try {
      expect(await datasetOf(brook, true)).toEqual(before);
      // It appends to the same incr file, after what redis-server wrote.
      const c = await RawClient.connect(brook.port);
      expect(await c.call('SET', 'after', 'brook')).toBe('+OK\r\n');
      c.close();
    } finally {
      await brook.stop();
    }
    expect(aofCommands(join(copy, 'appendonlydir/appendonly.aof.2.incr.aof')).at(-1)).toBe('SET after brook');
  });

  describe('a torn or corrupt AOF', () => {
    let source = '';
    let wholeSize = 0;

    /** A Brook AOF directory holding a few writes, copied for each case. */
    async function aofDir(): Promise<string> {
      if (!source) {
        source = tempDir();
        const brook = await startBrookProcess([...AOF, '--dir', source]);
        const c = await RawClient.connect(brook.port);
        await c.call('SET', 'a', '1');
        await c.call('RPUSH', 'l', 'x', 'y');
        c.close();
        await brook.stop();
        wholeSize = statSync(join(source, INCR)).size;
      }
      const d = tempDir();
      cpSync(source, d, { recursive: true });
      return d;
    }

    const TORN = '*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhal';

    it('aof-load-truncated yes: loads up to the last whole command and cuts the file there, like redis-server', async () => {
      const dir = await aofDir();
      appendFileSync(join(dir, INCR), TORN);
      const redisCopy = tempDir();
      cpSync(dir, redisCopy, { recursive: true });
      const [brook, redis] = await Promise.all([startBrookProcess([...AOF, '--dir', dir]), startRedis([...AOF, '--dir', redisCopy])]);
      try {
        expect(brook.output()).toContain(`Truncating the AOF appendonly.aof.1.incr.aof at offset ${String(wholeSize)}`);
        expect(await datasetOf(brook)).toEqual(await datasetOf(redis));
        expect(statSync(join(dir, INCR)).size).toBe(wholeSize);
      } finally {
        await Promise.all([brook.stop(), redis.stop()]);
      }
    });

    it('a MULTI without EXEC at the end is reverted like a torn command', async () => {
      const dir = await aofDir();
      appendFileSync(join(dir, INCR), '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n');
      const brook = await startBrookProcess([...AOF, '--dir', dir]);
      try {
        expect(brook.output()).toContain('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof');
        const c = await RawClient.connect(brook.port);
        expect(await c.call('EXISTS', 'b')).toBe(':0\r\n');
        expect(await c.call('GET', 'a')).toBe('$1\r\n1\r\n');
        c.close();
        expect(statSync(join(dir, INCR)).size).toBe(wholeSize);
      } finally {
        await brook.stop();
      }
    });

    it('aof-load-truncated no: refuses to start, with Redis message', async () => {
      const dir = await aofDir();
      appendFileSync(join(dir, INCR), TORN);
      await expect(startBrookProcess([...AOF, '--dir', dir, '--aof-load-truncated', 'no'])).rejects.toThrow(
        /Unexpected end of file reading the append only file appendonly.aof.1.incr.aof/,
      );
      expect(statSync(join(dir, INCR)).size).toBe(wholeSize + TORN.length);
    });

    it('a corrupt command in the middle refuses to start (Bad file format), as redis-server does', async () => {
      const dir = await aofDir();
      const data = readFileSync(join(dir, INCR), 'latin1');
      writeFileSync(join(dir, INCR), data.slice(0, 20) + '!garbage\r\n' + data.slice(20), 'latin1');
      await expect(startBrookProcess([...AOF, '--dir', dir])).rejects.toThrow(
        /Bad file format reading the append only file appendonly.aof.1.incr.aof/,
      );
      await expect(startRedis([...AOF, '--dir', dir])).rejects.toThrow(/Bad file format reading the append only file/);
    });

    it('a manifest Redis refuses is refused', async () => {
      const dir = await aofDir();
      writeFileSync(join(dir, MANIFEST), 'file appendonly.aof.1.incr.aof seq 1 type i');
      await expect(startBrookProcess([...AOF, '--dir', dir])).rejects.toThrow(/The AOF manifest file contains too long line/);
    });
  });

  describe('BGREWRITEAOF', () => {
    /** Waits until the rewrite is over; returns INFO persistence. */
    async function rewritten(c: RawClient, rewrites: number): Promise<string> {
      for (;;) {
        const info = await c.call('INFO', 'persistence');
        if (info.includes(`aof_rewrites:${String(rewrites)}\r\n`) && info.includes('aof_rewrite_in_progress:0')) return info;
        if (info.includes('aof_last_bgrewrite_status:err')) throw new Error(`the rewrite failed:\n${info}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('rewrites forklessly while writes continue: new base and incr, old files gone, the same data after a restart and in redis-server', async () => {
      const dir = tempDir();
      const brook = await startBrookProcess([...AOF, '--dir', dir]);
      let before: string[];
      try {
        await fill(brook);
        const c = await RawClient.connect(brook.port);
        // Enough keys that the base takes several slices, so the writes below land while it is written.
        for (let i = 0; i < 20000; i += 1000) {
          await c.call('MSET', ...Array.from({ length: 1000 }, (_, j) => [`k${String(i + j)}`, `v${String(i + j)}`]).flat());
        }
        const w = await RawClient.connect(brook.port);
        expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
        expect(await c.call('BGREWRITEAOF')).toBe('-ERR Background append only file rewriting already in progress\r\n');
        for (let i = 0; i < 200; i++) {
          await w.call('SET', `k${String(i * 97)}`, `changed${String(i)}`);
          await w.call('RPUSH', 'list', `during${String(i)}`);
          await w.call('DEL', `k${String(i * 89 + 1)}`);
        }
        const info = await rewritten(c, 1);
        expect(info).toContain('aof_last_bgrewrite_status:ok');
        expect(readFileSync(join(dir, MANIFEST), 'latin1')).toBe(
          'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
        );
        expect(readdirSync(join(dir, 'appendonlydir')).sort()).toEqual([
          'appendonly.aof.2.base.rdb',
          'appendonly.aof.2.incr.aof',
          'appendonly.aof.manifest',
        ]);
        const check = spawnSync('redis-check-aof', [join(dir, MANIFEST)], { encoding: 'latin1' });
        expect(check.stdout).toContain('All AOF files and manifest are valid');
        c.close();
        w.close();
        before = await datasetOf(brook, true);
      } finally {
        await brook.stop();
      }
      const copy = tempDir();
      cpSync(join(dir, 'appendonlydir'), join(copy, 'appendonlydir'), { recursive: true });
      const [again, redis] = await Promise.all([startBrookProcess([...AOF, '--dir', dir]), startRedis([...AOF, '--dir', copy])]);
      try {
        expect(await datasetOf(again, true)).toEqual(before);
        expect(await datasetOf(redis, true)).toEqual(before);
      } finally {
        await Promise.all([again.stop(), redis.stop()]);
      }
    });

    it('BGSAVE during a rewrite is refused or scheduled as beside the AOF child of Redis, and SAVE finishes the rewrite first', async () => {
      const brook = await startBrookProcess([...AOF, '--dir', tempDir()]);
      try {
        const c = await RawClient.connect(brook.port);
        // Enough keys that the rewrite's base takes many slices.
        for (let i = 0; i < 100000; i += 5000) {
          await c.call('MSET', ...Array.from({ length: 5000 }, (_, j) => [`k${String(i + j)}`, 'v'.repeat(20)]).flat());
        }
        expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
        expect(await c.call('BGSAVE')).toBe(
          "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
        );
        expect(await c.call('BGSAVE', 'SCHEDULE')).toBe('+Background saving scheduled\r\n');
        expect(await c.call('SAVE')).toBe('+OK\r\n');
        const info = await rewritten(c, 1);
        expect(info).toContain('aof_last_bgrewrite_status:ok');
        // The scheduled BGSAVE runs once the walk is free: SAVE counted one, the scheduled one another.
        let persistence = await c.call('INFO', 'persistence');
        const saved = (): boolean => persistence.includes('rdb_saves:2\r\n') && persistence.includes('rdb_bgsave_in_progress:0');
        for (let i = 0; i < 200 && !saved(); i++) {
          await new Promise((r) => setTimeout(r, 50));
          persistence = await c.call('INFO', 'persistence');
        }
        expect(persistence).toContain('rdb_saves:2\r\n');
        expect(persistence).toContain('rdb_bgsave_in_progress:0');
        expect(persistence).toContain('rdb_last_bgsave_status:ok');
        expect(await c.call('DBSIZE')).toBe(':100000\r\n');
        c.close();
      } finally {
        await brook.stop();
      }
    });

    it('auto-aof-rewrite-percentage: rewrites once the AOF has grown that much over auto-aof-rewrite-min-size', async () => {
      const brook = await startBrookProcess([...AOF, '--auto-aof-rewrite-min-size', '200000', '--auto-aof-rewrite-percentage', '100']);
      try {
        const c = await RawClient.connect(brook.port);
        expect(await c.call('INFO', 'persistence')).toContain('aof_rewrites:0\r\n');
        for (let i = 0; i < 30; i++) await c.call('SET', 'same', 'x'.repeat(10000));
        const info = await rewritten(c, 1);
        // The base holds one key now, not thirty writes of it.
        expect(Number(/aof_base_size:(\d+)/.exec(info)?.[1])).toBeLessThan(20000);
        c.close();
      } finally {
        await brook.stop();
      }
    });
  });

  it('INFO persistence reports the AOF measured: enabled, sizes, write status', async () => {
    const dir = tempDir();
    const brook = await startBrookProcess([...AOF, '--dir', dir]);
    try {
      const c = await RawClient.connect(brook.port);
      await c.call('SET', 'k', 'v'.repeat(100));
      const info = await c.call('INFO', 'persistence');
      c.close();
      expect(info).toContain('aof_enabled:1\r\n');
      expect(info).toContain('aof_last_write_status:ok\r\n');
      const base = statSync(join(dir, 'appendonlydir/appendonly.aof.1.base.rdb')).size;
      expect(info).toContain(`aof_base_size:${String(base)}\r\n`);
      expect(info).toContain(`aof_current_size:${String(base + statSync(join(dir, INCR)).size)}\r\n`);
      expect(info).toContain('aof_rewrites:0\r\n');
      expect(info).toContain('aof_rewrite_in_progress:0\r\n');
      expect(info).toContain('aof_buffer_length:0\r\n');
    } finally {
      await brook.stop();
    }
  });
});
