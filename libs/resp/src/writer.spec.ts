import { describe, expect, it } from '@jest/globals';
import { FLUSH_THRESHOLD, ReplyWriter, type RespVersion } from './writer.js';

/** Spilled output as latin1 text, whether the writer handed over its bytes or a string by reference. */
const text = (data: string | Buffer): string => (typeof data === 'string' ? data : data.latin1Slice(0, data.length));

/** A writer whose spilled output is recorded, plus a helper that returns everything written. */
function writer(proto: RespVersion = 2): { w: ReplyWriter; spilled: string[]; all: () => string } {
  const spilled: string[] = [];
  const w = new ReplyWriter((data) => spilled.push(text(data)));
  w.proto = proto;
  return { w, spilled, all: () => spilled.join('') + w.take() };
}

const bytes = (proto: RespVersion, write: (w: ReplyWriter) => void): string => {
  const { w, all } = writer(proto);
  write(w);
  return all();
};

describe('ReplyWriter framing', () => {
  const cases: [string, (w: ReplyWriter) => void, string, string][] = [
    ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
    ['simple', (w) => w.simple('PONG'), '+PONG\r\n', '+PONG\r\n'],
    ['error', (w) => w.error('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
    ['integer', (w) => w.integer(-42), ':-42\r\n', ':-42\r\n'],
    ['int64 bigint', (w) => w.integer(-9223372036854775808n), ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['bulk', (w) => w.bulk('a\r\n\0\xff'), '$5\r\na\r\n\0\xff\r\n', '$5\r\na\r\n\0\xff\r\n'],
    ['empty bulk', (w) => w.bulk(''), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['bulkBuffer', (w) => w.bulkBuffer(Buffer.from([0, 13, 10, 255])), '$4\r\n\0\r\n\xff\r\n', '$4\r\n\0\r\n\xff\r\n'],
    ['bulkOrNil value', (w) => w.bulkOrNil('v'), '$1\r\nv\r\n', '$1\r\nv\r\n'],
    ['bulkOrNil null', (w) => w.bulkOrNil(null), '$-1\r\n', '_\r\n'],
    ['nil', (w) => w.nil(), '$-1\r\n', '_\r\n'],
    ['nilArray', (w) => w.nilArray(), '*-1\r\n', '_\r\n'],
    ['array', (w) => w.array(0), '*0\r\n', '*0\r\n'],
    [
      'map',
      (w) => {
        w.map(1);
        w.bulk('k');
        w.integer(1);
      },
      '*2\r\n$1\r\nk\r\n:1\r\n',
      '%1\r\n$1\r\nk\r\n:1\r\n',
    ],
    [
      'set',
      (w) => {
        w.set(1);
        w.bulk('m');
      },
      '*1\r\n$1\r\nm\r\n',
      '~1\r\n$1\r\nm\r\n',
    ],
    [
      'push',
      (w) => {
        w.push(2);
        w.bulk('message');
        w.bulk('x');
      },
      '*2\r\n$7\r\nmessage\r\n$1\r\nx\r\n',
      '>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n',
    ],
    ['double', (w) => w.double('3.5'), '$3\r\n3.5\r\n', ',3.5\r\n'],
    ['double inf', (w) => w.double('inf'), '$3\r\ninf\r\n', ',inf\r\n'],
    ['boolean true', (w) => w.boolean(true), ':1\r\n', '#t\r\n'],
    ['boolean false', (w) => w.boolean(false), ':0\r\n', '#f\r\n'],
    ['bigNumber', (w) => w.bigNumber('12345678901234567890'), '$20\r\n12345678901234567890\r\n', '(12345678901234567890\r\n'],
    ['verbatim', (w) => w.verbatim('a\r\nb'), '$4\r\na\r\nb\r\n', '=8\r\ntxt:a\r\nb\r\n'],
    ['verbatim markdown', (w) => w.verbatim('# x', 'mkd'), '$3\r\n# x\r\n', '=7\r\nmkd:# x\r\n'],
    ['bulkArray', (w) => w.bulkArray(['a', '']), '*2\r\n$1\r\na\r\n$0\r\n\r\n', '*2\r\n$1\r\na\r\n$0\r\n\r\n'],
    ['raw', (w) => w.raw('+QUEUED\r\n'), '+QUEUED\r\n', '+QUEUED\r\n'],
  ];
  it.each(cases)('%s', (_, write, resp2, resp3) => {
    expect(bytes(2, write)).toBe(resp2);
    expect(bytes(3, write)).toBe(resp3);
  });

  it('keeps an error reply on one line: CR and LF become spaces, as in Redis', () => {
    const { w, all } = writer();
    w.error("ERR unknown command 'a\r\nb', with args beginning with: ");
    expect(all()).toBe("-ERR unknown command 'a  b', with args beginning with: \r\n");
    expect(w.errors).toBe(1);
    expect(w.lastError).toBe("ERR unknown command 'a  b', with args beginning with: ");
  });

  it('take() returns the pending output once', () => {
    const { w } = writer();
    w.ok();
    w.integer(1);
    expect(w.take()).toBe('+OK\r\n:1\r\n');
    expect(w.take()).toBe('');
  });
});

describe('ReplyWriter spilling', () => {
  it('hands output over FLUSH_THRESHOLD to the socket early, whatever the reply type', () => {
    const { w, spilled, all } = writer();
    const n = 3_000_000; // ~13 MB of integers, then ~13 MB of small bulks
    w.array(2 * n);
    for (let i = 0; i < n; i++) w.integer(i);
    for (let i = 0; i < n; i++) w.bulk('x');
    expect(spilled.length).toBeGreaterThanOrEqual(1);
    for (const s of spilled) expect(s.length).toBeLessThanOrEqual(FLUSH_THRESHOLD + 64);
    const text = all();
    expect(text.startsWith(`*${2 * n}\r\n:0\r\n:1\r\n`)).toBe(true);
    expect(text.endsWith('$1\r\nx\r\n$1\r\nx\r\n')).toBe(true);
    expect(text.length).toBe(`*${2 * n}\r\n`.length + [...Array(n).keys()].reduce((a, i) => a + String(i).length + 3, 0) + 7 * n);
  });

  it('spills a huge bulk string apart instead of joining it to the pending output', () => {
    const { w, spilled, all } = writer();
    const big = 'v'.repeat(FLUSH_THRESHOLD + 5);
    w.ok();
    w.bulk(big);
    w.ok();
    expect(spilled).toHaveLength(2);
    expect(spilled[0]).toBe(`+OK\r\n$${big.length}\r\n`);
    expect(spilled[1] === big).toBe(true);
    expect(w.out).toBe('\r\n+OK\r\n');
    expect(all() === `+OK\r\n$${big.length}\r\n${big}\r\n+OK\r\n`).toBe(true);
  });

  it('writes a Buffer value in pieces, so no string nears the V8 limit', () => {
    const { w, spilled, all } = writer(3);
    const buf = Buffer.alloc(2 * FLUSH_THRESHOLD + 3, 'ab');
    w.bulkBuffer(buf);
    expect(spilled.map((s) => s.length)).toEqual([`$${buf.length}\r\n`.length, FLUSH_THRESHOLD, FLUSH_THRESHOLD, 3]);
    expect(Buffer.from(all(), 'latin1').equals(Buffer.concat([Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from('\r\n')]))).toBe(true);
  });

  it('spills a huge verbatim string the same way', () => {
    const { w, spilled, all } = writer(3);
    const text = 'i'.repeat(FLUSH_THRESHOLD);
    w.verbatim(text);
    expect(spilled[0]).toBe(`=${text.length + 4}\r\ntxt:`);
    expect(all() === `=${text.length + 4}\r\ntxt:${text}\r\n`).toBe(true);
  });
});

describe('ReplyWriter silenced', () => {
  it('drops every reply while silenced, a spilled huge one included, and still counts errors', () => {
    const { w, spilled, all } = writer();
    w.ok();
    w.silenced = true;
    w.bulk('v'.repeat(FLUSH_THRESHOLD + 5));
    w.bulkBuffer(Buffer.alloc(FLUSH_THRESHOLD + 5));
    w.verbatim('x');
    w.array(2);
    w.error('ERR no');
    expect(spilled).toEqual([]);
    expect(w.errors).toBe(1);
    expect(w.lastError).toBe('ERR no');
    w.silenced = false;
    w.integer(1);
    expect(all()).toBe('+OK\r\n:1\r\n');
  });
});

describe('ReplyWriter spill sizes', () => {
  it('says with each spilled piece how much of the same reply follows it', () => {
    const calls: [number, number][] = [];
    const w = new ReplyWriter((data, following) => calls.push([data.length, following]));
    const big = 'v'.repeat(FLUSH_THRESHOLD + 5);
    w.bulk(big);
    w.bulkBuffer(Buffer.alloc(2 * FLUSH_THRESHOLD + 3));
    const header = (n: number): number => `$${n}\r\n`.length;
    expect(calls).toEqual([
      [header(big.length), big.length + 2],
      [big.length, 2],
      [2 + header(2 * FLUSH_THRESHOLD + 3), 2 * FLUSH_THRESHOLD + 5],
      [FLUSH_THRESHOLD, FLUSH_THRESHOLD + 5],
      [FLUSH_THRESHOLD, 5],
      [3, 2],
    ]);
  });
});

describe('ReplyWriter slab', () => {
  it('never writes over bytes it handed out until told they are gone', () => {
    const w = new ReplyWriter(() => undefined);
    w.bulk('first');
    const first = w.takeBytes();
    for (let i = 0; i < 5000; i++) w.integer(i); // fills the slab and moves to a new one
    expect(first.latin1Slice(0, first.length)).toBe('$5\r\nfirst\r\n');
    w.takeBytes();
    w.recycle();
    w.ok();
    const reused = w.takeBytes();
    expect(reused.byteOffset).toBe(0);
    expect(reused.latin1Slice(0, reused.length)).toBe('+OK\r\n');
  });

  it('keeps pending output when recycled, and encodes integers and binary text byte for byte', () => {
    const w = new ReplyWriter(() => undefined);
    w.integer(7);
    w.recycle();
    w.integer(-1234567890123);
    w.integer(2n ** 63n - 1n);
    w.simple('\xff\x00' + 'x'.repeat(40));
    expect(w.pending).toBe(w.out.length);
    expect(w.take()).toBe(':7\r\n:-1234567890123\r\n:9223372036854775807\r\n+\xff\x00' + 'x'.repeat(40) + '\r\n');
    expect(w.pending).toBe(0);
  });

  it('copies a Buffer value into its output, so a later edit of the value does not change a reply', () => {
    const w = new ReplyWriter(() => undefined);
    const value = Buffer.from('abc');
    w.bulkBuffer(value);
    value[0] = 0x7a;
    expect(w.take()).toBe('$3\r\nabc\r\n');
  });
});
