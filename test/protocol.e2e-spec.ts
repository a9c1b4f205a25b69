/**
 * The RESP wire protocol, byte for byte against a real redis-server 7.0: the same raw bytes
 * (well formed, malformed, split anywhere) go to both on fresh connections, and the replies and
 * whether the connection was closed must be identical. Where Brook differs on purpose (V8's string
 * limit, a request larger than client-query-buffer-limit) the test says so and checks Brook alone.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeCommand, RawClient } from './support/raw-client.js';
import { startBrookProcess, startRedis, type RunningServer } from './support/servers.js';
import { alive, exchange, rssBytes, serverPid, type ExchangeOptions } from './support/wire.js';

const MB = 1024 * 1024;

interface Pair {
  brook: RunningServer;
  redis: RunningServer;
}

/** Sends each input to both servers (all at once, fresh connections) and lists the differences. */
async function differences(pair: Pair, inputs: string[], brookOpts?: (input: Buffer) => ExchangeOptions): Promise<object[]> {
  const results = await Promise.all(
    inputs.map(async (text) => {
      const input = Buffer.from(text, 'latin1');
      const [b, r] = await Promise.all([exchange(pair.brook.port, input, brookOpts?.(input)), exchange(pair.redis.port, input)]);
      return { input: text.length > 120 ? text.slice(0, 120) + '…' : text, brook: b, redis: r };
    }),
  );
  return results.filter((x) => x.brook.reply !== x.redis.reply || x.brook.closed !== x.redis.closed);
}

async function config(pair: Pair, name: string, value: string): Promise<void> {
  for (const port of [pair.brook.port, pair.redis.port]) {
    const c = await RawClient.connect(port);
    expect(await c.call('CONFIG', 'SET', name, value)).toBe('+OK\r\n');
    c.close();
  }
}

/** Valid and invalid requests whose replies (and closing) must match Redis exactly. */
const CASES: string[] = [
  // well formed, inline and multibulk, pipelined
  'PING\r\n',
  'PING\n',
  'PING\r\r\n',
  '\r\n\n  \r\n\t\r\nPING\r\n',
  '*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n',
  '*0\r\n*-1\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n',
  '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n',
  '*1\rX$4\rYPINGab*1\r\n$4\r\nPING\r\n', // the byte after CR and after a body is not checked
  // inline quoting (sdssplitargs)
  'ECHO "a b\\x41\\x4g\\n\\q"\r\n',
  "ECHO 'x\\ny' \r\nECHO 'it\\'s'\r\n",
  'ECHO "" \r\nECHO \'\'\r\n',
  'ECHO "a"\tb\r\n',
  'ECHO\ta\r\n',
  'ECHO\x0ba\r\n',
  'ECHO a\rb\r\n',
  'ECHO x"a b"\r\n',
  'ECHO "\\xff\\x00\\t"\r\n',
  'SET "k e y" "v\\r\\nv"\r\nGET "k e y"\r\nDEL "k e y"\r\n',
  // protocol errors: reply, then close; earlier commands in the packet answered first
  '*x\r\n',
  'PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n',
  '*01\r\n',
  '*+1\r\n',
  '* 1\r\n',
  '*-0\r\n',
  '*\r\n',
  '*2147483648\r\n',
  '*-9223372036854775809\r\n',
  '*99999999999999999999\r\n',
  '*1\r\n$-1\r\n',
  '*1\r\n$04\r\nPING\r\n',
  '*1\r\n$+4\r\nPING\r\n',
  '*1\r\n$4 \r\nPING\r\n',
  '*1\r\n$\r\n',
  '*1\r\n$536870913\r\n',
  '*1\r\n$9999999999\r\n',
  '*1\r\nx\r\n',
  '*1\r\n\xff\r\n',
  '*1\r\n\r\n',
  '*1\r\n\nab\rc',
  '*2\r\n$4\r\nECHO\r\nPING\r\n',
  'ECHO "abc\r\n',
  'ECHO "a"b\r\n',
  "ECHO 'a'b\r\n",
  'ECHO "ab\\"\r\n',
  'x'.repeat(70000),
  'PING\0' + 'x'.repeat(70000),
  '*' + '1'.repeat(70000),
  '*1\r\n$' + '1'.repeat(70000),
  // QUIT: nothing after it is read, not even a protocol error
  'PING\r\nQUIT\r\n*x\r\n',
  '*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n',
  // incomplete: Redis waits (connection left open, no reply)
  '*1\r\nx',
  '*1\r',
  '*1\n$4\nPING\n',
  'PING\0\r\n',
  '*1\0\r\n',
  '*1\r\n$4\0\r\n',
  '*2000000\r\n',
  '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc',
  'x'.repeat(60000),
];

describe('RESP protocol, byte for byte against redis-server', () => {
  let pair: Pair;
  let auth: Pair;

  beforeAll(async () => {
    const [brook, redis, brookAuth, redisAuth] = await Promise.all([
      startBrookProcess(),
      startRedis(),
      startBrookProcess(['--requirepass', 'secret']),
      startRedis(['--requirepass', 'secret']),
    ]);
    pair = { brook, redis };
    auth = { brook: brookAuth, redis: redisAuth };
  });

  afterAll(async () => {
    await Promise.all([pair?.brook.stop(), pair?.redis.stop(), auth?.brook.stop(), auth?.redis.stop()]);
  });

  it('answers and closes like Redis for well-formed, malformed and incomplete input', async () => {
    expect(await differences(pair, CASES)).toEqual([]);
  });

  it('gives the same result when Brook receives the input one byte at a time', async () => {
    const short = CASES.filter((c) => c.length < 200);
    expect(await differences(pair, short, (input) => ({ pieces: [...input].map((byte) => Buffer.from([byte])) }))).toEqual([]);
  });

  it('applies the unauthenticated limits until AUTH, like Redis with requirepass', async () => {
    const inputs = [
      '*11\r\n',
      '*10\r\n',
      '*1\r\n$16385\r\n',
      '*1\r\n$16384\r\n',
      '*1\r\n$-1\r\n',
      '*2147483648\r\n',
      '*-5\r\nPING\r\n',
      'PING\r\n',
      'AUTH secret\r\n*11\r\n$4\r\nPING\r\n',
      'AUTH wrong\r\n*11\r\n',
      '*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n*1\r\n$20000\r\n',
      '*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n*12\r\n$4\r\nECHO\r\n' + '$1\r\nx\r\n'.repeat(11),
    ];
    expect(await differences(auth, inputs)).toEqual([]);
  });

  it('runs the commands that precede bad input in the same packet, and none after it', async () => {
    const input = 'SET proto:before 1\r\n*2\r\n$3\r\nGET\r\n$12\r\nproto:before\r\n*1\r\n$-1\r\nSET proto:after 1\r\n';
    for (const port of [pair.brook.port, pair.redis.port]) {
      const x = await exchange(port, input);
      expect(x).toEqual({ reply: '+OK\r\n$1\r\n1\r\n-ERR Protocol error: invalid bulk length\r\n', closed: true });
      const c = await RawClient.connect(port);
      expect(await c.call('MGET', 'proto:before', 'proto:after')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
      expect(await c.call('DEL', 'proto:before')).toBe(':1\r\n');
      c.close();
    }
  });

  it('answers thousands of pipelined commands in one packet identically, binary arguments included', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const parts: Buffer[] = [];
    for (let i = 0; i < 6000; i++) {
      const key = `pipe:${Math.floor(i / 4) % 500}`;
      if (i % 4 === 0) parts.push(encodeCommand(['SET', key, Buffer.concat([all, Buffer.from(String(i))])]));
      else if (i % 4 === 1) parts.push(encodeCommand(['GET', key]));
      else if (i % 4 === 2) parts.push(Buffer.from(`APPEND "${key}" "\\x00\\r\\n"\r\n`));
      else parts.push(encodeCommand(['STRLEN', key]));
    }
    parts.push(Buffer.from('DEL ' + Array.from({ length: 500 }, (_, i) => `pipe:${i}`).join(' ') + '\r\n'));
    const input = Buffer.concat(parts);
    const [b, r] = await Promise.all([exchange(pair.brook.port, input), exchange(pair.redis.port, input)]);
    expect(r.reply.length).toBeGreaterThan(400000);
    expect(b.reply === r.reply).toBe(true);
    expect(b.closed).toBe(false);
  });

  it('takes and returns values far bigger than the reply writer spills at (1 MB), byte for byte', async () => {
    const value = Buffer.alloc(20 * MB + 3, '\r\n\0\xffbig');
    const input = Buffer.concat([
      encodeCommand(['SET', 'proto:huge', value]),
      encodeCommand(['APPEND', 'proto:huge', 'tail']),
      encodeCommand(['MGET', 'proto:huge', 'proto:none', 'proto:huge']),
      encodeCommand(['DEL', 'proto:huge']),
    ]);
    // Tens of MB each way: a loaded machine may pause longer than the default quiet period mid-reply.
    const slow = { quietMs: 2000, maxMs: 30000 };
    const [b, r] = await Promise.all([exchange(pair.brook.port, input, slow), exchange(pair.redis.port, input, slow)]);
    expect(r.reply.length).toBeGreaterThan(40 * MB);
    expect(b.closed).toBe(false);
    expect(b.reply.length).toBe(r.reply.length);
    expect(b.reply === r.reply).toBe(true);
  });

  it('accepts more than 1024*1024 arguments in one request, as Redis 7.0 does', async () => {
    const n = 1100000;
    const input = Buffer.concat([Buffer.from(`*${n}\r\n$4\r\nECHO\r\n`), Buffer.from('$1\r\nx\r\n'.repeat(n - 1))]);
    // Parsing a million arguments may take longer than the default quiet period on a loaded machine.
    const slow = { quietMs: 2000, maxMs: 30000 };
    const [b, r] = await Promise.all([exchange(pair.brook.port, input, slow), exchange(pair.redis.port, input, slow)]);
    expect(r).toEqual({ reply: "-ERR wrong number of arguments for 'echo' command\r\n", closed: false });
    expect(b).toEqual(r);
  });

  describe('limits', () => {
    afterAll(async () => {
      await config(pair, 'proto-max-bulk-len', '512mb');
      await config(pair, 'client-query-buffer-limit', '1gb');
    });

    it('enforces proto-max-bulk-len set with CONFIG SET', async () => {
      await config(pair, 'proto-max-bulk-len', '1mb');
      const value = 'v'.repeat(MB);
      const inputs = [
        `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${MB + 1}\r\n`,
        `*3\r\n$3\r\nSET\r\n$8\r\nproto:mb\r\n$${MB}\r\n${value}\r\nSTRLEN proto:mb\r\nDEL proto:mb\r\n`,
      ];
      expect(await differences(pair, inputs)).toEqual([]);
      await config(pair, 'proto-max-bulk-len', '512mb');
    });

    it('closes, without a reply, a client whose request outgrows client-query-buffer-limit', async () => {
      await config(pair, 'client-query-buffer-limit', '1mb');
      const big = encodeCommand(['SET', 'proto:big', Buffer.alloc(3 * MB, 'x')]);
      const pieces: Buffer[] = [];
      for (let i = 0; i < big.length; i += 65536) pieces.push(big.subarray(i, i + 65536));
      const [b, r] = await Promise.all([exchange(pair.brook.port, big, { pieces }), exchange(pair.redis.port, big, { pieces })]);
      expect(r).toEqual({ reply: '', closed: true });
      expect(b).toEqual(r);
      // Already parsed pipelined commands do not count: 5 MB of small commands go through.
      const many = Buffer.concat(Array.from({ length: 60000 }, (_, i) => encodeCommand(['SET', `proto:q${i % 10}`, 'v'.repeat(64)])));
      const [b2, r2] = await Promise.all([exchange(pair.brook.port, many), exchange(pair.redis.port, many)]);
      expect(r2.reply).toBe('+OK\r\n'.repeat(60000));
      expect(b2).toEqual(r2);
      await config(pair, 'client-query-buffer-limit', '1gb');
    });

    it('(Brook only) counts the arguments of an incomplete request too, so memory stays bounded', async () => {
      // Redis keeps parsed arguments outside its query buffer, so it would keep growing here.
      await config(pair, 'client-query-buffer-limit', '1mb');
      const pid = serverPid(pair.brook.proc.pid!);
      const before = rssBytes(pid);
      // A count under the argument cap (2^26), so the query buffer limit is what stops it.
      const pieces = [Buffer.from('*60000000\r\n'), ...Array.from({ length: 200 }, () => Buffer.from('$1\r\nx\r\n'.repeat(10000)))];
      const x = await exchange(pair.brook.port, Buffer.alloc(0), { pieces });
      expect(x).toEqual({ reply: '', closed: true });
      expect(rssBytes(pid) - before).toBeLessThan(64 * MB);
      const c = await RawClient.connect(pair.brook.port);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      c.close();
      await config(pair, 'client-query-buffer-limit', '1gb');
    });

    it("(Brook only) refuses a bulk longer than V8's string limit instead of crashing", async () => {
      // An argument is a V8 string, which holds at most 2^29-24 bytes; Redis would take up to
      // proto-max-bulk-len (512 MB by default, i.e. 24 bytes more). Brook refuses it up front.
      await config(pair, 'proto-max-bulk-len', '1gb');
      const pid = serverPid(pair.brook.proc.pid!);
      for (const len of [2 ** 29 - 23, 512 * MB, 600 * MB]) {
        expect(await exchange(pair.brook.port, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${len}\r\n`)).toEqual({
          reply: '-ERR Protocol error: invalid bulk length\r\n',
          closed: true,
        });
      }
      // The longest legal length is accepted and waits for its body, which is not preallocated.
      const before = rssBytes(pid);
      expect(await exchange(pair.brook.port, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${2 ** 29 - 24}\r\nabc`)).toEqual({
        reply: '',
        closed: false,
      });
      expect(rssBytes(pid) - before).toBeLessThan(64 * MB);
      expect(alive(pid)).toBe(true);
      const c = await RawClient.connect(pair.brook.port);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      c.close();
      await config(pair, 'proto-max-bulk-len', '512mb');
    });
  });
});
