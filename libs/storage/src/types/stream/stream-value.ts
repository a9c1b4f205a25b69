import { RedisObject } from '../object.js';
import { Below, OrderTree } from '../zset/order-tree.js';
import { BlockReader, ENTRY_DELETED, ENTRY_SAME_FIELDS, StreamBlock } from './stream-block.js';
import { MAX_ID, MIN_ID, idWord, type StreamId } from './stream-id.js';
import { counterPlusOne, type ConsumerGroups, type StreamCounter } from './consumer-group.js';
import { heapMap, heapObject, sampledTotal } from '../../footprint.js';

/** Redis's STREAM_LISTPACK_MAX_SIZE: a node never grows past it, and no entry may be larger. */
export const STREAM_NODE_MAX_SIZE = 2 ** 30;

/** The largest first capacity a new tail takes from the block before it (bounds the spare bytes of a stream of huge entries). */
const CAPACITY_HINT_MAX = 1 << 20;

/** How XADD/XTRIM trim: by length or by minimum ID. */
export const TrimBy = { MaxLen: 0, MinId: 1 } as const;
export type TrimBy = (typeof TrimBy)[keyof typeof TrimBy];

/**
 * A stream, as Redis's: blocks of packed entries (stream-block.ts) indexed by their first ID, with
 * the stream's metadata. The index is the sorted-set B+tree (members = first IDs, all scores 0,
 * so the order is the ID order) plus a map from first ID to block; blocks are also chained, so a
 * range from any ID costs O(log n) to find its block and then O(k). Appends go to the tail block
 * until Redis would start a new node (stream-node-max-bytes / -entries, read by the caller).
 */
export class StreamValue extends RedisObject {
  /** Live entries. */
  length = 0;
  /** The last ID added (or set by XSETID); 0-0 while nothing was. */
  lastId: StreamId = MIN_ID;
  /** The first live entry's ID; 0-0 when empty. */
  firstId: StreamId = MIN_ID;
  /** The largest ID deleted by XDEL (or set by XSETID MAXDELETEDID). */
  maxDeletedId: StreamId = MIN_ID;
  /** Entries ever added (XADD count, or XSETID ENTRIESADDED). */
  entriesAdded: StreamCounter = 0;
  /** Consumer groups (the groups code owns their type and their clone). */
  groups: ConsumerGroups | null = null;

  /** The last live entry's ID (valid while length > 0): XREAD checks it on every call. */
  private lastLive: StreamId = MIN_ID;
  private head: StreamBlock | null = null;
  private tail: StreamBlock | null = null;
  private blocks = 0;
  /**
   * The byte size of the block sealed last: the next tail starts with that capacity, so a stream of
   * like entries fills each block without regrowing it and seals it without a shrinking copy.
   */
  private sealedSize = 0;
  /** The index, made when a second block comes (a one-block stream needs none: small streams stay small). */
  private index: BlockIndex | null = null;

  get type(): 'stream' {
    return 'stream';
  }

  get encoding(): string {
    return 'stream';
  }

  /** Nodes of the block index (0 while there is none): with blockCount, what XINFO STREAM reports for radix-tree-nodes. */
  get indexNodeCount(): number {
    return this.index?.nodeCount ?? 0;
  }

  /** Blocks in the stream: Redis's listpack nodes, XINFO STREAM's radix-tree-keys. */
  get blockCount(): number {
    return this.blocks;
  }

  /**
   * Appends the entry `id` (above lastId; the caller checked) with the field/value pairs
   * argv[from..]. A new block starts when the tail's Redis listpack size plus the entry's bytes
   * reaches maxBytes (0: no limit but Redis's 1 GB) or the tail holds maxEntries entries (0: no
   * limit), as streamAppendItem. `bytes` is pairsBytes(argv, from) when the caller has it.
   */
  add(id: StreamId, argv: readonly string[], from: number, maxBytes: number, maxEntries: number, bytes = pairsBytes(argv, from)): void {
    let tail = this.tail;
    if (tail !== null) {
      const nodeMax = maxBytes === 0 || maxBytes > STREAM_NODE_MAX_SIZE ? STREAM_NODE_MAX_SIZE : maxBytes;
      if (tail.redisBytes() + bytes >= nodeMax || (maxEntries !== 0 && tail.live + tail.deleted >= maxEntries)) {
        tail.seal();
        this.sealedSize = Math.min(tail.size, CAPACITY_HINT_MAX);
        tail = null;
      }
    }
    if (tail === null) {
      tail = new StreamBlock(id, argv, from, this.sealedSize);
      this.link(tail);
    }
    tail.append(id, argv, from);
    if (this.length === 0) this.firstId = id;
    this.length++;
    this.entriesAdded = counterPlusOne(this.entriesAdded);
    this.lastId = id;
    this.lastLive = id;
  }

  private link(block: StreamBlock): void {
    block.prev = this.tail;
    if (this.tail === null) this.head = block;
    else this.tail.next = block;
    this.tail = block;
    if (this.index === null && this.head !== block) {
      this.index = new BlockIndex();
      this.index.add(this.head as StreamBlock);
    }
    this.index?.add(block);
    this.blocks++;
  }

  private unlink(block: StreamBlock): void {
    if (block.prev === null) this.head = block.next;
    else block.prev.next = block.next;
    if (block.next === null) this.tail = block.prev;
    else block.next.prev = block.prev;
    this.index?.remove(block);
    this.blocks--;
  }

  /** The block whose first ID is the greatest at or below id; null when id is before every block. */
  blockAtOrBefore(id: StreamId): StreamBlock | null {
    const tail = this.tail;
    if (tail === null) return null;
    if (id >= tail.first) return tail;
    return this.index === null ? null : this.index.atOrBefore(id);
  }

  /** Live entries with from <= id <= to, in order (or in reverse), read lazily. */
  iterate(from: StreamId, to: StreamId, reverse = false): StreamIterator {
    return new StreamIterator(this, from, to, reverse);
  }

  /** Each block's first ID, in order: the keys of Redis's rax (XINFO STREAM's radix-tree figures derive from them). */
  blockFirstIds(): StreamId[] {
    const ids: StreamId[] = [];
    for (let b = this.head; b !== null; b = b.next) ids.push(b.first);
    return ids;
  }

  /** The first block (for iteration). */
  get firstBlock(): StreamBlock | null {
    return this.head;
  }

  /** The live entry `id` as [field, value, ...]; null when there is none. */
  get(id: StreamId): string[] | null {
    const it = this.iterate(id, id);
    if (!it.next()) return null;
    const out: string[] = [];
    for (let i = 0; i < it.pairs; i++) out.push(it.field(i), it.value(i));
    return out;
  }

  /** Whether the live entry `id` exists. */
  has(id: StreamId): boolean {
    return this.iterate(id, id).next();
  }

  /**
   * Deletes the live entry `id` as XDEL (streamDeleteItem plus XDEL's bookkeeping of
   * max-deleted-entry-id and the first ID); false when there is none. A block left without
   * live entries is dropped.
   */
  delete(id: StreamId): boolean {
    const block = this.blockAtOrBefore(id);
    if (block === null || id > block.last) return false;
    const reader = block.reader();
    while (reader.pos < block.size) {
      const at = reader.pos;
      const flags = block.readHeader(reader);
      const entry = reader.id();
      // Tombstones first, as in the iterator: a live entry may follow a deleted higher ID.
      if ((flags & ENTRY_DELETED) === 0 && entry >= id) {
        if (entry > id) return false;
        if (block.live === 1) this.unlink(block);
        else block.markDeleted(at);
        this.length--;
        if (id > this.maxDeletedId) this.maxDeletedId = id;
        if (this.length === 0) this.firstId = MIN_ID;
        else {
          if (id === this.firstId) this.firstId = this.edgeId(false);
          if (id === this.lastLive) this.lastLive = this.scanEdge(true);
        }
        return true;
      }
      block.skipPairs(reader, flags);
    }
    return false;
  }

  /** The first (or last) live ID, as streamGetEdgeID skipping tombstones: when empty the max ID for first, 0-0 for last. */
  edgeId(last: boolean): StreamId {
    if (last) return this.length === 0 ? MIN_ID : this.lastLive;
    return this.scanEdge(false);
  }

  private scanEdge(last: boolean): StreamId {
    const it = this.iterate(MIN_ID, MAX_ID, last);
    return it.next() ? it.id : last ? MIN_ID : MAX_ID;
  }

  /** The first entry's ID counting deleted ones (streamGetEdgeID without skipping tombstones). */
  firstRawId(): StreamId {
    return this.head === null ? MAX_ID : this.head.first;
  }

  /**
   * Trims as streamTrim: whole blocks from the head while they can go; then, unless `approx`,
   * entries inside the next block. `limit` (0: none) caps the entries removed, counted per whole
   * block. Returns how many entries were removed.
   */
  trim(by: TrimBy, maxLen: number, minId: StreamId, approx: boolean, limit: number): number {
    let deleted = 0;
    let block = this.head;
    while (block !== null) {
      if (by === TrimBy.MaxLen && this.length <= maxLen) break;
      const entries = block.live;
      if (limit !== 0 && deleted + entries > limit) break;
      const whole = by === TrimBy.MaxLen ? this.length - entries >= maxLen : block.last < minId;
      if (whole) {
        const next = block.next;
        this.unlink(block);
        this.length -= entries;
        deleted += entries;
        block = next;
        continue;
      }
      if (approx) break;
      const reader = block.reader();
      while (reader.pos < block.size) {
        const at = reader.pos;
        const flags = block.readHeader(reader);
        if (by === TrimBy.MaxLen ? this.length <= maxLen : reader.id() >= minId) break;
        block.skipPairs(reader, flags);
        if ((flags & ENTRY_DELETED) === 0) {
          block.markDeleted(at);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (this.length === 0) this.firstId = MIN_ID;
    else if (deleted !== 0) this.firstId = this.edgeId(false);
    return deleted;
  }

  /** Bytes the stream holds: its blocks (the first `samples` stand for all), index and groups. */
  footprint(samples: number): number {
    const sampled: StreamBlock[] = [];
    for (let b = this.head; b !== null && sampled.length < samples; b = b.next) sampled.push(b);
    return (
      heapObject(14) +
      sampledTotal(this.blocks, samples, (i) => sampled[i].footprint()) +
      (this.index === null ? 0 : this.index.footprint(this.blocks)) +
      (this.groups === null ? 0 : this.groups.footprint(samples))
    );
  }

  clone(): StreamValue {
    const copy = new StreamValue();
    for (let b = this.head; b !== null; b = b.next) copy.link(b.clone());
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    copy.lastLive = this.lastLive;
    copy.groups = this.groups?.clone() ?? null;
    return copy;
  }
}

/** Blocks by first ID: the sorted-set B+tree over the IDs (all scores 0, so the order is the ID order) and a map to the blocks. */
class BlockIndex {
  private readonly tree = new OrderTree();
  private readonly byFirst = new Map<StreamId, StreamBlock>();

  add(block: StreamBlock): void {
    this.tree.insert(0, block.first);
    this.byFirst.set(block.first, block);
  }

  remove(block: StreamBlock): void {
    this.tree.delete(0, block.first);
    this.byFirst.delete(block.first);
  }

  /** Bytes of the index: its tree and its map (the ID strings are the blocks'). */
  footprint(blocks: number): number {
    return heapObject(2) + this.tree.footprint() + heapMap(blocks);
  }

  /** Nodes of the tree (a structure figure for XINFO STREAM). */
  get nodeCount(): number {
    return this.tree.nodeCount;
  }

  /** The block whose first ID is the greatest at or below id; null when none is. */
  atOrBefore(id: StreamId): StreamBlock | null {
    const rank = this.tree.countBelow(Below.LexOrEqual, 0, id);
    return rank === 0 ? null : (this.byFirst.get(this.tree.memberAt(rank - 1) as StreamId) as StreamBlock);
  }
}

/** The bytes of the field/value strings argv[from..] (streamAppendItem's totelelen). */
export function pairsBytes(argv: readonly string[], from: number): number {
  let n = 0;
  for (let i = from; i < argv.length; i++) n += argv[i].length;
  return n;
}

/**
 * A lazy walk over a stream's live entries between two IDs: `next()` moves to the next entry and
 * then `id`, `pairs`, `field(i)` and `value(i)` describe it (strings are made only when asked
 * for; entries outside the range are compared by their ID words, without making strings). The
 * stream must not change while a walk is in use.
 */
export class StreamIterator {
  /** The current entry's ID. */
  id: StreamId = MIN_ID;
  /** The current entry's field/value pair count. */
  pairs = 0;
  private block: StreamBlock | null;
  private entered: StreamBlock | null = null;
  private readonly reader = new BlockReader();
  /** Forward: where the next entry starts. Reverse: the index of the next entry in `offsets`. */
  private at = 0;
  /** Reverse walks: entry starts of the current block. */
  private readonly offsets: number[] = [];
  /** [field start, field end, value start, value end] per pair of the current entry. */
  private readonly pos: number[] = [];
  private readonly masterPos: number[] = [];
  private masterOf: StreamBlock | null = null;
  private readonly from0: number;
  private readonly from1: number;
  private readonly from2: number;
  private readonly from3: number;
  private readonly to0: number;
  private readonly to1: number;
  private readonly to2: number;
  private readonly to3: number;

  constructor(
    stream: StreamValue,
    private readonly from: StreamId,
    to: StreamId,
    private readonly reverse: boolean,
  ) {
    this.from0 = idWord(from, 0);
    this.from1 = idWord(from, 1);
    this.from2 = idWord(from, 2);
    this.from3 = idWord(from, 3);
    this.to0 = idWord(to, 0);
    this.to1 = idWord(to, 1);
    this.to2 = idWord(to, 2);
    this.to3 = idWord(to, 3);
    if (from > to) this.block = null;
    else if (reverse) this.block = stream.blockAtOrBefore(to);
    else this.block = stream.blockAtOrBefore(from) ?? stream.firstBlock;
  }

  next(): boolean {
    const reader = this.reader;
    const reverse = this.reverse;
    for (;;) {
      const block = this.block;
      if (block === null) return false;
      if (this.entered !== block) {
        // A forward walk from past a block's last entry (XREAD at the tail) skips it unread.
        if (!reverse && this.from > block.last) {
          this.block = block.next;
          continue;
        }
        this.enter(block);
      }
      for (;;) {
        if (reverse) {
          if (this.at < 0) break;
          reader.pos = this.offsets[this.at--];
        } else {
          if (this.at >= block.size) break;
          reader.pos = this.at;
        }
        const flags = block.readHeader(reader);
        // Tombstones are passed over before the range check, as streamIteratorGetID does: after
        // XSETID below a deleted top, a block holds live entries after a deleted higher ID.
        const deleted = (flags & ENTRY_DELETED) !== 0;
        const belowFrom = !deleted && reader.compare(this.from0, this.from1, this.from2, this.from3) < 0;
        const aboveTo = !deleted && reader.compare(this.to0, this.to1, this.to2, this.to3) > 0;
        if (reverse ? belowFrom : aboveTo) {
          this.block = null;
          return false;
        }
        if (deleted || (reverse ? aboveTo : belowFrom)) {
          if (!reverse) {
            block.skipPairs(reader, flags);
            this.at = reader.pos;
          }
          continue;
        }
        if ((flags & ENTRY_SAME_FIELDS) !== 0 && this.masterOf !== block) {
          block.masterFieldOffsets(this.masterPos);
          this.masterOf = block;
        }
        this.pairs = block.readPairs(reader, flags, this.pos, this.masterPos);
        if (!reverse) this.at = reader.pos;
        this.id = reader.id();
        return true;
      }
      this.block = reverse ? block.prev : block.next;
    }
  }

  private enter(block: StreamBlock): void {
    const reader = this.reader;
    reader.buf = block.data;
    this.entered = block;
    if (!this.reverse) {
      this.at = block.entriesStart;
      return;
    }
    const offsets = this.offsets;
    offsets.length = 0;
    reader.pos = block.entriesStart;
    while (reader.pos < block.size) {
      offsets.push(reader.pos);
      block.skipPairs(reader, block.readHeader(reader));
    }
    this.at = offsets.length - 1;
  }

  field(i: number): string {
    return this.reader.buf.latin1Slice(this.pos[4 * i], this.pos[4 * i + 1]);
  }

  value(i: number): string {
    return this.reader.buf.latin1Slice(this.pos[4 * i + 2], this.pos[4 * i + 3]);
  }
}
