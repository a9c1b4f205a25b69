import { describe, expect, it } from '@jest/globals';
import { ManifestError, aofNames, formatManifest, parseManifest } from './manifest.js';

describe('AOF manifest (Redis 7.0 format)', () => {
  const REDIS = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';

  it('reads what redis-server 7.0.15 writes and writes it back byte for byte', () => {
    const m = parseManifest(REDIS);
    expect(m.base).toEqual({ name: 'appendonly.aof.1.base.rdb', seq: 1, type: 'b' });
    expect(m.incr).toEqual([{ name: 'appendonly.aof.1.incr.aof', seq: 1, type: 'i' }]);
    expect(formatManifest(m)).toBe(REDIS);
  });

  it('skips comments, accepts CRLF, extra key/value pairs and quoted names', () => {
    const m = parseManifest('# c\r\nfile "a b.aof" seq 2 type i extra x\r\nfile c.aof seq 3 type h\n');
    expect(m.incr).toEqual([{ name: 'a b.aof', seq: 2, type: 'i' }]);
    expect(m.history).toEqual([{ name: 'c.aof', seq: 3, type: 'h' }]);
    expect(formatManifest(m)).toBe('file c.aof seq 3 type h\nfile "a b.aof" seq 2 type i\n');
  });

  it.each([
    ['', 'Found an empty AOF manifest'],
    ['file a seq 1 type i', 'The AOF manifest file contains too long line'],
    [`file ${'x'.repeat(1100)} seq 1 type i\n`, 'The AOF manifest file contains too long line'],
    ['file a seq 1 type\n', 'Invalid AOF manifest file format'],
    ['file a seq 0 type i\n', 'Invalid AOF manifest file format'],
    ['\n', 'Invalid AOF manifest file format'],
    ['file d/a seq 1 type i\n', "File can't be a path, just a filename"],
    ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
    ['file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number'],
    ['file a seq 1 type x\n', 'Unknown AOF file type'],
  ])('refuses %j with Redis message', (text, message) => {
    expect(() => parseManifest(text)).toThrow(new ManifestError(message));
  });

  it('names the parts as Redis does', () => {
    expect(aofNames.manifest('appendonly.aof')).toBe('appendonly.aof.manifest');
    expect(aofNames.base('appendonly.aof', 2, true)).toBe('appendonly.aof.2.base.rdb');
    expect(aofNames.base('appendonly.aof', 2, false)).toBe('appendonly.aof.2.base.aof');
    expect(aofNames.incr('appendonly.aof', 3)).toBe('appendonly.aof.3.incr.aof');
  });
});
