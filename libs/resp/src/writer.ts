/**
 * Reply writer. Replies accumulate as one latin1 string (V8 concatenates into a rope without
 * copying) and go to the socket in one write per input chunk. `proto` picks RESP2 or RESP3
 * framing for the types that differ (null, map, set, double, boolean, push, verbatim, big number).
 *
 * Output stays in pieces of about FLUSH_THRESHOLD: once more than that is pending it is handed to
 * `spill` (the socket) at once, and a payload too big to join the pending output is spilled on its
 * own (a stored value as it is, flat), in FLUSH_THRESHOLD pieces when it comes from a Buffer. A
 * rope is flattened (copied) when it is written, so this bounds the copying one write costs.
 */

/** Accumulated output above this size is handed to the socket early. */
export const FLUSH_THRESHOLD = 1024 * 1024;

export type RespVersion = 2 | 3;

export class ReplyWriter {
  out = '';
  proto: RespVersion = 2;
  /** Error replies written so far, and the last one (for INFO errorstats / failed_calls). */
  errors = 0;
  lastError = '';
  /**
   * While set, replies are dropped as they are written, spilled or not (CLIENT REPLY OFF/SKIP,
   * a closing connection), as Redis's prepareClientToWrite refuses them; errors are still counted.
   */
  silenced = false;

  /**
   * `spill` takes output that must leave early (huge replies); set by the connection. `following`
   * is how many bytes of the same reply come right after `data` (the payload after a header), so
   * the output limits can count the whole reply before any of it is written, as Redis does.
   */
  constructor(private readonly spill: (data: string, following: number) => void) {}

  /** Returns what was written since the last take and resets. */
  take(): string {
    const s = this.out;
    this.out = '';
    return s;
  }

  private add(s: string): void {
    if (this.silenced) return;
    this.out += s;
    if (this.out.length > FLUSH_THRESHOLD) this.spill(this.take(), 0);
  }

  /** `header` + `payload` + CRLF, spilling a payload too big to join the pending output. */
  private framed(header: string, payload: string): void {
    if (this.silenced) return;
    if (this.out.length + payload.length < FLUSH_THRESHOLD) {
      this.add(header + payload + '\r\n');
      return;
    }
    this.spill(this.out + header, payload.length + 2);
    this.spill(payload, 2);
    this.out = '\r\n';
  }

  ok(): void {
    this.add('+OK\r\n');
  }

  simple(s: string): void {
    this.add('+' + s + '\r\n');
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
    this.add('-' + msg + '\r\n');
  }

  integer(n: number | bigint): void {
    this.add(':' + n + '\r\n');
  }

  bulk(s: string): void {
    this.framed('$' + s.length + '\r\n', s);
  }

  /** A bulk from binary data (mutable string values), which may be longer than any V8 string. */
  bulkBuffer(b: Buffer): void {
    if (this.silenced) return;
    if (b.length < FLUSH_THRESHOLD) {
      this.framed('$' + b.length + '\r\n', b.latin1Slice(0, b.length));
      return;
    }
    this.spill(this.out + '$' + b.length + '\r\n', b.length + 2);
    for (let i = 0; i < b.length; i += FLUSH_THRESHOLD) {
      const end = Math.min(b.length, i + FLUSH_THRESHOLD);
      this.spill(b.latin1Slice(i, end), b.length - end + 2);
    }
    this.out = '\r\n';
  }

  /** A bulk string or a null bulk. */
  bulkOrNil(s: string | null | undefined): void {
    if (s == null) this.nil();
    else this.bulk(s);
  }

  /** Null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nil(): void {
    this.add(this.proto === 3 ? '_\r\n' : '$-1\r\n');
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void {
    this.add(this.proto === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    this.add('*' + n + '\r\n');
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    this.add(this.proto === 3 ? '%' + n + '\r\n' : '*' + n * 2 + '\r\n');
  }

  /** A set of n members: `~n` in RESP3, an array in RESP2. */
  set(n: number): void {
    this.add((this.proto === 3 ? '~' : '*') + n + '\r\n');
  }

  /** Out-of-band push frame header: `>n` in RESP3, an array in RESP2. */
  push(n: number): void {
    this.add((this.proto === 3 ? '>' : '*') + n + '\r\n');
  }

  /** A double: `,` in RESP3, a bulk string in RESP2 (formatted by the caller's rules). */
  double(text: string): void {
    if (this.proto === 3) this.add(',' + text + '\r\n');
    else this.bulk(text);
  }

  /** A boolean: `#t`/`#f` in RESP3, the integer 1/0 in RESP2. */
  boolean(v: boolean): void {
    if (this.proto === 3) this.add(v ? '#t\r\n' : '#f\r\n');
    else this.add(v ? ':1\r\n' : ':0\r\n');
  }

  /** A big number: `(` in RESP3, a bulk string in RESP2. */
  bigNumber(text: string): void {
    if (this.proto === 3) this.add('(' + text + '\r\n');
    else this.bulk(text);
  }

  /** Verbatim string (`=len\r\ntxt:...`) in RESP3, a bulk string in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.proto === 3) this.framed('=' + (text.length + 4) + '\r\n' + format + ':', text);
    else this.bulk(text);
  }

  /** Writes a list of bulk strings as an array. */
  bulkArray(items: readonly string[]): void {
    this.array(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]);
  }

  /** Pre-encoded RESP (cached constant replies). */
  raw(s: string): void {
    this.add(s);
  }
}
