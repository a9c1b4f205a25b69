/**
 * Incremental RESP request parser with Redis 7.0's exact rules (networking.c
 * processMultibulkBuffer / processInlineBuffer, sds.c sdssplitargs): multibulk
 * (`*N\r\n$len\r\n...`) and inline (telnet style) requests, pipelined, resumable at any byte
 * boundary without re-reading what it already parsed. Arguments come out as latin1 ("binary")
 * strings: one char per byte, so any byte (CR, LF, NUL, 0x80-0xff) is safe.
 *
 * Memory is bounded: an unterminated line is refused past 64 KiB, a bulk body is buffered only
 * as its bytes arrive (never preallocated from the declared length), and the request being
 * received counts against client-query-buffer-limit.
 *
 * Where Brook differs from Redis, on purpose:
 * - A bulk longer than MAX_ARG_LEN (2^29-24 bytes, V8's string limit) is refused with "invalid
 *   bulk length" even when proto-max-bulk-len allows it (its 512 MB default is 24 bytes more).
 * - client-query-buffer-limit also counts the arguments already read of an incomplete request
 *   (Redis counts only unparsed bytes, so `*<huge>` followed by endless small bulks grows it
 *   without bound); a single request larger than the limit closes the connection.
 * - A request may have at most MAX_ARGS (2^26) arguments; a larger `*N` count is refused at once
 *   with "invalid multibulk length" (Redis accepts up to INT_MAX). The arguments are held in a JS
 *   array, and V8 aborts the whole process when an array outgrows its limit (about 113M elements
 *   with the array's growth steps), which ~680 MB of `$0` bulks would otherwise reach.
 */
import { constants } from 'node:buffer';

/** Limits a parser enforces; the owner may change them at any time (CONFIG SET). */
export interface ParserLimits {
  /** proto-max-bulk-len. */
  maxBulkLen: number;
  /** Most arguments in one request (Redis 7.0 allows up to INT_MAX). */
  maxMultibulkLen: number;
  /** client-query-buffer-limit. */
  maxQueryBuffer: number;
}

/** Redis refuses an unterminated inline request or count line above 64 KiB (PROTO_INLINE_MAX_SIZE). */
const INLINE_MAX = 64 * 1024;
/** Redis reads the argument count into an int: more than INT_MAX is an invalid length (libs/resp has no dependencies, so not storage/limits.ts). */
const INT_MAX = 2147483647;
/** Before AUTH, Redis refuses requests larger than these (unauthenticated clients are cheap to abuse). */
const UNAUTH_MULTIBULK_MAX = 10;
const UNAUTH_BULK_MAX = 16384;
/**
 * Longest argument Brook can hold: an argument is a V8 string, and V8 strings stop at 2^29-24
 * characters, just under the 512 MB default of proto-max-bulk-len. A longer bulk (which Redis
 * would accept) is refused like one over proto-max-bulk-len, before any of it is buffered.
 */
export const MAX_ARG_LEN = constants.MAX_STRING_LENGTH;
/**
 * Most arguments in one request: half of V8's array limit, so growing the argument array can never
 * reach it, and far above what any real command sends (see the header comment).
 */
export const MAX_ARGS = 2 ** 26;
/** A bulk body still arriving is buffered in an exact-size buffer up to this size, else grown as it arrives (BODY_GROWTH). */
const BODY_PREALLOC = 1024 * 1024;
/**
 * How much a growing body buffer is enlarged when full: to 4× its size, so at most 4× what arrived
 * is ever allocated, and a 16 MB value costs three buffers (1, 4, 16 MB) and 5 MB of copies rather
 * than five and 15 MB when doubling. Every buffer allocated counts as V8 external memory, whose
 * growth triggers full GCs: fewer, larger steps mean fewer of those pauses.
 */
const BODY_GROWTH = 4;
/**
 * Largest body buffer kept for reuse between bulks (see RespParser.spare): 32 MB, so a client
 * sending big values one after another (PUBLISH then PUBSUB NUMSUB on a 16 MB channel name) fills
 * the same warm buffer instead of a fresh one each time. It is let go once the client is idle.
 */
const SPARE_MAX = 32 * 1024 * 1024;

export type ParseSink = (argv: string[]) => void;

/** Malformed input; its message is the text after `-ERR ` in Redis's reply (then the connection closes). */
export class ProtocolError extends Error {}

/** Query buffer over client-query-buffer-limit: Redis closes the connection without a reply. */
export class QueryBufferLimitError extends Error {}

const NUL = 0;
const LF = 10;
const CR = 13;
const STAR = 42;
const DOLLAR = 36;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const EMPTY = Buffer.alloc(0);

export class RespParser {
  /** Unparsed input kept from earlier chunks: an incomplete line (copied, so no chunk is pinned). */
  private tail: Buffer = EMPTY;
  /** Body (plus its 2-byte terminator) of a bulk whose bytes are still arriving, filled up to bodyFill. */
  private body: Buffer | null = null;
  private bodyFill = 0;
  /**
   * The buffer of the last large body, kept for the next one: a fresh buffer costs a page fault
   * per 4 KiB on first touch, which made receiving big values several times slower than the copy
   * itself. Released by trim() once the client is idle (Redis likewise shrinks idle query buffers).
   */
  private spare: Buffer | null = null;
  /** Multibulk request in progress: arguments read so far, how many are left. */
  private argv: string[] | null = null;
  private argsLeft = 0;
  /** Length of the bulk whose `$len` line was read but whose body was not, or -1. */
  private bulkLen = -1;
  /** Bytes of the request in progress consumed in earlier chunks (query buffer accounting). */
  private reqBytes = 0;
  /** Set by reset(), possibly from inside the sink: feed() stops and drops what it was parsing. */
  private dropped = false;
  /** Set by the owner: before AUTH the tighter unauthenticated limits apply. */
  authenticated = true;
  /** The number read by the last successful shortLine(). */
  private lineValue = 0;

  constructor(public limits: ParserLimits) {}

  /** Bytes received and not yet turned into arguments (CLIENT LIST qbuf). */
  get pending(): number {
    return this.tail.length + this.bodyFill;
  }

  /** Room left in the buffer receiving a bulk body; the unparsed tail is kept at its exact size (CLIENT LIST qbuf-free). */
  get bufferFree(): number {
    return this.body === null ? 0 : this.body.length - this.bodyFill;
  }

  /** Bytes of buffers the parser holds: the tail, a body arriving, the spare kept for the next one. */
  get bufferBytes(): number {
    return this.tail.length + (this.body?.length ?? 0) + (this.spare?.length ?? 0);
  }

  /** Bytes of the arguments already read of an incomplete request (CLIENT LIST argv-mem). */
  get argvBytes(): number {
    let n = 0;
    if (this.argv !== null) for (const a of this.argv) n += a.length;
    return n;
  }

  /**
   * Parses every complete command in what was left over plus the first `length` bytes of `chunk`
   * (a socket's reused receive buffer: nothing in it is kept past the call), handing each to `sink` as
   * soon as it is complete (so a command runs before later bytes are even looked at). Throws
   * ProtocolError after delivering the commands that preceded the bad input, and
   * QueryBufferLimitError when the request being received outgrows client-query-buffer-limit;
   * either way the parser is reset. If the sink calls reset() (QUIT, a killed client), feed()
   * returns right after it, as Redis reads nothing more from such a client.
   */
  feed(chunk: Buffer, sink: ParseSink, length = chunk.length): void {
    this.dropped = false;
    let b = chunk;
    let end = length;
    let pos = 0;
    if (this.body !== null) {
      // Checked before the body completes: Redis checks each read before parsing it.
      pos = this.fillBody(chunk, 0, end);
      this.checkQueryBuffer(pos);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- fillBody() completes the body; TS keeps its narrowing across the call
      if (this.body !== null) return;
    } else if (this.tail.length > 0) {
      b = Buffer.concat([this.tail, chunk.subarray(0, end)]);
      end = b.length;
      this.tail = EMPTY;
    }
    /** Where the part of the request in progress not yet counted in reqBytes starts in `b`. */
    let reqStart = pos;
    try {
      for (;;) {
        const argv = this.argv;
        if (argv !== null) {
          let argsLeft = this.argsLeft;
          let bulkLen = this.bulkLen;
          while (argsLeft > 0) {
            if (bulkLen < 0) {
              let n: number;
              const short = b[pos] === DOLLAR ? this.shortLine(b, pos, end) : -1;
              if (short >= 0) {
                n = this.lineValue;
                pos = short + 2;
              } else {
                const cr = this.lineEnd(b, pos, end, 'Protocol error: too big bulk count string');
                if (cr < 0) break;
                if (b[pos] !== DOLLAR) {
                  // Redis formats the byte with %c and then maps CR/LF to spaces (addReplyErrorFormat).
                  const got = b[pos] === CR || b[pos] === LF ? ' ' : String.fromCharCode(b[pos]);
                  throw new ProtocolError(`Protocol error: expected '$', got '${got}'`);
                }
                n = string2ll(b, pos + 1, cr);
                pos = cr + 2;
              }
              if (!(n >= 0) || n > this.limits.maxBulkLen) throw new ProtocolError('Protocol error: invalid bulk length');
              if (n > UNAUTH_BULK_MAX && !this.authenticated) {
                throw new ProtocolError('Protocol error: unauthenticated bulk length');
              }
              if (n > MAX_ARG_LEN) throw new ProtocolError('Protocol error: invalid bulk length');
              bulkLen = n;
            }
            if (end - pos < bulkLen + 2) {
              // The body is still arriving: buffer it apart so later chunks are appended, not re-joined.
              this.argsLeft = argsLeft;
              this.bulkLen = bulkLen;
              const spare = this.spare;
              if (spare !== null && spare.length >= bulkLen + 2) {
                this.body = spare;
                this.spare = null;
              } else {
                this.body = Buffer.allocUnsafe(Math.min(bulkLen + 2, Math.max(BODY_PREALLOC, end - pos)));
              }
              this.bodyFill = 0;
              pos = this.fillBody(b, pos, end);
              break;
            }
            argv.push(latin1(b, pos, pos + bulkLen));
            pos += bulkLen + 2; // Redis skips the two bytes after the body without looking at them
            bulkLen = -1;
            argsLeft--;
          }
          if (argsLeft > 0 || this.body !== null) {
            if (this.body === null) {
              this.argsLeft = argsLeft;
              this.bulkLen = bulkLen;
            }
            break;
          }
          this.argv = null;
          this.argsLeft = 0;
          this.bulkLen = -1;
          this.reqBytes = 0;
          sink(argv);
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the sink may reset() the parser (QUIT)
          if (this.dropped) return;
        }
        if (pos >= end) break;
        reqStart = pos;
        if (b[pos] === STAR) {
          let n: number;
          const short = this.shortLine(b, pos, end);
          if (short >= 0) {
            n = this.lineValue;
            pos = short + 2;
          } else {
            const cr = this.lineEnd(b, pos, end, 'Protocol error: too big mbulk count string');
            if (cr < 0) break;
            n = string2ll(b, pos + 1, cr);
            pos = cr + 2;
            if (Number.isNaN(n) || n > INT_MAX) throw new ProtocolError('Protocol error: invalid multibulk length');
          }
          if (n > UNAUTH_MULTIBULK_MAX && !this.authenticated) {
            throw new ProtocolError('Protocol error: unauthenticated multibulk length');
          }
          if (n > this.limits.maxMultibulkLen || n > MAX_ARGS) throw new ProtocolError('Protocol error: invalid multibulk length');
          if (n <= 0) continue; // `*0` and `*-1` are skipped, as in Redis
          this.argv = [];
          this.argsLeft = n;
          this.bulkLen = -1;
        } else {
          const next = this.inline(b, pos, end, sink);
          if (next < 0) break;
          pos = next;
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the sink may reset() the parser (QUIT)
          if (this.dropped) return;
        }
      }
    } catch (e) {
      this.reset();
      throw e;
    }
    if (this.argv !== null) this.reqBytes += pos - reqStart;
    if (this.body === null && pos < end) this.tail = Buffer.from(b.subarray(pos, end));
    this.checkQueryBuffer(0);
  }

  /** Frees the buffer kept for the next large bulk (the client has been idle). */
  trim(): void {
    this.spare = null;
  }

  /** Drops all buffered input and partial state (the connection is closing); stops a running feed(). */
  reset(): void {
    this.tail = EMPTY;
    this.body = null;
    this.bodyFill = 0;
    this.spare = null;
    this.argv = null;
    this.argsLeft = 0;
    this.bulkLen = -1;
    this.reqBytes = 0;
    this.dropped = true;
  }

  /**
   * Redis holds the whole request being received in its query buffer; Brook counts the same bytes
   * (the unparsed tail, plus everything already read of an incomplete multibulk, so a request
   * with millions of small arguments cannot grow memory without bound either).
   */
  private checkQueryBuffer(consumed: number): void {
    this.reqBytes += consumed;
    if (this.reqBytes + this.tail.length > this.limits.maxQueryBuffer) {
      this.reset();
      throw new QueryBufferLimitError();
    }
  }

  /**
   * Copies body bytes from b[from..end) into the pending bulk, growing its buffer as bytes arrive;
   * when complete, it becomes the next argument. Returns the position after what was taken.
   */
  private fillBody(b: Buffer, from: number, end: number): number {
    let body = this.body!;
    const target = this.bulkLen + 2;
    const n = Math.min(target - this.bodyFill, end - from);
    if (this.bodyFill + n > body.length) {
      const grown = Buffer.allocUnsafe(Math.min(target, Math.max(body.length * BODY_GROWTH, this.bodyFill + n)));
      body.copy(grown, 0, 0, this.bodyFill);
      this.body = body = grown;
    }
    b.copy(body, this.bodyFill, from, from + n);
    this.bodyFill += n;
    if (this.bodyFill === target) {
      this.argv!.push(body.latin1Slice(0, this.bulkLen));
      if (body.length <= SPARE_MAX && (this.spare === null || this.spare.length < body.length)) this.spare = body;
      this.body = null;
      this.bodyFill = 0;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    return from + n;
  }

  /**
   * Finds the CR ending the `*`/`$` line at b[pos..] the way Redis does (strchr for '\r', which
   * also stops at a NUL byte) and requires one byte after it, which is skipped unchecked like
   * Redis's '\n'. Returns -1 while incomplete; throws `tooBig` once 64 KiB wait unterminated.
   */
  private lineEnd(b: Buffer, pos: number, end: number, tooBig: string): number {
    for (let i = pos; i < end; i++) {
      const c = b[i];
      if (c === CR) return i + 1 < end ? i : -1;
      if (c === NUL) break;
    }
    if (end - pos > INLINE_MAX) throw new ProtocolError(tooBig);
    return -1;
  }

  /**
   * Fast path for a `*` or `$` line at b[pos]: 1-9 digits without a leading zero, then CR and one
   * more byte. Returns the CR's position and leaves the number in lineValue, or -1 for anything
   * else (which the exact, slower path then handles).
   */
  private shortLine(b: Buffer, pos: number, end: number): number {
    let p = pos + 1;
    if (p >= end) return -1;
    let n = b[p] - 48;
    if (n < 1 || n > 9) return -1;
    for (p++; p < end && p - pos <= 9; p++) {
      const d = b[p] - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (p + 1 >= end || b[p] !== CR) return -1;
    this.lineValue = n;
    return p;
  }

  /**
   * An inline request: the line up to LF (strchr, so a NUL byte first means "no line yet"), minus
   * one CR before it, split by sdssplitargs rules; empty lines are skipped. Returns the position
   * after the line, or -1 while incomplete.
   */
  private inline(b: Buffer, pos: number, end: number, sink: ParseSink): number {
    let lf = b.indexOf(LF, pos);
    // b may be a reused receive buffer: bytes from `end` on are stale.
    if (lf >= end || (lf >= 0 && b.subarray(pos, lf).indexOf(NUL) >= 0)) lf = -1;
    if (lf < 0) {
      if (end - pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request');
      return -1;
    }
    const args = splitArgs(b, pos, lf > pos && b[lf - 1] === CR ? lf - 1 : lf, latin1);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    if (args.length > 0) sink(args);
    return lf + 1;
  }
}

/**
 * b[start, end) as a latin1 string. Up to 16 bytes (command names, most keys, small values) it is
 * built in JS, which skips latin1Slice's call into C++ that costs more than the copy at these
 * sizes. Below 13 chars V8 keeps concatenations flat; 13-16 chars take one fromCharCode call
 * each, so the result is a plain flat string too (no cons or sliced string pinning a parent).
 */
function latin1(b: Buffer, start: number, end: number): string {
  const i = start;
  // One line per length keeps the four cases comparable at a glance.
  // prettier-ignore
  switch (end - start) {
    case 13: return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12]);
    case 14: return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13]);
    case 15: return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14]);
    case 16: return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7], b[i + 8], b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14], b[i + 15]);
  }
  if (end - start > 16) return b.latin1Slice(start, end);
  let s = '';
  let j = start;
  for (; j + 4 <= end; j += 4) s += String.fromCharCode(b[j], b[j + 1], b[j + 2], b[j + 3]);
  for (; j < end; j++) s += String.fromCharCode(b[j]);
  return s;
}

/**
 * Redis's string2ll on b[start, end): optional '-', then "0" alone or a first digit 1-9 and more
 * digits, at most 20 bytes, within int64. NaN when malformed (leading zeros, '+', spaces, "-0").
 */
function string2ll(b: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len >= 21) return NaN;
  if (len === 1 && b[start] === 48) return 0;
  let i = start;
  const neg = b[i] === 45; /* '-' */
  if (neg && ++i === end) return NaN;
  if (b[i] < 49 || b[i] > 57) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  // Beyond 2^53 the sum is inexact; only the int64 bounds matter there, so check them exactly.
  if (n >= 9e18) {
    const big = BigInt(b.latin1Slice(start, end));
    if (big > 9223372036854775807n || big < -9223372036854775808n) return NaN;
  }
  return neg ? -n : n;
}

/**
 * Splits a line like Redis's sdssplitargs (inline requests, redis.conf lines): blanks (isspace)
 * separate arguments; "double quotes" take \n \r \t \b \a \xHH and \<any char> escapes;
 * 'single quotes' take only \'; a closing quote must be followed by a blank or the end; a quote
 * inside a bare word starts a quoted part of the same argument. Inside a bare word only space,
 * \t, \r and \n end it (\v and \f do not). Returns null on unbalanced quotes.
 *
 * Works on the bytes b[start, end) and makes each argument with `text` from one run of bytes: a
 * bare word straight from `b`, a quoted one from its unescaped bytes. So every argument is a flat
 * string of its own, never a rope of pieces nor a slice that keeps the whole line alive.
 */
export function splitArgs(b: Buffer, start: number, end: number, text: (b: Buffer, start: number, end: number) => string): string[] | null {
  const nul = b.subarray(start, end).indexOf(NUL);
  const n = nul < 0 ? end : start + nul; // a C string ends at its first NUL
  const out: string[] = [];
  /** Unescaped bytes of a quoted argument (never longer than the line). */
  let unescaped: Buffer | null = null;
  let i = start;
  for (;;) {
    while (i < n && isBlank(b[i])) i++;
    if (i >= n) return out;
    const word = i;
    while (i < n && PLAIN[b[i]] === 1) i++;
    if (i >= n || endsWord(b[i])) {
      out.push(text(b, word, i));
      continue;
    }
    unescaped ??= Buffer.allocUnsafe(n - start);
    let len = b.copy(unescaped, 0, word, i);
    let quote = 0;
    for (;;) {
      if (i >= n) {
        if (quote !== 0) return null; // unterminated quotes
        break;
      }
      const c = b[i];
      if (quote === DQUOTE) {
        if (c === BACKSLASH && i + 3 < n && b[i + 1] === 120 /* 'x' */ && isHex(b[i + 2]) && isHex(b[i + 3])) {
          unescaped[len++] = (hexValue(b[i + 2]) << 4) | hexValue(b[i + 3]);
          i += 4;
        } else if (c === BACKSLASH && i + 1 < n) {
          unescaped[len++] = unescape(b[i + 1]);
          i += 2;
        } else if (c === DQUOTE) {
          if (i + 1 < n && !isBlank(b[i + 1])) return null;
          i++;
          break;
        } else {
          unescaped[len++] = c;
          i++;
        }
      } else if (quote === SQUOTE) {
        if (c === BACKSLASH && i + 1 < n && b[i + 1] === SQUOTE) {
          unescaped[len++] = SQUOTE;
          i += 2;
        } else if (c === SQUOTE) {
          if (i + 1 < n && !isBlank(b[i + 1])) return null;
          i++;
          break;
        } else {
          unescaped[len++] = c;
          i++;
        }
      } else if (endsWord(c)) {
        break;
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c;
        i++;
      } else {
        unescaped[len++] = c;
        i++;
      }
    }
    out.push(text(unescaped, 0, len));
  }
}

/**
 * splitArgs for a line of text (redis.conf, command-line options): latin1 when every char fits a
 * byte, so `\xHH` escapes give that char; UTF-8 otherwise, so other text survives as written.
 */
export function splitInline(line: string): string[] | null {
  // eslint-disable-next-line no-control-regex -- the test is for chars beyond latin1; \x00 is the range's start
  const wide = /[^\x00-\xff]/.test(line);
  const b = Buffer.from(line, wide ? 'utf8' : 'latin1');
  return splitArgs(b, 0, b.length, wide ? utf8 : latin1);
}

function utf8(b: Buffer, start: number, end: number): string {
  return b.toString('utf8', start, end);
}

/** Bytes a bare word runs on: all but the quotes and the four that end it. */
const PLAIN = new Uint8Array(256).fill(1);
for (const c of [32, LF, CR, 9, DQUOTE, SQUOTE]) PLAIN[c] = 0;

/** Inside a bare word only these end it (sdssplitargs tests them, not isspace()). */
function endsWord(c: number): boolean {
  return c === 32 || c === LF || c === CR || c === 9;
}

/** The byte a backslash escape inside double quotes stands for. */
function unescape(c: number): number {
  switch (c) {
    case 110 /* n */:
      return LF;
    case 114 /* r */:
      return CR;
    case 116 /* t */:
      return 9;
    case 98 /* b */:
      return 8;
    case 97 /* a */:
      return 7;
    default:
      return c;
  }
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** C isspace() in the C locale. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

declare module 'node:buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}
