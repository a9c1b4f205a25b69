import { KeyTable } from '../../key-table.js';
import { RedisObject } from '../object.js';
import { flatten, pack, PackedCursor, packEntry, packedSplice, unpack } from '../packed.js';
import { parseCanonicalInt } from '../string/string-value.js';
import type { Int64 } from '../string/int64.js';
import { heapGrownArray, heapObject, heapPrimitive, sampledTotal, heapString } from '../../footprint.js';

/**
 * A small set of other members stays packed up to these limits: Redis 7.2's listpack sets
 * (set-max-listpack-entries/-value defaults). Redis 7.0 has no such encoding, so Brook reports
 * these sets as 'hashtable', the name 7.0 gives them; the packed run only saves memory.
 */
const PACKED_MAX_ENTRIES = 128;
const PACKED_MAX_VALUE = 64;

/** One walker for every packed set: lookups never allocate (JS runs one command at a time). */
const cursor = new PackedCursor();

/**
 * A set, in Redis 7.0's two encodings: 'intset' (every member an int64 in canonical form, kept
 * as a sorted array, so membership is a binary search and members come out in order) while it
 * holds at most set-max-intset-entries members, then 'hashtable': a packed run of members
 * (types/packed.ts) while small, else a KeyTable (any size). Conversions are one way, as in
 * Redis. Members are latin1 strings; intset members are numbers when safe and bigints beyond,
 * so one value always has one JS form and `<` orders both.
 */
export class SetValue extends RedisObject {
  /** On the prototype, not in every object: one field less per key. */
  get type(): 'set' {
    return 'set';
  }
  private ints: Int64[] | null = [];
  /** The small 'hashtable' form: members packed in insertion order, null otherwise. */
  private packed: string | null = null;
  /** Members of the packed form (kept, not recounted). */
  private count = 0;
  private table: KeyTable<true> | null = null;

  get encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    if (this.ints !== null) return this.ints.length;
    return this.packed !== null ? this.count : this.table!.size;
  }

  has(member: string): boolean {
    if (this.packed !== null) return this.seek(member);
    if (this.ints === null) return this.table!.has(member);
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
        if (this.ints.length > maxIntset) this.convert(this.ints.map(String));
        return true;
      }
      this.convert(this.ints.map(String));
    }
    if (this.packed !== null) {
      if (this.seek(member)) return false;
      if (this.count < PACKED_MAX_ENTRIES && member.length <= PACKED_MAX_VALUE) {
        this.packed = flatten(this.packed + packEntry(member));
        this.count++;
        return true;
      }
      this.toTable(this.members());
    }
    const t = this.table!;
    const before = t.size;
    t.set(member, true);
    return t.size !== before;
  }

  remove(member: string): boolean {
    if (this.packed !== null) {
      if (!this.seek(member)) return false;
      this.packed = packedSplice(this.packed, cursor.at, cursor.end, '');
      this.count--;
      return true;
    }
    if (this.ints === null) return this.table!.delete(member);
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
    if (this.packed !== null) return unpack(this.packed);
    return this.table!.keys();
  }

  /** A random member of a non-empty set (setTypeRandomElement). O(size) for a packed set: see sampler. */
  random(): string {
    if (this.ints !== null) return String(this.ints[Math.floor(Math.random() * this.ints.length)]);
    if (this.packed !== null) {
      cursor.reset(this.packed);
      for (let i = Math.floor(Math.random() * this.count); i >= 0; i--) cursor.next();
      return cursor.value();
    }
    return this.table!.pick()![0];
  }

  /** Draws random members, with repeats, O(1) each: a packed set's members are read once. */
  sampler(): () => string {
    if (this.packed === null) return () => this.random();
    const all = unpack(this.packed);
    return () => all[Math.floor(Math.random() * all.length)];
  }

  /**
   * One SSCAN step: an intset or a packed set is returned whole with cursor 0 (as Redis does for
   * its compact encodings, COUNT ignored); the table walks KeyTable.scan until `count` members or
   * count*10 steps.
   */
  scan(cursor: number, count: number, out: string[]): number {
    if (this.table === null) {
      for (const m of this.members()) out.push(m);
      return 0;
    }
    const t = this.table;
    const collect = (m: string): void => void out.push(m);
    let steps = count * 10;
    do cursor = t.scan(cursor, collect);
    while (cursor !== 0 && steps-- > 0 && out.length < count);
    return cursor;
  }

  footprint(samples: number): number {
    // lru, cost, ints, packed, count, table
    const own = heapObject(6);
    const ints = this.ints;
    if (ints !== null) return own + heapGrownArray(ints.length) + sampledTotal(ints.length, samples, (i) => heapPrimitive(ints[i]));
    if (this.packed !== null) return own + heapString(this.packed.length);
    return own + this.table!.footprint((member) => heapString(member.length), samples);
  }

  clone(): SetValue {
    const copy = new SetValue();
    copy.ints = this.ints === null ? null : this.ints.slice();
    // Strings are immutable: the packed run can be shared.
    copy.packed = this.packed;
    copy.count = this.count;
    if (this.table !== null) {
      const t = new KeyTable<true>();
      this.table.forEach((m) => t.set(m, true));
      copy.table = t;
    }
    return copy;
  }

  /** Leaves the shared cursor on `member` and returns true, or false when absent. */
  private seek(member: string): boolean {
    cursor.reset(this.packed!);
    while (cursor.next()) if (cursor.is(member)) return true;
    return false;
  }

  /** From the intset to the 'hashtable' encoding: packed while `members` fit, else a table. */
  private convert(members: string[]): void {
    this.ints = null;
    if (members.length <= PACKED_MAX_ENTRIES) {
      this.packed = flatten(pack(members));
      this.count = members.length;
    } else this.toTable(members);
  }

  private toTable(members: string[]): void {
    const t = new KeyTable<true>();
    for (const m of members) t.set(m, true);
    this.table = t;
    this.packed = null;
    this.count = 0;
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
