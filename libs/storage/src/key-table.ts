import { randomBytes } from 'node:crypto';

/**
 * A hash table of any size behind one interface, shaped like Redis's dict so that SCAN can use
 * Redis's bucket cursor.
 *
 * Keys are spread by a seeded hash over a power-of-two number of groups; each group is a small
 * V8 Map (so no Map nears V8's 2^24-entry limit, whatever the table's size). A group plays the
 * part of a dict bucket: SCAN visits whole groups in reverse-binary order of their index, which
 * makes resuming any cursor O(1) and keeps Redis's guarantee (every key present for the whole
 * iteration is returned, some possibly twice) while the table is resized between calls.
 *
 * The number of groups follows the number of keys (about TARGET_LOAD keys a group). A resize is
 * incremental, like dict's rehash: a second array of groups is filled a few entries per write
 * (and by the background cycle through rehashFor), and lookups check the old group, then the new.
 */
export class KeyTable<V> {
  private count = 0;
  /** The groups (dict's ht_table[0]); a group that empties is dropped (undefined). */
  private groups: (Map<string, V> | undefined)[] = [undefined];
  private mask = 0;
  /** The groups being filled while a resize is in progress (ht_table[1]), else null. */
  private next: (Map<string, V> | undefined)[] | null = null;
  private nextMask = 0;
  /** Index of the old group being emptied into `next`; groups before it are already moved. */
  private rehashIdx = 0;
  private rehashIter: Iterator<[string, V]> | null = null;
  /** While a scan or a full iteration runs, entries must stay where they are (dictPauseRehashing). */
  private paused = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const h = hashKey(key);
    const g = this.groups[h & this.mask];
    if (this.next === null) return g === undefined ? undefined : g.get(key);
    const v = g === undefined ? undefined : g.get(key);
    return v !== undefined ? v : this.next[h & this.nextMask]?.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces. Values are never undefined. */
  set(key: string, value: V): void {
    const h = hashKey(key);
    const i = h & this.mask;
    let g = this.groups[i];
    if (this.next === null) {
      if (g === undefined) g = this.groups[i] = new Map();
      const before = g.size;
      g.set(key, value);
      if (g.size !== before && ++this.count > GROW_LOAD * (this.mask + 1)) this.startResize();
      return;
    }
    // Resizing: a key still in its old group is replaced there, a new key goes to the new groups.
    if (g !== undefined && g.has(key)) {
      g.set(key, value);
      return;
    }
    const j = h & this.nextMask;
    const n = (this.next[j] ??= new Map());
    const before = n.size;
    n.set(key, value);
    if (n.size !== before) this.count++;
    this.rehashStep(REHASH_PER_WRITE);
  }

  delete(key: string): boolean {
    const h = hashKey(key);
    if (!this.deleteFrom(this.groups, h & this.mask, key)) {
      if (this.next === null || !this.deleteFrom(this.next, h & this.nextMask, key)) return false;
    }
    this.count--;
    if (this.next !== null) this.rehashStep(REHASH_PER_WRITE);
    else if (this.mask > 0 && this.count < SHRINK_LOAD * (this.mask + 1)) this.startResize();
    return true;
  }

  private deleteFrom(table: (Map<string, V> | undefined)[], i: number, key: string): boolean {
    const g = table[i];
    if (g === undefined || !g.delete(key)) return false;
    if (g.size === 0) table[i] = undefined;
    return true;
  }

  clear(): void {
    this.count = 0;
    this.groups = [undefined];
    this.mask = 0;
    this.next = null;
    this.rehashIter = null;
  }

  /**
   * One step of Redis's dictScan: visits the group `cursor` names (and, mid-resize, the groups of
   * the larger array that it expands to) and returns the next cursor, 0 when the iteration is
   * complete. Any number is a valid cursor (only its low bits are used), and resuming costs the
   * same wherever it points. `visit` must not change the table (collect, then act).
   */
  scan(cursor: number, visit: (key: string, value: V) => void): number {
    // Groups never number more than 2^30, so only the cursor's low 32 bits can matter.
    let v = (cursor % 4294967296) >>> 0;
    this.paused++;
    try {
      if (this.next === null) {
        visitGroup(this.groups[v & this.mask], visit);
        return advanceCursor(v, this.mask);
      }
      let small = this.groups;
      let big = this.next;
      let m0 = this.mask;
      let m1 = this.nextMask;
      if (m0 > m1) {
        [small, big] = [big, small];
        [m0, m1] = [m1, m0];
      }
      visitGroup(small[v & m0], visit);
      // Then every group of the larger array that the smaller group's keys can be in.
      do {
        visitGroup(big[v & m1], visit);
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
      for (const table of [this.groups, this.next]) {
        if (table === null) continue;
        for (let i = 0; i < table.length; i++) visitGroup(table[i], visit);
      }
    } finally {
      this.paused--;
    }
  }

  /** Every key, in no particular order (a copy: the caller may then change the table). */
  keys(): string[] {
    const out: string[] = [];
    this.forEach((k) => out.push(k));
    return out;
  }

  /**
   * Some entry, drawn like dictGetRandomKey: a random non-empty group, then a random entry in it
   * (not uniform over keys, as in Redis). O(1) expected: groups hold about TARGET_LOAD keys.
   */
  pick(): [string, V] | undefined {
    if (this.count === 0) return undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      const g = this.randomGroup();
      // The group a resize is moving stays in place, empty, until its iterator reports the end.
      if (g !== undefined && g.size > 0) return nthEntry(g, Math.floor(Math.random() * g.size));
    }
    // Only reached when nearly every group is empty: fall back to the first non-empty one.
    let found: [string, V] | undefined;
    this.scanUntil((k, v) => (found ??= [k, v]));
    return found;
  }

  /** Moves entries of a resize in progress for up to `ms` (the background cycle's share). */
  rehashFor(ms: number): void {
    if (this.next === null) return;
    const deadline = performance.now() + ms;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- rehashStep() ends the resize
    while (this.next !== null && performance.now() < deadline) this.rehashStep(1000);
  }

  /** True while entries move to a resized array of groups (tests). */
  get resizing(): boolean {
    return this.next !== null;
  }

  /** Number of groups (tests). */
  get groupCount(): number {
    return this.next === null ? this.mask + 1 : Math.max(this.mask, this.nextMask) + 1;
  }

  private randomGroup(): Map<string, V> | undefined {
    if (this.next === null) return this.groups[Math.floor(Math.random() * (this.mask + 1))];
    // Groups before rehashIdx are empty: draw among the rest of the old array and the new one.
    const old = this.mask + 1 - this.rehashIdx;
    const r = Math.floor(Math.random() * (old + this.nextMask + 1));
    return r < old ? this.groups[this.rehashIdx + r] : this.next[r - old];
  }

  private scanUntil(visit: (key: string, value: V) => void): void {
    let cursor = 0;
    do cursor = this.scan(cursor, visit);
    while (cursor !== 0);
  }

  /** Starts moving to the number of groups that fits the current count (never while paused). */
  private startResize(): void {
    if (this.paused > 0 || this.next !== null) return;
    const target = groupsFor(this.count);
    if (target === this.mask + 1) return;
    this.next = new Array(target).fill(undefined);
    this.nextMask = target - 1;
    this.rehashIdx = 0;
    this.rehashIter = null;
  }

  /** Moves up to `entries` entries (and passes at most 10 empty groups) to the new groups (dictRehash). */
  private rehashStep(entries: number): void {
    if (this.paused > 0) return;
    const next = this.next;
    if (next === null) return;
    let emptyVisits = 10;
    while (entries > 0) {
      if (this.rehashIdx > this.mask) {
        this.groups = next;
        this.mask = this.nextMask;
        this.next = null;
        this.rehashIter = null;
        // Writes during the resize may already call for another one.
        if (this.count > GROW_LOAD * (this.mask + 1) || (this.mask > 0 && this.count < SHRINK_LOAD * (this.mask + 1))) this.startResize();
        return;
      }
      const g = this.groups[this.rehashIdx];
      if (g === undefined) {
        this.rehashIdx++;
        this.rehashIter = null;
        if (--emptyVisits === 0) return;
        continue;
      }
      const it = (this.rehashIter ??= g.entries());
      const r = it.next();
      if (r.done) {
        this.groups[this.rehashIdx++] = undefined;
        this.rehashIter = null;
        continue;
      }
      const [k, v] = r.value;
      g.delete(k);
      (next[hashKey(k) & this.nextMask] ??= new Map()).set(k, v);
      entries--;
    }
  }
}

/** Above this many keys per group on average the table grows. */
const GROW_LOAD = 128;
/** Below this many keys per group on average (and more than one group) the table shrinks. */
const SHRINK_LOAD = 16;
/** A resize aims at this many keys per group. */
const TARGET_LOAD = 64;
/** Entries a write moves while a resize is in progress: resizes finish long before the next. */
const REHASH_PER_WRITE = 8;

/** The power of two of groups for `count` keys at TARGET_LOAD. */
function groupsFor(count: number): number {
  let n = 1;
  while (n * TARGET_LOAD < count && n < 2 ** 30) n *= 2;
  return n;
}

function visitGroup<V>(g: Map<string, V> | undefined, visit: (key: string, value: V) => void): void {
  if (g === undefined) return;
  for (const [k, v] of g) visit(k, v);
}

function nthEntry<V>(g: Map<string, V>, n: number): [string, V] | undefined {
  for (const e of g) if (n-- === 0) return e;
  return undefined;
}

/**
 * The cursor after `v` over `mask + 1` groups: the masked bits incremented from the top bit down
 * (dictScan's reverse-binary increment), so groups that split or merge in a resize are visited
 * next to each other and a resize between two calls never makes the iteration skip a group.
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

/** Per-process seed: the groups keys fall into cannot be predicted from outside. */
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
