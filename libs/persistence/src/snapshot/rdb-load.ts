import type { Keyspace } from '@brook/storage';
import { RdbReader } from '../rdb/rdb-reader.js';
import type { EncodingLimits } from '../rdb/rdb-types.js';

/** The smallest entry in a file: a type byte, an empty key's length byte and a one-byte string value. */
const MIN_ENTRY_BYTES = 3;

/** A file that cannot be loaded; the message is what Redis logs for the same fault. */
export class RdbLoadError extends Error {
  override readonly name = 'RdbLoadError';
}

/**
 * Loads an RDB image into the keyspace in slices (start-up, where commands meanwhile get -LOADING)
 * or at once (DEBUG RELOAD). Keys already expired are skipped, as a master does; a key twice in one
 * database, or a database the server does not have, refuses the file as Redis does.
 */
export class RdbLoad {
  private readonly reader: RdbReader;
  /** The file's size (INFO loading_total_bytes). */
  readonly totalBytes: number;
  /** Commands run no client: an RDB is loaded directly. */
  readonly client = null;
  private db = 0;
  private finished = false;
  keysLoaded = 0;
  keysExpired = 0;
  /** FUNCTION libraries in the file: Brook runs no functions, so they are counted (and logged by the caller), not loaded. */
  functionsSkipped = 0;

  constructor(
    private readonly ks: Keyspace,
    buf: Buffer,
    limits: EncodingLimits,
    private readonly now: () => number,
  ) {
    this.reader = new RdbReader(buf, limits);
    this.totalBytes = buf.length;
  }

  /** Bytes of the file consumed so far (INFO loading_loaded_bytes). */
  get offset(): number {
    return this.reader.offset;
  }

  /** Loads for about `budgetMs` (Infinity: to the end); true once the whole file is in. */
  step(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    let n = 0;
    while (!this.finished) {
      // The clock is read every few entries: one entry can be a large collection.
      if ((++n & 15) === 0 && performance.now() >= deadline) return false;
      this.one();
    }
    return true;
  }

  private one(): void {
    const item = this.reader.next();
    switch (item.kind) {
      case 'db':
        if (item.db >= this.ks.dbs.length)
          throw new RdbLoadError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${this.ks.dbs.length} databases. Exiting`,
          );
        this.db = item.db;
        return;
      case 'entry': {
        const at = item.expireAtMs;
        if (at !== undefined && Number(at) < this.now()) {
          this.keysExpired++;
          return;
        }
        const db = this.ks.dbs[this.db];
        const before = db.size;
        db.loadKey(item.key, item.value, at);
        // One hash lookup, not two: a key already there was replaced, and the file is refused anyway.
        if (db.size === before) throw new RdbLoadError(`RDB has duplicated key '${item.key}' in DB ${this.db}`);
        this.keysLoaded++;
        return;
      }
      case 'eof':
        this.finished = true;
        return;
      case 'resize': {
        // The hint sizes the tables up front, as Redis's dictExpand; bounded by what the rest of the file can hold (3 bytes a key at least), so a lying hint allocates no more than the file's size.
        const room = Math.floor((this.totalBytes - this.reader.offset) / MIN_ENTRY_BYTES);
        this.ks.dbs[this.db].reserve(Math.min(item.keys, room), Math.min(item.expires, room));
        return;
      }
      case 'function':
        this.functionsSkipped++;
        return;
      default:
        // AUX fields change nothing here.
        return;
    }
  }
}
