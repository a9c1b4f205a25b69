/**
 * DEBUG subcommands for observing the server, against a real redis-server with DEBUG allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { startBrookProcess, startRedis, type ServerPair } from '../support/servers.js';

const pair = {} as ServerPair;
let brook: RawClient;
let redis: RawClient;

beforeAll(async () => {
  [pair.brook, pair.redis] = await Promise.all([startBrookProcess(), startRedis(['--enable-debug-command', 'yes'])]);
  brook = await RawClient.connect(pair.brook.port);
  redis = await RawClient.connect(pair.redis.port);
});

afterAll(async () => {
  brook.socket.destroy();
  redis.socket.destroy();
  await Promise.all([pair.brook.stop(), pair.redis.stop()]);
});

async function same(...args: string[]): Promise<string> {
  const [b, r] = await Promise.all([brook.call(...args), redis.call(...args)]);
  expect(b).toBe(r);
  return b;
}

describe('DEBUG SET-ACTIVE-EXPIRE', () => {
  it('0 leaves expired keys in place until touched, 1 lets the cycle reclaim them', async () => {
    await same('FLUSHALL');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', 'off'); // read as atoi reads it: 0
    await same('SET', 'short', 'v', 'PX', '50');
    await same('SET', 'touched', 'v', 'PX', '50');
    await new Promise((r) => setTimeout(r, 400));
    // Both keys expired; with no cycle running, only the touched one goes.
    await same('DBSIZE');
    await same('GET', 'touched');
    await same('DBSIZE');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    const deadline = Date.now() + 5000;
    let size = '';
    while (Date.now() < deadline && (size = await brook.call('DBSIZE')) !== ':0\r\n') await new Promise((r) => setTimeout(r, 50));
    expect(size).toBe(':0\r\n');
  });

  it('bad argument counts reply as Redis', async () => {
    await same('DEBUG', 'SET-ACTIVE-EXPIRE');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '1', '2');
  });
});
