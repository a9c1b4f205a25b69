/**
 * A hash table of any size behind one interface. A single V8 Map throws at 2^24 entries, so the
 * table is a list of Maps: new keys go into the last one, and a new Map is opened when it fills.
 * Below 16M keys there is exactly one Map and every operation is one Map call.
 */
export const MAP_CAPACITY = 16_000_000;

export class KeyTable<V> {
  private maps: Map<string, V>[] = [new Map()];
  /** Persistent walk used for cheap "random" picks (RANDOMKEY, eviction samples). */
  private walker: Iterator<[string, V]> | null = null;
  private walkerMap = 0;

  constructor(private readonly capacity = MAP_CAPACITY) {}

  get size(): number {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].size;
    let n = 0;
    for (const m of maps) n += m.size;
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
    }
    last.set(key, value);
  }

  delete(key: string): boolean {
    const maps = this.maps;
    if (maps.length === 1) return maps[0].delete(key);
    for (let i = 0; i < maps.length; i++) {
      if (maps[i].delete(key)) {
        if (maps[i].size === 0 && maps.length > 1) {
          maps.splice(i, 1);
          this.walker = null;
        }
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.maps = [new Map()];
    this.walker = null;
  }

  /** Number of underlying Maps (cursor encoding needs it). */
  get shardCount(): number {
    return this.maps.length;
  }

  /** The underlying Map at `index`, for cursor-based iteration. */
  shard(index: number): Map<string, V> | undefined {
    return this.maps[index];
  }

  *entries(): IterableIterator<[string, V]> {
    for (const m of this.maps) yield* m;
  }

  *keys(): IterableIterator<string> {
    for (const m of this.maps) yield* m.keys();
  }

  /**
   * Returns some key in O(1) amortised: a shared walk advances by a random stride each call,
   * wrapping at the end. Not uniform, like Redis's bucket-based pick, but touches every key.
   */
  pick(): [string, V] | undefined {
    if (this.size === 0) return undefined;
    let steps = 1 + Math.floor(Math.random() * 8);
    for (;;) {
      if (this.walker === null) {
        if (this.walkerMap >= this.maps.length) this.walkerMap = 0;
        this.walker = this.maps[this.walkerMap][Symbol.iterator]();
      }
      const r = this.walker.next();
      if (r.done) {
        this.walker = null;
        this.walkerMap++;
        continue;
      }
      if (--steps === 0) return r.value;
    }
  }
}
