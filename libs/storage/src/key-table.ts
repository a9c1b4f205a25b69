import { randomBytes } from 'node:crypto';
import { heapArray, heapObject, sampledTotal, heapTypedArray } from './footprint.js';

/**
 * A hash table of any size behind one interface, shaped like Redis's dict: chains hanging off a
 * power-of-two array of buckets, an incremental rehash between two bucket arrays, and SCAN's
 * reverse-binary bucket cursor.
 *
 * Everything lives in a few large flat arrays rather than in V8 Maps, so the heap holds a handful
 * of big objects per table instead of many small ones whose old backing stores, left behind by
 * every resize, fragment the old space between long-lived strings (V8 does not compact them back):
 * - entries occupy slots 0..size-1, always dense. A slot's key and value sit side by side in a JS
 *   array (`kv`), its hash and next-in-chain link in an Int32Array (`meta`). Storage is split in
 *   pages of PAGE_SLOTS slots, so growing never copies a big array; the first page doubles from
 *   MIN_SLOTS while the table is small (most tables are: every big hash/set/zset, 16 databases).
 * - a delete moves the last slot into the freed one (its one incoming link is found through its
 *   stored hash), so the entries stay dense: pages past the end are dropped as the table empties,
 *   forEach walks an array, and pick() draws a slot uniformly in O(1) however sparse the buckets.
 * - buckets are Int32Arrays of chain heads (slot + 1; 0 is an empty bucket), about one entry per
 *   bucket as in Redis. A resize only relinks entries into the other bucket array, a few buckets
 *   per write (and by the background cycle through rehashFor), using the stored hash: no key is
 *   hashed again and no entry moves, so no operation stalls even on a table of tens of millions.
 *
 * Per entry that is 16 bytes of key and value references, 8 of hash and link, and 4 to 8 of
 * buckets (plus up to one spare page).
 */
export class KeyTable<V> {
  private count = 0;
  /** Per page: key of slot i at 2i, its value at 2i + 1 (undefined once the slot is free). */
  private kv: unknown[][] = [newKvPage(MIN_SLOTS)];
  /** Per page: hash of slot i (as an int32) at 2i, next slot of its chain + 1 (0 ends it) at 2i + 1. */
  private meta: Int32Array[] = [new Int32Array(2 * MIN_SLOTS)];
  /** Slots the pages hold. */
  private capacity = MIN_SLOTS;
  /** Chain heads, slot + 1 (dict's ht_table[0]). */
  private heads: Int32Array = new Int32Array(MIN_BUCKETS);
  private mask = MIN_BUCKETS - 1;
  /** The bucket array being filled while a resize is in progress (ht_table[1]), else null. */
  private nextHeads: Int32Array | null = null;
  private nextMask = 0;
  /** Index of the old bucket to move next; buckets before it are empty. */
  private rehashIdx = 0;
  /** While a scan or a full iteration runs, chains must stay where they are (dictPauseRehashing). */
  private paused = 0;
  /**
   * The snapshot walk (beginWalk): slots below the frontier hold the entries the walk has yet to
   * visit, slots at or above it those it has visited, preserved early (takeUnwalked) or added
   * since it began. No per-entry mark is needed: entries only cross the frontier downwards through
   * the walk itself, and removeSlot keeps the two regions apart. 0 when no walk is pending.
   */
  private walkFrontier = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const e = this.find(key, hashKey(key) | 0);
    if (e === 0) return undefined;
    const s = e - 1;
    return this.kv[s >>> PAGE_BITS][((s & PAGE_MASK) << 1) + 1] as V;
  }

  has(key: string): boolean {
    return this.find(key, hashKey(key) | 0) !== 0;
  }

  /** Inserts or replaces. Values are never undefined. */
  set(key: string, value: V): void {
    const h = hashKey(key) | 0;
    const e = this.find(key, h);
    if (e !== 0) {
      const s = e - 1;
      this.kv[s >>> PAGE_BITS][((s & PAGE_MASK) << 1) + 1] = value;
      return;
    }
    const s = this.count;
    if (s === this.capacity) this.addSlots();
    const p = s >>> PAGE_BITS;
    const o = (s & PAGE_MASK) << 1;
    const kv = this.kv[p];
    kv[o] = key;
    kv[o + 1] = value;
    const m = this.meta[p];
    m[o] = h;
    // Mid-resize, new entries go to the new buckets (as in dict), so the old ones only empty.
    const next = this.nextHeads;
    if (next === null) {
      const b = h & this.mask;
      m[o + 1] = this.heads[b];
      this.heads[b] = s + 1;
      this.count = s + 1;
      if (this.count > this.mask + 1) this.startResize();
    } else {
      const b = h & this.nextMask;
      m[o + 1] = next[b];
      next[b] = s + 1;
      this.count = s + 1;
      this.rehashStep(REHASH_PER_WRITE);
    }
  }

  /**
   * Sizes an empty table for `count` entries at once (dictExpand on an RDB's RESIZEDB hint), so a
   * bulk load does not grow the bucket array step by step and relink every entry each time.
   */
  reserve(count: number): void {
    if (this.count !== 0 || this.nextHeads !== null || this.paused > 0) return;
    const buckets = bucketsFor(count);
    if (buckets <= this.mask + 1) return;
    this.heads = new Int32Array(buckets);
    this.mask = buckets - 1;
    this.resizeFirstPage(Math.min(PAGE_SLOTS, buckets));
  }

  delete(key: string): boolean {
    const h = hashKey(key) | 0;
    let e = this.unlink(this.heads, h & this.mask, h, key);
    if (e === 0 && this.nextHeads !== null) e = this.unlink(this.nextHeads, h & this.nextMask, h, key);
    if (e === 0) return false;
    this.removeSlot(e - 1);
    if (this.nextHeads !== null) this.rehashStep(REHASH_PER_WRITE);
    else if (this.mask + 1 > MIN_BUCKETS && this.count * SHRINK_BELOW < this.mask + 1) this.startResize();
    return true;
  }

  clear(): void {
    this.count = 0;
    this.kv = [newKvPage(MIN_SLOTS)];
    this.meta = [new Int32Array(2 * MIN_SLOTS)];
    this.capacity = MIN_SLOTS;
    this.heads = new Int32Array(MIN_BUCKETS);
    this.mask = MIN_BUCKETS - 1;
    this.nextHeads = null;
    this.walkFrontier = 0;
  }

  /**
   * One step of Redis's dictScan: visits the bucket `cursor` names (and, mid-resize, the buckets of
   * the larger array that it expands to) and returns the next cursor, 0 when the iteration is
   * complete. Any number is a valid cursor (only its low bits are used), and resuming costs the
   * same wherever it points. `visit` must not change the table (collect, then act).
   */
  scan(cursor: number, visit: (key: string, value: V) => void): number {
    // Buckets never number more than 2^30, so only the cursor's low 32 bits can matter.
    let v = (cursor % 4294967296) >>> 0;
    this.paused++;
    try {
      if (this.nextHeads === null) {
        this.visitChain(this.heads[v & this.mask], visit);
        return advanceCursor(v, this.mask);
      }
      let small = this.heads;
      let big = this.nextHeads;
      let m0 = this.mask;
      let m1 = this.nextMask;
      if (m0 > m1) {
        [small, big] = [big, small];
        [m0, m1] = [m1, m0];
      }
      this.visitChain(small[v & m0], visit);
      // Then every bucket of the larger array that the smaller bucket's keys can be in.
      do {
        this.visitChain(big[v & m1], visit);
        v = advanceCursor(v, m1);
      } while ((v & (m0 ^ m1)) !== 0);
      return v;
    } finally {
      this.paused--;
    }
  }

  /** Visits every entry once (KEYS); `visit` must not change the table. */
  forEach(visit: (key: string, value: V) => void): void {
    this.paused++;
    try {
      for (let s = 0; s < this.count; s++) {
        const kv = this.kv[s >>> PAGE_BITS];
        const o = (s & PAGE_MASK) << 1;
        visit(kv[o] as string, kv[o + 1] as V);
      }
    } finally {
      this.paused--;
    }
  }

  /** Bytes of the table itself: the object, its pages of slots and its bucket arrays (a db's overhead.hashtable.main). */
  structureBytes(): number {
    let bytes = heapObject(11) + heapArray(this.kv.length) + heapArray(this.meta.length) + heapTypedArray(this.heads.byteLength);
    if (this.nextHeads !== null) bytes += heapTypedArray(this.nextHeads.byteLength);
    for (let p = 0; p < this.kv.length; p++) bytes += heapArray(this.kv[p].length) + heapTypedArray(this.meta[p].byteLength);
    return bytes;
  }

  /**
   * Bytes the table holds: its structure plus what its entries hold (`entry` gives one entry's
   * key and value bytes), sampled over the first `samples` entries (footprint.ts).
   */
  footprint(entry: (key: string, value: V) => number, samples: number): number {
    return (
      this.structureBytes() +
      sampledTotal(this.count, samples, (s) => {
        const kv = this.kv[s >>> PAGE_BITS];
        const o = (s & PAGE_MASK) << 1;
        return entry(kv[o] as string, kv[o + 1] as V);
      })
    );
  }

  /** One entry's share of a table's structure: two slot references, its hash and link, one bucket. */
  static readonly ENTRY_BYTES = 2 * 8 + 2 * 4 + 4;

  /** Every key, in no particular order (a copy: the caller may then change the table). */
  keys(): string[] {
    const out = new Array<string>(this.count);
    for (let s = 0; s < this.count; s++) out[s] = this.kv[s >>> PAGE_BITS][(s & PAGE_MASK) << 1] as string;
    return out;
  }

  /**
   * Some entry, for RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD. Redis's dictGetRandomKey draws a
   * random non-empty bucket, then an entry of its chain; here the entries are dense, so a random
   * slot is O(1) on any table and uniform over the entries (Redis's draw favours short chains).
   */
  pick(): [string, V] | undefined {
    if (this.count === 0) return undefined;
    const s = Math.floor(Math.random() * this.count);
    const kv = this.kv[s >>> PAGE_BITS];
    const o = (s & PAGE_MASK) << 1;
    return [kv[o] as string, kv[o + 1] as V];
  }

  /** True while a walk has entries left to visit: a change to an entry must first ask takeUnwalked. */
  get walking(): boolean {
    return this.walkFrontier !== 0;
  }

  /** Starts a walk over the entries present now (a point-in-time snapshot); entries added later are never visited. */
  beginWalk(): void {
    this.walkFrontier = this.count;
  }

  /** Abandons the walk (a failed snapshot): nothing is pending any more. */
  endWalk(): void {
    this.walkFrontier = 0;
  }

  /**
   * Visits up to `max` entries the walk has not visited yet, from the frontier down; returns how
   * many remain. `visit` must not change the table.
   */
  walk(max: number, visit: (key: string, value: V) => void): number {
    let f = this.walkFrontier;
    const stop = Math.max(0, f - max);
    while (f > stop) {
      const s = --f;
      const kv = this.kv[s >>> PAGE_BITS];
      const o = (s & PAGE_MASK) << 1;
      this.walkFrontier = f;
      visit(kv[o] as string, kv[o + 1] as V);
    }
    return f;
  }

  /**
   * For a write about to change `key`: true when the walk has not visited it yet, in which case it
   * now counts as visited (moved to just above the frontier) and the caller records its current value.
   */
  takeUnwalked(key: string): boolean {
    const e = this.find(key, hashKey(key) | 0);
    if (e === 0 || e > this.walkFrontier) return false;
    const f = --this.walkFrontier;
    if (e - 1 !== f) this.swapSlots(e - 1, f);
    return true;
  }

  /** Moves buckets of a resize in progress for up to `ms` (the background cycle's share). */
  rehashFor(ms: number): void {
    if (this.nextHeads === null) return;
    const deadline = performance.now() + ms;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- rehashStep() ends the resize
    while (this.nextHeads !== null && performance.now() < deadline) this.rehashStep(1000);
  }

  /** True while entries move to a resized bucket array (tests). */
  get resizing(): boolean {
    return this.nextHeads !== null;
  }

  /** Number of buckets, the larger array's mid-resize (tests; the name is from the Map-based table). */
  get groupCount(): number {
    return this.nextHeads === null ? this.mask + 1 : Math.max(this.mask, this.nextMask) + 1;
  }

  /** Slots the storage holds, used or not (tests: storage follows the size both ways). */
  get slotCapacity(): number {
    return this.capacity;
  }

  /** The slot + 1 of `key` (hash `h`), 0 when absent. */
  private find(key: string, h: number): number {
    const e = this.findInChain(this.heads[h & this.mask], h, key);
    if (e !== 0 || this.nextHeads === null) return e;
    return this.findInChain(this.nextHeads[h & this.nextMask], h, key);
  }

  private findInChain(e: number, h: number, key: string): number {
    while (e !== 0) {
      const s = e - 1;
      const p = s >>> PAGE_BITS;
      const o = (s & PAGE_MASK) << 1;
      const m = this.meta[p];
      // The stored hash spares most string comparisons.
      if (m[o] === h && this.kv[p][o] === key) return e;
      e = m[o + 1];
    }
    return 0;
  }

  /** Takes `key` out of the chain of `heads[b]`; returns its slot + 1, 0 when not there. */
  private unlink(heads: Int32Array, b: number, h: number, key: string): number {
    let prev = 0;
    let e = heads[b];
    while (e !== 0) {
      const s = e - 1;
      const m = this.meta[s >>> PAGE_BITS];
      const o = (s & PAGE_MASK) << 1;
      if (m[o] === h && this.kv[s >>> PAGE_BITS][o] === key) {
        if (prev === 0) heads[b] = m[o + 1];
        else this.setLink(prev - 1, m[o + 1]);
        return e;
      }
      prev = e;
      e = m[o + 1];
    }
    return 0;
  }

  /**
   * Frees unlinked slot `s`: the last slot moves into it, so slots stay dense. Mid-walk, a slot
   * below the frontier is first refilled from just below it and the frontier steps down onto the
   * hole, so a visited entry never moves into the unvisited region.
   */
  private removeSlot(s: number): void {
    if (s < this.walkFrontier) {
      const f = --this.walkFrontier;
      if (s !== f) this.moveSlot(f, s);
      s = f;
    }
    const last = --this.count;
    if (s !== last) this.moveSlot(last, s);
    // No reference left behind to pin a deleted key or value.
    const lkv = this.kv[last >>> PAGE_BITS];
    const lo = (last & PAGE_MASK) << 1;
    lkv[lo] = undefined;
    lkv[lo + 1] = undefined;
    this.releaseSlots();
  }

  /** Moves the entry of slot `from` into free slot `to`, relinking the one link that pointed at it. */
  private moveSlot(from: number, to: number): void {
    const fm = this.meta[from >>> PAGE_BITS];
    const fo = (from & PAGE_MASK) << 1;
    const h = fm[fo];
    // The one link to `from`: a chain of the old buckets, else (mid-resize) of the new ones.
    if (!this.redirect(this.heads, h & this.mask, from + 1, to + 1))
      this.redirect(this.nextHeads as Int32Array, h & this.nextMask, from + 1, to + 1);
    const fkv = this.kv[from >>> PAGE_BITS];
    const kv = this.kv[to >>> PAGE_BITS];
    const o = (to & PAGE_MASK) << 1;
    kv[o] = fkv[fo];
    kv[o + 1] = fkv[fo + 1];
    const m = this.meta[to >>> PAGE_BITS];
    m[o] = h;
    m[o + 1] = fm[fo + 1];
  }

  /**
   * Exchanges the entries of two used slots: each one's incoming link is located first (it may be
   * a field of the other slot), then the contents swap and the links are pointed at the new places.
   */
  private swapSlots(a: number, b: number): void {
    const inA = this.incomingLink(a);
    const inB = this.incomingLink(b);
    const am = this.meta[a >>> PAGE_BITS];
    const ao = (a & PAGE_MASK) << 1;
    const bm = this.meta[b >>> PAGE_BITS];
    const bo = (b & PAGE_MASK) << 1;
    const akv = this.kv[a >>> PAGE_BITS];
    const bkv = this.kv[b >>> PAGE_BITS];
    [akv[ao], bkv[bo]] = [bkv[bo], akv[ao]];
    [akv[ao + 1], bkv[bo + 1]] = [bkv[bo + 1], akv[ao + 1]];
    [am[ao], bm[bo]] = [bm[bo], am[ao]];
    [am[ao + 1], bm[bo + 1]] = [bm[bo + 1], am[ao + 1]];
    // A link stored in slot a or b has moved with its slot's contents.
    this.setIncoming(inA, a, b, b + 1);
    this.setIncoming(inB, a, b, a + 1);
  }

  /** Where the link to used slot `s` is stored: [bucket array, index] or [null, slot whose next it is]. */
  private incomingLink(s: number): [Int32Array | null, number] {
    const h = this.meta[s >>> PAGE_BITS][(s & PAGE_MASK) << 1];
    for (const [heads, mask] of [
      [this.heads, this.mask],
      [this.nextHeads, this.nextMask],
    ] as const) {
      if (heads === null) continue;
      const b = h & mask;
      let e = heads[b];
      if (e === s + 1) return [heads, b];
      while (e !== 0) {
        const next = this.meta[(e - 1) >>> PAGE_BITS][(((e - 1) & PAGE_MASK) << 1) + 1];
        if (next === s + 1) return [null, e - 1];
        e = next;
      }
    }
    throw new Error('KeyTable: slot not linked');
  }

  private setIncoming([heads, i]: [Int32Array | null, number], a: number, b: number, link: number): void {
    if (heads !== null) heads[i] = link;
    else this.setLink(i === a ? b : i === b ? a : i, link);
  }

  /** Makes the link to `from` in the chain of `heads[b]` point to `to`; false when `from` is not in it. */
  private redirect(heads: Int32Array, b: number, from: number, to: number): boolean {
    let e = heads[b];
    if (e === from) {
      heads[b] = to;
      return true;
    }
    while (e !== 0) {
      const s = e - 1;
      const m = this.meta[s >>> PAGE_BITS];
      const o = ((s & PAGE_MASK) << 1) + 1;
      if (m[o] === from) {
        m[o] = to;
        return true;
      }
      e = m[o];
    }
    return false;
  }

  private setLink(s: number, next: number): void {
    this.meta[s >>> PAGE_BITS][((s & PAGE_MASK) << 1) + 1] = next;
  }

  /** Room for one more slot: the first page doubles up to PAGE_SLOTS, then whole pages are added. */
  private addSlots(): void {
    if (this.capacity < PAGE_SLOTS) this.resizeFirstPage(this.capacity * 2);
    else {
      this.kv.push(newKvPage(PAGE_SLOTS));
      this.meta.push(new Int32Array(2 * PAGE_SLOTS));
      this.capacity += PAGE_SLOTS;
    }
  }

  /**
   * Gives storage back as the table empties: the last page goes once it is empty and the one below
   * half empty (so a table at a page boundary does not drop and add a page on every write), and the
   * first page, once alone, halves when a quarter full.
   */
  private releaseSlots(): void {
    const pages = this.kv.length;
    if (pages > 1) {
      if (this.count <= (pages - 1) * PAGE_SLOTS - PAGE_SLOTS / 2) {
        this.kv.pop();
        this.meta.pop();
        this.capacity -= PAGE_SLOTS;
      }
    } else if (this.capacity > MIN_SLOTS && this.count * 4 <= this.capacity) this.resizeFirstPage(this.capacity / 2);
  }

  /** Copies the first (only, when shrinking) page into one of `slots` slots. */
  private resizeFirstPage(slots: number): void {
    const kv = newKvPage(slots);
    const meta = new Int32Array(2 * slots);
    const used = 2 * this.count;
    const oldKv = this.kv[0];
    for (let i = 0; i < used; i++) kv[i] = oldKv[i];
    meta.set(this.meta[0].subarray(0, used));
    this.kv[0] = kv;
    this.meta[0] = meta;
    this.capacity = slots;
  }

  /** Starts moving to the number of buckets that fits the current count (never while paused). */
  private startResize(): void {
    if (this.paused > 0 || this.nextHeads !== null) return;
    const target = bucketsFor(this.count);
    if (target === this.mask + 1) return;
    this.nextHeads = new Int32Array(target);
    this.nextMask = target - 1;
    this.rehashIdx = 0;
  }

  /** Moves up to `buckets` non-empty buckets (passing at most ten times as many empty ones) to the new array (dictRehash). */
  private rehashStep(buckets: number): void {
    const to = this.nextHeads;
    if (this.paused > 0 || to === null) return;
    const from = this.heads;
    const toMask = this.nextMask;
    let emptyVisits = buckets * 10;
    while (buckets > 0 && emptyVisits > 0 && this.rehashIdx <= this.mask) {
      let e = from[this.rehashIdx];
      if (e === 0) {
        this.rehashIdx++;
        emptyVisits--;
        continue;
      }
      from[this.rehashIdx++] = 0;
      while (e !== 0) {
        const s = e - 1;
        const m = this.meta[s >>> PAGE_BITS];
        const o = (s & PAGE_MASK) << 1;
        const next = m[o + 1];
        const b = m[o] & toMask;
        m[o + 1] = to[b];
        to[b] = e;
        e = next;
      }
      buckets--;
    }
    if (this.rehashIdx <= this.mask) return;
    this.heads = to;
    this.mask = toMask;
    this.nextHeads = null;
    // Writes during the resize may already call for another one.
    if (this.count > this.mask + 1 || (this.mask + 1 > MIN_BUCKETS && this.count * SHRINK_BELOW < this.mask + 1)) this.startResize();
  }

  private visitChain(e: number, visit: (key: string, value: V) => void): void {
    while (e !== 0) {
      const s = e - 1;
      const p = s >>> PAGE_BITS;
      const o = (s & PAGE_MASK) << 1;
      const kv = this.kv[p];
      visit(kv[o] as string, kv[o + 1] as V);
      e = this.meta[p][o + 1];
    }
  }
}

/** Slots in a page: 2^16 (a key/value page is 1 MB of references, a meta page 512 KB). */
const PAGE_BITS = 16;
const PAGE_SLOTS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SLOTS - 1;
/** Slots of an empty table's first page, and buckets of its array (dict's DICT_HT_INITIAL_SIZE). */
const MIN_SLOTS = 4;
const MIN_BUCKETS = 4;
/** The buckets shrink when fewer than 1 in SHRINK_BELOW holds an entry on average (Redis: 1 in 10). */
const SHRINK_BELOW = 8;
/** Buckets a write moves while a resize is in progress: resizes finish long before the next. */
const REHASH_PER_WRITE = 4;

/** A key/value page; filled with undefined so that every page has the same elements kind. */
function newKvPage(slots: number): unknown[] {
  return new Array<unknown>(2 * slots).fill(undefined);
}

/** The power of two of buckets for `count` entries: at most one entry per bucket (dict's _dictNextExp). */
function bucketsFor(count: number): number {
  let n = MIN_BUCKETS;
  while (n < count && n < 2 ** 30) n *= 2;
  return n;
}

/**
 * The cursor after `v` over `mask + 1` buckets: the masked bits incremented from the top bit down
 * (dictScan's reverse-binary increment), so buckets that split or merge in a resize are visited
 * next to each other and a resize between two calls never makes the iteration skip a bucket.
 */
export function advanceCursor(v: number, mask: number): number {
  v = reverseBits((v | ~mask) >>> 0);
  v = (v + 1) >>> 0;
  return reverseBits(v);
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Per-process seed: the buckets keys fall into cannot be predicted from outside. */
const SEED = randomBytes(4).readUInt32LE(0);

/**
 * The last short key hashed: a command usually looks the same key up in several tables (keys,
 * expires, access words). The hash is a pure function of the key, so sharing the cache is safe
 * even when commands run inside other commands; long keys are not kept (no big string is pinned).
 */
let lastKey = '';
let lastHash = hashUncached('');
const CACHED_KEY_MAX = 256;

/** A 32-bit hash of a latin1 key (FNV-1a with a seed, then murmur3's final mix for the low bits). */
export function hashKey(key: string): number {
  if (key === lastKey) return lastHash;
  const h = hashUncached(key);
  if (key.length <= CACHED_KEY_MAX) {
    lastKey = key;
    lastHash = h;
  }
  return h;
}

function hashUncached(key: string): number {
  let h = SEED ^ key.length;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
