import type { Database, KeyPreserver, KeyTable, Keyspace, Value } from '@brook/storage';

/**
 * What the snapshot needs of the writer of its file, one per section: RdbWriter for an RDB (or an
 * AOF's RDB preamble), RespBaseEncoder for an AOF base made of commands.
 */
export interface RdbEncoder {
  header(aux: [string, string | number][]): void;
  selectDb(db: number, keys: number, expires: number): void;
  entry(key: string, value: Value, expireAtMs: number | bigint | undefined): void;
  /** Hands everything buffered to the sink. */
  flush(): void;
  /** The end of the file (an RDB's EOF and checksum), flushed. */
  end(): void;
}

/** Makes an encoder that hands its bytes to `sink` (a fresh RdbWriter, without its own checksum). */
export type EncoderFactory = (sink: (chunk: Buffer) => void) => RdbEncoder;

/**
 * One encoder for one piece of the file (the header, a database's section, entries preserved
 * early for a section): the writers buffer, so a piece is closed with a flush. The file gets its
 * one end from a last, empty piece, and an RDB's checksum from the sink (RdbFile), which sees
 * every byte in order.
 */
class Piece {
  readonly enc: RdbEncoder;

  constructor(factory: EncoderFactory, out: (chunk: Buffer) => void) {
    this.enc = factory(out);
  }

  close(): void {
    this.enc.flush();
  }
}

/** One database of the image: the tables it held when the snapshot began, walked to the end whatever happens to the database. */
interface DbWalk {
  readonly db: number;
  readonly keys: KeyTable<Value>;
  readonly expires: KeyTable<number>;
  readonly hugeExpires: ReadonlyMap<string, bigint> | null;
  readonly keysAtStart: number;
  readonly expiresAtStart: number;
  /**
   * Entries of this database preserved before the walk reached its section of the file (RDB
   * groups entries by database), already serialised: spliced in when the section starts.
   */
  early: Buffer[] | null;
  earlyPiece: Piece | null;
}

/**
 * A point-in-time snapshot of the keyspace written while the server keeps serving (forkless BGSAVE).
 *
 * At start each non-empty database's key table begins a walk (KeyTable.beginWalk): its present
 * entries lie below the walk's frontier, anything added later above it. `step` serialises entries
 * from the frontier down for a time budget per event-loop turn. Before any change to a key whose
 * table is still being walked, Database calls `preserve`, which writes the key's current value and
 * TTL first if the walk has not reached it (the table then counts it as visited). So each key is
 * written exactly once, with its value at the start: no copy is kept, no per-key mark or set
 * exists (the frontier alone tells visited from not), and the extra memory is the serialised bytes
 * of keys preserved early in databases whose section has not started yet. FLUSHDB/FLUSHALL/SWAPDB
 * replace or exchange a database's tables; the walk keeps the tables it began on, found by identity.
 */
export class Snapshot implements KeyPreserver {
  private readonly walks: DbWalk[] = [];
  private readonly byTable = new Map<KeyTable<Value>, DbWalk>();
  /** Index in `walks` of the database whose section is being written. */
  private current = -1;
  /** The piece being written: the current database's section. */
  private section: Piece | null = null;
  private finished = false;
  /** Entries written before the walk reached them (for the log and tests of the mechanism). */
  preservedEarly = 0;
  /** Entries written so far, and present at the start (INFO current_save_keys_processed / _total). */
  keysWritten = 0;
  keysTotal = 0;
  /** Bytes of serialised early entries held for sections not started yet (the snapshot's extra memory), peak. */
  peakHeldBytes = 0;
  private heldBytes = 0;

  constructor(
    private readonly ks: Keyspace,
    private readonly encoderFor: EncoderFactory,
    private readonly sink: (chunk: Buffer) => void,
    aux: [string, string | number][],
  ) {
    if (ks.snapshot !== null) throw new Error('a snapshot is already running');
    const header = new Piece(encoderFor, sink);
    header.enc.header(aux);
    header.close();
    for (const db of ks.dbs) {
      if (db.size === 0) continue;
      const t = db.tables();
      const walk: DbWalk = {
        db: db.id,
        keys: t.keys,
        expires: t.expires,
        hugeExpires: t.hugeExpires,
        keysAtStart: t.keys.size,
        expiresAtStart: t.expires.size,
        early: null,
        earlyPiece: null,
      };
      t.keys.beginWalk();
      this.keysTotal += walk.keysAtStart;
      this.walks.push(walk);
      this.byTable.set(t.keys, walk);
    }
    ks.snapshot = this;
  }

  get done(): boolean {
    return this.finished;
  }

  /**
   * Writes entries for about `budgetMs` (Infinity: to the end, for SAVE); returns true once the
   * whole image, EOF and checksum placeholder included, has gone to the sink.
   */
  step(budgetMs: number): boolean {
    if (this.finished) return true;
    const deadline = performance.now() + budgetMs;
    while (this.current < this.walks.length) {
      if (this.section !== null) {
        const w = this.walks[this.current];
        const enc = this.section.enc;
        const visit = (key: string, value: Value): void => this.write(w, key, value, enc);
        // Entries per check of the clock: small enough that a slice overruns by little.
        while (w.keys.walk(STEP_ENTRIES, visit) > 0) if (performance.now() >= deadline) return false;
        this.section.close();
        this.section = null;
      }
      this.current++;
      if (this.current < this.walks.length) this.openSection(this.walks[this.current]);
      if (performance.now() >= deadline) return false;
    }
    // EOF and the checksum placeholder the sink fills in.
    this.encoderFor(this.sink).end();
    this.detach();
    this.finished = true;
    return true;
  }

  finishNow(): void {
    this.step(Infinity);
  }

  /** Stops a failed or cancelled snapshot: the tables stop reporting changes to it. */
  abort(): void {
    for (const w of this.walks) w.keys.endWalk();
    this.detach();
    this.finished = true;
  }

  preserve(db: Database, key: string): void {
    const keys = db.keys;
    const w = this.byTable.get(keys);
    if (w === undefined || !keys.takeUnwalked(key)) return;
    this.preservedEarly++;
    const value = keys.get(key)!;
    if (this.section !== null && w === this.walks[this.current]) return this.write(w, key, value, this.section.enc);
    const early = (w.early ??= []);
    w.earlyPiece ??= new Piece(this.encoderFor, (chunk) => {
      early.push(chunk);
      this.heldBytes += chunk.length;
      if (this.heldBytes > this.peakHeldBytes) this.peakHeldBytes = this.heldBytes;
    });
    this.write(w, key, value, w.earlyPiece.enc);
  }

  /** Starts a database's section: SELECTDB and RESIZEDB, then the entries preserved for it early. */
  private openSection(w: DbWalk): void {
    this.section = new Piece(this.encoderFor, this.sink);
    this.section.enc.selectDb(w.db, w.keysAtStart, w.expiresAtStart);
    if (w.earlyPiece === null) return;
    w.earlyPiece.close();
    // The section's own bytes so far must precede them: close it and continue in a fresh piece.
    this.section.close();
    for (const chunk of w.early!) {
      this.sink(chunk);
      this.heldBytes -= chunk.length;
    }
    w.early = null;
    w.earlyPiece = null;
    this.section = new Piece(this.encoderFor, this.sink);
  }

  /** One entry with its TTL as the walked tables hold it (read directly: no lazy expiry, no access). */
  private write(w: DbWalk, key: string, value: Value, enc: RdbEncoder): void {
    let at: number | bigint | undefined = w.expires.size === 0 ? undefined : w.expires.get(key);
    if (at !== undefined && w.hugeExpires !== null) at = w.hugeExpires.get(key) ?? at;
    enc.entry(key, value, at);
    this.keysWritten++;
  }

  private detach(): void {
    if (this.ks.snapshot === this) this.ks.snapshot = null;
    this.byTable.clear();
  }
}

const STEP_ENTRIES = 64;
