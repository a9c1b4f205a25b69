import type { KeyTable } from './key-table.js';

/** Saved iterations kept at once; the oldest is dropped first (its cursor still works, slower). */
const MAX_SAVED = 4096;
/** Low bits of a cursor: the slot of its saved iterator. */
const SLOT_BITS = 2 ** 20;

interface SavedScan {
  table: KeyTable<unknown>;
  map: Map<string, unknown>;
  shard: number;
  iterator: Iterator<[string, unknown]>;
  /** Entries yielded so far over the whole table. */
  position: number;
}

/**
 * SCAN cursors over a KeyTable. JS Maps iterate in insertion order and their iterators survive
 * inserts and deletes (a live iterator never skips an entry that stays in the map), so a saved
 * iterator gives Redis's guarantee: every key present for the whole scan is returned.
 * A cursor is `position * 2^20 + slot`; a cursor whose saved state was dropped restarts at its
 * position (still complete when nothing was deleted meanwhile).
 */
export class ScanCursors {
  private saved = new Map<number, SavedScan>();
  private nextSlot = 1;

  /**
   * Visits up to `count` entries after `cursor`; returns the next cursor (0 when complete).
   * `visit` returns nothing; filtering (MATCH/TYPE) is the caller's.
   */
  scan<V>(table: KeyTable<V>, cursor: number, count: number, visit: (key: string, value: V) => void): number {
    const t = table as KeyTable<unknown>;
    let state = this.resume(t, cursor);
    if (!state) return 0;
    let n = 0;
    while (n < count) {
      const r = state.iterator.next();
      if (r.done) {
        const nextShard = state.shard + 1;
        const map = t.shard(nextShard);
        if (!map) {
          this.forget(cursor);
          return 0;
        }
        state.shard = nextShard;
        state.map = map;
        state.iterator = map[Symbol.iterator]();
        continue;
      }
      state.position++;
      n++;
      visit(r.value[0], r.value[1] as V);
    }
    this.forget(cursor);
    return this.save(state);
  }

  private resume(table: KeyTable<unknown>, cursor: number): SavedScan | null {
    if (cursor !== 0) {
      const slot = cursor % SLOT_BITS;
      const position = Math.floor(cursor / SLOT_BITS);
      const s = this.saved.get(slot);
      if (s && s.table === table && s.position === position && table.shard(s.shard) === s.map) return s;
      return this.restart(table, position);
    }
    return this.restart(table, 0);
  }

  /** A fresh iteration, skipping `position` entries (only for cursors whose state was dropped). */
  private restart(table: KeyTable<unknown>, position: number): SavedScan | null {
    let shard = 0;
    let map = table.shard(0)!;
    let skip = position;
    while (map && skip >= map.size) {
      skip -= map.size;
      map = table.shard(++shard)!;
    }
    if (!map) return null;
    const iterator = map[Symbol.iterator]();
    for (let i = 0; i < skip; i++) iterator.next();
    return { table, map, shard, iterator, position };
  }

  private save(state: SavedScan): number {
    const slot = this.nextSlot;
    this.nextSlot = this.nextSlot + 1 >= SLOT_BITS ? 1 : this.nextSlot + 1;
    this.saved.delete(slot);
    this.saved.set(slot, state);
    if (this.saved.size > MAX_SAVED) this.saved.delete(this.saved.keys().next().value!);
    return state.position * SLOT_BITS + slot;
  }

  private forget(cursor: number): void {
    if (cursor !== 0) {
      const slot = cursor % SLOT_BITS;
      const s = this.saved.get(slot);
      if (s && s.position === Math.floor(cursor / SLOT_BITS)) this.saved.delete(slot);
    }
  }
}
