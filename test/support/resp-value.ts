/**
 * Decodes one raw RESP reply (as RawClient.call returns it) into plain values, for comparisons that
 * must not depend on order (KEYS, SCAN): bulk and simple strings become strings, integers numbers
 * (bigint beyond 2^53), nulls null, aggregates arrays, errors { error }.
 */
export type RespValue = string | number | bigint | null | boolean | RespValue[] | { error: string };

export function decodeReply(raw: string): RespValue {
  const [v, end] = decodeAt(raw, 0);
  if (end !== raw.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(raw.slice(end, end + 40))}`);
  return v;
}

function decodeAt(s: string, pos: number): [RespValue, number] {
  const lf = s.indexOf('\r\n', pos);
  const head = s.slice(pos + 1, lf);
  const next = lf + 2;
  switch (s[pos]) {
    case '+':
    case ',':
    case '(':
      return [head, next];
    case '-':
      return [{ error: head }, next];
    case ':': {
      const n = Number(head);
      return [Number.isSafeInteger(n) ? n : BigInt(head), next];
    }
    case '_':
      return [null, next];
    case '#':
      return [head === 't', next];
    case '$':
    case '=': {
      const n = Number(head);
      if (n < 0) return [null, next];
      return [s.slice(next, next + n), next + n + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      let n = Number(head);
      if (n < 0) return [null, next];
      if (s[pos] === '%') n *= 2;
      const out: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [v, q] = decodeAt(s, p);
        out.push(v);
        p = q;
      }
      return [out, p];
    }
    default:
      throw new Error(`unexpected reply type in ${JSON.stringify(s.slice(pos, pos + 40))}`);
  }
}

/** The bulk strings of a raw reply, in order, whatever its nesting (CONFIG GET, SCAN, KEYS). */
export function bulks(reply: string): string[] {
  const items: string[] = [];
  const re = /\$(\d+)\r\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(reply)) !== null) {
    items.push(reply.slice(re.lastIndex, re.lastIndex + Number(m[1])));
    re.lastIndex += Number(m[1]) + 2;
  }
  return items;
}
