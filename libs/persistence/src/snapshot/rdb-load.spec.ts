import { describe, expect, it } from '@jest/globals';
import { Keyspace } from '@brook/storage';
import { RdbWriter } from '../rdb/rdb-writer.js';
import { DEFAULT_LIMITS } from '../rdb/rdb-types.js';
import { RdbLoad } from './rdb-load.js';

function rdb(keys: number, hint: number): Buffer {
  const chunks: Buffer[] = [];
  const w = new RdbWriter({ compression: false, checksum: true }, (c) => chunks.push(c));
  w.header([['redis-ver', '7.0.15']]);
  w.selectDb(0, hint, 0);
  for (let i = 0; i < keys; i++) w.entry(`k${i}`, `v${i}`, undefined);
  w.end();
  return Buffer.concat(chunks);
}

function load(file: Buffer): Keyspace {
  const ks = new Keyspace(16);
  const job = new RdbLoad(ks, file, DEFAULT_LIMITS, () => Date.now());
  expect(job.step(Infinity)).toBe(true);
  expect(job.offset).toBe(job.totalBytes);
  return ks;
}

describe('RdbLoad', () => {
  it('sizes the key table from RESIZEDB before the keys come, so the load never resizes it', () => {
    const ks = load(rdb(5000, 5000));
    const keys = ks.dbs[0].keys;
    expect(keys.size).toBe(5000);
    expect(keys.groupCount).toBe(8192);
    expect(keys.resizing).toBe(false);
    expect(ks.dbs[0].get('k4999')).toBe('v4999');
  });

  it('a RESIZEDB hint larger than the file could hold sizes the table by the file, not by the hint', () => {
    const ks = load(rdb(10, 2 ** 40));
    const keys = ks.dbs[0].keys;
    expect(keys.size).toBe(10);
    // The file has room for at most (size / 3) keys after the hint: the buckets stay that small.
    expect(keys.groupCount).toBeLessThanOrEqual(64);
  });
});
