/**
 * Glob matching with Redis's stringmatchlen rules: `*`, `?`, `[abc]`, `[^a-z]`, and `\x`
 * escapes, over latin1 strings (one char per byte). Used by KEYS, SCAN MATCH, CONFIG GET,
 * COMMAND LIST FILTERBY PATTERN and (later) PSUBSCRIBE.
 *
 * Cost is bounded by O(pattern × string): once the part of the pattern after a `*` has failed to
 * match at every position of the rest of the string, no earlier `*` can make it match by taking
 * more characters, so the whole match fails at once (Redis's fix for CVE-2022-36021; without it
 * `a*a*a*…b` backtracks exponentially).
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  const state = { skipLonger: false };
  return match(pattern, 0, s, 0, nocase, state, 0);
}

/**
 * Deepest `*` nesting followed before giving up (no match), as Redis 7.2 does; it also keeps the
 * recursion far from the JS stack limit.
 */
const MAX_NESTING = 1000;

const STAR = 42;
const QUESTION = 63;
const OPEN = 91;
const CLOSE = 93;
const CARET = 94;
const BACKSLASH = 92;
const DASH = 45;

/** C's tolower in the C locale: ASCII letters only (JS toLowerCase would also fold À-Þ). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as C's (signed) char: Redis compares class ranges as ints made from chars. */
function signed(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/**
 * The length of the string the pattern from `pi` on matches when it has no `*`, `[` or `\` (each
 * byte then matches exactly one byte), or -1.
 */
function fixedTailLength(p: string, pi: number): number {
  for (let i = pi; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === STAR || c === OPEN || c === BACKSLASH) return -1;
  }
  return p.length - pi;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, state: { skipLonger: boolean }, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    if (pc === STAR) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === STAR) pi++;
      if (pi + 1 === plen) return true;
      const tail = fixedTailLength(p, pi + 1);
      if (tail >= 0) {
        // No `*` after this one and one byte per pattern byte: only the position that leaves the
        // tail exactly the rest of the string can match, so try that one instead of every one.
        if (slen - tail >= si && match(p, pi + 1, s, slen - tail, nocase, state, nesting + 1)) return true;
        state.skipLonger = true;
        return false;
      }
      for (; si < slen; si++) {
        if (match(p, pi + 1, s, si, nocase, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
      }
      // The rest of the pattern matches nowhere in the rest of the string: give up for good.
      state.skipLonger = true;
      return false;
    }
    const sc = s.charCodeAt(si);
    if (pc === QUESTION) {
      // any byte
    } else if (pc === OPEN) {
      pi++;
      const not = pi < plen && p.charCodeAt(pi) === CARET;
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi < plen - 1 && p.charCodeAt(pi) === BACKSLASH) {
          pi++;
          if (p.charCodeAt(pi) === sc) matched = true; // escapes compare exactly, even with nocase
        } else if (pi < plen && p.charCodeAt(pi) === CLOSE) {
          break;
        } else if (pi >= plen) {
          pi--; // an unterminated class ends with the pattern
          break;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === DASH) {
          let start = signed(p.charCodeAt(pi));
          let end = signed(p.charCodeAt(pi + 2));
          let c = signed(sc);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            c = lower(c);
          }
          pi += 2;
          if (c >= start && c <= end) matched = true;
        } else if (nocase ? lower(p.charCodeAt(pi)) === lower(sc) : p.charCodeAt(pi) === sc) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
    } else {
      if (pc === BACKSLASH && pi < plen - 1) pi++;
      const lit = p.charCodeAt(pi);
      if (nocase ? lower(lit) !== lower(sc) : lit !== sc) return false;
    }
    si++;
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
