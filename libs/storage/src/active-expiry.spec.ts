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
    const first = expiry.cycle(0); // out of budget after the first batch
    expect(first).toBe(64);
    expect(ks.stats.expiredTimeCapReachedCount).toBe(1);
    let total = first;
    let cycles = 1;
    while (ks.dbs[0].size > 0) {
      total += expiry.cycle(0);
      if (++cycles > 200) throw new Error('expiry makes no progress');
    }
    // Resuming (not restarting) means one batch of fresh keys per cycle.
    expect(cycles).toBe(Math.ceil(5000 / 64));
    expect(total).toBe(5000);
  });

  it('leaves a database once batches find few expired keys, and comes back next cycle', () => {
    const ks = new Keyspace(1);
    volatileKeys(ks, 0, 3000, Date.now() + 60_000, 'live');
    volatileKeys(ks, 0, 100, Date.now() - 1, 'dead');
    const expiry = new ActiveExpiry(ks);
    expect(expiry.cycle(1000)).toBe(0); // 1000+ live keys sampled, then it stops
    let reclaimed = 0;
    for (let i = 0; i < 10; i++) reclaimed += expiry.cycle(1000);
    expect(reclaimed).toBe(100); // the walk resumed and reached the dead keys at the end
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
