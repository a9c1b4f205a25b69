/**
 * DEBUG subcommands for observing the server, against a real redis-server with DEBUG allowed.
 */
import { describe, expect, it } from '@jest/globals';
import { pairClients } from '../support/differential.js';
import { serverPair } from '../support/servers.js';

const pair = serverPair([], ['--enable-debug-command', 'yes']);
const clients = pairClients(pair);
const { same } = clients;

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
    while (Date.now() < deadline && (size = await clients.brook.call('DBSIZE')) !== ':0\r\n') await new Promise((r) => setTimeout(r, 50));
    expect(size).toBe(':0\r\n');
  });

  it('bad argument counts reply as Redis', async () => {
    await same('DEBUG', 'SET-ACTIVE-EXPIRE');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '1', '2');
  });
});
