import { describe, expect, it } from '@jest/globals';
import { lruClock } from './access.js';
import { Evictor } from './eviction.js';
import { Keyspace } from './keyspace.js';
import { Ev } from './keyspace-events.js';
import { HashObject } from './types/hash/index.js';

/** A keyspace accounting memory, with an evictor for `policy` whose limit is `keep` of the current data. */
function setup(policy: string, fillDb: (ks: Keyspace) => void, keep: number): { ks: Keyspace; ev: Evictor } {
  const ks = new Keyspace(4);
  ks.setAccessPolicy(policy);
  ks.setAccounting(true);
  fillDb(ks);
  const ev = new Evictor(ks);
  ev.setPolicy(policy);
  ev.tenacity = 100;
  ev.maxmemory = Math.floor(ks.dataBytes() * keep);
  return { ks, ev };
}

describe('memory accounting', () => {
  it('kept write by write, it equals a fresh count after overwrites, edits, moves, deletes and flushes', () => {
    const ks = new Keyspace(4);
    ks.setAccounting(true);
    const [a, b] = ks.dbs;
    for (let i = 0; i < 200; i++) a.set(`s${i}`, `value-${i}`);
    for (let i = 0; i < 20; i++) {
      const h = new HashObject();
      a.set(`h${i}`, h);
      for (let j = 0; j < 50; j++) {
        h.set(`field-${j}`, `value-${j}`, 128, 64);
        a.modified(`h${i}`);
      }
    }
    a.set('s1', 12345);
    a.set('s2', 'x'.repeat(1000));
    a.delete('s3');
    a.moveKey('s4', b, 's4', Ev.moveFrom, Ev.moveTo);
    a.moveKey('h1', a, 'renamed', Ev.renameFrom, Ev.renameTo);
    b.put('copy', new HashObject(), undefined, Ev.copyTo);
    ks.swap(0, 2);
    ks.dbs[3].set('x', 'y');
    ks.dbs[3].flush();
    const kept = ks.dbs.map((db) => db.bytes);
    for (const db of ks.dbs) db.chargeAll();
    expect(ks.dbs.map((db) => db.bytes)).toEqual(kept);
    expect(kept[2]).toBeGreaterThan(0);
    for (const db of ks.dbs) db.flush();
    expect(ks.dataBytes()).toBe(0);
  });
});

describe('Evictor', () => {
  it('volatile-ttl evicts the soonest expiry first and never a persistent key', () => {
    const { ks, ev } = setup(
      'volatile-ttl',
      (ks) => {
        const db = ks.dbs[1];
        for (let i = 0; i < 40; i++) db.set(`p${i}`, 'persistent');
        for (let i = 0; i < 40; i++) db.put(`t${i}`, 'volatile', 1e13 + i * 1000, Ev.set);
      },
      0.75,
    );
    ev.samples = 64;
    expect(ev.evict()).toBe('ok');
    const gone = Array.from({ length: 40 }, (_, i) => i).filter((i) => !ks.dbs[1].exists(`t${i}`));
    // Sampling all keys, each eviction takes the nearest expiry: the evicted are a prefix.
    expect(gone).toEqual(Array.from({ length: gone.length }, (_, i) => i));
    expect(gone.length).toBeGreaterThan(10);
    expect(ks.stats.evictedKeys).toBe(gone.length);
    for (let i = 0; i < 40; i++) expect(ks.dbs[1].exists(`p${i}`)).toBe(true);
  });

  it('allkeys-lru evicts the longest idle first, across databases', () => {
    const { ks, ev } = setup(
      'allkeys-lru',
      (ks) => {
        for (let i = 0; i < 60; i++) {
          const db = ks.dbs[i % 3];
          db.set(`k${i}`, 'value');
          // Key i was last accessed i seconds after key 0.
          db.setAccessWord(`k${i}`, 'value', lruClock(ks.now - (60 - i) * 1000));
        }
      },
      0.5,
    );
    ev.samples = 64;
    expect(ev.evict()).toBe('ok');
    const left = Array.from({ length: 60 }, (_, i) => i).filter((i) => ks.dbs[i % 3].exists(`k${i}`));
    expect(left).toEqual(Array.from({ length: left.length }, (_, i) => 60 - left.length + i));
  });

  it('fails when nothing can be evicted: noeviction, or volatile-* without TTLs', () => {
    for (const policy of ['noeviction', 'volatile-lru', 'volatile-random', 'volatile-ttl']) {
      const { ks, ev } = setup(policy, (ks) => ks.dbs[0].set('k', 'v'), 0.5);
      expect(ev.evict()).toBe('fail');
      expect(ks.dbs[0].exists('k')).toBe(true);
    }
  });

  it('stops on its time budget with work left, and counts the time over the limit', () => {
    const { ks, ev } = setup(
      'allkeys-random',
      (ks) => {
        for (let i = 0; i < 50_000; i++) ks.dbs[0].set(`k${i}`, i);
      },
      0.01,
    );
    ev.tenacity = 0;
    expect(ev.evict()).toBe('running');
    expect(ks.stats.evictedKeys).toBeGreaterThanOrEqual(16);
    expect(ks.stats.evictedKeys).toBeLessThan(50_000);
    let rounds = 0;
    while (ev.evict() === 'running') rounds++;
    expect(rounds).toBeGreaterThan(0);
    expect(ev.currentExceededMs(Date.now())).toBe(0);
    expect(ks.dataBytes()).toBeLessThanOrEqual(ev.maxmemory);
  });
});
