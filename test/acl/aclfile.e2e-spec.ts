/**
 * ACL persistence: `user` lines in the configuration, the aclfile with ACL LOAD/SAVE, and the
 * start-up errors, each compared with a real redis-server 7.0.15 given the same input.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { BROOK_BIN, freePort, listening, startBrookProcess, startRedis, type RunningServer } from '../support/servers.js';

async function both(brook: RunningServer, redis: RunningServer, ...args: string[]): Promise<[string, string]> {
  const b = await RawClient.connect(brook.port);
  const r = await RawClient.connect(redis.port);
  try {
    return await Promise.all([b.call(...args), r.call(...args)]);
  } finally {
    b.close();
    r.close();
  }
}

describe('user lines in the configuration', () => {
  let brook: RunningServer;
  let redis: RunningServer;
  const users = ['--user', 'bob', 'on', '>pw', '~k*', '+@read', '-keys', '--user', 'default', 'on', '>secret', '~*', '&*', '+@all'];
  beforeAll(async () => {
    [brook, redis] = await Promise.all([
      startBrookProcess(['--requirepass', 'ignored', ...users]),
      startRedis(['--requirepass', 'ignored', ...users]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([brook?.stop(), redis?.stop()]);
  });

  it('loads the users after the rest of the configuration: the default user line replaces requirepass', async () => {
    const [b, r] = await both(brook, redis, 'AUTH', 'default', 'secret');
    expect(b).toBe(r);
    for (const creds of [['ignored'], ['secret'], ['bob', 'pw']]) {
      const c = await RawClient.connect(brook.port);
      const d = await RawClient.connect(redis.port);
      try {
        expect(await c.call('AUTH', ...creds)).toBe(await d.call('AUTH', ...creds));
        expect(await c.call('ACL', 'LIST')).toBe(await d.call('ACL', 'LIST'));
        expect(await c.call('GET', 'k1')).toBe(await d.call('GET', 'k1'));
        expect(await c.call('GET', 'x')).toBe(await d.call('GET', 'x'));
      } finally {
        c.close();
        d.close();
      }
    }
  });
});

describe('CONFIG REWRITE of users', () => {
  it('writes every user as a user line where the first one was, dropping the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-aclrewrite-'));
    const procs: ChildProcess[] = [];
    try {
      const lines: string[][] = [];
      for (const [name, cmd, args] of [
        ['brook', process.execPath, [BROOK_BIN]],
        ['redis', 'redis-server', []],
      ] as const) {
        const port = await freePort();
        const conf = join(dir, `${name}.conf`);
        writeFileSync(
          conf,
          `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nuser old on nopass +get ~*\nloglevel warning\nuser gone off\n`,
        );
        const proc = spawn(cmd, [...args, conf], { stdio: 'ignore' });
        procs.push(proc);
        const deadline = Date.now() + 15000;
        while (!(await listening(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const c = await RawClient.connect(port);
        try {
          expect(await c.call('ACL', 'DELUSER', 'gone')).toBe(':1\r\n');
          expect(await c.call('ACL', 'SETUSER', 'new', 'on', '>pw', '%R~r*', '&c', '+@read', '-get')).toBe('+OK\r\n');
          expect(await c.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
        } finally {
          c.close();
        }
        const text = readFileSync(conf, 'latin1').split('\n');
        // Single commands come in Redis's random dict order: compare each line's words as a set.
        lines.push(text.filter((l) => l.startsWith('user ')).map((l) => l.split(' ').sort().join(' ')));
        expect(text.findIndex((l) => l.startsWith('user '))).toBeLessThan(text.findIndex((l) => l.startsWith('loglevel')));
      }
      expect(lines[0]).toEqual(lines[1]);
      expect(lines[0]).toHaveLength(3);
    } finally {
      for (const p of procs) p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('aclfile with ACL LOAD and ACL SAVE', () => {
  let brook: RunningServer;
  let redis: RunningServer;
  let dir: string;
  const file = (which: 'brook' | 'redis'): string => join(dir, `${which}.acl`);
  const initial = 'user default on nopass ~* &* +@all\nuser alice on #' + 'a'.repeat(64) + ' ~a* resetchannels -@all +get\n';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brook-aclfile-'));
    writeFileSync(file('brook'), initial);
    writeFileSync(file('redis'), initial);
    [brook, redis] = await Promise.all([startBrookProcess(['--aclfile', file('brook')]), startRedis(['--aclfile', file('redis')])]);
  });
  afterAll(async () => {
    await Promise.all([brook?.stop(), redis?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the file users and saves them back in the canonical form', async () => {
    const [b, r] = await both(brook, redis, 'ACL', 'LIST');
    expect(b).toBe(r);
    for (const args of [
      ['ACL', 'SETUSER', 'bob', 'on', '>pw', '%R~r*', '&c*', '+@hash', '-hgetall'],
      ['ACL', 'SETUSER', 'carl', '(+get ~x*)'],
      ['ACL', 'SAVE'],
    ]) {
      const [sb, sr] = await both(brook, redis, ...args);
      expect(sb).toBe(sr);
    }
    // Redis writes single commands in its dictionary's (random) order; the rest of each line is the same.
    const sorted = (text: string): string[] => text.split('\n').map((l) => l.split(' ').sort().join(' '));
    expect(sorted(readFileSync(file('brook'), 'latin1'))).toEqual(sorted(readFileSync(file('redis'), 'latin1')));
  });

  it('ACL LOAD replaces the users and disconnects clients of the old ones; a bad file changes nothing', async () => {
    const [b, r] = await both(brook, redis, 'ACL', 'SETUSER', 'temp', 'on', 'nopass', '+@all', '~*');
    expect(b).toBe(r);
    const tb = await RawClient.connect(brook.port);
    const tr = await RawClient.connect(redis.port);
    try {
      expect(await tb.call('AUTH', 'temp', 'x')).toBe('+OK\r\n');
      expect(await tr.call('AUTH', 'temp', 'x')).toBe('+OK\r\n');
      const bad = 'user default on nopass ~* &* +@all\nuser eve on +nosuch bogus\nnotuser x\nuser a\\x01 on\nuser eve on\n';
      writeFileSync(file('brook'), bad);
      writeFileSync(file('redis'), bad);
      const [lb, lr] = await both(brook, redis, 'ACL', 'LOAD');
      expect(lb.replaceAll(file('brook'), 'FILE')).toBe(lr.replaceAll(file('redis'), 'FILE'));
      expect(lb).toMatch(/^-ERR .*WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n$/);
      expect(await tb.call('ACL', 'WHOAMI')).toBe(await tr.call('ACL', 'WHOAMI'));
      const good = 'user default on nopass ~* &* +@all\nuser temp on nopass ~* +@all\nuser zed off -@all\n';
      writeFileSync(file('brook'), good);
      writeFileSync(file('redis'), good);
      const [ob, or] = await both(brook, redis, 'ACL', 'LOAD');
      expect(ob).toBe(or);
      for (const c of [tb, tr]) await expect(c.read(2000)).rejects.toThrow('connection closed');
      const [ub, ur] = await both(brook, redis, 'ACL', 'USERS');
      expect(ub).toBe(ur);
    } finally {
      tb.close();
      tr.close();
    }
  });

  it('ACL LOAD of a missing file answers as Redis', async () => {
    rmSync(file('brook'));
    rmSync(file('redis'));
    const [b, r] = await both(brook, redis, 'ACL', 'LOAD');
    expect(b.replace(file('brook'), 'FILE')).toBe(r.replace(file('redis'), 'FILE'));
  });
});

describe('ACL start-up errors', () => {
  /** Runs a server on `conf` until it exits (it must fail), returning its output. */
  async function failingStart(cmd: string, args: string[]): Promise<string> {
    const port = await freePort();
    const r = spawnSync(cmd, [...args, '--port', String(port), '--save', ''], { encoding: 'utf8', timeout: 20000 });
    expect(r.status).toBe(1);
    return r.stdout + r.stderr;
  }

  it('refuses bad user lines, unknown commands, and users with an aclfile, with Redis texts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-aclconf-'));
    try {
      const cases: [string, string][] = [
        ['user bob on >x bogus\n', "Error in user declaration 'on': Syntax error"],
        [
          'user bob on\nuser bob off\n',
          "Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files",
        ],
        ['user bob on +nosuch\n', "Error loading ACL rule '+nosuch' for the user named 'bob': Unknown command or category name in ACL"],
        [
          `user bob on\naclfile ${join(dir, 'x.acl')}\n`,
          'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.',
        ],
        [`aclfile ${join(dir, 'none.acl')}\n`, `Error loading ACLs, opening file '${join(dir, 'none.acl')}': No such file or directory`],
      ];
      for (const [conf, text] of cases) {
        const path = join(dir, 'test.conf');
        writeFileSync(path, conf);
        const [b, r] = await Promise.all([failingStart(process.execPath, [BROOK_BIN, path]), failingStart('redis-server', [path])]);
        expect(r).toContain(text);
        expect(b).toContain(text);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
