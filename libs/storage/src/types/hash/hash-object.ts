import { KeyTable } from '../../key-table.js';
import { RedisObject } from '../object.js';

/**
 * A hash value, in Redis's two encodings. Small hashes are one flat array of field/value pairs
 * ([f1, v1, f2, v2, ...], Redis's listpack: insertion order, O(n) lookups over a few hundred
 * entries at most); past hash-max-listpack-entries fields, or a field or value longer than
 * hash-max-listpack-value bytes, they convert once, for good, to a KeyTable (Redis's dict: any
 * size, incremental resize, SCAN's bucket cursor). Fields and values are latin1 strings.
 */
export class HashObject extends RedisObject {
  readonly type = 'hash';
  /** The listpack form, null once converted. */
  private pairs: string[] | null = [];
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
    return this.table === null ? this.pairs!.length >> 1 : this.table.size;
  }

  get(field: string): string | undefined {
    if (this.table !== null) return this.table.get(field);
    const p = this.pairs!;
    for (let i = 0; i < p.length; i += 2) if (p[i] === field) return p[i + 1];
    return undefined;
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
    const p = this.pairs!;
    for (let i = 0; i < p.length; i += 2) {
      if (p[i] === field) {
        p[i + 1] = value;
        return false;
      }
    }
    p.push(field, value);
    if (p.length >> 1 > maxEntries) this.convert();
    return true;
  }

  /** Removes a field; true when it was there. The encoding never goes back to listpack (as in Redis). */
  delete(field: string): boolean {
    if (this.table !== null) return this.table.delete(field);
    const p = this.pairs!;
    for (let i = 0; i < p.length; i += 2) {
      if (p[i] === field) {
        p.splice(i, 2);
        return true;
      }
    }
    return false;
  }

  /** Visits every pair, in listpack order or the table's; `visit` must not change the hash. */
  forEach(visit: (field: string, value: string) => void): void {
    if (this.table !== null) return this.table.forEach(visit);
    const p = this.pairs!;
    for (let i = 0; i < p.length; i += 2) visit(p[i], p[i + 1]);
  }

  /** The pair at `i` (0 ≤ i < size) of the listpack form: O(1) random draws there. */
  pairAt(i: number): [string, string] {
    const p = this.pairs!;
    return [p[2 * i], p[2 * i + 1]];
  }

  /** A random pair of the hashtable form (KeyTable.pick). */
  pick(): [string, string] {
    return this.table!.pick()!;
  }

  /** One HSCAN step over the hashtable form (KeyTable.scan). */
  scan(cursor: number, visit: (field: string, value: string) => void): number {
    return this.table!.scan(cursor, visit);
  }

  clone(): HashObject {
    const h = new HashObject();
    if (this.table === null) {
      h.pairs = this.pairs!.slice();
    } else {
      const t = new KeyTable<string>();
      this.table.forEach((f, v) => t.set(f, v));
      h.pairs = null;
      h.table = t;
    }
    return h;
  }

  private convert(): void {
    const t = new KeyTable<string>();
    const p = this.pairs!;
    for (let i = 0; i < p.length; i += 2) t.set(p[i], p[i + 1]);
    this.table = t;
    this.pairs = null;
  }
}
