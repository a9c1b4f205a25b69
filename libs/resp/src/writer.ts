/**
 * Reply writer. Replies accumulate as one latin1 string (V8 concatenates into a rope without
 * copying) and go to the socket in one write per input chunk. `proto` picks RESP2 or RESP3
 * framing for the types that differ (null, map, set, double, boolean, push, verbatim, big number).
 */

/** Accumulated output above this size is handed to the socket early so no string nears V8's limit. */
const FLUSH_THRESHOLD = 16 * 1024 * 1024;

export type RespVersion = 2 | 3;

export class ReplyWriter {
  out = '';
  proto: RespVersion = 2;
  /** Error replies written so far, and the last one (for INFO errorstats / failed_calls). */
  errors = 0;
  lastError = '';

  /** Called with output that must leave early (huge replies); set by the connection. */
  constructor(private spill: (data: string) => void) {}

  /** Returns what was written since the last take and resets. */
  take(): string {
    const s = this.out;
    this.out = '';
    return s;
  }

  private add(s: string): void {
    this.out += s;
    if (this.out.length > FLUSH_THRESHOLD) this.spill(this.take());
  }

  ok(): void {
    this.out += '+OK\r\n';
  }

  simple(s: string): void {
    this.out += '+' + s + '\r\n';
  }

  /** `msg` is the full error text including its code, e.g. `ERR syntax error`. */
  error(msg: string): void {
    this.errors++;
    this.lastError = msg;
    this.out += '-' + msg + '\r\n';
  }

  integer(n: number | bigint): void {
    this.out += ':' + n + '\r\n';
  }

  bulk(s: string): void {
    this.add('$' + s.length + '\r\n' + s + '\r\n');
  }

  /** A bulk from binary data (mutable string values). */
  bulkBuffer(b: Buffer): void {
    this.add('$' + b.length + '\r\n' + b.latin1Slice(0, b.length) + '\r\n');
  }

  /** A bulk string or a null bulk. */
  bulkOrNil(s: string | null | undefined): void {
    if (s == null) this.nil();
    else this.bulk(s);
  }

  /** Null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nil(): void {
    this.out += this.proto === 3 ? '_\r\n' : '$-1\r\n';
  }

  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void {
    this.out += this.proto === 3 ? '_\r\n' : '*-1\r\n';
  }

  array(n: number): void {
    this.out += '*' + n + '\r\n';
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    this.out += this.proto === 3 ? '%' + n + '\r\n' : '*' + n * 2 + '\r\n';
  }

  /** A set of n members: `~n` in RESP3, an array in RESP2. */
  set(n: number): void {
    this.out += (this.proto === 3 ? '~' : '*') + n + '\r\n';
  }

  /** Out-of-band push frame header: `>n` in RESP3, an array in RESP2. */
  push(n: number): void {
    this.out += (this.proto === 3 ? '>' : '*') + n + '\r\n';
  }

  /** A double: `,` in RESP3, a bulk string in RESP2 (formatted by the caller's rules). */
  double(text: string): void {
    if (this.proto === 3) this.out += ',' + text + '\r\n';
    else this.bulk(text);
  }

  boolean(v: boolean): void {
    if (this.proto === 3) this.out += v ? '#t\r\n' : '#f\r\n';
    else this.out += v ? ':1\r\n' : ':0\r\n';
  }

  bigNumber(text: string): void {
    if (this.proto === 3) this.out += '(' + text + '\r\n';
    else this.bulk(text);
  }

  /** Verbatim string (`=len\r\ntxt:...`) in RESP3, a bulk string in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.proto === 3) this.add('=' + (text.length + 4) + '\r\n' + format + ':' + text + '\r\n');
    else this.bulk(text);
  }

  /** Writes a list of bulk strings as an array. */
  bulkArray(items: readonly string[]): void {
    let s = '*' + items.length + '\r\n';
    for (let i = 0; i < items.length; i++) s += '$' + items[i].length + '\r\n' + items[i] + '\r\n';
    this.add(s);
  }

  /** Pre-encoded RESP (cached constant replies). */
  raw(s: string): void {
    this.add(s);
  }
}
