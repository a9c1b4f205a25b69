import { describe, expect, it } from '@jest/globals';
import { KeyTable } from './key-table.js';
import { ScanCursors } from './scan-cursor.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Runs a full scan, calling `between` after every page; returns how often each key came back. */
function fullScan(cursors: ScanCursors, t: KeyTable<number>, count: number, between: () => void): Map<string, number> {
  const seen = new Map<string, number>();
  let cursor = 0;
  let pages = 0;
  do {
    cursor = cursors.scan(t, cursor, count, (k) => seen.set(k, (seen.get(k) ?? 0) + 1));
    between();
    if (++pages > 100_000) throw new Error('scan does not terminate');
  } while (cursor !== 0);
  return seen;
}

describe('ScanCursors over a multi-Map KeyTable', () => {
  it('returns every key once and cursor 0 with the last page (one entry of look-ahead)', () => {
    const cursors = new ScanCursors();
    const t = new KeyTable<number>(3);
    for (let i = 0; i < 10; i++) t.set(`k${i}`, i);
    const pages: string[][] = [];
    let cursor = 0;
    do {
      const page: string[] = [];
      cursor = cursors.scan(t, cursor, 5, (k) => page.push(k));
      pages.push(page);
    } while (cursor !== 0);
    expect(pages.length).toBe(2); // 10 keys, COUNT 5: the second page ends the scan
    expect(pages.flat().sort()).toEqual([...t.keys()].sort());
    expect(cursors.scan(t, 0, 10, () => undefined)).toBe(0); // exactly COUNT keys: done at once
    expect(cursors.scan(new KeyTable<number>(3), 0, 10, () => undefined)).toBe(0);
  });

  it("keeps Redis's guarantee while the table grows and shrinks across Map boundaries", () => {
    const random = rng(7);
    for (let round = 0; round < 40; round++) {
      const cursors = new ScanCursors();
      const t = new KeyTable<number>(1 + Math.floor(random() * 6));
      let next = 0;
      const live: string[] = [];
      for (let i = 0; i < 60; i++) {
        t.set(`k${next}`, next);
        live.push(`k${next++}`);
      }
      const removed = new Set<string>();
      let pagesLeft = 40;
      const seen = fullScan(cursors, t, 1 + Math.floor(random() * 7), () => {
        if (pagesLeft-- <= 0) return;
        for (let m = 0; m < 6; m++) {
          if (random() < 0.45) {
            t.set(`k${next}`, next);
            live.push(`k${next++}`);
          } else if (live.length > 0) {
            // Deletes empty whole Maps, including the one the scan is in.
            const [k] = live.splice(Math.floor(random() * live.length), 1);
            t.delete(k);
            removed.add(k);
          }
        }
      });
      for (let i = 0; i < 60; i++) if (!removed.has(`k${i}`)) expect(seen.get(`k${i}`)).toBe(1);
      for (const [k, n] of seen) {
        expect(n).toBe(1);
        expect(Number(k.slice(1))).toBeLessThan(next);
      }
    }
  });

  it('does not hand out the look-ahead key when it was deleted between pages', () => {
    const cursors = new ScanCursors();
    const t = new KeyTable<number>(2);
    for (let i = 0; i < 4; i++) t.set(`k${i}`, i);
    const got: string[] = [];
    let cursor = cursors.scan(t, 0, 2, (k) => got.push(k));
    t.delete('k2'); // taken as look-ahead
    while (cursor !== 0) cursor = cursors.scan(t, cursor, 2, (k) => got.push(k));
    expect(got).toEqual(['k0', 'k1', 'k3']);
  });

  it('lets the visitor delete the key it is given (lazy expiry)', () => {
    const cursors = new ScanCursors();
    const t = new KeyTable<number>(2);
    for (let i = 0; i < 9; i++) t.set(`k${i}`, i);
    const seen = fullScan(cursors, t, 2, () => undefined);
    expect(seen.size).toBe(9);
    const deleting = new Map<string, number>();
    let cursor = 0;
    do cursor = cursors.scan(t, cursor, 3, (k) => deleting.set(k, t.delete(k) ? 1 : 0));
    while (cursor !== 0);
    expect(deleting.size).toBe(9);
    expect(t.size).toBe(0);
  });

  it('resumes a cursor whose saved walk is gone by position, and ends cursors past the end', () => {
    const t = new KeyTable<number>(3);
    for (let i = 0; i < 12; i++) t.set(`k${i}`, i);
    const first = new ScanCursors();
    const page1: string[] = [];
    const cursor = first.scan(t, 0, 5, (k) => page1.push(k));
    // Another server-wide cursor table knows nothing of it: the position in the cursor is enough.
    const rest: string[] = [];
    let c = cursor;
    const other = new ScanCursors();
    do c = other.scan(t, c, 5, (k) => rest.push(k));
    while (c !== 0);
    expect([...page1, ...rest]).toEqual([...t.keys()]);
    expect(other.scan(t, 2 ** 52, 5, () => undefined)).toBe(0);
  });

  it('shares cursors between callers and forgets scans on release() and prune()', () => {
    const cursors = new ScanCursors();
    const t = new KeyTable<number>(4);
    for (let i = 0; i < 10; i++) t.set(`k${i}`, i);
    const c1 = cursors.scan(t, 0, 2, () => undefined);
    cursors.scan(t, 0, 2, () => undefined);
    expect(cursors.open).toBe(2);
    cursors.release(t);
    expect(cursors.open).toBe(0);
    const c2 = cursors.scan(t, c1, 2, () => undefined);
    expect(c2).not.toBe(0);
    expect(cursors.open).toBe(1);
    cursors.prune(Date.now());
    expect(cursors.open).toBe(1);
    cursors.prune(Date.now() + 10 * 60 * 1000);
    expect(cursors.open).toBe(0);
  });
});
