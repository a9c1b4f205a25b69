import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, requireTool, startBrookProcess, startRedis, type RunningServer } from './support/servers.js';
import { Differential, script, type Step } from './support/differential.js';
import { RawClient } from './support/raw-client.js';
import { bulks } from './support/resp-value.js';

async function mismatches(d: Differential, steps: Step[], normalize = (s: string) => s): Promise<string[]> {
  const out: string[] = [];
  for (const step of steps) {
    const [b, r] = await Promise.all([d.brook.call(...step), d.redis.call(...step)]);
    if (normalize(b) !== normalize(r)) out.push(`${step.join(' ')}\n  brook: ${JSON.stringify(b)}\n  redis: ${JSON.stringify(r)}`);
  }
  return out;
}

/** The bulk strings of a flat RESP2 array. */

/** Parses a flat RESP2 array of bulk strings (CONFIG GET) into pairs. */
function pairs(reply: string): [string, string][] {
  const items = bulks(reply);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}

function cli(port: number, args: string[], input?: string): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'latin1' });
}

describe('server commands, differential against real Redis', () => {
  let brook: RunningServer;
  let redis: RunningServer;
  let diff: Differential;

  beforeAll(async () => {
    requireTool('redis-cli');
    [brook, redis] = await Promise.all([startBrookProcess(), startRedis(['--enable-debug-command', 'yes'])]);
    diff = await Differential.connect(brook.port, redis.port);
  });

  afterAll(async () => {
    diff?.close();
    await Promise.all([brook?.stop(), redis?.stop()]);
  });

  it('COMMAND INFO, DOCS, GETKEYS, LIST and HELP reply like Redis 7.0', async () => {
    const steps: Step[] = [
      ...script(`
        COMMAND INFO get set mset nosuch
        COMMAND INFO ping hello auth select echo quit reset info time debug shutdown
        COMMAND INFO config|get client|kill client|list client|setname config|set command|getkeys
        COMMAND DOCS ping hello client|kill client|list config|get config|set command|info nosuch
        COMMAND DOCS shutdown auth
        COMMAND GETKEYS set a b
        COMMAND GETKEYS get
        COMMAND GETKEYS get a b
        COMMAND GETKEYS nosuch a
        COMMAND GETKEYS ping x
        COMMAND GETKEYS client kill
        COMMAND GETKEYS client nosuch
        COMMAND GETKEYSANDFLAGS get a
        COMMAND GETKEYSANDFLAGS set k v
        COMMAND GETKEYSANDFLAGS set k v get
        COMMAND GETKEYSANDFLAGS set k v EX 10 GeT
        COMMAND GETKEYSANDFLAGS bitfield k
        COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 OVERFLOW SAT GET i4 4
        COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 INCRBY u8 0 1
        COMMAND GETKEYSANDFLAGS bitfield k GET u8
        COMMAND GETKEYSANDFLAGS bitfield k OVERFLOW
        COMMAND GETKEYS
        COMMAND COUNT x
        COMMAND LIST FILTERBY ACLCAT nosuch
        COMMAND LIST FILTERBY MODULE x
        COMMAND LIST FILTERBY foo x
        COMMAND LIST foo
        COMMAND LIST FILTERBY PATTERN config|g*
        COMMAND HELP
        COMMAND FOO
      `),
    ];
    expect(await mismatches(diff, steps)).toEqual([]);
    // The same in RESP3 (sets, maps, nulls).
    await Promise.all([diff.brook.call('HELLO', '3'), diff.redis.call('HELLO', '3')]);
    try {
      expect(await mismatches(diff, steps)).toEqual([]);
    } finally {
      await Promise.all([diff.brook.call('HELLO', '2'), diff.redis.call('HELLO', '2')]);
    }
  });

  it('COMMAND INFO of every command Brook shares with Redis is byte-identical', async () => {
    const names = bulks(await diff.brook.call('COMMAND', 'LIST'));
    const brookOnly = new Set(['client|setinfo', 'client|no-touch']);
    const redisNames = new Set(bulks(await diff.redis.call('COMMAND', 'LIST')));
    const shared = names.filter((n) => redisNames.has(n) && !brookOnly.has(n));
    // Containers are compared through their subcommands (Brook's set of subcommands differs).
    const leaves = shared.filter((n) => n.includes('|') || !names.some((m) => m.startsWith(n + '|')));
    expect(leaves.length).toBeGreaterThan(30);
    expect(
      await mismatches(
        diff,
        leaves.map((n) => ['COMMAND', 'INFO', n]),
      ),
    ).toEqual([]);
  });

  it('CONFIG GET: every Redis parameter exists with the same default', async () => {
    const fromRedis = pairs(await diff.redis.call('CONFIG', 'GET', '*'));
    const fromBrook = new Map(pairs(await diff.brook.call('CONFIG', 'GET', '*')));
    // Set per server by the test harness, or deliberately different (see params.ts).
    const differ = new Set(['port', 'dir', 'enable-debug-command', 'appendonly', 'save', 'bind', 'loglevel']);
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const [k, v] of fromRedis) {
      if (!fromBrook.has(k)) missing.push(k);
      else if (!differ.has(k) && fromBrook.get(k) !== v) wrong.push(`${k}: brook=${fromBrook.get(k)} redis=${v}`);
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
    // Single names only: Redis lists several matches in its hash order, which varies by process.
    expect(
      await mismatches(
        diff,
        script('CONFIG GET save\nCONFIG GET appendonly\nCONFIG GET PORT\nCONFIG GET nosuch\nCONFIG GET maxmemory-p*'),
        (s) => s.replace(/\d{4,5}/, 'P'),
      ),
    ).toEqual([]);
    const several = await diff.brook.call('CONFIG', 'GET', 'maxmemory', 'maxmemory', 'hz');
    expect(new Map(pairs(several))).toEqual(
      new Map([
        ['maxmemory', '0'],
        ['hz', '10'],
      ]),
    );
    // One entry per parameter, under the first spelling that named it (compared as maps).
    for (const names of [
      ['MAXMEMORY', 'maxmemory'],
      ['maxmemory', 'MAXMEMORY', 'maxmem*'],
      ['maxmem*', 'MaxMemory'],
      ['HZ', 'hz', 'Hz'],
    ]) {
      const [b, r] = await Promise.all([diff.brook.call('CONFIG', 'GET', ...names), diff.redis.call('CONFIG', 'GET', ...names)]);
      expect({ names, pairs: pairs(b).sort() }).toEqual({ names, pairs: pairs(r).sort() });
    }
  });

  it('CONFIG SET: validation errors, all or nothing, canonical values', async () => {
    const steps: Step[] = [
      ...script(`
        CONFIG SET port
        CONFIG SET hz 5 maxclients
        CONFIG SET nosuch 1
        CONFIG SET maxclients x
        CONFIG SET databases 3
        CONFIG SET unixsocketperm 700
        CONFIG SET replicaof x
        CONFIG SET dir /tmp
        CONFIG SET dbfilename x.rdb
        CONFIG SET hz 5 hz 6
        CONFIG SET hz 3 HZ 4
        CONFIG SET hz 5 maxclients x
        CONFIG GET hz
        CONFIG SET hz x nosuch 1
        CONFIG SET hz 010
        CONFIG SET hz -1
        CONFIG SET hz 600
        CONFIG GET hz
        CONFIG SET hz 10
        CONFIG SET maxmemory-policy foo
        CONFIG SET maxmemory-policy ALLKEYS-LRU
        CONFIG GET maxmemory-policy
        CONFIG SET maxmemory-policy noeviction
        CONFIG SET appendonly maybe
        CONFIG SET maxmemory 1x
        CONFIG SET maxmemory -1
        CONFIG SET maxmemory 100kb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 1gb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 0
        CONFIG SET timeout -1
        CONFIG SET port 99999
        CONFIG SET proto-max-bulk-len 10
        CONFIG SET loglevel nothing
        CONFIG SET maxmemory-clients 10%
        CONFIG GET maxmemory-clients
        CONFIG SET maxmemory-clients 0
        CONFIG SET appendfsync ALWAYS
        CONFIG GET appendfsync
        CONFIG SET appendfsync everysec
        CONFIG SET lua-time-limit 4000
        CONFIG GET busy-reply-threshold
        CONFIG SET busy-reply-threshold 5000
        CONFIG SET slave-read-only no
        CONFIG GET replica-read-only
        CONFIG SET replica-read-only yes
        CONFIG REWRITE
        CONFIG RESETSTAT
        CONFIG HELP
        CONFIG FOO
      `),
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Exmzn'],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'],
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb 30'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1mb 512kb 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub x 512kb 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60'],
      ['CONFIG', 'SET', 'save', '1 2 3'],
      ['CONFIG', 'SET', 'save', 'a b'],
      ['CONFIG', 'SET', 'save', '100 10'],
      ['CONFIG', 'GET', 'save'],
      ['CONFIG', 'SET', 'save', ''],
      ['CONFIG', 'SET', 'oom-score-adj-values', '1 2'],
      ['CONFIG', 'SET', 'shutdown-on-sigint', 'save now'],
      ['CONFIG', 'GET', 'shutdown-on-sigint'],
      ['CONFIG', 'SET', 'shutdown-on-sigint', 'default'],
    ];
    expect(await mismatches(diff, steps)).toEqual([]);
  });

  it('INFO sections, TIME and DEBUG replies', async () => {
    const titles = (s: string) => (s.match(/# \w+/g) ?? []).join(' ');
    for (const args of [[], ['default'], ['all'], ['everything'], ['server', 'clients'], ['CPU'], ['nosuch'], ['keyspace']]) {
      const [b, r] = await Promise.all([diff.brook.call('INFO', ...args), diff.redis.call('INFO', ...args)]);
      expect(titles(b).replace(' # Latencystats', '')).toBe(titles(r).replace(' # Latencystats', ''));
    }
    const info = await diff.brook.call('INFO');
    expect(info).toMatch(/\r\nredis_version:7\.0\.15\r\n/);
    expect(info).toMatch(/\r\nbrook_version:\d+\.\d+\.\d+\r\n/);
    expect(info).toMatch(/\r\nmaxmemory_policy:noeviction\r\n/);
    expect(await diff.brook.call('TIME')).toMatch(/^\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n$/);
    const steps = script(`
      DEBUG POPULATE -1
      DEBUG POPULATE x
      DEBUG POPULATE 2 p -3
      DEBUG POPULATE 3
      GET key:0
      GET key:2
      GET key:3
      DEBUG POPULATE 2 p 10
      GET p:1
      DEBUG POPULATE 2 p 3
      GET p:1
      DEBUG POPULATE 2 q 3
      GET q:1
      DEBUG POPULATE 2 p 10 x
      DEBUG SLEEP
      DEBUG SLEEP 0
      DEBUG nosuch
      DEBUG
    `);
    expect(await mismatches(diff, steps)).toEqual([]);
    const start = Date.now();
    expect(await diff.brook.call('DEBUG', 'SLEEP', '0.3')).toBe('+OK\r\n');
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('RESP3: INFO is a verbatim string and CONFIG GET a map', async () => {
    const c = await RawClient.connect(brook.port);
    try {
      await c.call('HELLO', '3');
      expect(await c.call('INFO', 'server')).toMatch(/^=\d+\r\ntxt:# Server\r\nredis_version:7\.0\.15\r\n/);
      expect(await c.call('CONFIG', 'GET', 'maxmemory-policy')).toBe('%1\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n');
    } finally {
      c.close();
    }
  });

  it('redis-cli: INFO, -x and --no-raw replies', () => {
    expect(cli(brook.port, ['INFO', 'server'])).toContain('redis_version:7.0.15');
    expect(cli(brook.port, ['-x', 'SET', 'cli-x'], 'from stdin')).toBe('OK\n');
    expect(cli(brook.port, ['GET', 'cli-x'])).toBe(cli(redis.port, ['ECHO', 'from stdin']));
    expect(cli(brook.port, ['--no-raw', 'CONFIG', 'GET', 'maxmemory'])).toBe(cli(redis.port, ['--no-raw', 'CONFIG', 'GET', 'maxmemory']));
    expect(cli(brook.port, ['--no-raw', 'COMMAND', 'GETKEYS', 'set', 'k', 'v'])).toBe('1) "k"\n');
  });
});

describe('server runtime effects of CONFIG SET', () => {
  let brook: RunningServer;

  beforeAll(async () => {
    brook = await startBrookProcess();
  });

  afterAll(async () => {
    await brook?.stop();
  });

  it('CONFIG SET port rebinds; a busy port is refused and the old one kept', async () => {
    const admin = await RawClient.connect(brook.port);
    try {
      const next = await freePort();
      expect(await admin.call('CONFIG', 'SET', 'port', String(next))).toBe('+OK\r\n');
      const moved = await RawClient.connect(next);
      expect(await moved.call('PING')).toBe('+PONG\r\n');
      await expect(RawClient.connect(brook.port)).rejects.toThrow(/ECONNREFUSED/);
      // The admin connection survives the rebind; a port someone else holds is refused.
      const blocker = await startRedis();
      try {
        expect(await admin.call('CONFIG', 'SET', 'port', String(blocker.port))).toBe(
          "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
        );
      } finally {
        await blocker.stop();
      }
      expect(await moved.call('CONFIG', 'GET', 'port')).toBe(`*2\r\n$4\r\nport\r\n$${String(next).length}\r\n${next}\r\n`);
      expect(await moved.call('CONFIG', 'SET', 'port', String(brook.port))).toBe('+OK\r\n');
      moved.close();
      const back = await RawClient.connect(brook.port);
      expect(await back.call('PING')).toBe('+PONG\r\n');
      back.close();
    } finally {
      admin.close();
    }
  });

  it('client-output-buffer-limit: a normal client over the hard limit is disconnected', async () => {
    const admin = await RawClient.connect(brook.port);
    const slow = await RawClient.connect(brook.port);
    try {
      expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0')).toBe('+OK\r\n');
      expect(await admin.call('SET', 'big', 'x'.repeat(4 * 1024 * 1024))).toBe('+OK\r\n');
      slow.socket.pause();
      slow.write(Buffer.concat(Array.from({ length: 30 }, () => Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'))));
      const deadline = Date.now() + 5000;
      let listed = await admin.call('CLIENT', 'LIST');
      while (Date.now() < deadline && (listed.match(/id=/g) ?? []).length > 1) {
        await new Promise((r) => setTimeout(r, 50));
        listed = await admin.call('CLIENT', 'LIST');
      }
      expect((listed.match(/id=/g) ?? []).length).toBe(1);
      expect(await admin.call('INFO', 'stats')).toMatch(/client_output_buffer_limit_disconnections:1\r\n/);
    } finally {
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
      admin.close();
      slow.close();
    }
  });

  it('timeout closes idle clients', async () => {
    const admin = await RawClient.connect(brook.port);
    const idle = await RawClient.connect(brook.port);
    try {
      expect(await admin.call('CONFIG', 'SET', 'timeout', '1')).toBe('+OK\r\n');
      await idle.waitClosed(4000);
    } finally {
      await admin.call('CONFIG', 'SET', 'timeout', '0').catch(() => '');
      admin.close();
      idle.close();
    }
  });

  it('proto-max-bulk-len applies to new requests', async () => {
    const c = await RawClient.connect(brook.port);
    try {
      expect(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')).toBe('+OK\r\n');
      expect(await c.call('SET', 'k', 'x'.repeat(1024 * 1024 + 1))).toBe('-ERR Protocol error: invalid bulk length\r\n');
      const d = await RawClient.connect(brook.port);
      expect(await d.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb')).toBe('+OK\r\n');
      d.close();
    } finally {
      c.close();
    }
  });
});
