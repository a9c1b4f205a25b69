/**
 * LZF as Redis uses it for RDB strings (lzf_c.c / lzf_d.c with HLOG 16, VERY_FAST): the same
 * hash and the same match rules, so a string compresses to Redis's bytes and DUMP payloads of
 * long strings can equal Redis's.
 *
 * Stream format: control byte c < 32 → copy the next c + 1 literal bytes; otherwise a back
 * reference of (c >> 5) + 2 bytes (7 → one more length byte) at distance ((c & 0x1f) << 8) + next byte + 1.
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Positions + 1 of the last occurrence of each 3-byte hash (0: none); reused, cleared per call. */
const htab = new Int32Array(HSIZE);

function idx(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - h * 5) & (HSIZE - 1);
}

/**
 * The compressed form of `input`, or null when it does not save at least 4 bytes (Redis gives
 * lzf_compress an output buffer of len - 4 bytes and stores the string plain when it fails).
 */
export function lzfCompress(input: Buffer): Buffer | null {
  const inLen = input.length;
  if (inLen <= 4) return null;
  const outLen = inLen - 4;
  const out = Buffer.allocUnsafe(outLen + 1);
  htab.fill(0);
  let ip = 0;
  let op = 1; // start a literal run; its control byte is written when it stops
  let lit = 0;
  let hval = (input[0] << 8) | input[1];
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = idx(hval);
    const ref = htab[slot] - 1;
    htab[slot] = ip + 1;
    const off = ip - ref - 1;
    if (
      ref > 0 &&
      off >= 0 &&
      off < MAX_OFF &&
      input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outLen && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLen) return null;
      out[op - lit - 1] = lit - 1; // stop the literal run
      if (lit === 0) op--; // undo an empty run
      do len++;
      while (len < maxlen && input[ref + len] === input[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[idx(hval)] = ip + 1;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[idx(hval)] = ip + 1;
      ip++;
    } else {
      if (op >= outLen) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outLen) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/** Thrown on a stream that does not decompress to exactly `outLen` bytes. */
export class LzfError extends Error {}

/** Decompresses `input`, which must expand to exactly `outLen` bytes. */
export function lzfDecompress(input: Buffer, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  const inLen = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inLen) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > inLen) throw new LzfError('LZF literal run out of bounds');
      input.copy(out, op, ip, ip + n);
      op += n;
      ip += n;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inLen) throw new LzfError('LZF truncated back reference');
        len += input[ip++];
      }
      if (ip >= inLen) throw new LzfError('LZF truncated back reference');
      const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
      len += 2;
      if (op + len > outLen) throw new LzfError('LZF back reference out of bounds');
      if (ref < 0) throw new LzfError('LZF back reference before the start');
      // Byte by byte: the reference may overlap what it produces.
      for (let i = 0; i < len; i++) out[op + i] = out[ref + i];
      op += len;
    }
  }
  if (op !== outLen) throw new LzfError('LZF length mismatch');
  return out;
}
