import { describe, expect, it } from '@jest/globals';
import { RdbReader, type RdbItem } from './rdb-reader.js';
import { RdbWriter } from './rdb-writer.js';

function write(opts: { compression: boolean; checksum: boolean }, build: (w: RdbWriter) => void): Buffer {
  const chunks: Buffer[] = [];
  const w = new RdbWriter(opts, (c) => chunks.push(c));
  build(w);
  w.end();
  const file = Buffer.concat(chunks);
  expect(w.bytesWritten).toBe(file.length);
  return file;
}

function items(file: Buffer): RdbItem[] {
  const r = new RdbReader(file);
  const out: RdbItem[] = [];
  for (let it = r.next(); ; it = r.next()) {
    out.push(it);
    if (it.kind === 'eof') return out;
  }
}

describe('RDB file writer and reader', () => {
  it("writes the exact bytes of Redis's SAVE of `SET foo bar` (interop.md §1.1)", () => {
    const file = write({ compression: true, checksum: true }, (w) => {
      w.header([
        ['redis-ver', '7.0.15'],
        ['redis-bits', 64],
        ['ctime', 1795646448],
        ['used-mem', 988600],
        ['aof-base', 0],
      ]);
      w.selectDb(0, 1, 0);
      w.entry('foo', 'bar', undefined);
    });
    expect(file.toString('hex')).toBe(
      '524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65c2f063076bfa08757365642d6d656dc2b8150f00fa08616f662d62617365c000fe00fb01000003666f6f03626172ff' +
        'c7a59d4a9fc819d7',
    );
  });

  it('hands the sink chunks of about 64 KB, each its own', () => {
    const chunks: Buffer[] = [];
    const w = new RdbWriter({ compression: false, checksum: true }, (c) => chunks.push(c));
    w.header([['redis-ver', '7.0.15']]);
    w.selectDb(0, 2000, 0);
    for (let i = 0; i < 2000; i++) w.entry(`key:${i}`, 'x'.repeat(100) + String(i), undefined);
    const before = Buffer.concat(chunks.slice());
    w.end();
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70000);
    // Chunks already handed over are never written again.
    expect(Buffer.concat(chunks).subarray(0, before.length)).toEqual(before);
    expect(items(Buffer.concat(chunks)).filter((i) => i.kind === 'entry')).toHaveLength(2000);
  });

  it('reads back what it wrote, with and without checksum and compression', () => {
    for (const opts of [
      { compression: true, checksum: true },
      { compression: false, checksum: false },
    ]) {
      const file = write(opts, (w) => {
        w.header([['redis-ver', '7.0.15']]);
        w.functionLibrary('#!lua name=lib');
        w.selectDb(3, 2, 1);
        w.entry('a', 'v'.repeat(50), 4102444800123n, { idle: 77 });
        w.entry('b', -5, undefined, { freq: 9 });
      });
      if (!opts.checksum) expect(file.subarray(file.length - 8)).toEqual(Buffer.alloc(8));
      expect(items(file)).toEqual([
        { kind: 'aux', key: 'redis-ver', value: '7.0.15' },
        { kind: 'function', code: '#!lua name=lib' },
        { kind: 'db', db: 3 },
        { kind: 'resize', keys: 2, expires: 1 },
        { kind: 'entry', key: 'a', value: 'v'.repeat(50), expireAtMs: 4102444800123, idle: 77 },
        { kind: 'entry', key: 'b', value: -5, expireAtMs: undefined, freq: 9 },
        { kind: 'eof' },
      ]);
    }
  });
});
