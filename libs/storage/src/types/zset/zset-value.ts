import { KeyTable } from '../../key-table.js';
import { RedisObject } from '../object.js';
import { PackedCursor, packEntry, packedSplice } from '../packed.js';
import { Below, OrderTree, isBelow } from './order-tree.js';
import { packScore, unpackScore } from './score.js';
import { heapNumber, heapObject, heapString } from '../../footprint.js';

/** A score interval: [min, max], either end exclusive ("(" in ZRANGEBYSCORE). */
export interface ScoreRange {
  min: number;
  minEx: boolean;
  max: number;
  maxEx: boolean;
}

/** A lex bound: "-" (inf -1), "+" (inf 1), "[value" or "(value" (ex). */
export interface LexBound {
  inf: -1 | 0 | 1;
  value: string;
  ex: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** Visits an entry of a sorted set. */
export type ZSetVisit = (member: string, score: number) => void;

/** One cursor for every walk over packed runs (single-threaded; never held across calls). */
const cursor = new PackedCursor();

/**
 * A sorted set, in Redis 7.0's two encodings: 'listpack' (a packed run of member, score pairs in
 * order, see types/packed; scores packed by packScore) while it holds at most
 * zset-max-listpack-entries members of at most zset-max-listpack-value bytes, then 'skiplist': a
 * KeyTable member → score (any size, past V8's 2^24-entry Map limit) and an OrderTree ordered by
 * (score, member bytes) with ranks. The conversion is one way, as in Redis.
 *
 * Ranks are 0-based in ascending order; rank ranges are half-open [from, to).
 */
export class ZSetValue extends RedisObject {
  private packed: string | null = '';
  /** Entries of the packed form (kept, not recounted). */
  private n = 0;
  private dict: KeyTable<number> | null = null;
  private tree: OrderTree | null = null;

  /** A prototype getter, not a field: one slot less in each of many small sorted sets. */
  get type(): 'zset' {
    return 'zset';
  }

  get encoding(): string {
    return this.packed !== null ? 'listpack' : 'skiplist';
  }

  get size(): number {
    return this.packed !== null ? this.n : (this.tree as OrderTree).size;
  }

  score(member: string): number | undefined {
    if (this.packed === null) return (this.dict as KeyTable<number>).get(member);
    return this.findPacked(member) < 0 ? undefined : scoreAt(cursor);
  }

  /**
   * Sets `member`'s score, adding it when absent (true) or moving it (false). `maxEntries` and
   * `maxValue` are zset-max-listpack-entries/-value at this write. A caller that has just read
   * the member's score (ZADD) passes it as `current` (undefined: absent), which spares the
   * skiplist form a second member lookup; null means not known.
   */
  add(member: string, score: number, maxEntries: number, maxValue: number, current: number | undefined | null = null): boolean {
    if (this.packed !== null) {
      const at = this.findPacked(member);
      if (at >= 0) {
        // Equal scores (0 and -0 too, as C's ==) leave the entry as it is.
        if (scoreAt(cursor) !== score) {
          this.packed = packedSplice(this.packed, at, cursor.end, '');
          this.insertPacked(member, score);
        }
        return false;
      }
      if (this.n + 1 <= maxEntries && member.length <= maxValue) {
        this.insertPacked(member, score);
        this.n++;
        return true;
      }
      this.toSkiplist();
    }
    const dict = this.dict as KeyTable<number>;
    const tree = this.tree as OrderTree;
    const old = current === null ? dict.get(member) : current;
    if (old === undefined) {
      dict.set(member, score);
      tree.insert(score, member);
      return true;
    }
    if (old !== score) {
      tree.rescore(old, score, member);
      dict.set(member, score);
    }
    return false;
  }

  /** Removes `member`; false when it was not there. */
  remove(member: string): boolean {
    if (this.packed !== null) {
      const at = this.findPacked(member);
      if (at < 0) return false;
      this.packed = packedSplice(this.packed, at, cursor.end, '');
      this.n--;
      return true;
    }
    const dict = this.dict as KeyTable<number>;
    const old = dict.get(member);
    if (old === undefined) return false;
    dict.delete(member);
    (this.tree as OrderTree).delete(old, member);
    return true;
  }

  /** The 0-based ascending rank of `member`, undefined when absent. */
  rank(member: string): number | undefined {
    const score = this.score(member);
    return score === undefined ? undefined : this.countBelow(Below.Key, score, member);
  }

  /** The ranks [from, to) of the entries whose scores are in `r`. */
  rankRangeByScore(r: ScoreRange): [number, number] {
    const from = this.countBelow(r.minEx ? Below.ScoreOrEqual : Below.Score, r.min, '');
    const to = this.countBelow(r.maxEx ? Below.Score : Below.ScoreOrEqual, r.max, '');
    return [from, Math.max(from, to)];
  }

  /** The ranks [from, to) of the entries whose members are in `r` (all scores assumed equal, as Redis). */
  rankRangeByLex(r: LexRange): [number, number] {
    const from = this.lexRank(r.min, true);
    const to = this.lexRank(r.max, false);
    return [from, Math.max(from, to)];
  }

  /** Visits ranks [from, to) in order, or from to - 1 down to `from` when `reverse`. */
  range(from: number, to: number, reverse: boolean, visit: ZSetVisit): void {
    if (this.packed === null) return (this.tree as OrderTree).range(from, to, reverse, visit);
    if (from >= to) return;
    if (!reverse) {
      this.walkPacked(from, to, visit);
      return;
    }
    const members: string[] = [];
    const scores: number[] = [];
    this.walkPacked(from, to, (m, s) => {
      members.push(m);
      scores.push(s);
    });
    for (let i = members.length - 1; i >= 0; i--) visit(members[i], scores[i]);
  }

  /** Every entry in order. */
  forEach(visit: ZSetVisit): void {
    this.range(0, this.size, false, visit);
  }

  /** Removes the entries of ranks [from, to); returns how many. */
  removeRange(from: number, to: number): number {
    if (from >= to) return 0;
    if (this.packed !== null) {
      cursor.reset(this.packed);
      let start = 0;
      for (let i = 0; i < to * 2 && cursor.next(); i++) if (i === from * 2) start = cursor.at;
      this.packed = packedSplice(this.packed, start, cursor.end, '');
      this.n -= to - from;
      return to - from;
    }
    // By rank: no member lookup and no key comparisons on the way down.
    const dict = this.dict as KeyTable<number>;
    const tree = this.tree as OrderTree;
    for (let k = from; k < to; k++) dict.delete(tree.deleteAt(from));
    return to - from;
  }

  /**
   * One ZSCAN step: a listpack is returned whole with cursor 0 (as Redis, COUNT ignored); the
   * skiplist form walks its KeyTable until `count` entries or count*10 steps.
   */
  scan(cursorIn: number, count: number, visit: ZSetVisit): number {
    if (this.packed !== null) {
      this.forEach(visit);
      return 0;
    }
    const dict = this.dict as KeyTable<number>;
    let seen = 0;
    const collect = (m: string, s: number): void => {
      seen++;
      visit(m, s);
    };
    let next = cursorIn;
    let steps = count * 10;
    do next = dict.scan(next, collect);
    while (next !== 0 && steps-- > 0 && seen < count);
    return next;
  }

  footprint(samples: number): number {
    // lru, cost, packed, n, dict, tree
    const own = heapObject(6);
    if (this.packed !== null) return own + heapString(this.packed.length);
    // The tree shares the dict's member strings: counted once, with the dict's entries.
    return own + this.dict!.footprint((member, score) => heapString(member.length) + heapNumber(score), samples) + this.tree!.footprint();
  }

  clone(): ZSetValue {
    const copy = new ZSetValue();
    copy.packed = this.packed;
    copy.n = this.n;
    if (this.packed === null) {
      copy.dict = new KeyTable<number>();
      (this.dict as KeyTable<number>).forEach((m, s) => (copy.dict as KeyTable<number>).set(m, s));
      copy.tree = (this.tree as OrderTree).clone();
    }
    return copy;
  }

  /** The number of entries below a bound (see Below): the rank of the first entry that is not. */
  private countBelow(mode: Below, score: number, member: string): number {
    if (this.packed === null) return (this.tree as OrderTree).countBelow(mode, score, member);
    cursor.reset(this.packed);
    let rank = 0;
    while (cursor.next()) {
      const m = cursor.value();
      cursor.next();
      if (!isBelow(mode, scoreAt(cursor), m, score, member)) break;
      rank++;
    }
    return rank;
  }

  /** The rank where a lex range starts (`min`) or ends (exclusive) for a bound. */
  private lexRank(b: LexBound, min: boolean): number {
    if (b.inf !== 0) return b.inf < 0 ? 0 : this.size;
    // A min "[x" starts at the first member >= x, "(x" after x; a max "[x" ends after x, "(x" before.
    const mode = b.ex === min ? Below.LexOrEqual : Below.Lex;
    return this.countBelow(mode, 0, b.value);
  }

  /**
   * Finds `member` in the packed run: returns the header start of its entry and leaves the shared
   * cursor on its score; -1 when absent.
   */
  private findPacked(member: string): number {
    cursor.reset(this.packed as string);
    while (cursor.next()) {
      const at = cursor.at;
      const found = cursor.is(member);
      cursor.next();
      if (found) return at;
    }
    return -1;
  }

  private insertPacked(member: string, score: number): void {
    const packed = this.packed as string;
    cursor.reset(packed);
    let at = packed.length;
    while (cursor.next()) {
      const here = cursor.at;
      const m = cursor.value();
      cursor.next();
      if (!isBelow(Below.Key, scoreAt(cursor), m, score, member)) {
        at = here;
        break;
      }
    }
    this.packed = packedSplice(packed, at, at, packEntry(member) + packEntry(packScore(score)));
  }

  private walkPacked(from: number, to: number, visit: ZSetVisit): void {
    // Its own cursor: `visit` may read other sorted sets (ZUNIONSTORE, ZINTER...).
    const walk = new PackedCursor(this.packed as string);
    for (let rank = 0; rank < to && walk.next(); rank++) {
      if (rank < from) {
        walk.next();
        continue;
      }
      const m = walk.value();
      walk.next();
      visit(m, scoreAt(walk));
    }
  }

  /** The one-way conversion to the skiplist form (also Redis's zsetConvert, which SORT applies to a listpack). */
  toSkiplist(): void {
    if (this.packed === null) return;
    const dict = new KeyTable<number>();
    const tree = new OrderTree();
    cursor.reset(this.packed);
    while (cursor.next()) {
      const m = cursor.value();
      cursor.next();
      const s = scoreAt(cursor);
      dict.set(m, s);
      tree.insert(s, m);
    }
    this.dict = dict;
    this.tree = tree;
    this.packed = null;
    this.n = 0;
  }
}

/** The score of a packed entry a cursor is on. */
function scoreAt(c: PackedCursor): number {
  return unpackScore(c.run, c.start, c.end);
}
