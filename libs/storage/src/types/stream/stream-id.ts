/**
 * Stream IDs: two unsigned 64-bit integers (ms, seq), exact over the whole range. An ID is held as
 * its 16-byte big-endian form in a one-byte (latin1) JS string: the string order (`<`, `===`) is
 * the ID order, it is a primitive (immutable, usable as a Map key or an OrderTree member, no
 * object per ID) and building or formatting one in the common case (ms < 2^53) stays on doubles.
 * Values at or above 2^53 go through bigint, never through a double.
 */

/** A stream ID: 16 latin1 chars, ms then seq, each 8 bytes big-endian. Compare with < and ===. */
export type StreamId = string & { readonly __streamId: never };

const TWO32 = 4294967296;
/** Word values below this make a 64-bit value below 2^53 (exact as a double). */
const SAFE_HI = 2 ** 21;
const U64_MAX = 2n ** 64n - 1n;

/** The ID from its four 32-bit words (ms high, ms low, seq high, seq low). */
export function idFromWords(a: number, b: number, c: number, d: number): StreamId {
  return String.fromCharCode(
    a >>> 24,
    (a >>> 16) & 255,
    (a >>> 8) & 255,
    a & 255,
    b >>> 24,
    (b >>> 16) & 255,
    (b >>> 8) & 255,
    b & 255,
    c >>> 24,
    (c >>> 16) & 255,
    (c >>> 8) & 255,
    c & 255,
    d >>> 24,
    (d >>> 16) & 255,
    (d >>> 8) & 255,
    d & 255,
  ) as StreamId;
}

/** The 32-bit word i (0..3) of an ID. */
export function idWord(id: StreamId, i: number): number {
  const o = i * 4;
  return ((id.charCodeAt(o) << 24) | (id.charCodeAt(o + 1) << 16) | (id.charCodeAt(o + 2) << 8) | id.charCodeAt(o + 3)) >>> 0;
}

export const MIN_ID = idFromWords(0, 0, 0, 0);
export const MAX_ID = idFromWords(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff);

/** A u64 as a double when below 2^53, else a bigint. */
export type U64 = number | bigint;

function hiOf(v: U64): number {
  return typeof v === 'number' ? Math.floor(v / TWO32) : Number(v >> 32n);
}

function loOf(v: U64): number {
  return typeof v === 'number' ? v >>> 0 : Number(v & 0xffffffffn);
}

/** The ID (ms, seq); numbers must be non-negative integers below 2^53, bigints below 2^64. */
export function streamId(ms: U64, seq: U64): StreamId {
  return idFromWords(hiOf(ms), loOf(ms), hiOf(seq), loOf(seq));
}

function u64(hi: number, lo: number): U64 {
  return hi < SAFE_HI ? hi * TWO32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** The ms part: a number when below 2^53, else a bigint. */
export function idMs(id: StreamId): U64 {
  return u64(idWord(id, 0), idWord(id, 1));
}

/** The seq part: a number when below 2^53, else a bigint. */
export function idSeq(id: StreamId): U64 {
  return u64(idWord(id, 2), idWord(id, 3));
}

/** The "ms-" text of the last ms formatted: XADDs within one millisecond share it (one number printing less). */
let formattedMs = -1;
let formattedMsText = '';

/** "ms-seq", as Redis prints IDs. */
export function formatId(id: StreamId): string {
  const ms = idMs(id);
  if (typeof ms !== 'number') return `${ms}-${idSeq(id)}`;
  if (ms !== formattedMs) {
    formattedMs = ms;
    formattedMsText = `${ms}-`;
  }
  return formattedMsText + String(idSeq(id));
}

/** -1, 0 or 1 as a is before, equal to or after b. */
export function compareIds(a: StreamId, b: StreamId): number {
  return a < b ? -1 : a === b ? 0 : 1;
}

/** The next ID (streamIncrID: seq overflow carries into ms); null after MAX_ID (Redis wraps to 0-0 and fails). */
export function incrId(id: StreamId): StreamId | null {
  let d = idWord(id, 3);
  let c = idWord(id, 2);
  let b = idWord(id, 1);
  let a = idWord(id, 0);
  if (d !== 0xffffffff) d++;
  else {
    d = 0;
    if (c !== 0xffffffff) c++;
    else {
      c = 0;
      if (b !== 0xffffffff) b++;
      else {
        b = 0;
        if (a === 0xffffffff) return null;
        a++;
      }
    }
  }
  return idFromWords(a, b, c, d);
}

/** The previous ID (streamDecrID: seq underflow borrows from ms); null before MIN_ID (Redis wraps to max and fails). */
export function decrId(id: StreamId): StreamId | null {
  let d = idWord(id, 3);
  let c = idWord(id, 2);
  let b = idWord(id, 1);
  let a = idWord(id, 0);
  if (d !== 0) d--;
  else {
    d = 0xffffffff;
    if (c !== 0) c--;
    else {
      c = 0xffffffff;
      if (b !== 0) b--;
      else {
        b = 0xffffffff;
        if (a === 0) return null;
        a--;
      }
    }
  }
  return idFromWords(a, b, c, d);
}

/**
 * The ID for `*` (streamNextID): (now, 0) when the clock is past the last ID's ms, otherwise the
 * last ID plus one, so IDs never go backwards with the clock. After MAX_ID it returns MIN_ID (as
 * Redis wraps), which the caller's "greater than the top item" check refuses.
 */
export function nextAutoId(last: StreamId, nowMs: number): StreamId {
  const hi = idWord(last, 0);
  if (hi < SAFE_HI && nowMs > hi * TWO32 + idWord(last, 1)) return idFromWords(hiOf(nowMs), loOf(nowMs), 0, 0);
  return incrId(last) ?? MIN_ID;
}

/** Why XADD refuses an explicit ID (Redis's two errors for it). */
export const AddIdError = {
  /** "The ID specified in XADD is equal or smaller than the target stream top item". */
  NotGreater: 0,
  /** `ms-*` on the top item's ms when its seq is the largest: "Elements are too large to be stored" (Redis's errno is not EDOM there). */
  SeqExhausted: 1,
} as const;
export type AddIdError = (typeof AddIdError)[keyof typeof AddIdError];

/**
 * The ID XADD adds for an explicit `ms-seq` (seqGiven) or `ms-*` argument (streamAppendItem):
 * for `ms-*` the seq is 0 on a new ms, else the top item's seq plus one.
 */
export function explicitAddId(last: StreamId, id: StreamId, seqGiven: boolean): StreamId | AddIdError {
  let added = id;
  if (!seqGiven && idWord(last, 0) === idWord(id, 0) && idWord(last, 1) === idWord(id, 1)) {
    if (idWord(last, 2) === 0xffffffff && idWord(last, 3) === 0xffffffff) return AddIdError.SeqExhausted;
    added = incrId(last) as StreamId;
  }
  return added > last ? added : AddIdError.NotGreater;
}

/** The ms part of an ID with seq 0 (the first ID of that millisecond). */
export function msFloor(id: StreamId): StreamId {
  return idFromWords(idWord(id, 0), idWord(id, 1), 0, 0);
}

// ---- parsing -------------------------------------------------------------------------------

/** Redis copies the argument into a 128-byte buffer: longer ones are invalid. */
const MAX_ID_ARG = 127;

/** isspace() in the C locale, which strtoull skips before the number. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Whether s is "-" then a number string2ll parses (canonical, no leading zero, fits in long long). */
function isCanonicalNegative(s: string): boolean {
  if (s.length < 2 || s.length >= 21 || s.charCodeAt(0) !== 45) return false;
  const first = s.charCodeAt(1);
  if (first < 49 || first > 57) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return BigInt(s.slice(1)) <= 2n ** 63n;
}

/**
 * Redis's string2ull on a C string: string2ll when it parses (negative refused), else strtoull
 * (leading spaces, a sign, leading zeros; a negated value wraps modulo 2^64; overflow refused).
 * null when invalid.
 */
export function parseU64(s: string): U64 | null {
  const n = s.length;
  // Fast path: plain digits that fit in a double exactly.
  if (n > 0 && n <= 15) {
    let digits = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        digits = false;
        break;
      }
    }
    if (digits) return Number(s);
  }
  if (isCanonicalNegative(s)) return null;
  let i = 0;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) negative = s.charCodeAt(i++) === 45;
  const start = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start || i !== n) return null;
  let v = BigInt(s.slice(start));
  if (v > U64_MAX) return null;
  if (negative && v !== 0n) v = 2n ** 64n - v;
  return v < 2n ** 53n ? Number(v) : v;
}

/** How an ID argument without a seq part ("ms") is completed: seq 0 or the largest seq. */
export const MissingSeq = { Min: 0, Max: 1 } as const;
export type MissingSeq = (typeof MissingSeq)[keyof typeof MissingSeq];

/** XADD's parsed ID argument: `ms-*` leaves the seq to be generated (seqGiven false). */
export interface AddIdArg {
  id: StreamId;
  seqGiven: boolean;
}

/** Parses "ms-seq" / "ms" (and "ms-*" when allowAutoSeq); shared core of the parsers below. */
function parseIdText(arg: string, missing: MissingSeq, strict: boolean, allowAutoSeq: boolean): AddIdArg | null {
  if (arg.length > MAX_ID_ARG) return null;
  // The C string ends at the first NUL.
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  if (s === '-' || s === '+') return strict ? null : { id: s === '-' ? MIN_ID : MAX_ID, seqGiven: true };
  const dash = s.indexOf('-');
  const ms = parseU64(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: missing === MissingSeq.Max ? streamId(ms, U64_MAX) : streamId(ms, 0), seqGiven: true };
  const seqText = s.slice(dash + 1);
  if (allowAutoSeq && seqText === '*') return { id: streamId(ms, 0), seqGiven: false };
  const seq = parseU64(seqText);
  return seq === null ? null : { id: streamId(ms, seq), seqGiven: true };
}

/**
 * An ID argument as Redis's streamParseIDOrReply (strict false: `-` and `+` allowed) or
 * streamParseStrictIDOrReply (strict true). null: "Invalid stream ID specified as stream
 * command argument".
 */
export function parseStreamId(arg: string, missing: MissingSeq = MissingSeq.Min, strict = false): StreamId | null {
  return parseIdText(arg, missing, strict, false)?.id ?? null;
}

/** XADD's ID argument other than `*` (strict, `ms-*` allowed); null when invalid. */
export function parseAddId(arg: string): AddIdArg | null {
  return parseIdText(arg, MissingSeq.Min, true, true);
}

/** A range bound: the ID and whether it was exclusive (`(` prefix). */
export interface IntervalId {
  id: StreamId;
  exclusive: boolean;
}

/**
 * A range bound as streamParseIntervalIDOrReply: "(id" is exclusive and strict (no `(-`/`(+`),
 * anything else inclusive with `-`/`+` allowed. null when invalid.
 */
export function parseIntervalId(arg: string, missing: MissingSeq): IntervalId | null {
  const exclusive = arg.length > 1 && arg.charCodeAt(0) === 40;
  const id = exclusive ? parseStreamId(arg.slice(1), missing, true) : parseStreamId(arg, missing, false);
  return id === null ? null : { id, exclusive };
}
