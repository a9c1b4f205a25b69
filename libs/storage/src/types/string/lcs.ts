/**
 * Longest common subsequence of two byte strings, computed exactly as Redis's lcsCommand does
 * (the same DP table and the same backtracking tie-break), so the LCS string and the IDX match
 * ranges come out identical.
 */
export interface LcsMatch {
  /** Inclusive byte ranges in the first and second string. */
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
  length: number;
}

export interface LcsResult {
  length: number;
  /** The subsequence itself (latin1); only when asked for. */
  text: string;
  /** Matching ranges, last to first as Redis emits them; only when asked for. */
  matches: LcsMatch[];
}

/** Bytes of DP table LCS of strings of these lengths needs: Redis refuses it above proto-max-bulk-len. */
export function lcsTableBytes(alen: number, blen: number): number {
  return (alen + 1) * (blen + 1) * 4;
}

/**
 * Computes LCS(a, b). `wantText` builds the subsequence, `wantMatches` the ranges (with
 * `minMatchLen` filtering as in Redis). Throws RangeError when the table cannot be allocated.
 */
export function lcs(a: string, b: string, wantText: boolean, wantMatches: boolean, minMatchLen = 0): LcsResult {
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  // LCS(i, j) = table[j + i*w]: the LCS length of a[0..i) and b[0..j). Row 0 and column 0 stay 0.
  const table = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) table[row + j] = table[prev + j - 1] + 1;
      else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const length = table[alen * w + blen];
  const result: LcsResult = { length, text: '', matches: [] };
  if (!wantText && !wantMatches) return result;

  const out = wantText ? Buffer.allocUnsafe(length) : null;
  let idx = length;
  // alen in aStart means "no range open", as in Redis.
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      if (out !== null) out[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      // A range touching the start of either string is complete: the loop ends next.
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const len = aEnd - aStart + 1;
      if (wantMatches && (minMatchLen === 0 || len >= minMatchLen)) {
        result.matches.push({ aStart, aEnd, bStart, bEnd, length: len });
      }
      aStart = alen;
    }
  }
  if (out !== null) result.text = out.toString('latin1', 0, length);
  return result;
}
