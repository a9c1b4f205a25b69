/**
 * Process lifecycle, listeners and timers under hostile or careless use: timeouts too long for
 * Node's timers, CONFIG SET port/bind that fails half way or races another one, a launcher killed
 * with SIGKILL, and the pidfile. Each case runs against Brook and a real redis-server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { encodeCommand, RawClient } from '../support/raw-client.js';
import { freePort, listening, startBrookProcess, startRedis } from '../support/servers.js';
import { adversarialSuite, MAX_PING_MS, MB, underAttack, type Target } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value of one parameter from a CONFIG GET reply. */
async function configValue(c: RawClient, name: string): Promise<string> {
  const reply = await c.call('CONFIG', 'GET', name);
  return reply.split('\r\n')[4];
}

/** The server's PID from INFO. */
async function processId(port: number): Promise<number> {
  const c = await RawClient.connect(port);
  try {
    return Number(/process_id:(\d+)/.exec(await c.call('INFO', 'server'))![1]);
  } finally {
    c.close();
  }
}

/** Gone means no such process, or a zombie nobody has reaped yet (it holds no port and no data). */
function processGone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const start = performance.now();
  while (!(await ok())) {
    if (performance.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
  return performance.now() - start;
}

describe('lifecycle: timers built from user values', () => {
  const suite = adversarialSuite();

  it('CLIENT PAUSE 3000000000 WRITE still holds a write after 500 ms; CLIENT UNPAUSE releases it', async () => {
    const outcomes = [];
    for (const t of suite.both()) {
      const r = await underAttack(t, async ({ port }) => {
        const [admin, writer, reader] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
        try {
          const paused = await admin.call('CLIENT', 'PAUSE', '3000000000', 'WRITE');
          writer.write(encodeCommand(['SET', 'paused:k', 'v']));
          await sleep(500);
          const heldAfter500ms = writer.unread();
          const read = await reader.call('GET', 'paused:k');
          const unpaused = await admin.call('CLIENT', 'UNPAUSE');
          const written = (await writer.read()).toString('latin1');
          return { paused, heldAfter500ms, read, unpaused, written };
        } finally {
          await admin.call('CLIENT', 'UNPAUSE').catch(() => '');
          for (const c of [admin, writer, reader]) c.close();
        }
      });
      expect(r.maxPingMs).toBeLessThan(MAX_PING_MS);
      expect(r.endRss).toBeLessThan(r.startRss + 64 * MB);
      outcomes.push(r.result);
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toEqual({ paused: '+OK\r\n', heldAfter500ms: '', read: '$-1\r\n', unpaused: '+OK\r\n', written: '+OK\r\n' });
  });
});

describe('lifecycle: CONFIG SET port/bind is all or nothing, serialized, and port 0 closes TCP', () => {
  const suite = adversarialSuite(['--enable-protected-configs', 'yes'], ['--enable-protected-configs', 'yes']);

  /**
   * Runs the same failing, racing and closing rebinds against one server and records, after each,
   * the reply, CONFIG GET port/bind and which of the ports involved accept connections (ports by
   * role, so Brook's and Redis's transcripts compare equal).
   */
  async function rebindTranscript(t: Target): Promise<string[]> {
    const home = t.port;
    const next = await freePort();
    const other = await freePort();
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const busyPort = (busy.address() as { port: number }).port;
    const role = new Map([
      [String(home), 'HOME'],
      [String(next), 'NEXT'],
      [String(other), 'OTHER'],
      [String(busyPort), 'BUSY'],
      ['0', '0'],
    ]);
    const admin = await RawClient.connect(home);
    const second = await RawClient.connect(home);
    const log: string[] = [];
    const state = async (): Promise<string> => {
      const port = role.get(await configValue(admin, 'port'));
      const bind = await configValue(admin, 'bind');
      const open = [];
      for (const [p, name] of [
        [home, 'HOME'],
        [next, 'NEXT'],
        [other, 'OTHER'],
      ] as const) {
        if (await listening(p)) open.push(name);
      }
      return `port=${port} bind=${bind} listening=[${open.join(' ')}]`;
    };
    const step = async (what: string, ...args: string[]): Promise<void> => {
      log.push(`${what}: ${await admin.call('CONFIG', 'SET', ...args)} ${await state()}`);
    };
    try {
      await step('new port with a bad dir', 'port', String(next), 'dir', '/nonexistent/brook-lifecycle');
      await step('new port with an unbindable address', 'port', String(next), 'bind', '192.0.2.1');
      await step('unbindable address then new port', 'bind', '192.0.2.1', 'port', String(next));
      await step('new port with one of two addresses unbindable', 'port', String(next), 'bind', '127.0.0.1 192.0.2.1');
      await step('a port someone else holds', 'port', String(busyPort));
      await step('new port after those failures', 'port', String(next));
      await step('back home', 'port', String(home));
      // Two clients move the port at once: whichever order they run in, exactly the port
      // CONFIG GET names must be listening afterwards.
      admin.write(encodeCommand(['CONFIG', 'SET', 'port', String(next)]));
      second.write(encodeCommand(['CONFIG', 'SET', 'port', String(other)]));
      const replies = [(await admin.read()).toString('latin1'), (await second.read()).toString('latin1')];
      const after = await state();
      const final = /port=(\w+)/.exec(after)![1];
      log.push(`racing rebinds: ${replies.join(' ')} consistent=${after.endsWith(`listening=[${final}]`) && final !== 'HOME'}`);
      await step('port 0', 'port', '0');
      await step('home again from port 0', 'port', String(home));
      return log;
    } finally {
      await admin.call('CONFIG', 'SET', 'port', String(home), 'bind', '127.0.0.1').catch(() => '');
      admin.close();
      second.close();
      busy.close();
    }
  }

  it('the listening state matches CONFIG GET after every failure, race and port 0, as in Redis', async () => {
    const transcripts = [];
    for (const t of suite.both()) {
      const r = await underAttack(t, rebindTranscript);
      expect(r.maxPingMs).toBeLessThan(MAX_PING_MS);
      transcripts.push(r.result);
    }
    const [brook, redis] = transcripts;
    expect(brook).toEqual(redis);
    const failed = (arg: string, why: string) => `-ERR CONFIG SET failed (possibly related to argument '${arg}') - ${why}\r\n`;
    const home = 'port=HOME bind=127.0.0.1 listening=[HOME]';
    expect(brook).toEqual([
      `new port with a bad dir: ${failed('dir', 'No such file or directory')} ${home}`,
      `new port with an unbindable address: ${failed('port', 'Unable to listen on this port. Check server logs.')} ${home}`,
      `unbindable address then new port: ${failed('bind', 'Failed to bind to specified addresses.')} ${home}`,
      `new port with one of two addresses unbindable: ${failed('port', 'Unable to listen on this port. Check server logs.')} ${home}`,
      `a port someone else holds: ${failed('port', 'Unable to listen on this port. Check server logs.')} ${home}`,
      'new port after those failures: +OK\r\n port=NEXT bind=127.0.0.1 listening=[NEXT]',
      `back home: +OK\r\n ${home}`,
      'racing rebinds: +OK\r\n +OK\r\n consistent=true',
      'port 0: +OK\r\n port=0 bind=127.0.0.1 listening=[]',
      `home again from port 0: +OK\r\n ${home}`,
    ]);
  });
});

describe('lifecycle: the process that holds the data', () => {
  it('SIGKILL of the brook-server launcher stops the server within a second and frees its port', async () => {
    const brook = await startBrookProcess();
    const pid = await processId(brook.port);
    try {
      expect(pid).not.toBe(brook.proc.pid);
      brook.proc.kill('SIGKILL');
      const ms = await waitFor('server gone and port free', async () => processGone(pid) && !(await listening(brook.port)), 1000);
      expect(ms).toBeLessThan(1000);
    } finally {
      // An orphan left by a regression must not outlive the test.
      if (!processGone(pid)) process.kill(pid, 'SIGKILL');
      await brook.stop();
    }
  });

  it('pidfile holds INFO process_id while the server runs and is removed by SHUTDOWN, as in Redis', async () => {
    // Relative to the working directory, which is also the data dir here (Redis chdirs there).
    for (const startServer of [startBrookProcess, startRedis]) {
      const server = await startServer(['--pidfile', 'server.pid']);
      const pidfile = join(server.dir, 'server.pid');
      try {
        const pid = await processId(server.port);
        await waitFor('pidfile written', () => existsSync(pidfile), 1000);
        expect(readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
        const c = await RawClient.connect(server.port);
        c.write(encodeCommand(['SHUTDOWN']));
        await c.waitClosed();
        await waitFor('server exited', () => server.proc.exitCode !== null, 5000);
        expect(existsSync(pidfile)).toBe(false);
      } finally {
        await server.stop();
      }
    }
  });
});
