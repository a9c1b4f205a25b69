import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import { param, type CommandFamily, type Session } from '@brook/commands';
import { loadConfig, startBrook, type BrookServer } from '@brook/server';
import { freePort } from './support/servers.js';
import { RawClient } from './support/raw-client.js';

/** What the test family's hooks saw, per server it was installed on. */
interface Seen {
  resets: number;
  closes: number;
  hz: string[];
}

/** A family with one command and every kind of hook, its state kept per installing server. */
function testFamily(seen: Seen): CommandFamily {
  return {
    name: 'test',
    commands: [
      {
        name: 'test.seen',
        arity: 1,
        flags: ['fast'],
        group: 'server',
        summary: 'What the hooks saw',
        since: '0.1.0',
        handler: (c: Session) => c.w.bulkArray([String(seen.resets), String(seen.closes), seen.hz.join(',')]),
      },
    ],
    install(ctx) {
      ctx.onReset(() => seen.resets++);
      ctx.onClose(() => seen.closes++);
      ctx.addInfo('server', () => [['test_family', 'installed']]);
      ctx.addDebugSubcommand({ name: 'hello', args: [0, 0], help: ['HELLO', '    Says hello.'], handler: (c) => c.w.simple('HELLO') });
      ctx.onConfigSet('hz', (value) => {
        seen.hz.push(value);
        return null;
      });
    },
  };
}

describe('a command family installs itself on one server', () => {
  const servers: { app: INestMicroservice; server: BrookServer; port: number }[] = [];
  let dir: string;
  const seen: Seen = { resets: 0, closes: 0, hz: [] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brook-families-'));
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const started = await startBrook(loadConfig(['--port', String(port), '--save', '', '--dir', dir]));
      servers.push({ ...started, port });
    }
    servers[0].server.install(testFamily(seen));
  });

  afterAll(async () => {
    for (const s of servers) await s.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds its commands, DEBUG subcommands and INFO fields to that server only', async () => {
    const [a, b] = await Promise.all(servers.map((s) => RawClient.connect(s.port)));
    try {
      expect(await a.call('DEBUG', 'HELLO')).toBe('+HELLO\r\n');
      expect(await a.call('DEBUG', 'HELP')).toContain('+HELLO\r\n+    Says hello.\r\n');
      expect(await a.call('INFO', 'server')).toContain('test_family:installed\r\n');
      expect(await b.call('DEBUG', 'HELLO')).toBe("-ERR unknown subcommand or wrong number of arguments for 'HELLO'. Try DEBUG HELP.\r\n");
      expect(await b.call('DEBUG', 'HELP')).not.toContain('HELLO');
      expect(await b.call('INFO', 'server')).not.toContain('test_family');
      expect(await b.call('test.seen')).toBe("-ERR unknown command 'test.seen', with args beginning with: \r\n");
      // The server family's own subcommands are on both.
      expect(await b.call('DEBUG', 'SLEEP', '0')).toBe('+OK\r\n');
    } finally {
      a.close();
      b.close();
    }
  });

  it('runs its RESET, close and CONFIG SET hooks', async () => {
    const a = await RawClient.connect(servers[0].port);
    expect(await a.call('RESET')).toBe('+RESET\r\n');
    expect(await a.call('CONFIG', 'SET', 'hz', '20')).toBe('+OK\r\n');
    expect(await a.call('CONFIG', 'SET', 'maxclients', '1000')).toBe('+OK\r\n');
    const closesBefore = seen.closes;
    a.close();
    const probe = await RawClient.connect(servers[0].port);
    try {
      for (let i = 0; i < 100 && seen.closes === closesBefore; i++) await new Promise((r) => setTimeout(r, 5));
      expect(await probe.call('test.seen')).toBe(`*3\r\n$1\r\n1\r\n$1\r\n${closesBefore + 1}\r\n$2\r\n20\r\n`);
    } finally {
      probe.close();
    }
  });

  it('refuses a family whose parameters the config store was not built with (they must be known when the config is read)', () => {
    const late: CommandFamily = { name: 'late', commands: [], params: [param.int('late-level', 1, 0, 10)] };
    expect(() => servers[1].server.install(late)).toThrow("family 'late' declares 'late-level', unknown to the config store");
  });
});
