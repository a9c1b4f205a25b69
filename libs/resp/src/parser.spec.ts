import { describe, expect, it } from '@jest/globals';
import { rng } from '../../../test/support/rng.js';
import { MAX_ARG_LEN, MAX_ARGS, ProtocolError, QueryBufferLimitError, RespParser, splitInline, type ParserLimits } from './parser.js';

const MB = 1024 * 1024;

function limits(over: Partial<ParserLimits> = {}): ParserLimits {
  return { maxBulkLen: 512 * MB, maxMultibulkLen: 2147483647, maxQueryBuffer: 1024 * MB, ...over };
}

function encode(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Outcome {
  commands: string[][];
  /** The ProtocolError message, 'query-buffer-limit', or null when the input was fine. */
  error: string | null;
}

/** Feeds `input` cut into pieces at `cuts` (sorted offsets) and records what comes out. */
function run(input: Buffer, cuts: number[] = [], p = new RespParser(limits())): Outcome {
  const commands: string[][] = [];
  let prev = 0;
  try {
    for (const at of [...cuts, input.length]) {
      p.feed(input.subarray(prev, at), (argv) => commands.push(argv));
      prev = at;
    }
    return { commands, error: null };
  } catch (e) {
    if (e instanceof QueryBufferLimitError) return { commands, error: 'query-buffer-limit' };
    if (e instanceof ProtocolError) return { commands, error: e.message };
    throw e;
  }
}

const parse = (text: string, p?: RespParser): Outcome => run(Buffer.from(text, 'latin1'), [], p);

/** Every cut position once (one byte at a time). */
const bytewise = (n: number): number[] => Array.from({ length: n - 1 }, (_, i) => i + 1);

function randomCuts(n: number, next: () => number, maxChunk: number): number[] {
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(next() * maxChunk); at < n; at += 1 + Math.floor(next() * maxChunk)) cuts.push(at);
  return cuts;
}

describe('RespParser: requests', () => {
  it('parses multibulk and inline requests, pipelined in one buffer', () => {
    expect(parse('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nPING\r\n')).toEqual({
      commands: [['SET', 'k', 'hello'], ['PING'], ['PING']],
      error: null,
    });
  });

  it('parses thousands of pipelined commands from one packet in order', () => {
    const cmds = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? ['GET', `key:${i}`] : ['SET', `key:${i}`, 'v'.repeat(i % 50)]));
    const out = run(Buffer.concat(cmds.map(encode)));
    expect(out.error).toBeNull();
    expect(out.commands).toEqual(cmds);
  });

  it('gives identical results fed one byte at a time and in random chunk sizes', () => {
    const next = rng(7);
    const cmds: string[][] = [];
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(next() * 4);
      cmds.push(
        Array.from({ length: n }, () =>
          String.fromCharCode(...Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256))),
        ),
      );
    }
    const input = Buffer.concat([...cmds.map(encode), Buffer.from('ECHO "a b\\x41"\r\nPING\n*0\r\n*-1\r\n\r\n')]);
    const expected = run(input);
    expect(expected.commands).toEqual([...cmds, ['ECHO', 'a bA'], ['PING']]);
    expect(run(input, bytewise(input.length))).toEqual(expected);
    for (const max of [2, 7, 100, 3000]) expect(run(input, randomCuts(input.length, next, max))).toEqual(expected);
  });

  it('reads only the first `length` bytes of a reused receive buffer and keeps nothing of it', () => {
    const next = rng(11);
    const big = Buffer.alloc(200000, 'z');
    const input = Buffer.concat([
      encode(['SET', 'k', 'v']),
      encode(['SET', 'big', big]),
      Buffer.from('PING\r\nECHO "a b"\r\n*1\r\n$4\r\nECHO\r\n'),
    ]);
    const expected = run(input);
    expect(expected.commands.map((c) => c.length)).toEqual([3, 3, 1, 2, 1]);
    // A socket's receive buffer: each read lands at its start with stale bytes after it (other
    // connections' requests: line ends, whole commands), and the next read overwrites it (a kept
    // reference would show).
    const STALE = '\n*1\r\n$4\r\nQUIT\r\nPING\r\n';
    const receive = Buffer.alloc(65536, STALE);
    for (const max of [1, 5, 700, 65536]) {
      const p = new RespParser(limits());
      const commands: string[][] = [];
      let prev = 0;
      for (const at of [...randomCuts(input.length, next, max), input.length]) {
        const n = input.copy(receive, 0, prev, at);
        p.feed(receive, (argv) => commands.push(argv), n);
        receive.fill(STALE, 0, n);
        prev = at;
      }
      expect({ commands, error: null }).toEqual(expected);
    }
  });

  it('reports the same error at every split point, after the same commands', () => {
    const input = Buffer.from('*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n%3\r\nabc\r\n', 'latin1');
    const expected = { commands: [['PING'], ['ECHO', 'x']], error: "Protocol error: expected '$', got '%'" };
    expect(run(input)).toEqual(expected);
    expect(run(input, bytewise(input.length))).toEqual(expected);
  });

  it('is binary safe: every byte value, CR LF and NUL inside arguments', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const args = ['SET', '\r\n', '\0', all.toString('latin1'), '$3\r\nfoo\r\n*1\r\n', ''];
    const input = encode(args);
    expect(run(input).commands).toEqual([args]);
    expect(run(input, bytewise(input.length)).commands).toEqual([args]);
    expect(run(input).commands[0][3]).toHaveLength(256);
  });

  it('takes a big bulk across many chunks, buffering only what arrived', () => {
    const value = Buffer.alloc(3 * MB + 17, 'ab\r\n\0');
    const input = Buffer.concat([encode(['SET', 'k', value]), encode(['PING'])]);
    const p = new RespParser(limits());
    const got: string[][] = [];
    const header = input.indexOf('$' + value.length) + String(value.length).length + 3;
    p.feed(input.subarray(0, header + 10), (a) => got.push(a));
    expect(p.pending).toBe(10); // the declared 3 MB are not allocated ahead of the data
    for (let at = header + 10; at < input.length; at += 65536)
      p.feed(input.subarray(at, Math.min(input.length, at + 65536)), (a) => got.push(a));
    expect(got).toHaveLength(2);
    expect(got[0][2] === value.toString('latin1')).toBe(true);
    expect(got[1]).toEqual(['PING']);
    expect(p.pending).toBe(0);
  });

  it('skips *0, *-1 (down to int64 min) and empty or blank inline lines', () => {
    expect(parse('*0\r\n*-1\r\n*-9223372036854775808\r\n\r\n\n   \r\n\t\r\nPING\r\n')).toEqual({ commands: [['PING']], error: null });
  });

  it('like Redis, does not check the bytes after CR or after a bulk body', () => {
    expect(parse('*1\rX$4\rYPINGab*1\r\n$4\r\nPING\r\n').commands).toEqual([['PING'], ['PING']]);
  });

  it('waits for CR on * and $ lines (an LF alone does not end them)', () => {
    expect(parse('*1\n$4\nPING\n')).toEqual({ commands: [], error: null });
    expect(parse('*1\r')).toEqual({ commands: [], error: null });
    expect(parse('*1\r\n$4\r')).toEqual({ commands: [], error: null });
  });

  it('strips one CR before LF on inline lines only', () => {
    expect(parse('ECHO a\r\r\nECHO b\n').commands).toEqual([
      ['ECHO', 'a'],
      ['ECHO', 'b'],
    ]);
  });

  it('treats a NUL byte before the line end as "no line yet", as strchr does in Redis', () => {
    const p = new RespParser(limits());
    expect(parse('PING\0\r\n', p)).toEqual({ commands: [], error: null });
    expect(p.pending).toBe(7);
    expect(parse('*1\0\r\n')).toEqual({ commands: [], error: null });
    expect(parse('*1\r\n$4\0\r\n')).toEqual({ commands: [], error: null });
    expect(parse('PING\0' + 'x'.repeat(70000) + '\r\n').error).toBe('Protocol error: too big inline request');
  });

  it('applies new limits and authentication between commands of one packet', () => {
    const p = new RespParser(limits());
    p.authenticated = false;
    const got: string[][] = [];
    p.feed(Buffer.from('AUTH x\r\n*11\r\n' + '$1\r\na\r\n'.repeat(11)), (argv) => {
      got.push(argv);
      p.authenticated = true;
    });
    expect(got).toHaveLength(2);
    expect(got[1]).toHaveLength(11);
  });
});

describe('RespParser: protocol errors (Redis 7.0 texts)', () => {
  const cases: [string, string][] = [
    ['*x\r\n', 'Protocol error: invalid multibulk length'],
    ['*01\r\n', 'Protocol error: invalid multibulk length'],
    ['*+1\r\n', 'Protocol error: invalid multibulk length'],
    ['* 1\r\n', 'Protocol error: invalid multibulk length'],
    ['*1 \r\n', 'Protocol error: invalid multibulk length'],
    ['*-0\r\n', 'Protocol error: invalid multibulk length'],
    ['*\r\n', 'Protocol error: invalid multibulk length'],
    ['*2147483648\r\n', 'Protocol error: invalid multibulk length'],
    ['*-9223372036854775809\r\n', 'Protocol error: invalid multibulk length'],
    ['*99999999999999999999\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$04\r\nPING\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$+4\r\nPING\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$4 \r\nPING\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\nx\r\n', "Protocol error: expected '$', got 'x'"],
    ['*1\r\n\xff\r\n', "Protocol error: expected '$', got '\xff'"],
    ['*1\r\n\r\n', "Protocol error: expected '$', got ' '"],
    ['*1\r\n\nab\rc', "Protocol error: expected '$', got ' '"],
    ['*2\r\n$4\r\nECHO\r\nPING\r\n', "Protocol error: expected '$', got 'P'"],
    ['ECHO "abc\r\n', 'Protocol error: unbalanced quotes in request'],
    ['ECHO "a"b\r\n', 'Protocol error: unbalanced quotes in request'],
    ["ECHO 'a'b\r\n", 'Protocol error: unbalanced quotes in request'],
    ['x'.repeat(70000), 'Protocol error: too big inline request'],
    ['*' + '1'.repeat(70000), 'Protocol error: too big mbulk count string'],
    ['*1\r\n$' + '1'.repeat(70000), 'Protocol error: too big bulk count string'],
  ];
  it.each(cases.map(([input, message]) => [JSON.stringify(input).slice(0, 40), input, message]))('%s', (_, input, message) => {
    expect(parse(input)).toEqual({ commands: [], error: message });
  });

  it('delivers the commands before the bad input first, then resets', () => {
    const p = new RespParser(limits());
    expect(parse('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\nPING\r\n', p)).toEqual({
      commands: [['PING'], ['PING']],
      error: 'Protocol error: invalid bulk length',
    });
    expect(p.pending).toBe(0);
  });

  it('waits while the bytes seen so far are not yet an error', () => {
    expect(parse('*1\r\nxyz')).toEqual({ commands: [], error: null }); // Redis needs the CR first
    expect(parse('x'.repeat(60000))).toEqual({ commands: [], error: null });
    expect(parse(`*${MAX_ARGS}\r\n`)).toEqual({ commands: [], error: null });
  });

  it('refuses a count above MAX_ARGS at its header, before reading any argument (V8 array limit)', () => {
    expect(MAX_ARGS).toBeLessThan(113_000_000 / 1.5);
    expect(parse(`*${MAX_ARGS + 1}\r\n`)).toEqual({ commands: [], error: 'Protocol error: invalid multibulk length' });
    expect(parse('*2147483647\r\n$0\r\n\r\n')).toEqual({ commands: [], error: 'Protocol error: invalid multibulk length' });
  });

  it('accepts more than 1024*1024 arguments, as Redis 7.0 does', () => {
    const n = 1100000;
    const out = run(Buffer.concat([Buffer.from(`*${n}\r\n`), Buffer.from('$1\r\nx\r\n'.repeat(n))]));
    expect(out.error).toBeNull();
    expect(out.commands[0]).toHaveLength(n);
  });

  it('enforces the unauthenticated limits (10 arguments, 16384-byte bulks) until AUTH', () => {
    const p = (): RespParser => {
      const r = new RespParser(limits());
      r.authenticated = false;
      return r;
    };
    expect(parse('*11\r\n', p()).error).toBe('Protocol error: unauthenticated multibulk length');
    expect(parse('*10\r\n', p()).error).toBeNull();
    expect(parse('*1\r\n$16385\r\n', p()).error).toBe('Protocol error: unauthenticated bulk length');
    expect(parse('*1\r\n$16384\r\n', p()).error).toBeNull();
    expect(parse('*1\r\n$-1\r\n', p()).error).toBe('Protocol error: invalid bulk length');
    expect(parse('*2147483648\r\n', p()).error).toBe('Protocol error: invalid multibulk length');
    expect(parse('*1\r\n$999999999999\r\n', p()).error).toBe('Protocol error: invalid bulk length');
    expect(parse('*-5\r\n', p()).error).toBeNull();
  });
});

describe('RespParser: limits', () => {
  it('honours proto-max-bulk-len, changed at run time', () => {
    const p = new RespParser(limits({ maxBulkLen: MB }));
    expect(parse(`*1\r\n$${MB}\r\n`, p).error).toBeNull();
    p.reset();
    expect(parse(`*1\r\n$${MB + 1}\r\n`, p).error).toBe('Protocol error: invalid bulk length');
    p.limits.maxBulkLen = 2 * MB;
    expect(parse(`*1\r\n$${MB + 1}\r\n`, p).error).toBeNull();
  });

  it('refuses a bulk longer than a V8 string can be, before buffering it', () => {
    expect(MAX_ARG_LEN).toBe(2 ** 29 - 24);
    const p = new RespParser(limits({ maxBulkLen: 2 ** 40 }));
    expect(parse(`*1\r\n$${MAX_ARG_LEN}\r\n`, p).error).toBeNull();
    p.reset();
    expect(parse(`*1\r\n$${MAX_ARG_LEN + 1}\r\n`, p).error).toBe('Protocol error: invalid bulk length');
    expect(parse(`*1\r\n$${512 * MB}\r\n`).error).toBe('Protocol error: invalid bulk length');
  });

  it('closes on a request over client-query-buffer-limit: one big bulk or many small arguments', () => {
    const p = new RespParser(limits({ maxQueryBuffer: MB }));
    const big = encode(['SET', 'k', Buffer.alloc(MB + 100)]);
    expect(run(big, randomCuts(big.length, rng(1), 65536), p).error).toBe('query-buffer-limit');
    expect(p.pending).toBe(0);
    const many = Buffer.concat([Buffer.from('*1000000\r\n'), Buffer.from('$1\r\nx\r\n'.repeat(200000))]);
    expect(run(many, randomCuts(many.length, rng(2), 65536), p).error).toBe('query-buffer-limit');
  });

  it('does not count already parsed pipelined commands against client-query-buffer-limit', () => {
    const p = new RespParser(limits({ maxQueryBuffer: MB }));
    const input = Buffer.concat(Array.from({ length: 100000 }, (_, i) => encode(['SET', `k${i}`, 'value'])));
    expect(input.length).toBeGreaterThan(3 * MB);
    const out = run(input, randomCuts(input.length, rng(3), 65536), p);
    expect(out.error).toBeNull();
    expect(out.commands).toHaveLength(100000);
  });
});

describe('RespParser: reset from the sink', () => {
  it('reset() stops parsing: no later command and no later protocol error', () => {
    const p = new RespParser(limits());
    const got: string[][] = [];
    p.feed(Buffer.from('PING\r\nQUIT\r\nPING\r\n*x\r\n'), (argv) => {
      got.push(argv);
      if (argv[0] === 'QUIT') p.reset();
    });
    expect(got).toEqual([['PING'], ['QUIT']]);
    expect(p.pending).toBe(0);
  });
});

describe('splitInline (sdssplitargs)', () => {
  const cases: [string, string[] | null][] = [
    ['SET "a b" "c\\x41\\x4g\\n\\q"', ['SET', 'a b', 'cAx4g\nq']],
    ["ECHO 'x\\ny' 'it\\'s'", ['ECHO', 'x\\ny', "it's"]],
    ['ECHO "" \'\'', ['ECHO', '', '']],
    ['ECHO "a"\tb', ['ECHO', 'a', 'b']],
    ['ECHO\ta', ['ECHO', 'a']],
    ['ECHO\va', ['ECHO\va']],
    ['  \v ECHO\fa  ', ['ECHO\fa']],
    ['a"b c"', ['ab c']],
    ['ECHO "\\x4"', ['ECHO', 'x4']],
    ['ECHO "\\xff\\x00"', ['ECHO', '\xff\0']],
    ['ECHO "\\t\\r\\b\\a\\\\\\""', ['ECHO', '\t\r\b\x07\\"']],
    ['ECHO a\rb', ['ECHO', 'a', 'b']],
    ['ECHO a\0b c', ['ECHO', 'a']],
    ['', []],
    ['ECHO "ab\\"', null],
    ['ECHO "ab', null],
    ["ECHO 'ab", null],
    ['ECHO "a"b', null],
    ['ECHO "a""b"', null],
  ];
  it.each(cases)('%j', (line, args) => {
    expect(splitInline(line)).toEqual(args);
  });

  it('keeps text beyond latin1 (redis.conf is UTF-8) as written', () => {
    expect(splitInline('requirepass "pä€ss" \'日本\'')).toEqual(['requirepass', 'pä€ss', '日本']);
  });

  it('unescapes long quoted arguments in one piece', () => {
    const value = 'ab\n'.repeat(20000);
    const line = `SET k "${value.replace(/\n/g, '\\n')}" '${'q'.repeat(70000)}'`;
    expect(splitInline(line)).toEqual(['SET', 'k', value, 'q'.repeat(70000)]);
  });
});
