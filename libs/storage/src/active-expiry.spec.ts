import { describe, expect, it } from '@jest/globals';
import { ActiveExpiry } from './active-expiry.js';
import { Keyspace } from './keyspace.js';

function volatileKeys(ks: Keyspace, db: number, n: number, at: number, prefix = 'k'): void {
  for (let i = 0; i < n; i++) {
    ks.dbs[db].set(`${prefix}${i}`, i);
    ks.dbs[db].setExpire(`${prefix}${i}`, at);
  }
}

describe('ActiveExpiry', () => {
  it('stops on its time budget and resumes where it stopped', () => {
    const ks = new Keyspace(2);
    volatileKeys(ks, 0, 5000, Date.now() - 1);
    const expiry = new ActiveExpiry(ks);
    const first = expiry.cycle(0); // out of budget after the first batch (whole groups, 64+ keys)
    expect(first).toBeGreaterThanOrEqual(64);
    expect(first).toBeLessThan(64 + 200);
    expect(ks.stats.expiredTimeCapReachedCount).toBe(1);
    let total = first;
    let cycles = 1;
    while (ks.dbs[0].size > 0) {
      total += expiry.cycle(0);
      if (++cycles > 200) throw new Error('expiry makes no progress');
    }
    // Resuming (not restarting) means one batch of fresh keys per cycle.
    expect(cycles).toBeLessThanOrEqual(Math.ceil(5000 / 64));
    expect(cycles).toBeGreaterThan(5000 / (64 + 200));
    expect(total).toBe(5000);
  });

  it('leaves a database once batches find few expired keys, and comes back next cycle', () => {
    const ks = new Keyspace(1);
    volatileKeys(ks, 0, 3000, Date.now() + 60_000, 'live');
    volatileKeys(ks, 0, 100, Date.now() - 1, 'dead');
    const expiry = new ActiveExpiry(ks);
    // 1000+ keys sampled with few of them expired (about 3%), then it stops.
    let reclaimed = expiry.cycle(1000);
    expect(reclaimed).toBeLessThan(100);
    expect(ks.dbs[0].size).toBeGreaterThan(3000);
    for (let i = 0; i < 10; i++) reclaimed += expiry.cycle(1000);
    expect(reclaimed).toBe(100); // the walk resumed and reached the rest of the dead keys
    expect(ks.dbs[0].size).toBe(3000);
  });

  it('walks the new tables after FLUSHDB and SWAPDB', () => {
    const ks = new Keyspace(2);
    volatileKeys(ks, 0, 500, Date.now() + 60_000, 'live');
    const expiry = new ActiveExpiry(ks);
    expiry.cycle(0);
    ks.dbs[0].flush();
    volatileKeys(ks, 1, 10, Date.now() - 1, 'dead');
    ks.swap(0, 1);
    let reclaimed = 0;
    for (let i = 0; i < 3; i++) reclaimed += expiry.cycle(1000);
    expect(reclaimed).toBe(10);
    expect(ks.dbs[0].size).toBe(0);
  });
});

describe('ActiveExpiry avg_ttl', () => {
  it("estimates a database's mean TTL from the keys a cycle samples, and forgets it once it has no volatile keys", () => {
    const ks = new Keyspace(2);
    const expiry = new ActiveExpiry(ks);
    volatileKeys(ks, 0, 200, Date.now() + 100_000);
    expect(expiry.avgTtl(ks.dbs[0])).toBe(0);
    expiry.cycle(50);
    const avg = expiry.avgTtl(ks.dbs[0]);
    expect(avg).toBeGreaterThan(99_000);
    expect(avg).toBeLessThanOrEqual(100_000);
    expect(expiry.avgTtl(ks.dbs[1])).toBe(0);
    for (let i = 0; i < 200; i++) ks.dbs[0].delete(`k${i}`);
    expiry.cycle(50);
    expect(expiry.avgTtl(ks.dbs[0])).toBe(0);
  });
});
