import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { BROOK_BIN, freePort, requireTool, startBrookProcess } from './support/servers.js';
import { RawClient } from './support/raw-client.js';

const scratch = mkdtempSync(join(tmpdir(), 'brook-startup-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs brook-server to completion (for arguments that must stop it at start-up). */
function runToExit(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BROOK_BIN, ...args], { encoding: 'utf8', timeout: 20000, cwd: scratch });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

describe('brook-server start-up', () => {
  it('--version prints the version and the Redis version it is compatible with', () => {
    const r = runToExit(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Brook server v=\d+\.\d+\.\d+ redis_compat=7\.0\.15 /);
  });

  it('an unknown option stops start-up, naming it', () => {
    const r = runToExit(['--port', '0', '--no-such-option', 'x']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FATAL CONFIG FILE ERROR');
    expect(r.stderr).toContain(`>>> 'no-such-option "x"'`);
    expect(r.stderr).toContain('Bad directive or wrong number of arguments');
  });

  it('a bad value stops start-up with redis-server words', () => {
    const port = runToExit(['--port', '99999']);
    expect(port.status).toBe(1);
    expect(port.stderr).toContain(`>>> 'port "99999"'`);
    expect(port.stderr).toContain('argument must be between 0 and 65535 inclusive');
    const policy = runToExit(['--maxmemory-policy', 'sometimes']);
    expect(policy.status).toBe(1);
    expect(policy.stderr).toContain('argument(s) must be one of the following: volatile-lru');
    const missing = runToExit(['--port']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('wrong number of arguments');
  });

  it('a missing config file stops start-up', () => {
    const r = runToExit([join(scratch, 'nope.conf')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("can't open config file");
  });

  it('loads a config file, lets the command line win, and CONFIG REWRITE updates it', async () => {
    const port = await freePort();
    const conf = join(scratch, 'brook.conf');
    writeFileSync(
      conf,
      [
        '# a comment stays',
        `port ${port}`,
        'bind 127.0.0.1',
        'save 900 1',
        'save 300 10',
        'maxmemory 10mb',
        'maxmemory-policy allkeys-lru',
        'requirepass "file pass"',
        `dir ${scratch}`,
        'loglevel warning',
        '',
      ].join('\n'),
    );
    // The file comes first and the command line wins over it, as with redis-server.
    const direct = await startFromFile(conf, port, ['--maxmemory-policy', 'volatile-ttl']);
    try {
      const c = await RawClient.connect(port);
      expect(await c.call('AUTH', 'file pass')).toBe('+OK\r\n');
      expect(await c.call('CONFIG', 'GET', 'save')).toBe('*2\r\n$4\r\nsave\r\n$12\r\n900 1 300 10\r\n');
      expect(await c.call('CONFIG', 'GET', 'maxmemory')).toBe('*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n');
      expect(await c.call('CONFIG', 'GET', 'maxmemory-policy')).toBe('*2\r\n$16\r\nmaxmemory-policy\r\n$12\r\nvolatile-ttl\r\n');
      expect(await c.call('INFO', 'server')).toContain(`config_file:${conf}\r\n`);
      expect(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu', 'hz', '20')).toBe('+OK\r\n');
      expect(await c.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
      c.close();
      const text = readFileSync(conf, 'utf8');
      expect(text).toContain('# a comment stays\n');
      expect(text).toContain('\nmaxmemory-policy allkeys-lfu\n');
      expect(text).toContain('\nsave 900 1 300 10\n');
      expect(text).toContain('\nhz 20\n');
      expect(text).toContain('\nrequirepass "file pass"\n');
      expect(text.match(/^save /gm)).toHaveLength(1);
    } finally {
      direct.kill('SIGTERM');
      await exited(direct);
    }
    // The rewritten file starts a server with the same settings.
    const again = await startFromFile(conf, port, []);
    try {
      const c = await RawClient.connect(port);
      await c.call('AUTH', 'file pass');
      expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n20\r\n');
      c.close();
    } finally {
      again.kill('SIGTERM');
      expect(await exited(again)).toBe(0);
    }
  });

  it('serves a unix socket with its permissions (redis-cli -s)', async () => {
    requireTool('redis-cli');
    const sock = join(scratch, 'brook.sock');
    const brook = await startBrookProcess(['--unixsocket', sock, '--unixsocketperm', '700']);
    try {
      expect(statSync(sock).mode & 0o777).toBe(0o700);
      expect(execFileSync('redis-cli', ['-s', sock, 'PING'], { encoding: 'utf8' })).toBe('PONG\n');
      const list = execFileSync('redis-cli', ['-s', sock, 'CLIENT', 'INFO'], { encoding: 'utf8' });
      expect(list).toContain(`addr=${sock}:0 laddr=${sock}:0 `);
      expect(list).toContain(' flags=U ');
      expect(execFileSync('redis-cli', ['-s', sock, 'CONFIG', 'GET', 'unixsocketperm'], { encoding: 'utf8' })).toBe(
        'unixsocketperm\n700\n',
      );
    } finally {
      await brook.stop();
    }
  });

  it('announces readiness and answers on TCP only once the unix socket exists with its permissions', async () => {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const sock = join(scratch, `ready-${i}.sock`);
      // Under umask 000 a socket reachable before its chmod would show up as 0777.
      const proc = spawn(
        'sh',
        [
          '-c',
          'umask 000; exec "$@"',
          'sh',
          process.execPath,
          BROOK_BIN,
          '--port',
          String(port),
          '--unixsocket',
          sock,
          '--unixsocketperm',
          '700',
        ],
        { cwd: scratch, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
      try {
        const modesSeen = new Set<number>();
        const deadline = Date.now() + 15000;
        let answered = false;
        while (!answered) {
          if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`brook-server did not start:\n${output}`);
          const announced = output.includes('ready to accept connections');
          answered = await RawClient.connect(port).then(
            (c) => (c.close(), true),
            () => false,
          );
          if (answered || announced) expect(statSync(sock).mode & 0o777).toBe(0o700);
          if (existsSync(sock)) modesSeen.add(statSync(sock).mode & 0o777);
        }
        expect([...modesSeen]).toEqual([0o700]);
      } finally {
        proc.kill('SIGTERM');
        await exited(proc);
      }
    }
  });

  it('port 0 without a unix socket refuses to start, like redis-server; with one it serves only the socket', async () => {
    requireTool('redis-server');
    const brook = runToExit(['--port', '0']);
    const redis = spawnSync('redis-server', ['--port', '0', '--save', ''], { encoding: 'utf8', timeout: 20000, cwd: scratch });
    expect([brook.status, redis.status]).toEqual([1, 1]);
    expect(redis.stdout).toContain('Configured to not listen anywhere, exiting.');
    expect(brook.stdout + brook.stderr).toContain('Configured to not listen anywhere, exiting.');
    const sock = join(scratch, 'port0.sock');
    const proc = spawn(process.execPath, [BROOK_BIN, '--port', '0', '--unixsocket', sock, '--save', '', '--dir', scratch], {
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 15000;
      while (!existsSync(sock)) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error('brook-server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
      requireTool('redis-cli');
      expect(execFileSync('redis-cli', ['-s', sock, 'INFO', 'server'], { encoding: 'utf8' })).toContain('tcp_port:0\r\n');
    } finally {
      proc.kill('SIGTERM');
      expect(await exited(proc)).toBe(0);
    }
  });

  it.each([['SIGTERM'], ['SIGINT']] as const)('%s stops the server gracefully with exit code 0', async (signal) => {
    const brook = await startBrookProcess();
    const c = await RawClient.connect(brook.port);
    brook.proc.kill(signal);
    expect(await exited(brook.proc)).toBe(0);
    await c.waitClosed();
    await brook.stop();
  });

  it('SHUTDOWN (and SHUTDOWN NOSAVE NOW) stop the server with exit code 0', async () => {
    for (const args of [['SHUTDOWN'], ['SHUTDOWN', 'NOSAVE', 'NOW']]) {
      const brook = await startBrookProcess();
      const c = await RawClient.connect(brook.port);
      expect(await c.call('SHUTDOWN', 'SAVE', 'NOSAVE')).toBe('-ERR syntax error\r\n');
      expect(await c.call('SHUTDOWN', 'ABORT')).toBe('-ERR No shutdown in progress.\r\n');
      c.write(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`);
      expect(await c.waitClosed()).toBe('');
      expect(await exited(brook.proc)).toBe(0);
      await brook.stop();
    }
  });
});

/** Starts brook-server with a config file as its first argument and waits for the port. */
async function startFromFile(conf: string, port: number, extra: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BROOK_BIN, conf, ...extra], { stdio: 'ignore', cwd: scratch });
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`brook-server exited with ${proc.exitCode}`);
    try {
      const c = await RawClient.connect(port);
      c.close();
      return proc;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  proc.kill('SIGKILL');
  throw new Error('brook-server did not start');
}
