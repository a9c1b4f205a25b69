import { TableWalk, type KeyTable } from './key-table.js';

/** Saved iterations kept at once; the oldest is dropped first (its cursor still works, see below). */
const MAX_SAVED = 4096;
/** A cursor is `position * SLOT_SPACE + slot`. */
const SLOT_SPACE = 2 ** 20;
/**
 * Saved scans untouched this long are dropped (prune): a live Map iterator keeps the Map's old
 * backing store alive across rehashes, so an abandoned scan must not pin memory for ever.
 */
const MAX_IDLE_MS = 5 * 60 * 1000;

interface SavedScan {
  walk: TableWalk<unknown>;
  /** Entries handed out so far over the whole table. */
  position: number;
  /** The entry after the last one handed out, already taken from the walk (see scan). */
  pending: [string, unknown] | undefined;
  savedAt: number;
}

/**
 * SCAN cursors over KeyTables (the keyspace, and any collection kept in a KeyTable).
 *
 * Redis's guarantee is that a full iteration returns every element present from its start to its
 * end, whatever is added or removed meanwhile. A saved TableWalk gives exactly that, so a cursor
 * names a saved walk: `position * 2^20 + slot`. Cursors are shared server-wide (any connection may
 * continue one, as in Redis). When more than MAX_SAVED scans are open, the least recently used is
 * dropped; its cursor then resumes by position, which is exact when nothing before that position
 * was deleted meanwhile and may otherwise skip a few keys. Cursors Brook never issued behave the
 * same way (Redis also gives no guarantee for them); one beyond the end ends the scan.
 */
export class ScanCursors {
  private saved = new Map<number, SavedScan>();
  private nextSlot = 1;

  /**
   * Visits up to `count` entries after `cursor` and returns the next cursor, 0 when the
   * iteration is complete. `visit` may delete the key it is given (lazy expiry); filtering
   * (MATCH, TYPE) is the caller's.
   */
  scan<V>(table: KeyTable<V>, cursor: number, count: number, visit: (key: string, value: V) => void): number {
    const t = table as KeyTable<unknown>;
    const state = this.resume(t, cursor);
    const walk = state.walk;
    let n = 0;
    let e = state.pending;
    state.pending = undefined;
    // A pending entry deleted since it was taken is not handed out (it is no longer present).
    if (e !== undefined && !t.has(e[0])) e = undefined;
    for (;;) {
      if (e === undefined) e = walk.next();
      if (e === undefined) return 0;
      if (n === count) break;
      n++;
      state.position++;
      visit(e[0], e[1] as V);
      e = undefined;
    }
    // One entry of look-ahead: a scan that has just handed out the last key returns cursor 0 at
    // once, as Redis does when the table is exhausted, instead of a cursor to an empty page.
    state.pending = e;
    return this.save(state);
  }

  /** Forgets every saved scan over `table` (its owner was emptied or deleted): their memory goes now. */
  release(table: KeyTable<unknown>): void {
    for (const [slot, s] of this.saved) if (s.walk.table === table) this.saved.delete(slot);
  }

  /** Drops scans idle for longer than MAX_IDLE_MS (called periodically). */
  prune(now = Date.now()): void {
    // `saved` is in save order, so the idle ones are at its front.
    for (const [slot, s] of this.saved) {
      if (now - s.savedAt < MAX_IDLE_MS) return;
      this.saved.delete(slot);
    }
  }

  get open(): number {
    return this.saved.size;
  }

  private resume(table: KeyTable<unknown>, cursor: number): SavedScan {
    if (cursor === 0) return { walk: new TableWalk(table), position: 0, pending: undefined, savedAt: 0 };
    const slot = cursor % SLOT_SPACE;
    const position = Math.floor(cursor / SLOT_SPACE);
    const s = this.saved.get(slot);
    if (s !== undefined && s.walk.table === table && s.position === position) {
      this.saved.delete(slot);
      return s;
    }
    const walk = new TableWalk(table);
    walk.skip(position);
    return { walk, position, pending: undefined, savedAt: 0 };
  }

  private save(state: SavedScan): number {
    const slot = this.nextSlot;
    this.nextSlot = slot + 1 >= SLOT_SPACE ? 1 : slot + 1;
    state.savedAt = Date.now();
    this.saved.delete(slot);
    this.saved.set(slot, state);
    if (this.saved.size > MAX_SAVED) this.saved.delete(this.saved.keys().next().value!);
    return state.position * SLOT_SPACE + slot;
  }
}
