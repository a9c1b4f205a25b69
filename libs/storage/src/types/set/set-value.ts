import { KeyTable } from '../../key-table.js';
import { RedisObject } from '../object.js';
import { parseCanonicalInt } from '../string/string-value.js';
import type { Int64 } from '../string/int64.js';

/**
 * A set, in Redis 7.0's two encodings: 'intset' (every member an int64 in canonical form, kept
 * as a sorted array, so membership is a binary search and members come out in order) while it
 * holds at most set-max-intset-entries members, then 'hashtable' (a KeyTable, any size). The
 * conversion is one way, as in Redis. Members are latin1 strings; intset members are numbers
 * when safe and bigints beyond, so one value always has one JS form and `<` orders both.
 */
export class SetValue extends RedisObject {
  readonly type = 'set';
  private ints: Int64[] | null = [];
  private table: KeyTable<true> | null = null;

  get encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.ints !== null ? this.ints.length : (this.table as KeyTable<true>).size;
  }

  has(member: string): boolean {
    if (this.ints === null) return (this.table as KeyTable<true>).has(member);
    const n = parseCanonicalInt(member);
    return n !== null && findInt(this.ints, n) >= 0;
  }

  /** Adds a member; false when it was there. `maxIntset` is set-max-intset-entries at this write. */
  add(member: string, maxIntset: number): boolean {
    if (this.ints !== null) {
      const n = parseCanonicalInt(member);
      if (n !== null) {
        const at = findInt(this.ints, n);
        if (at >= 0) return false;
        this.ints.splice(-at - 1, 0, n);
        if (this.ints.length > maxIntset) this.toTable();
        return true;
      }
      this.toTable();
    }
    const t = this.table as KeyTable<true>;
    const before = t.size;
    t.set(member, true);
    return t.size !== before;
  }

  remove(member: string): boolean {
    if (this.ints === null) return (this.table as KeyTable<true>).delete(member);
    const n = parseCanonicalInt(member);
    if (n === null) return false;
    const at = findInt(this.ints, n);
    if (at < 0) return false;
    this.ints.splice(at, 1);
    return true;
  }

  /** Every member, in Redis's iteration order (ascending for an intset). A copy. */
  members(): string[] {
    if (this.ints !== null) return this.ints.map(String);
    return (this.table as KeyTable<true>).keys();
  }

  /** A random member of a non-empty set (setTypeRandomElement). */
  random(): string {
    if (this.ints !== null) return String(this.ints[Math.floor(Math.random() * this.ints.length)]);
    return (this.table as KeyTable<true>).pick()?.[0] as string;
  }

  /**
   * One SSCAN step: an intset is returned whole with cursor 0 (as Redis, COUNT ignored); the
   * table walks KeyTable.scan until `count` members or count*10 steps.
   */
  scan(cursor: number, count: number, out: string[]): number {
    if (this.ints !== null) {
      for (const n of this.ints) out.push(String(n));
      return 0;
    }
    const t = this.table as KeyTable<true>;
    const collect = (m: string): void => void out.push(m);
    let steps = count * 10;
    do cursor = t.scan(cursor, collect);
    while (cursor !== 0 && steps-- > 0 && out.length < count);
    return cursor;
  }

  clone(): SetValue {
    const copy = new SetValue();
    if (this.ints !== null) copy.ints = this.ints.slice();
    else {
      copy.ints = null;
      const t = new KeyTable<true>();
      (this.table as KeyTable<true>).forEach((m) => t.set(m, true));
      copy.table = t;
    }
    return copy;
  }

  private toTable(): void {
    const t = new KeyTable<true>();
    for (const n of this.ints as Int64[]) t.set(String(n), true);
    this.table = t;
    this.ints = null;
  }
}

/** Binary search: the index of `n`, or -(insertion point) - 1. */
function findInt(a: Int64[], n: Int64): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v < n) lo = mid + 1;
    else if (v > n) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}
