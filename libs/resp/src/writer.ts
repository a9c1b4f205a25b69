/**
 * Reply writer. Replies are encoded into a per-connection byte slab and go to the socket in one
 * write per input chunk. Encoding straight into bytes avoids what a latin1 string costs on the way
 * out: each small concatenation, then the flattening of the rope and its copy into Node's write
 * storage. `proto` picks RESP2 or RESP3 framing for the types that differ (null, map, set, double,
 * boolean, push, verbatim, big number).
 *
 * Output stays in pieces of about FLUSH_THRESHOLD: once more than that is pending it is handed to
 * `spill` (the socket) at once, and a payload too big to join the pending output is spilled on its
 * own, by reference (a stored value as it is, flat), in FLUSH_THRESHOLD pieces when it comes from a
 * Buffer. Smaller payloads are copied into the slab once, which is the one copy a write needs anyway.
 *
 * The slab is handed out in views (`takeBytes`) and never written again under a view the socket
 * may still hold: new output goes after it, into a new slab once it is full, unless the connection
 * says everything handed out is gone (`recycle`), so a connection keeps reusing one warm slab.
 */

/** Accumulated output above this size is handed to the socket early. */
export const FLUSH_THRESHOLD = 1024 * 1024;

/** A new slab's size: Redis's per-client reply buffer (PROTO_REPLY_CHUNK_BYTES). */
const SLAB = 16 * 1024;
/** A slab grown above this (a big reply) is let go once its output is out, rather than kept per connection. */
const KEEP_SLAB = 64 * 1024;
/** Strings shorter than this are copied byte by byte: cheaper than a call into Buffer's C++ writer. */
const SHORT = 32;
/** Room for a frame header: type byte, sign, 20 digits, CRLF. */
const HEADER = 24;

const EMPTY = Buffer.alloc(0);

export type RespVersion = 2 | 3;

export class ReplyWriter {
  proto: RespVersion = 2;
  /** Error replies written so far, and the last one (for INFO errorstats / failed_calls). */
  errors = 0;
  lastError = '';
  /**
   * While set, replies are dropped as they are written, spilled or not (CLIENT REPLY OFF/SKIP,
   * a closing connection), as Redis's prepareClientToWrite refuses them; errors are still counted.
   */
  silenced = false;
  private buf = EMPTY;
  /** Pending output is buf[start, pos); bytes before start were handed out. */
  private start = 0;
  private pos = 0;

  /**
   * `spill` takes output that must leave early (huge replies); set by the connection. `following`
   * is how many bytes of the same reply come right after `data` (the payload after a header), so
   * the output limits can count the whole reply before any of it is written, as Redis does.
   */
  constructor(private readonly spill: (data: string | Buffer, following: number) => void) {}

  /** Bytes of the slab replies are written into (CLIENT LIST rbs). */
  get slabBytes(): number {
    return this.buf.length;
  }

  /** Bytes written since the last take. */
  get pending(): number {
    return this.pos - this.start;
  }

  /** The pending output as latin1 text (tests, debugging). */
  get out(): string {
    return this.buf.latin1Slice(this.start, this.pos);
  }

  /** Returns what was written since the last take, as latin1 text, and resets. */
  take(): string {
    const s = this.out;
    this.start = this.pos;
    return s;
  }

  /** Returns what was written since the last take, as a view of the slab that stays valid until `recycle`. */
  takeBytes(): Buffer {
    const b = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return b;
  }

  /**
   * Everything taken so far has left (the socket holds no view of the slab): new output may
   * overwrite it. A slab a big reply grew is dropped instead.
   */
  recycle(): void {
    if (this.start !== this.pos) return;
    if (this.buf.length > KEEP_SLAB) this.buf = EMPTY;
    this.start = this.pos = 0;
  }

  /** Makes room for n more bytes: pending output moves to a new slab, the old one stays with its views. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(SLAB, 2 * (pending + n)));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = pending;
  }

  /** Appends latin1 text (room made by the caller). */
  private text(s: string): void {
    const n = s.length;
    if (n < SHORT) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += this.buf.write(s, this.pos, n, 'latin1');
    }
  }

  /** Appends `type`, the decimal `n` and CRLF (room made by the caller). */
  private header(type: number, n: number | bigint): void {
    const buf = this.buf;
    buf[this.pos++] = type;
    if (typeof n === 'number' && n >= 0 && n < 10) buf[this.pos++] = 48 + n;
    else this.text('' + n);
    buf[this.pos++] = 13;
    buf[this.pos++] = 10;
  }

  private crlf(): void {
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }

  /** Spills what is pending once over FLUSH_THRESHOLD. */
  private check(): void {
    if (this.pos - this.start > FLUSH_THRESHOLD) this.spill(this.takeBytes(), 0);
  }

  /** A whole line: `type` + `s` + CRLF. */
  private line(type: number, s: string): void {
    if (this.silenced) return;
    this.room(s.length + 3);
    this.buf[this.pos++] = type;
    this.text(s);
    this.crlf();
    this.check();
  }

  /** A frame header alone (aggregates, nulls). */
  private frame(type: number, n: number): void {
    if (this.silenced) return;
    this.room(HEADER);
    this.header(type, n);
    this.check();
  }

  /** `type` + length header + `prefix` + `payload` + CRLF, spilling a payload too big to join the pending output. */
  private framed(type: number, payload: string, prefix = ''): void {
    if (this.silenced) return;
    const n = prefix.length + payload.length;
    this.room(HEADER + prefix.length);
    this.header(type, n);
    this.text(prefix);
    if (this.pos - this.start + payload.length < FLUSH_THRESHOLD) {
      this.room(payload.length + 2);
      this.text(payload);
      this.crlf();
      this.check();
      return;
    }
    this.spill(this.takeBytes(), payload.length + 2);
    this.spill(payload, 2);
    this.room(2);
    this.crlf();
  }

  ok(): void {
    this.line(43, 'OK');
  }

  simple(s: string): void {
    this.line(43, s);
  }

  /**
   * `msg` is the full error text including its code, e.g. `ERR syntax error`. CR and LF (from user
   * bytes quoted in the text) become spaces, as Redis's addReplyErrorFormat does, so the reply
   * stays one line.
   */
  error(msg: string): void {
    if (msg.indexOf('\r') >= 0 || msg.indexOf('\n') >= 0) msg = msg.replace(/[\r\n]/g, ' ');
    this.errors++;
    this.lastError = msg;
    this.line(45, msg);
  }

  integer(n: number | bigint): void {
    if (this.silenced) return;
    this.room(HEADER);
    this.header(58, n);
    this.check();
  }

  bulk(s: string): void {
    this.framed(36, s);
  }

  /** A bulk from binary data (mutable string values), which may be longer than any V8 string. */
  bulkBuffer(b: Buffer): void {
    if (this.silenced) return;
    const n = b.length;
    this.room(HEADER);
    this.header(36, n);
    if (this.pos - this.start + n < FLUSH_THRESHOLD) {
      this.room(n + 2);
      this.pos += b.copy(this.buf, this.pos);
      this.crlf();
      this.check();
      return;
    }
    // Pieces are copied out as strings: the value may be edited (APPEND, SETRANGE) while they wait in a slow reader's queue.
    this.spill(this.takeBytes(), n + 2);
    for (let i = 0; i < n; i += FLUSH_THRESHOLD) {
      const end = Math.min(n, i + FLUSH_THRESHOLD);
      this.spill(b.latin1Slice(i, end), n - end + 2);
    }
    this.room(2);
    this.crlf();
  }

  /** A bulk string or a null bulk. */
  bulkOrNil(s: string | null | undefined): void {
    if (s == null) this.nil();
    else this.bulk(s);
  }

  /** Null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nil(): void {
    if (this.proto === 3) this.line(95, '');
    else this.frame(36, -1);
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void {
    if (this.proto === 3) this.line(95, '');
    else this.frame(42, -1);
  }

  array(n: number): void {
    this.frame(42, n);
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (this.proto === 3) this.frame(37, n);
    else this.frame(42, n * 2);
  }

  /** A set of n members: `~n` in RESP3, an array in RESP2. */
  set(n: number): void {
    this.frame(this.proto === 3 ? 126 : 42, n);
  }

  /** Out-of-band push frame header: `>n` in RESP3, an array in RESP2. */
  push(n: number): void {
    this.frame(this.proto === 3 ? 62 : 42, n);
  }

  /** A double: `,` in RESP3, a bulk string in RESP2 (formatted by the caller's rules). */
  double(text: string): void {
    if (this.proto === 3) this.line(44, text);
    else this.bulk(text);
  }

  /** A boolean: `#t`/`#f` in RESP3, the integer 1/0 in RESP2. */
  boolean(v: boolean): void {
    if (this.proto === 3) this.line(35, v ? 't' : 'f');
    else this.integer(v ? 1 : 0);
  }

  /** A big number: `(` in RESP3, a bulk string in RESP2. */
  bigNumber(text: string): void {
    if (this.proto === 3) this.line(40, text);
    else this.bulk(text);
  }

  /** Verbatim string (`=len\r\ntxt:...`) in RESP3, a bulk string in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.proto === 3) this.framed(61, text, format + ':');
    else this.bulk(text);
  }

  /** Writes a list of bulk strings as an array. */
  bulkArray(items: readonly string[]): void {
    this.array(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]);
  }

  /**
   * Pre-encoded RESP bytes shared by many connections (a pub/sub message encoded once per PUBLISH):
   * copied into the slab like any reply, or spilled by reference when too big to join it.
   */
  bytes(b: Buffer): void {
    if (this.silenced) return;
    const n = b.length;
    if (this.pos - this.start + n < FLUSH_THRESHOLD) {
      this.room(n);
      this.pos += b.copy(this.buf, this.pos);
      this.check();
      return;
    }
    this.spill(this.takeBytes(), n);
    this.spill(b, 0);
  }

  /** Pre-encoded RESP (cached constant replies). */
  raw(s: string): void {
    if (this.silenced) return;
    this.room(s.length);
    this.text(s);
    this.check();
  }
}
