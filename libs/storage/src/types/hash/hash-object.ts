import { KeyTable } from '../../key-table.js';
import { RedisObject } from '../object.js';
import { flatten, PackedCursor, packEntry, packedSplice } from '../packed.js';
import { heapObject, heapString } from '../../footprint.js';

/** One walker for every listpack-form hash: lookups never allocate (JS runs one command at a time). */
const cursor = new PackedCursor();

/**
 * A hash value, in Redis's two encodings. Small hashes are one packed run of field/value entries
 * (types/packed.ts: f1, v1, f2, v2, ... in one string — Redis's listpack: insertion order, O(n)
 * lookups over a few hundred entries at most, one string header for the whole hash); past
 * hash-max-listpack-entries fields, or a field or value longer than hash-max-listpack-value bytes,
 * they convert once, for good, to a KeyTable (Redis's dict: any size, incremental resize, SCAN's
 * bucket cursor). Fields and values are latin1 strings.
 */
export class HashObject extends RedisObject {
  /** On the prototype, not in every object: one field less per key. */
  get type(): 'hash' {
    return 'hash';
  }
  /** The listpack form (field/value entries), null once converted. */
  private packed: string | null = '';
  /** Fields in the listpack form (kept, not recounted). */
  private fields = 0;
  /** The hashtable form, null while small. */
  private table: KeyTable<string> | null = null;

  get encoding(): string {
    return this.table === null ? 'listpack' : 'hashtable';
  }

  /** True while in the listpack form (HSCAN returns it whole, HRANDFIELD keeps its order). */
  get compact(): boolean {
    return this.table === null;
  }

  get size(): number {
    return this.table === null ? this.fields : this.table.size;
  }

  get(field: string): string | undefined {
    if (this.table !== null) return this.table.get(field);
    if (!this.seek(field)) return undefined;
    cursor.next();
    return cursor.value();
  }

  /**
   * Sets a field; true when it is new. The limits are hash-max-listpack-entries and -value, read
   * by the caller at write time as Redis does: a long field or value converts before it goes in,
   * a field count over the limit converts after.
   */
  set(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    if (this.table === null && (field.length > maxValue || value.length > maxValue)) this.convert();
    if (this.table !== null) {
      const before = this.table.size;
      this.table.set(field, value);
      return this.table.size !== before;
    }
    const p = this.packed!;
    if (this.seek(field)) {
      cursor.next();
      this.packed = packedSplice(p, cursor.at, cursor.end, packEntry(value));
      return false;
    }
    this.packed = flatten(p + packEntry(field) + packEntry(value));
    if (++this.fields > maxEntries) this.convert();
    return true;
  }

  /** Removes a field; true when it was there. The encoding never goes back to listpack (as in Redis). */
  delete(field: string): boolean {
    if (this.table !== null) return this.table.delete(field);
    if (!this.seek(field)) return false;
    const from = cursor.at;
    cursor.next();
    this.packed = packedSplice(this.packed!, from, cursor.end, '');
    this.fields--;
    return true;
  }

  /** Visits every pair, in listpack order or the table's; `visit` must not change the hash. */
  forEach(visit: (field: string, value: string) => void): void {
    if (this.table !== null) return this.table.forEach(visit);
    // A cursor of its own: `visit` may look fields up in other hashes.
    const walk = new PackedCursor(this.packed!);
    while (walk.next()) {
      const field = walk.value();
      walk.next();
      visit(field, walk.value());
    }
  }

  /** Every pair, in forEach order: a copy to draw from or shuffle. */
  pairs(): [string, string][] {
    const out: [string, string][] = [];
    this.forEach((f, v) => out.push([f, v]));
    return out;
  }

  /** A random pair of the hashtable form (KeyTable.pick). */
  pick(): [string, string] {
    return this.table!.pick()!;
  }

  /** One HSCAN step over the hashtable form (KeyTable.scan). */
  scan(cursor: number, visit: (field: string, value: string) => void): number {
    return this.table!.scan(cursor, visit);
  }

  footprint(samples: number): number {
    // lru, cost, packed, fields, table
    const own = heapObject(5);
    if (this.table === null) return own + heapString(this.packed!.length);
    return own + this.table.footprint((field, value) => heapString(field.length) + heapString(value.length), samples);
  }

  clone(): HashObject {
    const h = new HashObject();
    if (this.table === null) {
      // Strings are immutable: the packed run can be shared.
      h.packed = this.packed;
      h.fields = this.fields;
    } else {
      const t = new KeyTable<string>();
      this.table.forEach((f, v) => t.set(f, v));
      h.packed = null;
      h.table = t;
    }
    return h;
  }

  /** Leaves the shared cursor on `field`'s entry (its value next) and returns true, or false if absent. */
  private seek(field: string): boolean {
    cursor.reset(this.packed!);
    while (cursor.next()) {
      if (cursor.is(field)) return true;
      cursor.next();
    }
    return false;
  }

  private convert(): void {
    const t = new KeyTable<string>();
    this.forEach((f, v) => t.set(f, v));
    this.table = t;
    this.packed = null;
    this.fields = 0;
  }
}
