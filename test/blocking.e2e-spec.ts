import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { isStringValue, stringBytes } from '@brook/storage';
import type { KeyWaiter, Session } from '@brook/commands';
import { Command, loadConfig, startBrook } from '@brook/server';
import { freePort } from './support/servers.js';
import { RawClient, encodeCommand } from './support/raw-client.js';
import { waitBlockedClients } from './support/blocked.js';

/** Takes the key's string value (GETDEL) and replies it; false when there is none to take. */
function take(c: Session, key: string): boolean {
  const v = c.db.get(key);
  if (v === undefined || !isStringValue(v)) return false;
  c.db.delete(key);
  c.w.bulk(stringBytes(v));
  return true;
}

const takeWaiter: KeyWaiter = { serve: take, timeout: (c) => c.w.nil() };

/**
 * A small blocking module, the shape BLPOP/BLMOVE will have: take a string when there is one,
 * else block on the key (timeout in seconds, 0 = forever), re-checking when the key is written.
 */
@Injectable()
class Waits {
  /** TEST.WAITPOP key timeout: the value (taken from the key), or nil on timeout. */
  @Command({ name: 'test.waitpop', arity: 3, flags: ['write', 'blocking'], keys: [1, 1, 1] })
  waitpop(c: Session, argv: string[]): void {
    if (!take(c, argv[1])) c.server.block(c, [argv[1]], Number(argv[2]) * 1000, takeWaiter);
  }

  /** TEST.WAITMOVE src dst timeout: takes src and stores it at dst (BLMOVE's shape), replying the value. */
  @Command({ name: 'test.waitmove', arity: 4, flags: ['write', 'blocking'], keys: [1, 2, 1] })
  waitmove(c: Session, argv: string[]): void {
    const [, src, dst] = argv;
    const move = (s: Session): boolean => {
      const v = s.db.get(src);
      if (v === undefined || !isStringValue(v)) return false;
      s.db.delete(src);
      s.db.set(dst, v);
      s.w.bulk(stringBytes(v));
      return true;
    };
    if (!move(c)) c.server.block(c, [src], Number(argv[3]) * 1000, { serve: move, timeout: (s) => s.w.nil() });
  }

  /** TEST.EXEC cmd args [| cmd args...]: runs the commands nested, as EXEC will; replies each. */
  @Command({ name: 'test.exec', arity: -2, flags: ['write'] })
  exec(c: Session, argv: string[]): void {
    const cmds: string[][] = [[]];
    for (const a of argv.slice(1)) {
      if (a === '|') cmds.push([]);
      else cmds[cmds.length - 1].push(a);
    }
    c.w.array(cmds.length);
    for (const cmd of cmds) c.server.call(c, cmd);
  }

  /** TEST.SETLATER key value ms: an asynchronous write; blocked clients are served after it. */
  @Command({ name: 'test.setlater', arity: 4, flags: ['write'] })
  async setlater(c: Session, argv: string[]): Promise<string> {
    await new Promise((r) => setTimeout(r, Number(argv[3])));
    c.db.set(argv[1], argv[2]);
    return 'done';
  }
}

@Module({ providers: [Waits] })
class WaitsModule {}

describe('clients blocked on keys', () => {
  let app: INestMicroservice;
  let port: number;
  let dir: string;
  let admin: RawClient;
  const opened: RawClient[] = [];

  async function connect(): Promise<RawClient> {
    const c = await RawClient.connect(port);
    opened.push(c);
    return c;
  }

  /** Sends without waiting for a reply (the command blocks). */
  function send(c: RawClient, ...argv: string[]): void {
    c.write(encodeCommand(argv));
  }

  const blockedClients = (n: number) => waitBlockedClients(admin, n);

  async function clientId(c: RawClient): Promise<string> {
    return (await c.call('CLIENT', 'ID')).slice(1, -2);
  }

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'brook-blocking-'));
    ({ app } = await startBrook(loadConfig(['--port', String(port), '--save', '', '--dir', dir]), { imports: [WaitsModule] }));
    admin = await RawClient.connect(port);
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) c.close();
    await blockedClients(0);
    await admin.call('FLUSHALL');
  });

  afterAll(async () => {
    admin?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replies at once when the key is there, and wakes on a write from another client', async () => {
    const a = await connect();
    await admin.call('SET', 'k', 'now');
    expect(await a.call('test.waitpop', 'k', '0')).toBe('$3\r\nnow\r\n');
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    expect(a.unread()).toBe('');
    expect(await admin.call('CLIENT', 'LIST')).toMatch(/flags=b .*cmd=test\.waitpop/);
    expect(await admin.call('SET', 'k', 'later')).toBe('+OK\r\n');
    expect((await a.read()).toString('latin1')).toBe('$5\r\nlater\r\n');
    expect(await admin.call('EXISTS', 'k')).toBe(':0\r\n');
  });

  it('serves waiters of a key in the order they blocked, each re-checking the key', async () => {
    const a = await connect();
    const b = await connect();
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    send(b, 'test.waitpop', 'k', '0');
    await blockedClients(2);
    await admin.call('SET', 'k', 'first');
    expect((await a.read()).toString('latin1')).toBe('$5\r\nfirst\r\n');
    await blockedClients(1);
    expect(b.unread()).toBe('');
    await admin.call('SET', 'k', 'second');
    expect((await b.read()).toString('latin1')).toBe('$6\r\nsecond\r\n');
  });

  it('waits on keys of the client’s own database', async () => {
    const a = await connect();
    await a.call('SELECT', '1');
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    await admin.call('SET', 'k', 'db0');
    await admin.call('PING');
    expect(a.unread()).toBe('');
    await admin.call('SELECT', '1');
    await admin.call('SET', 'k', 'db1');
    await admin.call('SELECT', '0');
    expect((await a.read()).toString('latin1')).toBe('$3\r\ndb1\r\n');
  });

  it('serves keys made ready by serving, until none is left', async () => {
    const mover = await connect();
    const last = await connect();
    send(last, 'test.waitpop', 'dst', '0');
    await blockedClients(1);
    send(mover, 'test.waitmove', 'src', 'dst', '0');
    await blockedClients(2);
    await admin.call('SET', 'src', 'v');
    expect((await mover.read()).toString('latin1')).toBe('$1\r\nv\r\n');
    expect((await last.read()).toString('latin1')).toBe('$1\r\nv\r\n');
    expect(await admin.call('EXISTS', 'src', 'dst')).toBe(':0\r\n');
  });

  it('times out with the command’s timeout reply', async () => {
    const a = await connect();
    expect(await a.call('test.waitpop', 'k', '0.05')).toBe('$-1\r\n');
    await blockedClients(0);
  });

  it('counts the waits that have a timeout in INFO clients_in_timeout_table, as Redis', async () => {
    const timed = await connect();
    const forever = await connect();
    const table = async (): Promise<string> => /clients_in_timeout_table:(\d+)/.exec(await admin.call('INFO', 'clients'))![1];
    send(forever, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    expect(await table()).toBe('0');
    send(timed, 'test.waitpop', 'k', '30');
    await blockedClients(2);
    expect(await table()).toBe('1');
    await admin.call('SET', 'k', 'one');
    await admin.call('SET', 'k', 'two');
    expect((await forever.read()).toString('latin1')).toBe('$3\r\none\r\n');
    expect((await timed.read()).toString('latin1')).toBe('$3\r\ntwo\r\n');
    await blockedClients(0);
    expect(await table()).toBe('0');
  });

  it('is released by CLIENT UNBLOCK, as on timeout or with the UNBLOCKED error', async () => {
    const a = await connect();
    const id = await clientId(a);
    expect(await admin.call('CLIENT', 'UNBLOCK', id)).toBe(':0\r\n');
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    expect(await admin.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT')).toBe(':1\r\n');
    expect((await a.read()).toString('latin1')).toBe('$-1\r\n');
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    expect(await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(':1\r\n');
    expect((await a.read()).toString('latin1')).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    expect(await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(':0\r\n');
    // Nothing is left waiting: a later write is not taken by the released client.
    await admin.call('SET', 'k', 'kept');
    expect(await admin.call('GET', 'k')).toBe('$4\r\nkept\r\n');
  });

  it('forgets a client that closes while blocked', async () => {
    const gone = await connect();
    const b = await connect();
    send(gone, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    send(b, 'test.waitpop', 'k', '0');
    await blockedClients(2);
    gone.close();
    await blockedClients(1);
    await admin.call('SET', 'k', 'v');
    expect((await b.read()).toString('latin1')).toBe('$1\r\nv\r\n');
  });

  it('holds a blocked client’s pipelined commands until it is served', async () => {
    const a = await connect();
    a.write(Buffer.concat([encodeCommand(['test.waitpop', 'k', '0']), encodeCommand(['PING']), encodeCommand(['GET', 'k'])]));
    await blockedClients(1);
    expect(a.unread()).toBe('');
    await admin.call('SET', 'k', 'v');
    expect((await a.read()).toString('latin1')).toBe('$1\r\nv\r\n');
    expect((await a.read()).toString('latin1')).toBe('+PONG\r\n');
    expect((await a.read()).toString('latin1')).toBe('$-1\r\n');
  });

  it('never blocks inside a nested call, and serves after the outermost command', async () => {
    const a = await connect();
    expect(await a.call('test.exec', 'test.waitpop', 'k', '0')).toBe('*1\r\n$-1\r\n');
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    // As after EXEC: the waiter sees the last value, not the first write's.
    expect(await admin.call('test.exec', 'SET', 'k', '1', '|', 'SET', 'k', '2')).toBe('*2\r\n+OK\r\n+OK\r\n');
    expect((await a.read()).toString('latin1')).toBe('$1\r\n2\r\n');
  });

  it('serves clients after an asynchronous command’s write', async () => {
    const a = await connect();
    send(a, 'test.waitpop', 'k', '0');
    await blockedClients(1);
    expect(await admin.call('test.setlater', 'k', 'async', '10')).toBe('$4\r\ndone\r\n');
    expect((await a.read()).toString('latin1')).toBe('$5\r\nasync\r\n');
  });
});
