import { describe, expect, it } from '@jest/globals';
import { ActiveExpiry } from './active-expiry.js';
import { Keyspace } from './keyspace.js';
import { Ev } from './keyspace-events.js';

/** A keyspace whose change feed is recorded as [db, ...argv] lines. */
function recorded(): { ks: Keyspace; log: string[][] } {
  const ks = new Keyspace(4);
  const log: string[][] = [];
  ks.feed.subscribe((db, argv) => log.push([String(db), ...argv]));
  return { ks, log };
}

describe('change feed: expiry becomes DEL', () => {
  it('a lazily expired key is deleted on access and fed as DEL in its database', () => {
    const { ks, log } = recorded();
    const db = ks.dbs[2];
    db.set('k', 'v');
    db.setExpire('k', ks.now + 1000);
    expect(db.get('k')).toBe('v');
    expect(log).toEqual([]); // storage writes are fed by the dispatcher (argv), not by storage
    ks.now += 1000;
    expect(db.get('k')).toBeUndefined();
    expect(log).toEqual([['2', 'DEL', 'k']]);
    expect(db.size).toBe(0);
    expect(ks.stats.expiredKeys).toBe(1);
    expect(db.get('k')).toBeUndefined();
    expect(log.length).toBe(1); // once
  });

  it('every lookup flavour expires lazily (get, read, probe, peek, exists, delete)', () => {
    const { ks, log } = recorded();
    const db = ks.dbs[0];
    const lookups = [
      (k: string) => db.get(k),
      (k: string) => db.read(k),
      (k: string) => db.probe(k),
      (k: string) => db.peek(k),
      (k: string) => (db.exists(k) ? 1 : undefined),
      (k: string) => (db.delete(k) ? 1 : undefined),
    ];
    lookups.forEach((_, i) => {
      db.set(`k${i}`, i);
      db.setExpire(`k${i}`, ks.now - 1);
    });
    lookups.forEach((lookup, i) => expect(lookup(`k${i}`)).toBeUndefined());
    expect(log).toEqual(lookups.map((_, i) => ['0', 'DEL', `k${i}`]));
  });

  it('KEYS-style isExpired() reports without deleting or feeding', () => {
    const { ks, log } = recorded();
    const db = ks.dbs[0];
    db.set('k', 'v');
    db.setExpire('k', ks.now);
    expect(db.isExpired('k')).toBe(true);
    expect(db.size).toBe(1);
    expect(log).toEqual([]);
  });

  it('the active cycle reclaims untouched keys and feeds a DEL for each', () => {
    const { ks, log } = recorded();
    const db = ks.dbs[1];
    for (let i = 0; i < 500; i++) {
      db.set(`gone${i}`, i);
      db.setExpire(`gone${i}`, Date.now() - 1);
      db.set(`kept${i}`, i);
      db.setExpire(`kept${i}`, Date.now() + 60_000);
    }
    ks.dbs[3].set('persistent', 'x');
    const expiry = new ActiveExpiry(ks);
    let reclaimed = 0;
    for (let i = 0; i < 20 && reclaimed < 500; i++) reclaimed += expiry.cycle(1000);
    expect(reclaimed).toBe(500);
    expect(db.size).toBe(500);
    expect(ks.dbs[3].size).toBe(1);
    expect(log.length).toBe(500);
    expect(new Set(log.map((l) => l.join(' ')))).toEqual(new Set(Array.from({ length: 500 }, (_, i) => `1 DEL gone${i}`)));
  });
});

describe('Database moves, copies and flushes', () => {
  it('moveKey carries the value, its TTL (exact even beyond 2^53) and counts one write', () => {
    const ks = new Keyspace(2);
    const [a, b] = ks.dbs;
    a.set('src', 'v');
    a.setExpire('src', 2n ** 63n - 1n);
    a.set('plain', 'p');
    b.set('dst', 'old');
    b.setExpire('dst', ks.now + 5000);
    const dirty = ks.dirty;
    a.moveKey('src', b, 'dst', Ev.moveFrom, Ev.moveTo);
    expect(ks.dirty).toBe(dirty + 1);
    expect(a.get('src')).toBeUndefined();
    expect(b.get('dst')).toBe('v');
    expect(b.getExpireExact('dst')).toBe(2n ** 63n - 1n);
    expect(a.getExpireExact('src')).toBeUndefined();
    a.moveKey('plain', a, 'renamed', Ev.renameFrom, Ev.renameTo);
    expect(a.getExpire('renamed')).toBeUndefined();
    b.moveKey('dst', b, 'again', Ev.renameFrom, Ev.renameTo);
    b.persist('again');
    expect(b.getExpireExact('again')).toBeUndefined();
  });

  it('put() replaces a key and its TTL; set() drops the TTL unless asked to keep it', () => {
    const ks = new Keyspace(1);
    const db = ks.dbs[0];
    db.set('k', 'v');
    db.setExpire('k', ks.now + 1000);
    db.set('k', 'w', true);
    expect(db.getExpire('k')).toBe(ks.now + 1000);
    db.set('k', 'x');
    expect(db.getExpire('k')).toBeUndefined();
    db.put('k', 'y', ks.now + 2000, Ev.restore);
    expect(db.getExpire('k')).toBe(ks.now + 2000);
    db.put('k', 'z', undefined, Ev.restore);
    expect(db.getExpire('k')).toBeUndefined();
  });

  it('flush empties the database and signals the flush', () => {
    const ks = new Keyspace(1);
    const db = ks.dbs[0];
    const flushed: number[] = [];
    ks.onDbFlushed((id) => flushed.push(id));
    for (let i = 0; i < 30; i++) db.set(`k${i}`, i);
    expect(db.flush()).toBe(30);
    expect(flushed).toEqual([0]);
    expect(db.size).toBe(0);
  });
});

describe('access words (OBJECT IDLETIME / FREQ)', () => {
  it('primitive values are tracked once tracking starts; earlier ones read as accessed then', () => {
    const ks = new Keyspace(1);
    const db = ks.dbs[0];
    db.set('before', 'v');
    expect(db.atimes).toBeNull(); // nothing is paid until someone asks
    ks.now += 10_000;
    ks.lruClock += 10;
    expect(db.accessWord('before', 'v')).toBe(ks.lruClock); // starts tracking now
    expect(db.atimes).not.toBeNull();
    db.set('after', 'v');
    const stamped = ks.lruClock;
    ks.lruClock += 7;
    expect(db.accessWord('after', 'v')).toBe(stamped);
    db.get('after');
    expect(db.accessWord('after', 'v')).toBe(ks.lruClock);
    db.probe('after'); // LOOKUP_NOTOUCH
    db.moveKey('after', db, 'renamed', Ev.renameFrom, Ev.renameTo);
    expect(db.accessWord('renamed', 'v')).toBe(ks.lruClock);
    db.delete('renamed');
    expect(db.atimes!.size).toBe(0);
  });

  it('LFU words start at 5, count up by log increments and pass to an overwrite', () => {
    const ks = new Keyspace(1);
    ks.setAccessPolicy('allkeys-lfu');
    const db = ks.dbs[0];
    db.set('k', 'v');
    const counter = () => db.accessWord('k', db.peek('k')!) & 255;
    expect(counter()).toBe(5);
    db.get('k');
    expect(counter()).toBe(6); // below LFU_INIT_VAL + 1 every access counts
    db.set('k', 'w');
    expect([6, 7]).toContain(counter()); // touched (p = 1/11 at 6) then inherited
    db.put('k', 'x', undefined, Ev.restore);
    expect(counter()).toBe(5); // a new value (COPY): a fresh start
  });
});
