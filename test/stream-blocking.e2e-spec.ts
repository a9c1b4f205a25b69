/**
 * XREAD BLOCK with real clients, each scenario run on Brook and on a real redis-server with the
 * same expected bytes: every waiter served by an XADD in arrival order, `$` meaning after the last
 * ID at blocking time, several streams, COUNT when served, timeouts in RESP2 and RESP3, BLOCK 0
 * woken by XADD, a deleted or retyped key while waiting, disconnects, CLIENT UNBLOCK; then the change feed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RawClient, encodeCommand } from './support/raw-client.js';
import { waitBlockedClients } from './support/blocked.js';
import { startBrookProcess, startRedis, type RunningServer } from './support/servers.js';
import { changeFeedSuite } from './support/change-feed.js';

const SERVERS = ['brook', 'redis'] as const;

/** One XREAD reply for a single stream with one entry of one pair, in RESP2. */
function oneEntry(key: string, id: string, f: string, v: string): string {
  const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
  return `*1\r\n*2\r\n${bulk(key)}*1\r\n*2\r\n${bulk(id)}*2\r\n${bulk(f)}${bulk(v)}`;
}

describe.each(SERVERS)('XREAD BLOCK on %s', (kind) => {
  let server: RunningServer;
  let admin: RawClient;
  const opened: RawClient[] = [];

  beforeAll(async () => {
    server = kind === 'brook' ? await startBrookProcess() : await startRedis();
    admin = await RawClient.connect(server.port);
  });

  afterAll(async () => {
    for (const c of opened) c.close();
    admin?.close();
    await server?.stop();
  });

  async function connect(): Promise<RawClient> {
    const c = await RawClient.connect(server.port);
    opened.push(c);
    return c;
  }

  /** Sends a command that blocks, and waits until the server counts `blocked` blocked clients. */
  async function block(c: RawClient, blocked: number, ...argv: string[]): Promise<void> {
    c.write(encodeCommand(argv));
    await waitBlockedClients(admin, blocked);
  }

  const reply = async (c: RawClient) => (await c.read()).toString('latin1');

  it('every waiter gets the new entry, and `$` means after the last ID when it blocked', async () => {
    await admin.call('FLUSHALL');
    await admin.call('XADD', 's', '1-1', 'old', 'x');
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await block(a, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await block(b, 2, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await block(c, 3, 'XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '1-1');
    expect(await admin.call('XADD', 's', '2-1', 'f', 'v')).toBe('$3\r\n2-1\r\n');
    expect(await reply(a)).toBe(oneEntry('s', '2-1', 'f', 'v'));
    expect(await reply(b)).toBe(oneEntry('s', '2-1', 'f', 'v'));
    expect(await reply(c)).toBe(oneEntry('s', '2-1', 'f', 'v'));
    await waitBlockedClients(admin, 0);
  });

  it('waits on several streams and is served from the one that grew; COUNT caps what it gets', async () => {
    await admin.call('FLUSHALL');
    const [a, b] = [await connect(), await connect()];
    await block(a, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 'k1', 'k2', '$', '$');
    await block(b, 2, 'XREAD', 'COUNT', '2', 'BLOCK', '0', 'STREAMS', 'k2', '0-0');
    // A stream of three entries renamed onto the waited key wakes both waiters at once.
    for (const id of ['1-1', '1-2', '1-3']) await admin.call('XADD', 'src', id, 'f', id);
    await admin.call('RENAME', 'src', 'k2');
    expect(await reply(a)).toBe(
      '*1\r\n*2\r\n$2\r\nk2\r\n*3\r\n' +
        ['1-1', '1-2', '1-3'].map((id) => `*2\r\n$3\r\n${id}\r\n*2\r\n$1\r\nf\r\n$3\r\n${id}\r\n`).join(''),
    );
    expect(await reply(b)).toBe(
      '*1\r\n*2\r\n$2\r\nk2\r\n*2\r\n' + ['1-1', '1-2'].map((id) => `*2\r\n$3\r\n${id}\r\n*2\r\n$1\r\nf\r\n$3\r\n${id}\r\n`).join(''),
    );
  });

  it('times out with a null array (RESP2) or a null (RESP3)', async () => {
    await admin.call('FLUSHALL');
    const c = await connect();
    expect(await c.call('XREAD', 'BLOCK', '10', 'STREAMS', 's', '$')).toBe('*-1\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('XREAD', 'BLOCK', '10', 'STREAMS', 's', '$')).toBe('_\r\n');
    expect(await c.call('XREAD', 'STREAMS', 's', '0')).toBe('_\r\n');
    await admin.call('XADD', 's', '1-1', 'f', 'v');
    expect(await c.call('XREAD', 'BLOCK', '10', 'STREAMS', 's', '0')).toBe(
      '%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n',
    );
  });

  it('a RESP3 waiter is served a map', async () => {
    await admin.call('FLUSHALL');
    const c = await connect();
    await c.call('HELLO', '3');
    await block(c, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '$');
    await admin.call('XADD', 'b', '1-1', 'f', 'v');
    expect(await reply(c)).toBe('%1\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
  });

  it('a deleted key keeps the waiter waiting until a stream at that key has an ID above its own', async () => {
    await admin.call('FLUSHALL');
    await admin.call('XADD', 's', '5-1', 'f', 'v');
    const c = await connect();
    await block(c, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await admin.call('DEL', 's');
    await admin.call('XADD', 's', '3-1', 'f', 'low');
    await admin.call('SET', 'other', 'x');
    await waitBlockedClients(admin, 1);
    await admin.call('XADD', 's', '6-1', 'f', 'high');
    expect(await reply(c)).toBe(oneEntry('s', '6-1', 'f', 'high'));
  });

  it('a waited key set to another type keeps the waiter waiting', async () => {
    await admin.call('FLUSHALL');
    const c = await connect();
    await block(c, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '0');
    await admin.call('SET', 's', 'string');
    await admin.call('LPUSH', 'x', 'y');
    await waitBlockedClients(admin, 1);
    await admin.call('DEL', 's');
    await admin.call('XADD', 's', '1-1', 'f', 'v');
    expect(await reply(c)).toBe(oneEntry('s', '1-1', 'f', 'v'));
  });

  it('a disconnected waiter leaves no trace', async () => {
    await admin.call('FLUSHALL');
    const [gone, b] = [await connect(), await connect()];
    await block(gone, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await block(b, 2, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    gone.close();
    await waitBlockedClients(admin, 1);
    await admin.call('XADD', 's', '1-1', 'f', 'v');
    expect(await reply(b)).toBe(oneEntry('s', '1-1', 'f', 'v'));
    await waitBlockedClients(admin, 0);
  });

  it('CLIENT UNBLOCK replies as on timeout', async () => {
    await admin.call('FLUSHALL');
    const c = await connect();
    const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
    await block(c, 1, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    expect(await admin.call('CLIENT', 'UNBLOCK', id)).toBe(':1\r\n');
    expect(await reply(c)).toBe('*-1\r\n');
  });
});

describe('XREAD BLOCK: change feed', () => {
  const suite = changeFeedSuite();

  it('the XADD that serves a waiter is fed with its concrete ID; XREAD feeds nothing', async () => {
    const waiter = await RawClient.connect(suite.client.socket.remotePort as number);
    try {
      waiter.write(encodeCommand(['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$']));
      await waitBlockedClients(suite.client, 1);
      const fed = await suite.fedArgv('XADD', 's', '*', 'f', 'v');
      expect(fed).toHaveLength(1);
      const id = fed[0][2];
      expect(fed[0]).toEqual(['XADD', 's', id, 'f', 'v']);
      expect((await waiter.read()).toString('latin1')).toBe(oneEntry('s', id, 'f', 'v'));
      expect(await suite.fedArgv('XREAD', 'STREAMS', 's', '0')).toEqual([]);
    } finally {
      waiter.close();
    }
  });
});
