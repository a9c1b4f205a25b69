/**
 * Config directives beyond parameters (include, rename-command), hidden parameters and CONFIG
 * SET's error texts, each compared with a real redis-server given the same configuration.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { pairClients } from '../support/differential.js';
import { BROOK_BIN, requireTool, serverPair } from '../support/servers.js';
import { tempDirs } from '../support/temp-dirs.js';

requireTool('redis-server');

const newDir = tempDirs('brook-directives-');

/** Runs a server with `args` in `cwd` until it exits (for configurations that must stop it). */
function runToExit(cmd: 'brook' | 'redis', args: string[], cwd: string): { status: number | null; out: string } {
  const [bin, argv] = cmd === 'brook' ? [process.execPath, [BROOK_BIN, ...args]] : ['redis-server', args];
  const r = spawnSync(bin, argv, { encoding: 'utf8', timeout: 20000, cwd });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Both servers stop at start-up, saying the same thing. */
function bothRefuse(args: string[], cwd: string, expected: string): void {
  for (const cmd of ['brook', 'redis'] as const) {
    const r = runToExit(cmd, ['--port', '0', '--unixsocket', join(cwd, `${cmd}.sock`), ...args], cwd);
    expect({ cmd, status: r.status, says: r.out.includes(expected) }).toEqual({ cmd, status: 1, says: true });
  }
}

describe('include', () => {
  // main.conf includes conf.d/*.conf (in name order), and conf.d/b.conf includes deep.conf.
  const dir = newDir();
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'main.conf'), `hz 33\ninclude ${join(dir, 'conf.d', '*.conf')}\nslowlog-max-len 5\n`);
  writeFileSync(join(dir, 'conf.d', 'a.conf'), 'maxmemory-policy allkeys-lru\nslowlog-max-len 6\n');
  writeFileSync(join(dir, 'conf.d', 'b.conf'), `include ${join(dir, 'deep.conf')}\n`);
  writeFileSync(join(dir, 'deep.conf'), 'latency-monitor-threshold 77\nhz 44\n');
  const pair = serverPair(['--include', join(dir, 'main.conf')], ['--include', join(dir, 'main.conf')]);
  const c = pairClients(pair);

  it('loads nested and wildcard includes in place, later lines winning, as Redis', async () => {
    for (const name of ['hz', 'maxmemory-policy', 'slowlog-max-len', 'latency-monitor-threshold']) await c.same('CONFIG', 'GET', name);
    expect(await c.brook.call('CONFIG', 'GET', 'hz')).toContain('44');
  });

  it('a missing include file (relative to the working directory) stops start-up as in Redis', () => {
    bothRefuse(['--include', 'missing.conf'], dir, "Fatal error, can't open config file 'missing.conf': No such file or directory");
  });

  it('a wildcard matching nothing is fine', () => {
    const empty = newDir();
    for (const cmd of ['brook', 'redis'] as const) {
      // The include adds nothing, so start-up goes on to the bad value after it and stops there.
      const r = runToExit(cmd, ['--include', join(empty, '*.conf'), '--hz', 'x'], empty);
      expect(r.out).toContain("argument couldn't be parsed into an integer");
    }
  });
});

describe('rename-command', () => {
  const renames = ['--rename-command', 'set', 'myset', '--rename-command', 'flushall', '', '--rename-command', 'config', 'cfg'];
  const pair = serverPair(renames, renames);
  const c = pairClients(pair);

  it('a renamed command answers to its new name only, keeping its own name in replies and COMMAND', async () => {
    await c.same('SET', 'k', 'v');
    await c.same('MYSET', 'k', 'v');
    await c.same('myset', 'k');
    await c.same('GET', 'k');
    await c.same('COMMAND', 'INFO', 'set');
    await c.same('COMMAND', 'GETKEYS', 'MYSET', 'a', 'b');
    await c.same('CFG', 'GET', 'hz');
    await c.same('CONFIG', 'GET', 'hz');
    const [brookInfo, redisInfo] = await c.both('COMMAND', 'INFO', 'myset');
    expect(brookInfo.split('\r\n').slice(0, 3)).toEqual(redisInfo.split('\r\n').slice(0, 3));
    expect(brookInfo).toContain('$3\r\nset\r\n');
  });

  it('renamed to "" it is unknown, and COMMAND no longer lists it', async () => {
    await c.same('FLUSHALL');
    await c.same('COMMAND', 'INFO', 'flushall');
    for (const client of [c.brook, c.redis]) {
      const list = await client.call('COMMAND', 'LIST');
      expect(list).not.toContain('\r\nflushall\r\n');
      expect(list).toContain('\r\nset\r\n');
      expect(list).not.toContain('\r\nmyset\r\n');
    }
  });

  it('works inside MULTI under its new name; ACL rules keep the original names', async () => {
    await c.same('MULTI');
    await c.same('MYSET', 'tx', '1');
    await c.same('GET', 'tx');
    await c.same('EXEC');
    await c.same('ACL', 'SETUSER', 'renamed', '+myset');
    await c.same('ACL', 'SETUSER', 'renamed', '+set', '+flushall');
    await c.same('ACL', 'DRYRUN', 'renamed', 'myset', 'k', 'v');
  });

  it('an unknown command or a taken name stops start-up with Redis text', () => {
    const dir = newDir();
    bothRefuse(['--rename-command', 'nosuch', 'x'], dir, 'No such command in rename-command');
    bothRefuse(['--rename-command', 'get', 'set'], dir, 'Target command name already exists');
  });
});

describe('hidden parameters and CONFIG SET errors', () => {
  const pair = serverPair();
  const c = pairClients(pair);

  it('CONFIG GET * lists the parameters Redis lists; hidden ones answer only by exact name', async () => {
    const names = async (client: typeof c.brook): Promise<string[]> =>
      (await client.call('CONFIG', 'GET', '*'))
        .split('\r\n')
        .filter((_, i) => i % 4 === 2)
        .sort();
    // Brook's own parameters (params.ts: the Prometheus endpoint and the log format) come on top.
    const brookOnly = new Set(['metrics-port', 'metrics-bind', 'log-format']);
    expect((await names(c.brook)).filter((n) => !brookOnly.has(n))).toEqual(await names(c.redis));
    for (const hidden of [
      'key-load-delay',
      'rdb-key-save-delay',
      'watchdog-period',
      'use-exit-on-panic',
      'loading-process-events-interval-bytes',
    ]) {
      await c.same('CONFIG', 'GET', hidden);
    }
    await c.same('CONFIG', 'GET', 'key-load-*');
    await c.same('CONFIG', 'SET', 'key-load-delay', '-5');
    await c.same('CONFIG', 'GET', 'KEY-LOAD-DELAY');
  });

  it('CONFIG SET errors name the argument as Redis does, and nothing changes', async () => {
    await c.same('CONFIG', 'SET', 'MAXMEMORY', 'lots');
    await c.same('CONFIG', 'SET', 'hz', '5', 'Maxmemory-Policy', 'sometimes');
    await c.same('CONFIG', 'SET', 'slave-read-only', 'perhaps');
    await c.same('CONFIG', 'SET', 'hz', '5', 'HZ', '6');
    await c.same('CONFIG', 'SET', 'Dir', '/tmp');
    await c.same('CONFIG', 'SET', 'hz', '5', 'Tls-Port', '99999');
    // Without certificates a tls-port fails its TLS set-up before binding, in argument order.
    await c.same('CONFIG', 'SET', 'tls-cert-file', '/no/such.crt', 'tls-port', '1');
    await c.same('CONFIG', 'SET', 'tls-port', '1', 'tls-cert-file', '/no/such.crt');
    await c.same('CONFIG', 'GET', 'tls-cert-file');
    await c.same('CONFIG', 'GET', 'tls-port');
    // A failed apply step, after the values were accepted: rebinding to a port that is taken.
    // One after the other: each port stays taken only while its server does not move.
    const brook = await c.brook.call('CONFIG', 'SET', 'hz', '5', 'PORT', String(pair.redis.port));
    const redis = await c.redis.call('CONFIG', 'SET', 'hz', '5', 'PORT', String(pair.brook.port));
    expect(brook).toBe(redis);
    expect(brook).toContain("argument 'port'");
    await c.same('CONFIG', 'GET', 'hz');
  });
});
