import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { builtinCommands, type Session } from '@brook/commands';
import { Command, loadConfig, startBrook } from '@brook/server';
import { freePort } from './support/servers.js';
import { RawClient, encodeCommand } from './support/raw-client.js';

@Injectable()
class Greeter {
  private greeted = 0;

  /** HELLO.WORLD name: replies "hello <name>" and counts calls (state lives in the provider). */
  @Command({ name: 'hello.world', arity: 2, flags: ['readonly', 'fast'], summary: 'Greets someone' })
  world(c: Session, argv: string[]): void {
    this.greeted++;
    c.w.bulk(`hello ${argv[1]}`);
  }

  @Command({ name: 'hello.count', arity: 1, flags: ['readonly', 'fast'] })
  count(c: Session): void {
    c.w.integer(this.greeted);
  }

  /** A buggy command: throws before replying. */
  @Command({ name: 'hello.crash', arity: 1, flags: ['readonly'] })
  crash(): void {
    throw new Error('boom\r\nsecond line');
  }
}

@Module({ providers: [Greeter] })
class GreeterModule {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Commands whose handlers are async: the reply is what the Promise resolves to. */
@Injectable()
class Later {
  /** ASYNC.ECHO ms value: waits, then replies the value. */
  @Command({ name: 'async.echo', arity: 3, flags: ['readonly'] })
  async echo(_c: Session, argv: string[]): Promise<string> {
    await sleep(Number(argv[1]));
    return argv[2];
  }

  /** ASYNC.VALUES: every kind of value a module may resolve to. */
  @Command({ name: 'async.values', arity: 1, flags: ['readonly'] })
  async values(): Promise<unknown[]> {
    await sleep(1);
    return ['s', 7, 2n ** 63n - 1n, null, Buffer.from([0, 255]), [1.5, new Error('inner'), new Error('NOPE coded')]];
  }

  /** ASYNC.FAIL message: rejects after waiting. */
  @Command({ name: 'async.fail', arity: 2, flags: ['readonly'] })
  async fail(_c: Session, argv: string[]): Promise<string> {
    await sleep(1);
    throw new Error(argv[1]);
  }

  /** ASYNC.WRITE: replies through the writer itself after waiting, resolving to undefined. */
  @Command({ name: 'async.write', arity: 1, flags: ['readonly'] })
  async write(c: Session): Promise<void> {
    await sleep(5);
    c.w.simple('WRITTEN');
  }
}

@Module({ providers: [Later] })
class LaterModule {}

describe('@Command providers in a Nest module become Brook commands', () => {
  let app: INestMicroservice;
  let port: number;
  let dir: string;
  let c: RawClient;

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'brook-module-'));
    ({ app } = await startBrook(loadConfig(['--port', String(port), '--save', '', '--dir', dir]), {
      imports: [GreeterModule, LaterModule],
    }));
    c = await RawClient.connect(port);
  });

  afterAll(async () => {
    c?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is callable over RESP, case-insensitively, with provider state', async () => {
    expect(await c.call('hello.world', 'brook')).toBe('$11\r\nhello brook\r\n');
    expect(await c.call('HELLO.WORLD', 'again')).toBe('$11\r\nhello again\r\n');
    expect(await c.call('hello.count')).toBe(':2\r\n');
  });

  it('gets arity errors from the shared dispatcher', async () => {
    expect(await c.call('hello.world')).toBe("-ERR wrong number of arguments for 'hello.world' command\r\n");
    expect(await c.call('hello.count', 'extra')).toBe("-ERR wrong number of arguments for 'hello.count' command\r\n");
  });

  it('appears in COMMAND INFO, COMMAND COUNT, COMMAND LIST and COMMAND DOCS as a module command', async () => {
    // The server installs its own persistence and ACL commands beside the families of @brook/commands.
    const serverCommands = ['save', 'bgsave', 'lastsave', 'sync', 'psync', 'replconf', 'bgrewriteaof', 'acl'];
    const listed = await c.call('COMMAND', 'LIST');
    for (const name of serverCommands) expect(listed).toContain(`\r\n${name}\r\n`);
    expect(await c.call('COMMAND', 'COUNT')).toBe(`:${builtinCommands.length + serverCommands.length + 7}\r\n`);
    expect(await c.call('COMMAND', 'INFO', 'hello.world')).toBe(
      '*1\r\n*10\r\n$11\r\nhello.world\r\n:2\r\n*3\r\n+readonly\r\n+module\r\n+fast\r\n:0\r\n:0\r\n:0\r\n' +
        '*2\r\n+@read\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n',
    );
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'GreeterModule')).toBe(
      '*3\r\n$11\r\nhello.world\r\n$11\r\nhello.count\r\n$11\r\nhello.crash\r\n',
    );
    const docs = await c.call('COMMAND', 'DOCS', 'hello.world');
    expect(docs).toContain('$7\r\nsummary\r\n$14\r\nGreets someone\r\n');
    expect(docs).toContain('$5\r\ngroup\r\n$6\r\nmodule\r\n');
    expect(docs).toContain('$6\r\nmodule\r\n$13\r\nGreeterModule\r\n');
    expect(await c.call('INFO', 'commandstats')).toContain('cmdstat_hello.world:calls=2,');
  });

  it('answers a throwing handler with an error and keeps serving every connection', async () => {
    const other = await RawClient.connect(port);
    try {
      c.write('*1\r\n$11\r\nhello.crash\r\n*1\r\n$4\r\nPING\r\n');
      expect((await c.read()).toString('latin1')).toBe("-ERR internal error in 'hello.crash': boom  second line\r\n");
      expect((await c.read()).toString('latin1')).toBe('+PONG\r\n');
      expect(await other.call('hello.world', 'x')).toBe('$7\r\nhello x\r\n');
    } finally {
      other.close();
    }
  });

  it('replies to async handlers when their Promise settles, in the order commands came', async () => {
    c.write(
      Buffer.concat([
        encodeCommand(['async.echo', '30', 'slow']),
        encodeCommand(['PING']),
        encodeCommand(['async.echo', '1', 'fast']),
        encodeCommand(['async.write']),
        encodeCommand(['ECHO', 'sync']),
      ]),
    );
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) replies.push((await c.read()).toString('latin1'));
    expect(replies).toEqual(['$4\r\nslow\r\n', '+PONG\r\n', '$4\r\nfast\r\n', '+WRITTEN\r\n', '$4\r\nsync\r\n']);
  });

  it('writes resolved values as RESP and rejections as error replies', async () => {
    expect(await c.call('async.values')).toBe(
      '*6\r\n$1\r\ns\r\n:7\r\n:9223372036854775807\r\n$-1\r\n$2\r\n\x00\xff\r\n' + '*3\r\n$3\r\n1.5\r\n-ERR inner\r\n-NOPE coded\r\n',
    );
    expect(await c.call('async.fail', 'it broke')).toBe('-ERR it broke\r\n');
    expect(await c.call('async.fail', 'WRONGTYPE kept as is')).toBe('-WRONGTYPE kept as is\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });
});
