import { RedisObject } from '../object.js';
import { PackedCursor, flatten, pack, packEntry, unpack } from '../packed.js';
import { heapArray, heapObject, sampledTotal, heapString } from '../../footprint.js';

/** A chunk takes at most this many entries... */
const CHUNK_ENTRIES = 128;
/** ...and grows past this many chars only to hold a single entry (Redis's default node size, 8 KB). */
const CHUNK_CHARS = 8192;

/** One cursor for every walk: lists are used from one thread and walks never nest. */
const cursor = new PackedCursor();
/** Header offsets of one chunk's entries, reused by walks from the tail. */
const offsets: number[] = [];

/**
 * A list, shaped like Redis's quicklist: a deque of packed chunks (types/packed.ts, at most
 * CHUNK_ENTRIES entries or CHUNK_CHARS chars each) with each chunk's entry count, so pushes and
 * pops touch one end chunk and index lookups skip whole chunks. A chunk is an immutable string,
 * flat at rest (a rope keeps every piece it was built from): a push concatenates (flattened once
 * the command's pushes are done), an edit in the middle rebuilds it, a pop slices (the slice keeps
 * the chunk it came from until a push rebuilds that end). A small list is one chunk, held without
 * arrays: one string header for all its entries and a 48-byte object. Redis 7.0 reports every list
 * as 'quicklist'.
 */
export class ListValue extends RedisObject {
  /**
   * The chunks: a list of one chunk (every small list, and the empty list as '') holds it here as
   * a string; a longer one holds an array of chunks and `counts`, their entry counts. Edits in the
   * middle work on the array form (spread) and return to the string form when one chunk is left.
   */
  private chunks: string | string[] = '';
  private counts: number[] | null = null;
  private size = 0;

  /** A prototype getter, not a field: one slot less in each of many small lists. */
  get type(): 'list' {
    return 'list';
  }

  get encoding(): string {
    return 'quicklist';
  }

  get length(): number {
    return this.size;
  }

  /** Pushes one element onto the head or the tail. */
  push(value: string, head: boolean): void {
    this.append(value, head);
    this.settle(head);
  }

  /** Pushes `values[from..]` one by one (so LPUSH a b c leaves c first), as one edit. */
  pushAll(values: readonly string[], from: number, head: boolean): void {
    for (let i = from; i < values.length; i++) this.append(values[i], head);
    this.settle(head);
  }

  private append(value: string, head: boolean): void {
    const entry = packEntry(value);
    const chunks = this.chunks;
    if (typeof chunks === 'string') {
      if (this.size === 0 || !full(chunks, this.size, entry)) {
        this.chunks = head ? entry + chunks : chunks + entry;
      } else {
        // The second chunk: exact-size arrays, no spare slots.
        const first = flatten(chunks);
        this.chunks = head ? [entry, first] : [first, entry];
        this.counts = head ? [1, this.size] : [this.size, 1];
      }
    } else {
      const counts = this.counts as number[];
      const end = head ? 0 : chunks.length - 1;
      if (full(chunks[end], counts[end], entry)) {
        chunks[end] = flatten(chunks[end]);
        if (head) {
          chunks.unshift(entry);
          counts.unshift(1);
        } else {
          chunks.push(entry);
          counts.push(1);
        }
      } else {
        chunks[end] = head ? entry + chunks[end] : chunks[end] + entry;
        counts[end]++;
      }
    }
    this.size++;
  }

  /** Flattens the end chunk a push grew, so a list at rest holds no rope. */
  private settle(head: boolean): void {
    const chunks = this.chunks;
    if (typeof chunks === 'string') {
      this.chunks = flatten(chunks);
    } else {
      const end = head ? 0 : chunks.length - 1;
      chunks[end] = flatten(chunks[end]);
    }
  }

  /** Removes and returns the head or tail element; undefined when the list is empty. */
  pop(head: boolean): string | undefined {
    if (this.size === 0) return undefined;
    const ci = head ? 0 : this.chunkCount() - 1;
    const chunk = this.chunkAt(ci);
    let rest: string;
    if (head) {
      cursor.reset(chunk);
      cursor.next();
      rest = chunk.slice(cursor.end);
    } else {
      const at = this.lastHeader(chunk);
      cursor.reset(chunk, at);
      cursor.next();
      rest = chunk.slice(0, at);
    }
    const value = cursor.value();
    if (typeof this.chunks === 'string') {
      this.chunks = rest;
      this.size--;
    } else {
      this.chunks[ci] = rest;
      this.dropped(ci);
    }
    return value;
  }

  /** The element at `index` (0 ≤ index < length). */
  at(index: number): string {
    const [ci, i] = this.locate(index);
    this.seek(ci, i);
    return cursor.value();
  }

  /** Replaces the element at `index` (0 ≤ index < length). */
  set(index: number, value: string): void {
    const [ci, i] = this.locate(index);
    this.seek(ci, i);
    const chunks = this.spread();
    const chunk = chunks[ci];
    chunks[ci] = flatten(chunk.slice(0, cursor.at) + packEntry(value) + chunk.slice(cursor.end));
    this.split(ci);
    this.compact();
  }

  /** Inserts `value` so it ends up at `index` (0 ≤ index ≤ length). */
  insert(index: number, value: string): void {
    if (index === 0 || index === this.size) return this.push(value, index === 0);
    const [ci, i] = this.locate(index);
    this.seek(ci, i);
    const chunks = this.spread();
    const chunk = chunks[ci];
    chunks[ci] = flatten(chunk.slice(0, cursor.at) + packEntry(value) + chunk.slice(cursor.at));
    (this.counts as number[])[ci]++;
    this.size++;
    this.split(ci);
    this.compact();
  }

  /**
   * Visits the elements from `start` to `end` (inclusive, 0 ≤ start ≤ end < length) in order,
   * or from `end` down to `start` when `reverse`.
   */
  range(start: number, end: number, reverse: boolean, visit: (value: string) => void): void {
    if (!reverse) {
      let [ci, i] = this.locate(start);
      let left = end - start + 1;
      for (; left > 0; ci++, i = 0) {
        cursor.reset(this.chunkAt(ci));
        for (let k = 0; cursor.next(); k++) {
          if (k < i) continue;
          visit(cursor.value());
          if (--left === 0) return;
        }
      }
      return;
    }
    let [ci, i] = this.locate(end);
    let left = end - start + 1;
    for (; left > 0; ci--, i = -1) {
      const chunk = this.chunkAt(ci);
      const n = this.headers(chunk);
      for (let k = i < 0 ? n - 1 : i; k >= 0; k--) {
        cursor.reset(chunk, offsets[k]);
        cursor.next();
        visit(cursor.value());
        if (--left === 0) return;
      }
    }
  }

  /**
   * Visits the indexes of the elements equal to `value`, from the head (or from the tail when
   * `fromTail`), looking at no more than `limit` elements (0 = all), until `visit` returns false.
   * A chunk that does not hold `value` even as a substring is skipped whole (one native search).
   */
  matches(value: string, fromTail: boolean, limit: number, visit: (index: number) => boolean): void {
    const n = this.chunkCount();
    let scanned = 0;
    let base = fromTail ? this.size : 0;
    for (let step = 0; step < n; step++) {
      const ci = fromTail ? n - 1 - step : step;
      const chunk = this.chunkAt(ci);
      const count = this.countAt(ci);
      if (fromTail) base -= count;
      const room = limit === 0 ? count : Math.min(count, limit - scanned);
      if (room <= 0) return;
      if (value.length === 0 || chunk.includes(value)) {
        if (!fromTail) {
          cursor.reset(chunk);
          for (let k = 0; k < room && cursor.next(); k++) if (cursor.is(value) && !visit(base + k)) return;
        } else {
          this.headers(chunk);
          for (let k = count - 1; k >= count - room; k--) {
            cursor.reset(chunk, offsets[k]);
            cursor.next();
            if (cursor.is(value) && !visit(base + k)) return;
          }
        }
      }
      scanned += room;
      if (!fromTail) base += count;
    }
  }

  /** Removes `count` elements starting at `start` (0 ≤ start, start + count ≤ length). */
  deleteRange(start: number, count: number): void {
    if (count === 0) return;
    if (count === this.size) {
      this.chunks = '';
      this.counts = null;
      this.size = 0;
      return;
    }
    let [ci, i] = this.locate(start);
    const chunks = this.spread();
    const counts = this.counts as number[];
    let left = count;
    while (left > 0) {
      const n = counts[ci];
      const take = Math.min(left, n - i);
      if (take === n) {
        chunks.splice(ci, 1);
        counts.splice(ci, 1);
        this.size -= n;
      } else {
        const chunk = chunks[ci];
        const from = this.offsetOf(chunk, i);
        const to = this.offsetOf(chunk, i + take);
        chunks[ci] = flatten(chunk.slice(0, from) + chunk.slice(to));
        counts[ci] -= take;
        this.size -= take;
        ci++;
      }
      left -= take;
      i = 0;
    }
    this.compact();
  }

  /**
   * Removes up to `limit` elements equal to `value` (0 = all), from the head or from the tail;
   * returns how many.
   */
  remove(value: string, limit: number, fromTail: boolean): number {
    let removed = 0;
    const chunks = this.spread();
    const counts = this.counts as number[];
    for (let step = 0; step < chunks.length && (limit === 0 || removed < limit); step++) {
      const ci = fromTail ? chunks.length - 1 - step : step;
      const chunk = chunks[ci];
      if (value.length !== 0 && !chunk.includes(value)) continue;
      const n = this.headers(chunk);
      offsets.push(chunk.length);
      // Matches of this chunk, in walk order, up to what is still wanted.
      const matches: number[] = [];
      for (let s = 0; s < n && (limit === 0 || removed + matches.length < limit); s++) {
        const k = fromTail ? n - 1 - s : s;
        cursor.reset(chunk, offsets[k]);
        cursor.next();
        if (cursor.is(value)) matches.push(k);
      }
      if (matches.length === 0) continue;
      if (fromTail) matches.reverse();
      let kept = '';
      let from = 0;
      for (const k of matches) {
        kept += chunk.slice(from, offsets[k]);
        from = offsets[k + 1];
      }
      kept += chunk.slice(from);
      chunks[ci] = flatten(kept);
      counts[ci] -= matches.length;
      removed += matches.length;
    }
    this.size -= removed;
    for (let ci = chunks.length - 1; ci >= 0; ci--) {
      if (counts[ci] === 0) {
        chunks.splice(ci, 1);
        counts.splice(ci, 1);
      }
    }
    this.compact();
    return removed;
  }

  /** Every element, head to tail. */
  values(): string[] {
    const out: string[] = [];
    for (let ci = 0; ci < this.chunkCount(); ci++) for (const v of unpack(this.chunkAt(ci))) out.push(v);
    return out;
  }

  footprint(samples: number): number {
    const chunks = this.chunks;
    // lru, cost, chunks, counts, size
    const own = heapObject(5);
    if (typeof chunks === 'string') return own + heapString(chunks.length);
    return (
      own +
      heapArray(chunks.length) +
      heapArray(this.counts!.length) +
      sampledTotal(chunks.length, samples, (i) => heapString(chunks[i].length))
    );
  }

  clone(): ListValue {
    const copy = new ListValue();
    copy.chunks = typeof this.chunks === 'string' ? this.chunks : this.chunks.slice();
    copy.counts = this.counts === null ? null : this.counts.slice();
    copy.size = this.size;
    return copy;
  }

  private chunkCount(): number {
    return typeof this.chunks === 'string' ? 1 : this.chunks.length;
  }

  private chunkAt(ci: number): string {
    return typeof this.chunks === 'string' ? this.chunks : this.chunks[ci];
  }

  private countAt(ci: number): number {
    return this.counts === null ? this.size : this.counts[ci];
  }

  /** The array form, for an edit in the middle (a one-chunk array until compact()). */
  private spread(): string[] {
    if (typeof this.chunks !== 'string') return this.chunks;
    const chunks = [this.chunks];
    this.chunks = chunks;
    this.counts = [this.size];
    return chunks;
  }

  /** Back to the string form when an edit left one chunk (or none). */
  private compact(): void {
    const chunks = this.chunks;
    if (typeof chunks === 'string' || chunks.length > 1) return;
    this.chunks = chunks.length === 0 ? '' : chunks[0];
    this.counts = null;
  }

  /** Chunk and position in it of element `index`, counting from the nearer end. */
  private locate(index: number): [number, number] {
    const counts = this.counts;
    if (counts === null) return [0, index];
    if (index < this.size >> 1) {
      let ci = 0;
      while (index >= counts[ci]) index -= counts[ci++];
      return [ci, index];
    }
    let ci = counts.length - 1;
    let fromEnd = this.size - 1 - index;
    while (fromEnd >= counts[ci]) fromEnd -= counts[ci--];
    return [ci, counts[ci] - 1 - fromEnd];
  }

  /** Leaves the shared cursor on entry `i` of chunk `ci`. */
  private seek(ci: number, i: number): void {
    cursor.reset(this.chunkAt(ci));
    for (let k = 0; k <= i; k++) cursor.next();
  }

  /** Char offset of entry `i` of `chunk` (its length for i = count). */
  private offsetOf(chunk: string, i: number): number {
    cursor.reset(chunk);
    for (let k = 0; k < i; k++) cursor.next();
    return cursor.end;
  }

  /** Header offset of the last entry of a non-empty chunk. */
  private lastHeader(chunk: string): number {
    cursor.reset(chunk);
    while (cursor.next());
    return cursor.at;
  }

  /** Fills `offsets` with the header offsets of `chunk`'s entries; returns how many. */
  private headers(chunk: string): number {
    offsets.length = 0;
    cursor.reset(chunk);
    while (cursor.next()) offsets.push(cursor.at);
    return offsets.length;
  }

  /** Accounts for an entry popped from chunk `ci` of the array form, dropping the chunk when it is empty. */
  private dropped(ci: number): void {
    const chunks = this.chunks as string[];
    const counts = this.counts as number[];
    this.size--;
    if (--counts[ci] !== 0) return;
    if (ci === 0) {
      chunks.shift();
      counts.shift();
    } else {
      chunks.splice(ci, 1);
      counts.splice(ci, 1);
    }
    this.compact();
  }

  /** Splits chunk `ci` of the array form in two when an edit in the middle grew it past the chunk limits. */
  private split(ci: number): void {
    const chunks = this.chunks as string[];
    const counts = this.counts as number[];
    const chunk = chunks[ci];
    const n = counts[ci];
    if (n < 2 || (n <= CHUNK_ENTRIES && chunk.length <= CHUNK_CHARS)) return;
    const entries = unpack(chunk);
    const half = n >> 1;
    chunks.splice(ci, 1, flatten(pack(entries.slice(0, half))), flatten(pack(entries.slice(half))));
    counts.splice(ci, 1, half, n - half);
  }
}

/** Whether a chunk of `count` entries has no room for `entry` (past CHUNK_CHARS only as its single entry). */
function full(chunk: string, count: number, entry: string): boolean {
  return count >= CHUNK_ENTRIES || chunk.length + entry.length > CHUNK_CHARS;
}
