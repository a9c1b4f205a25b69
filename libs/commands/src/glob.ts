/**
 * Glob matching with Redis's stringmatchlen rules: `*`, `?`, `[abc]`, `[^a-z]`, and `\x`
 * escapes. Used by KEYS, SCAN MATCH, CONFIG GET and (later) PSUBSCRIBE.
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return match(pattern, 0, s, 0, nocase, 0);
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): boolean {
  // Redis caps recursion to avoid stack exhaustion on patterns like "*a*a*a*...".
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si <= slen) {
    const pc = p[pi];
    if (pc === '*') {
      while (pi + 1 < plen && p[pi + 1] === '*') pi++;
      if (pi + 1 === plen) return true;
      for (let k = si; k <= slen; k++) if (match(p, pi + 1, s, k, nocase, depth + 1)) return true;
      return false;
    }
    if (si >= slen) return false;
    if (pc === '?') {
      si++;
      pi++;
      continue;
    }
    if (pc === '[') {
      pi++;
      const not = p[pi] === '^';
      if (not) pi++;
      let matched = false;
      let c = s[si];
      if (nocase) c = c.toLowerCase();
      for (;;) {
        if (pi >= plen) {
          pi--; // unterminated class: Redis treats the end as closing it
          break;
        }
        if (p[pi] === '\\' && pi + 1 < plen) {
          pi++;
          if (p[pi] === c) matched = true;
        } else if (p[pi] === ']') {
          break;
        } else if (pi + 2 < plen && p[pi + 1] === '-') {
          let start = p[pi];
          let end = p[pi + 2];
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = start.toLowerCase();
            end = end.toLowerCase();
          }
          pi += 2;
          if (c >= start && c <= end) matched = true;
        } else {
          const x = nocase ? p[pi].toLowerCase() : p[pi];
          if (x === c) matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
      pi++;
      continue;
    }
    let lit = pc;
    if (pc === '\\' && pi + 1 < plen) {
      pi++;
      lit = p[pi];
    }
    const sc = s[si];
    if (nocase ? lit.toLowerCase() !== sc.toLowerCase() : lit !== sc) return false;
    si++;
    pi++;
  }
  while (pi < plen && p[pi] === '*') pi++;
  return pi === plen && si === slen;
}
