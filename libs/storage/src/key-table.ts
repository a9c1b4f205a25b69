/**
 * A hash table of any size behind one interface. A single V8 Map throws at 2^24 entries, so the
 * table is a list of Maps: new keys go into the last one, and a new Map is opened when it fills.
 * Below 16M keys there is exactly one Map and every operation is one Map call.
 *
 * Each Map carries an id (its creation number). A Map that empties is dropped, which shifts the
 * indexes of the later ones; walks (SCAN, active expiry, random picks) therefore resume by id.
 */
export const MAP_CAPACITY = 16_000_000;

export class KeyTable<V> {
  private maps: Map<string, V>[] = [new Map()];
  /** Creation number of each Map, parallel to `maps` and increasing along it. */
  private ids: number[] = [0];
  private nextId = 1;
  /** Bumped by clear(): walks over the old contents start again on the new ones. */
  generation = 0;
  /** Persistent walk used for cheap "random" picks (RANDOMKEY, eviction samples). */
  private picker: TableWalk<V> | null = null;

  constructor(private readonly capacity = MAP_CAPACITY) {}

  get size(): number {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].size;
    let n = 0;
    for (let i = 0; i < maps.length; i++) n += maps[i].size;
    return n;
  }

  get(key: string): V | undefined {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].get(key);
    for (let i = 0; i < maps.length; i++) {
      const v = maps[i].get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  has(key: string): boolean {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].has(key);
    for (let i = 0; i < maps.length; i++) if (maps[i].has(key)) return true;
    return false;
  }

  /** Inserts or replaces; an existing key keeps its place (SCAN relies on that). */
  set(key: string, value: V): void {
    const maps = this.maps;
    if (maps.length > 1) {
      for (let i = 0; i < maps.length - 1; i++) {
        if (maps[i].has(key)) {
          maps[i].set(key, value);
          return;
        }
      }
    }
    let last = maps[maps.length - 1];
    if (last.size >= this.capacity && !last.has(key)) {
      last = new Map();
      maps.push(last);
      this.ids.push(this.nextId++);
    }
    last.set(key, value);
  }

  delete(key: string): boolean {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].delete(key);
    for (let i = 0; i < maps.length; i++) {
      if (maps[i].delete(key)) {
        if (maps[i].size === 0) {
          maps.splice(i, 1);
          this.ids.splice(i, 1);
        }
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.maps = [new Map()];
    this.ids = [this.nextId++];
    this.generation++;
  }

  /** Number of underlying Maps. */
  get shardCount(): number {
    return this.maps.length;
  }

  /** The underlying Map at `index`. */
  shard(index: number): Map<string, V> | undefined {
    return this.maps[index];
  }

  /** Index of the first Map created after Map `id` (any id, even a dropped one), or -1. */
  shardAfter(id: number): number {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] > id) return i;
    return -1;
  }

  shardId(index: number): number {
    return this.ids[index];
  }

  *entries(): IterableIterator<[string, V]> {
    const walk = new TableWalk(this);
    for (let e = walk.next(); e !== undefined; e = walk.next()) yield e;
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  /**
   * Returns some entry in O(1) amortised: a shared walk advances by a random stride each call,
   * wrapping at the end. Not uniform (Redis's bucket pick is not either), but reaches every key.
   */
  pick(): [string, V] | undefined {
    if (this.size === 0) return undefined;
    const walk = (this.picker ??= new TableWalk(this));
    let steps = 1 + Math.floor(Math.random() * 8);
    for (;;) {
      const e = walk.next();
      if (e === undefined) {
        walk.reset();
        continue;
      }
      if (--steps === 0) return e;
    }
  }
}

/**
 * A resumable walk over a KeyTable. JS Map iterators survive inserts and deletes (a live iterator
 * never skips an entry that stays in its Map), keys never move between Maps, and the walk moves
 * on by Map id, so every entry present for the whole walk is visited exactly once, however the
 * table grows or shrinks meanwhile. Entries added during the walk may or may not be visited.
 */
export class TableWalk<V> {
  /** Id of the Map being walked (-1 before the first). */
  private id = -1;
  private it: Iterator<[string, V]> | null = null;
  private generation: number;

  constructor(readonly table: KeyTable<V>) {
    this.generation = table.generation;
  }

  /** The next entry, or undefined once past the last Map. */
  next(): [string, V] | undefined {
    if (this.generation !== this.table.generation) this.reset();
    for (;;) {
      if (this.it !== null) {
        const r = this.it.next();
        if (!r.done) return r.value;
        this.it = null;
      }
      if (!this.enter(this.table.shardAfter(this.id))) return undefined;
    }
  }

  /**
   * Skips `n` entries: whole Maps at once while they fit, then one by one. Only for resuming a
   * SCAN cursor whose saved walk was dropped, so it counts positions rather than keys.
   */
  skip(n: number): void {
    if (this.generation !== this.table.generation) this.reset();
    while (n > 0) {
      if (this.it === null) {
        const index = this.table.shardAfter(this.id);
        if (index < 0) return;
        const size = this.table.shard(index)!.size;
        if (n >= size) {
          this.id = this.table.shardId(index);
          n -= size;
          continue;
        }
        this.enter(index);
      }
      if (this.it!.next().done) this.it = null;
      else n--;
    }
  }

  /** Starts over from the first Map. */
  reset(): void {
    this.id = -1;
    this.it = null;
    this.generation = this.table.generation;
  }

  private enter(index: number): boolean {
    if (index < 0) return false;
    this.id = this.table.shardId(index);
    this.it = this.table.shard(index)!.entries();
    return true;
  }
}
