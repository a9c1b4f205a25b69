import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startBrookProcess, type RunningServer } from './support/servers.js';
import { RawClient } from './support/raw-client.js';

/** The CLIENT LIST line of the connection named `name`, as the server sees it. */
async function clientLine(port: number, name: string): Promise<string> {
  const admin = await RawClient.connect(port);
  try {
    const list = await admin.call('CLIENT', 'LIST');
    return list.split('\n').find((l) => l.includes(` name=${name} `)) ?? '';
  } finally {
    admin.close();
  }
}

describe('real clients connect, run commands and disconnect', () => {
  let brook: RunningServer;

  beforeAll(async () => {
    brook = await startBrookProcess();
  });

  afterAll(async () => {
    await brook?.stop();
  });

  it('ioredis 6 (RESP3 by default): handshake, commands, pipeline, map replies', async () => {
    const client = new Redis({ port: brook.port, host: '127.0.0.1', connectionName: 'io3', db: 2, lazyConnect: true });
    try {
      await client.connect();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      expect(await client.set('io:k', 'v')).toBe('OK');
      expect(await client.get('io:k')).toBe('v');
      const results = await client.pipeline().set('io:p', '1').get('io:p').echo('e').exec();
      expect(results).toEqual([
        [null, 'OK'],
        [null, '1'],
        [null, 'e'],
      ]);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      const hello = (await client.call('HELLO')) as unknown[];
      expect(hello.slice(0, 6)).toEqual(['server', 'redis', 'version', '7.0.15', 'proto', 3]);
      expect(await client.info('server')).toContain('redis_version:7.0.15');
      // What the handshake left on the connection: RESP3, name, db and the library name/version.
      const line = await clientLine(brook.port, 'io3');
      expect(line).toContain(' db=2 ');
      expect(line).toContain(' resp=3 ');
      expect(line).toContain(' lib-name=ioredis ');
      expect(line).toMatch(/ lib-ver=6\.\d+\.\d+/);
      await expect(client.call('NOSUCHCMD')).rejects.toThrow(/unknown command 'NOSUCHCMD'/);
    } finally {
      await client.quit();
    }
  });

  it('ioredis 6 with RESP2', async () => {
    const client = new Redis({ port: brook.port, host: '127.0.0.1', protocol: 2, connectionName: 'io2', lazyConnect: true });
    try {
      await client.connect();
      expect(await client.set('io2:k', 'v2')).toBe('OK');
      expect(await client.get('io2:k')).toBe('v2');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await clientLine(brook.port, 'io2')).toContain(' resp=2 ');
    } finally {
      await client.quit();
    }
  });

  it('node-redis 6 (RESP3 by default): handshake, commands, multi-free pipelines, map replies', async () => {
    const client = createClient({ socket: { port: brook.port, host: '127.0.0.1', reconnectStrategy: false }, name: 'nr3' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      expect(await client.set('nr:k', 'v')).toBe('OK');
      expect(await client.get('nr:k')).toBe('v');
      const [a, b] = await Promise.all([client.set('nr:p', '1'), client.get('nr:p')]);
      expect([a, b]).toEqual(['OK', '1']);
      expect(await client.configGet('maxmemory-policy')).toEqual({ 'maxmemory-policy': 'noeviction' });
      expect(await client.info('server')).toContain('redis_version:7.0.15');
      const hello = await client.sendCommand(['HELLO']);
      expect(JSON.stringify(hello)).toContain('7.0.15');
      const line = await clientLine(brook.port, 'nr3');
      expect(line).toContain(' resp=3 ');
      expect(line).toContain(' lib-name=node-redis');
    } finally {
      await client.close();
    }
  });

  it('node-redis 6 with RESP2', async () => {
    const client = createClient({ socket: { port: brook.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 2, name: 'nr2' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      expect(await client.set('nr2:k', 'v')).toBe('OK');
      expect(await client.get('nr2:k')).toBe('v');
      expect(await client.configGet('appendonly')).toEqual({ appendonly: 'no' });
      expect(await clientLine(brook.port, 'nr2')).toContain(' resp=2 ');
    } finally {
      await client.close();
    }
  });

  it('clients with a password authenticate in the handshake', async () => {
    const secured = await startBrookProcess(['--requirepass', 'pw']);
    try {
      const io = new Redis({ port: secured.port, host: '127.0.0.1', password: 'pw', lazyConnect: true });
      await io.connect();
      expect(await io.ping()).toBe('PONG');
      await io.quit();
      const nr = createClient({ socket: { port: secured.port, host: '127.0.0.1', reconnectStrategy: false }, password: 'pw' });
      nr.on('error', () => undefined);
      await nr.connect();
      expect(await nr.ping()).toBe('PONG');
      await nr.close();
      const bad = createClient({ socket: { port: secured.port, host: '127.0.0.1', reconnectStrategy: false }, password: 'nope' });
      bad.on('error', () => undefined);
      await expect(bad.connect()).rejects.toThrow(/WRONGPASS/);
    } finally {
      await secured.stop();
    }
  });
});
