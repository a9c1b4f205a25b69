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

describe('DEBUG OBJECT', () => {
  /** Both replies with the address and the access clock (which differ by nature) hidden; they must then match. */
  async function sameObject(key: string): Promise<string> {
    const [b, r] = await clients.both('DEBUG', 'OBJECT', key);
    const hide = (s: string): string =>
      s.replace(/Value at:0x[0-9a-f]+/, 'Value at:ADDR').replace(/ lru:\d+ lru_seconds_idle:\d+/, ' lru:L lru_seconds_idle:I');
    expect(hide(b)).toBe(hide(r));
    return b;
  }

  it('reports refcount, encoding, serializedlength and idle time in Redis line format', async () => {
    await same('FLUSHALL');
    await same('DEBUG', 'OBJECT', 'missing');
    await same('DEBUG', 'OBJECT');
    await same('SET', 'embstr', 'hello');
    await same('SET', 'raw', 'r'.repeat(100));
    await same('SET', 'shared', '12');
    await same('SET', 'int', '123456789');
    await same('SET', 'compressible', 'a'.repeat(1000));
    await same('HSET', 'hash', 'f', 'v', 'n', '1');
    await same('SADD', 'intset', '1', '2', '300000');
    await same('SADD', 'set', ...Array.from({ length: 200 }, (_, i) => `m${i}`));
    await same('ZADD', 'zset', '1', 'a', '2.5', 'b');
    for (const key of ['embstr', 'raw', 'shared', 'int', 'compressible', 'hash', 'intset', 'set', 'zset']) await sameObject(key);
    expect(await sameObject('shared')).toMatch(
      /^\+Value at:\S+ refcount:2147483647 encoding:int serializedlength:2 lru:\d+ lru_seconds_idle:\d+\r\n$/,
    );
  });

  it('finds a key past its TTL that is not deleted yet, as Redis does', async () => {
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await same('SET', 'stale', 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    await sameObject('stale');
    // A read deletes it; then it is gone for DEBUG OBJECT too.
    await same('EXISTS', 'stale');
    await same('DEBUG', 'OBJECT', 'stale');
    await same('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  });

  it('describes a list as the quicklist Redis holds: nodes, fill, compression, listpack bytes', async () => {
    await same('RPUSH', 'small', 'a', 'b', 'c', '1', '2');
    await sameObject('small');
    // Elements of many sizes, so the list spans many 8 KB nodes.
    await same('RPUSH', 'big', ...Array.from({ length: 3000 }, (_, i) => 'x'.repeat(i % 200)));
    expect(await sameObject('big')).toMatch(
      / ql_nodes:\d{2} ql_avg_node:\d+\.\d\d ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:\d+\r\n$/,
    );
    await same('CONFIG', 'SET', 'list-max-listpack-size', '100');
    await same('CONFIG', 'SET', 'list-compress-depth', '1');
    await same('RPUSH', 'counted', ...Array.from({ length: 450 }, (_, i) => String(i)));
    expect(await sameObject('counted')).toContain(' ql_nodes:5 ql_avg_node:90.00 ql_listpack_max:100 ql_compressed:1 ');
    await same('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    await same('CONFIG', 'SET', 'list-compress-depth', '0');
  });
});
