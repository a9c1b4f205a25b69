/**
 * Brook's listpack: a run of binary-safe (latin1) entries packed into one one-byte JS string.
 * Each entry is its length as a varint (7 bits per char, low group first, 0x80 set when more
 * chars follow) and then its chars. One string costs one 16-byte header for the whole run, where
 * a JS array of strings costs an 8-byte slot plus a 16–24-byte header per entry — the difference
 * between Redis's memory figures for small hashes and sorted sets and three times them.
 *
 * Edits build a new string (as Redis's listpack reallocs and moves); small collections only.
 */

/** The encoding of one entry: its length header and its chars. */
export function packEntry(entry: string): string {
  let n = entry.length;
  if (n < 0x80) return String.fromCharCode(n) + entry;
  let header = '';
  while (n >= 0x80) {
    header += String.fromCharCode((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  return header + String.fromCharCode(n) + entry;
}

/** The packed run of `entries`, in order. */
export function pack(entries: readonly string[]): string {
  let packed = '';
  for (const entry of entries) packed += packEntry(entry);
  return packed;
}

/** Every entry of a packed run, in order. */
export function unpack(packed: string): string[] {
  const entries: string[] = [];
  const cursor = new PackedCursor(packed);
  while (cursor.next()) entries.push(cursor.value());
  return entries;
}

/** `packed` with its chars [from, to) replaced by `insert`, an encoded run (packEntry/pack); flat. */
export function packedSplice(packed: string, from: number, to: number, insert: string): string {
  return flatten(packed.slice(0, from) + insert + packed.slice(to));
}

/**
 * `s` stored as one flat string. Concatenations and slices are ropes and slice strings that keep
 * the strings they were made of alive (a stored run would hold its previous version); reading a
 * char makes V8 flatten the rope in place, and the next collection drops the wrapper, so a stored
 * run costs its own chars only. Call it on a run built by concatenation before keeping it.
 */
export function flatten(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** An allocation-free walk over a packed run: `next()` steps entry by entry. */
export class PackedCursor {
  /** Header start of the current entry (where a splice that removes it begins). */
  at = 0;
  /** First char of the current entry. */
  start = 0;
  /** One past its last char: the header start of the next entry. */
  end = 0;
  private packed = '';

  constructor(packed = '') {
    this.reset(packed);
  }

  /** Walks `packed`; the next `next()` reads the entry whose header starts at `from`. */
  reset(packed: string, from = 0): void {
    this.packed = packed;
    this.at = from;
    this.start = from;
    this.end = from;
  }

  /** Advances to the next entry; false past the last one. */
  next(): boolean {
    const p = this.packed;
    let pos = this.end;
    if (pos >= p.length) return false;
    this.at = pos;
    let length = 0;
    let shift = 0;
    let c: number;
    do {
      c = p.charCodeAt(pos++);
      length += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80);
    this.start = pos;
    this.end = pos + length;
    return true;
  }

  /** The run being walked. */
  get run(): string {
    return this.packed;
  }

  /** The current entry. */
  value(): string {
    return this.packed.slice(this.start, this.end);
  }

  /** Whether the current entry equals `s`, compared in place. */
  is(s: string): boolean {
    return s.length === this.end - this.start && this.packed.startsWith(s, this.start);
  }
}
