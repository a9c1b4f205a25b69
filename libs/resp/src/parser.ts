/**
 * Incremental RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline (telnet style)
 * requests, pipelined, resumable across chunk boundaries without re-parsing what it already read.
 * Arguments come out as latin1 ("binary") strings: one char per byte, so any byte is safe.
 */

/** Limits a parser enforces; mirrors proto-max-bulk-len and friends in redis.conf. */
export interface ParserLimits {
  maxBulkLen: number;
  maxMultibulkLen: number;
  maxQueryBuffer: number;
}

/** Redis caps an unterminated inline request or count line at 64 KiB (PROTO_INLINE_MAX_SIZE). */
const INLINE_MAX = 64 * 1024;
/** Before AUTH, Redis refuses requests larger than these (unauthenticated clients are cheap to abuse). */
const UNAUTH_MULTIBULK_MAX = 10;
const UNAUTH_BULK_MAX = 16384;

export type ParseSink = (argv: string[]) => void;

/** Thrown for malformed input; its message is the text after `-ERR ` in Redis's reply. */
export class ProtocolError extends Error {}

/** Query buffer overflow: Redis closes the connection without a reply. */
export class QueryBufferLimitError extends Error {}

const CR = 13;
const LF = 10;

export class RespParser {
  /** Unconsumed bytes (start of an incomplete argument or line). */
  private buf: Buffer = Buffer.alloc(0);
  /** Chunks received while waiting for a known number of bytes (big bulk), joined once. */
  private waiting: Buffer[] = [];
  private waitingLen = 0;
  /** Bytes `buf` must reach before parsing can progress (0 = unknown, try on every chunk). */
  private need = 0;
  /** Multibulk in progress. */
  private argv: string[] | null = null;
  private argsLeft = 0;
  /** Length of the bulk whose header was read but whose body has not arrived, or -1. */
  private bulkLen = -1;
  /** Set by the owner: before AUTH the tighter unauthenticated limits apply. */
  authenticated = true;

  constructor(public limits: ParserLimits) {}

  /** Bytes buffered and not yet parsed into a command (for CLIENT LIST qbuf). */
  get pending(): number {
    return this.buf.length + this.waitingLen;
  }

  /**
   * Parses every complete command in `chunk` (plus what was left over) and hands each to `sink`.
   * Throws ProtocolError after delivering the commands that preceded the bad input.
   */
  feed(chunk: Buffer, sink: ParseSink): void {
    if (this.need > 0) {
      this.waiting.push(chunk);
      this.waitingLen += chunk.length;
      if (this.buf.length + this.waitingLen > this.limits.maxQueryBuffer) throw new QueryBufferLimitError();
      if (this.buf.length + this.waitingLen < this.need) return;
      this.buf = Buffer.concat([this.buf, ...this.waiting]);
      this.waiting = [];
      this.waitingLen = 0;
    } else if (this.buf.length > 0) {
      this.buf = Buffer.concat([this.buf, chunk]);
    } else {
      this.buf = chunk;
    }
    this.need = 0;
    const b = this.buf;
    const end = b.length;
    let pos = 0;
    try {
      while (pos < end) {
        if (this.argv === null) {
          if (b[pos] === 42 /* '*' */) {
            const lf = b.indexOf(LF, pos);
            if (lf < 0) {
              if (end - pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big mbulk count string');
              break;
            }
            const n = parseIntLine(b, pos + 1, lf);
            if (n === null || n > 2147483647) throw new ProtocolError('Protocol error: invalid multibulk length');
            if (!this.authenticated && n > UNAUTH_MULTIBULK_MAX) {
              throw new ProtocolError('Protocol error: unauthenticated multibulk length');
            }
            if (n > this.limits.maxMultibulkLen) throw new ProtocolError('Protocol error: invalid multibulk length');
            pos = lf + 1;
            if (n <= 0) continue; // `*0` and `*-1` are ignored, as in Redis
            this.argv = [];
            this.argsLeft = n;
            this.bulkLen = -1;
          } else {
            const lf = b.indexOf(LF, pos);
            if (lf < 0) {
              if (end - pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request');
              break;
            }
            const lineEnd = lf > pos && b[lf - 1] === CR ? lf - 1 : lf;
            const args = splitInline(b.latin1Slice(pos, lineEnd));
            pos = lf + 1;
            if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
            if (args.length > 0) sink(args);
            continue;
          }
        }
        // Inside a multibulk: read bulk headers and bodies.
        while (this.argsLeft > 0) {
          if (this.bulkLen < 0) {
            if (pos >= end) break;
            if (b[pos] !== 36 /* '$' */) {
              throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(b[pos])}'`);
            }
            const lf = b.indexOf(LF, pos);
            if (lf < 0) {
              if (end - pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big bulk count string');
              break;
            }
            const len = parseIntLine(b, pos + 1, lf);
            if (len === null || len < 0 || len > this.limits.maxBulkLen) {
              throw new ProtocolError('Protocol error: invalid bulk length');
            }
            if (!this.authenticated && len > UNAUTH_BULK_MAX) {
              throw new ProtocolError('Protocol error: unauthenticated bulk length');
            }
            pos = lf + 1;
            this.bulkLen = len;
          }
          if (end - pos < this.bulkLen + 2) {
            this.need = this.bulkLen + 2; // relative to the kept tail, which starts at pos
            break;
          }
          this.argv!.push(b.latin1Slice(pos, pos + this.bulkLen));
          pos += this.bulkLen + 2;
          this.bulkLen = -1;
          this.argsLeft--;
        }
        if (this.argsLeft > 0) break;
        const argv = this.argv!;
        this.argv = null;
        sink(argv);
      }
    } finally {
      this.buf = pos >= end ? EMPTY : b.subarray(pos);
    }
    if (this.buf.length > this.limits.maxQueryBuffer) throw new QueryBufferLimitError();
    // A small tail that views a large chunk would pin the whole chunk; copy it free.
    if (this.buf.length > 0 && this.buf.length < 4096 && b.length > 65536) this.buf = Buffer.from(this.buf);
  }

  /** Drops all buffered input and partial state (used when the connection is being closed). */
  reset(): void {
    this.buf = EMPTY;
    this.waiting = [];
    this.waitingLen = 0;
    this.need = 0;
    this.argv = null;
    this.argsLeft = 0;
    this.bulkLen = -1;
  }
}

const EMPTY = Buffer.alloc(0);

/** Parses the decimal integer in b[start, lf) (a trailing CR is allowed). Null if malformed. */
function parseIntLine(b: Buffer, start: number, lf: number): number | null {
  let end = lf;
  if (end > start && b[end - 1] === CR) end--;
  if (end <= start || end - start > 19) return null;
  let i = start;
  let neg = false;
  if (b[i] === 45 /* '-' */) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  let n = 0;
  for (; i < end; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}

/**
 * Splits an inline request like Redis's sdssplitargs: spaces separate arguments, "double quotes"
 * allow \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' allow only \'. A closing quote
 * must be followed by a space or the end. Returns null on unbalanced quotes.
 */
export function splitInline(line: string): string[] | null {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      if (inDq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && i + 3 < n && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && i + 1 < n && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (i >= n) break;
        const c = line[i];
        if (isSpace(line.charCodeAt(i))) done = true;
        else if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

declare module 'node:buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}
