import { heapArray, heapObject, heapTypedArray } from '../../footprint.js';
/**
 * The order side of a big sorted set (Redis's skiplist, here a B+tree with counts): entries
 * ordered by (score, member bytes), with ranks. Leaves keep scores in a Float64Array and members
 * in an array (about 16 bytes an entry, no object per entry) and are chained for range walks;
 * inner nodes keep each child's entry count, so rank lookups, by-rank seeks and range counts are
 * O(log n) and a range of m entries costs O(log n + m).
 */

const LEAF_CAP = 128;
const INNER_CAP = 64;
/** A node this small merges with a neighbour that has room (keeps nodes at least ~1/4 full). */
const LEAF_MIN = LEAF_CAP / 4;
const INNER_MIN = INNER_CAP / 4;

/**
 * Which entries a search counts as "below" the bound, a predicate that holds for a prefix of the
 * order: rank searches count the entries below.
 */
export const Below = {
  /** (score, member) < the given pair. */
  Key: 0,
  /** (score, member) <= the given pair. */
  KeyOrEqual: 1,
  /** score < bound. */
  Score: 2,
  /** score <= bound. */
  ScoreOrEqual: 3,
  /** member < bound (lex ranges: all scores equal). */
  Lex: 4,
  /** member <= bound. */
  LexOrEqual: 5,
} as const;
export type Below = (typeof Below)[keyof typeof Below];

/** Whether the entry (s, m) is below the bound (score, member) under `mode`. */
export function isBelow(mode: Below, s: number, m: string, score: number, member: string): boolean {
  switch (mode) {
    case Below.Key:
      return s < score || (s === score && m < member);
    case Below.KeyOrEqual:
      return s < score || (s === score && m <= member);
    case Below.Score:
      return s < score;
    case Below.ScoreOrEqual:
      return s <= score;
    case Below.Lex:
      return m < member;
    case Below.LexOrEqual:
      return m <= member;
  }
}

/**
 * A new leaf's room for scores, doubled up to LEAF_CAP as entries come: most trees are small (a
 * PEL per consumer group and per consumer, a block index per stream), and a Float64Array this
 * small lives on the V8 heap, where a full leaf's is a separate buffer (XREADGROUP over 5000
 * streams created 10,000 of those in one call).
 */
const LEAF_FIRST = 8;

class Leaf {
  n = 0;
  scores = new Float64Array(LEAF_FIRST);
  readonly members: string[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;

  /** Room for `size` scores (at most LEAF_CAP). */
  reserve(size: number): void {
    let capacity = this.scores.length;
    if (size <= capacity) return;
    while (capacity < size) capacity *= 2;
    const grown = new Float64Array(Math.min(capacity, LEAF_CAP));
    grown.set(this.scores.subarray(0, this.n));
    this.scores = grown;
  }
}

/**
 * Children with their entry counts. seps[i] (i >= 1) is a lower bound of child i's keys and above
 * every key of child i - 1 (seps[0] is unused).
 */
class Inner {
  readonly children: (Leaf | Inner)[] = [];
  readonly counts: number[] = [];
  readonly sepScores: number[] = [];
  readonly sepMembers: string[] = [];
}

/** A position: the leaf and the index in it. */
interface TreeCursor {
  leaf: Leaf | null;
  i: number;
}

export class OrderTree {
  private root: Leaf | Inner = new Leaf();
  private count = 0;
  private height = 0;
  // The path of the last descent (reused: no allocation per operation).
  private readonly pathNodes: Inner[] = [];
  private readonly pathIdx: number[] = [];
  private readonly at: TreeCursor = { leaf: null, i: 0 };

  get size(): number {
    return this.count;
  }

  /**
   * Bytes the nodes hold, not the member strings (their owner counts them). Leaves differ in
   * room, so the walk visits every node: about one per 100 entries (~1 ms for 10M entries).
   */
  footprint(): number {
    let bytes = heapObject(7);
    const leafBytes = (leaf: Leaf): number => heapObject(5) + heapTypedArray(leaf.scores.byteLength) + heapArray(leaf.members.length);
    const visit = (node: Leaf | Inner): void => {
      if (node instanceof Leaf) {
        bytes += leafBytes(node);
        return;
      }
      bytes += heapObject(4) + 4 * heapArray(node.children.length);
      for (const child of node.children) visit(child);
    };
    visit(this.root);
    return bytes;
  }

  /** Nodes of the tree, leaves and inner ones (a structure figure: XINFO STREAM's radix-tree-nodes counterpart). */
  get nodeCount(): number {
    let n = 0;
    const visit = (node: Leaf | Inner): void => {
      n++;
      if (node instanceof Inner) for (const child of node.children) visit(child);
    };
    visit(this.root);
    return n;
  }

  /** Adds an entry whose member is not in the tree. */
  insert(score: number, member: string): void {
    const leaf = this.descend(score, member);
    const i = keyIndex(leaf, score, member);
    insertInLeaf(leaf, i, score, member);
    this.count++;
    for (let d = 0; d < this.height; d++) this.pathNodes[d].counts[this.pathIdx[d]]++;
    // Appends (stream block indexes, rising scores) leave the full leaf full: halves would stay half empty.
    if (leaf.n === LEAF_CAP) this.splitLeaf(leaf, leaf.next === null && i === LEAF_CAP - 1 ? LEAF_CAP - 1 : LEAF_CAP >>> 1);
  }

  /** Removes the entry (score, member); false when it is not there. */
  delete(score: number, member: string): boolean {
    const leaf = this.descend(score, member);
    const i = keyIndex(leaf, score, member);
    if (i === leaf.n || leaf.members[i] !== member || leaf.scores[i] !== score) return false;
    this.removeAt(leaf, i);
    return true;
  }

  /**
   * Gives the entry (old, member), which must be there, the score `score`. The tree keeps its own
   * copy of the member string, so the caller's (a fresh one from the request) can die young.
   */
  rescore(old: number, score: number, member: string): void {
    const leaf = this.descend(old, member);
    const i = keyIndex(leaf, old, member);
    const kept = leaf.members[i];
    // Still between its neighbours in the leaf: order, counts and separators stay (as zslUpdateScore's shortcut).
    if (
      i > 0 &&
      i < leaf.n - 1 &&
      isBelow(Below.Key, leaf.scores[i - 1], leaf.members[i - 1], score, kept) &&
      isBelow(Below.Key, score, kept, leaf.scores[i + 1], leaf.members[i + 1])
    ) {
      leaf.scores[i] = score;
      return;
    }
    this.removeAt(leaf, i);
    this.insert(score, kept);
  }

  /** Removes the entry of rank `rank` (0 <= rank < size) without comparing keys (pops, rank ranges); returns its member. */
  deleteAt(rank: number): string {
    let node = this.root;
    let d = 0;
    while (node instanceof Inner) {
      let c = 0;
      while (rank >= node.counts[c]) rank -= node.counts[c++];
      this.pathNodes[d] = node;
      this.pathIdx[d++] = c;
      node = node.children[c];
    }
    const member = node.members[rank];
    this.removeAt(node, rank);
    return member;
  }

  /** Removes entry i of `leaf`, the end of the recorded path. */
  private removeAt(leaf: Leaf, i: number): void {
    removeFromLeaf(leaf, i);
    this.count--;
    for (let d = 0; d < this.height; d++) this.pathNodes[d].counts[this.pathIdx[d]]--;
    this.rebalance(leaf);
  }

  /** The number of entries below the bound: the rank of the first entry that is not. */
  countBelow(mode: Below, score: number, member: string): number {
    let node = this.root;
    let rank = 0;
    while (node instanceof Inner) {
      const c = childFor(node, mode, score, member);
      for (let j = 0; j < c; j++) rank += node.counts[j];
      node = node.children[c];
    }
    return rank + countInLeaf(node, mode, score, member);
  }

  /** The member of rank `rank` (0 <= rank < size). */
  memberAt(rank: number): string {
    const at = this.at;
    this.seek(rank, at);
    const member = (at.leaf as Leaf).members[at.i];
    at.leaf = null;
    return member;
  }

  /** Points `at` to the entry of rank `rank` (0 <= rank < size). */
  private seek(rank: number, at: TreeCursor): void {
    let node = this.root;
    while (node instanceof Inner) {
      let c = 0;
      while (rank >= node.counts[c]) rank -= node.counts[c++];
      node = node.children[c];
    }
    at.leaf = node;
    at.i = rank;
  }

  /**
   * Visits the entries of ranks [from, to) in order, or from to - 1 down to `from` when `reverse`.
   * `visit` must not change the tree.
   */
  range(from: number, to: number, reverse: boolean, visit: (member: string, score: number) => void): void {
    if (from >= to) return;
    const at: TreeCursor = { leaf: null, i: 0 };
    this.seek(reverse ? to - 1 : from, at);
    let leaf = at.leaf as Leaf;
    let i = at.i;
    for (let left = to - from; left > 0; left--) {
      visit(leaf.members[i], leaf.scores[i]);
      if (reverse) {
        if (--i < 0 && left > 1) {
          leaf = leaf.prev as Leaf;
          i = leaf.n - 1;
        }
      } else if (++i === leaf.n && left > 1) {
        leaf = leaf.next as Leaf;
        i = 0;
      }
    }
  }

  /** A deep copy, built bottom-up in O(n). */
  clone(): OrderTree {
    const copy = new OrderTree();
    copy.rebuild(this.entries(() => true));
    return copy;
  }

  /**
   * Keeps only the entries `keep` accepts, rebuilding the tree from them in one O(n) pass: for a
   * bulk removal (a deleted consumer's share of a million-entry PEL), where removing k entries one
   * by one would cost k descents and rebalances.
   */
  retain(keep: (member: string, score: number) => boolean): void {
    this.rebuild(this.entries(keep));
  }

  /** The entries `keep` accepts, in order. */
  private entries(keep: (member: string, score: number) => boolean): { scores: number[]; members: string[] } {
    const scores: number[] = [];
    const members: string[] = [];
    this.range(0, this.count, false, (m, s) => {
      if (!keep(m, s)) return;
      scores.push(s);
      members.push(m);
    });
    return { scores, members };
  }

  /**
   * Replaces the tree with one holding these entries (in order), level by level: the entries spread
   * evenly over leaves about 3/4 full and the nodes of each level evenly over parents, so every
   * node is within the bounds a rebalance keeps and inserts find room.
   */
  private rebuild({ scores, members }: { scores: number[]; members: string[] }): void {
    const n = members.length;
    let level: (Leaf | Inner)[] = [];
    let counts: number[] = [];
    // The first key of each node of the level: its parent's separator for it.
    let firstScores: number[] = [];
    let firstMembers: string[] = [];
    let prev: Leaf | null = null;
    forEachSlice(n, (LEAF_CAP * 3) >>> 2, (from, to) => {
      const leaf = new Leaf();
      leaf.reserve(to - from);
      for (let i = from; i < to; i++) {
        leaf.scores[i - from] = scores[i];
        leaf.members.push(members[i]);
      }
      leaf.n = to - from;
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
      counts.push(leaf.n);
      firstScores.push(scores[from]);
      firstMembers.push(members[from]);
    });
    let height = 0;
    while (level.length > 1) {
      const children = level;
      const childCounts = counts;
      const childScores = firstScores;
      const childMembers = firstMembers;
      level = [];
      counts = [];
      firstScores = [];
      firstMembers = [];
      forEachSlice(children.length, (INNER_CAP * 3) >>> 2, (from, to) => {
        const node = new Inner();
        for (let i = from; i < to; i++) {
          node.children.push(children[i]);
          node.counts.push(childCounts[i]);
          node.sepScores.push(i === from ? 0 : childScores[i]);
          node.sepMembers.push(i === from ? '' : childMembers[i]);
        }
        level.push(node);
        counts.push(sum(node.counts));
        firstScores.push(childScores[from]);
        firstMembers.push(childMembers[from]);
      });
      height++;
    }
    this.root = level[0];
    this.height = height;
    this.count = n;
  }

  /** Descends to the leaf where the key (score, member) is or belongs, recording the path. */
  private descend(score: number, member: string): Leaf {
    let node = this.root;
    let d = 0;
    while (node instanceof Inner) {
      const c = childForKey(node, score, member);
      this.pathNodes[d] = node;
      this.pathIdx[d++] = c;
      node = node.children[c];
    }
    return node;
  }

  /** Moves the entries from index `half` on into a new leaf after `leaf`. */
  private splitLeaf(leaf: Leaf, half: number): void {
    const right = new Leaf();
    right.reserve(leaf.n - half);
    right.n = leaf.n - half;
    right.scores.set(leaf.scores.subarray(half, leaf.n));
    right.members.push(...leaf.members.splice(half));
    leaf.n = half;
    right.next = leaf.next;
    if (right.next !== null) right.next.prev = right;
    right.prev = leaf;
    leaf.next = right;
    this.insertChild(this.height - 1, leaf, right, right.scores[0], right.members[0], half, right.n);
  }

  /**
   * After `left` (the child at path depth `depth`) split into left and right, puts right into the
   * parent (a new root when left was the root), splitting the parent in turn when full.
   */
  private insertChild(
    depth: number,
    left: Leaf | Inner,
    right: Leaf | Inner,
    sepScore: number,
    sepMember: string,
    leftCount: number,
    rightCount: number,
  ): void {
    if (depth < 0) {
      const root = new Inner();
      root.children.push(left, right);
      root.counts.push(leftCount, rightCount);
      root.sepScores.push(0, sepScore);
      root.sepMembers.push('', sepMember);
      this.root = root;
      this.height++;
      return;
    }
    const parent = this.pathNodes[depth];
    const c = this.pathIdx[depth];
    parent.children.splice(c + 1, 0, right);
    parent.counts.splice(c + 1, 0, rightCount);
    parent.counts[c] = leftCount;
    parent.sepScores.splice(c + 1, 0, sepScore);
    parent.sepMembers.splice(c + 1, 0, sepMember);
    if (parent.children.length < INNER_CAP) return;
    const half = parent.children.length >>> 1;
    const sibling = new Inner();
    sibling.children.push(...parent.children.splice(half));
    sibling.counts.push(...parent.counts.splice(half));
    sibling.sepScores.push(...parent.sepScores.splice(half));
    sibling.sepMembers.push(...parent.sepMembers.splice(half));
    this.insertChild(depth - 1, parent, sibling, sibling.sepScores[0], sibling.sepMembers[0], sum(parent.counts), sum(sibling.counts));
  }

  /** After a removal from `leaf` (the end of the recorded path): merges small nodes, drops empty ones. */
  private rebalance(leaf: Leaf): void {
    let node: Leaf | Inner = leaf;
    for (let d = this.height - 1; d >= 0; d--) {
      const parent = this.pathNodes[d];
      const c = this.pathIdx[d];
      const small = node instanceof Leaf ? node.n < LEAF_MIN : node.children.length < INNER_MIN;
      if (!small) return;
      if (node instanceof Leaf && node.n === 0) this.removeChild(parent, c);
      else if (c + 1 < parent.children.length && this.tryMerge(parent, c)) {
        // merged the right neighbour into node
      } else if (c > 0 && this.tryMerge(parent, c - 1)) {
        // merged node into its left neighbour
      } else break;
      node = parent;
    }
    // A root with one child gives way to the child.
    while (this.root instanceof Inner && this.root.children.length === 1) {
      this.root = this.root.children[0];
      this.height--;
    }
  }

  /** Merges child c + 1 of `parent` into child c when they fit in one node. */
  private tryMerge(parent: Inner, c: number): boolean {
    const a = parent.children[c];
    const b = parent.children[c + 1];
    if (a instanceof Leaf && b instanceof Leaf) {
      if (a.n + b.n >= LEAF_CAP) return false;
      a.reserve(a.n + b.n);
      a.scores.set(b.scores.subarray(0, b.n), a.n);
      a.members.push(...b.members);
      a.n += b.n;
    } else if (a instanceof Inner && b instanceof Inner) {
      if (a.children.length + b.children.length >= INNER_CAP) return false;
      // b's own first separator is unused: its lower bound is the parent's separator for b.
      b.sepScores[0] = parent.sepScores[c + 1];
      b.sepMembers[0] = parent.sepMembers[c + 1];
      a.children.push(...b.children);
      a.counts.push(...b.counts);
      a.sepScores.push(...b.sepScores);
      a.sepMembers.push(...b.sepMembers);
    } else return false;
    parent.counts[c] += parent.counts[c + 1];
    this.removeChild(parent, c + 1);
    return true;
  }

  private removeChild(parent: Inner, c: number): void {
    const child = parent.children[c];
    if (child instanceof Leaf) {
      if (child.prev !== null) child.prev.next = child.next;
      if (child.next !== null) child.next.prev = child.prev;
    }
    parent.children.splice(c, 1);
    parent.counts.splice(c, 1);
    parent.sepScores.splice(c, 1);
    parent.sepMembers.splice(c, 1);
    // Child 0 needs no lower bound; a removed first child leaves its successor's unused.
  }
}

/** The child of `node` to descend into: the last whose lower bound is below the bound. */
function childFor(node: Inner, mode: Below, score: number, member: string): number {
  const seps = node.sepScores;
  const names = node.sepMembers;
  let lo = 1;
  let hi = node.children.length - 1;
  // Binary search for the last i >= 1 with seps[i] below; 0 when none.
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (isBelow(mode, seps[mid], names[mid], score, member)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The number of entries of `leaf` below the bound (binary search: the order is a prefix). */
function countInLeaf(leaf: Leaf, mode: Below, score: number, member: string): number {
  let lo = 0;
  let hi = leaf.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isBelow(mode, leaf.scores[mid], leaf.members[mid], score, member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/*
 * The searches of a write (insert, delete, rescore) by key: childFor and countInLeaf for
 * Below.KeyOrEqual and Below.Key, written out. A member slot is read only when the scores tie: in a
 * big tree each slot read is likely a cache miss, and V8 does not fold the generic mode switch
 * here (a random rescore in a 100k-entry tree: ~3.6 µs with the generic search, ~3.3 written out).
 */

/** The child of `node` holding the key (score, member) or where it belongs. */
function childForKey(node: Inner, score: number, member: string): number {
  const seps = node.sepScores;
  let lo = 1;
  let hi = node.children.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = seps[mid];
    if (s < score || (s === score && node.sepMembers[mid] <= member)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The index of the key (score, member) in `leaf`, or where it belongs: the entries below it. */
function keyIndex(leaf: Leaf, score: number, member: string): number {
  const scores = leaf.scores;
  let lo = 0;
  let hi = leaf.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = scores[mid];
    if (s < score || (s === score && leaf.members[mid] < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Puts (score, member) at index i of `leaf`, shifting the entries after it by hand: for the few
 * dozen entries of a leaf a loop beats splice (which allocates the array of removed elements) and
 * the native copyWithin call.
 */
function insertInLeaf(leaf: Leaf, i: number, score: number, member: string): void {
  leaf.reserve(leaf.n + 1);
  const scores = leaf.scores;
  const members = leaf.members;
  let j = leaf.n;
  members.push(member);
  for (; j > i; j--) {
    scores[j] = scores[j - 1];
    members[j] = members[j - 1];
  }
  scores[i] = score;
  members[i] = member;
  leaf.n++;
}

/** Takes entry i out of `leaf` (see insertInLeaf). */
function removeFromLeaf(leaf: Leaf, i: number): void {
  const scores = leaf.scores;
  const members = leaf.members;
  const last = leaf.n - 1;
  for (let j = i; j < last; j++) {
    scores[j] = scores[j + 1];
    members[j] = members[j + 1];
  }
  members.pop();
  leaf.n = last;
}

/**
 * Splits [0, n) into the fewest slices of at most `fill` items, evenly: each slice but a lone one
 * holds at least fill / 2 items (above the merge thresholds). At least one slice, even for n = 0.
 */
function forEachSlice(n: number, fill: number, slice: (from: number, to: number) => void): void {
  const slices = Math.max(1, Math.ceil(n / fill));
  for (let k = 0, from = 0; k < slices; k++) {
    const to = Math.round(((k + 1) * n) / slices);
    slice(from, to);
    from = to;
  }
}

function sum(a: readonly number[]): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}
