/**
 * Reads the commands of an AOF file (RESP arrays of bulk strings, `#` annotation lines skipped)
 * the way Redis's loadSingleAppendOnlyFile does: a file that ends inside a command is a short
 * read (AofTruncatedError, recoverable with aof-load-truncated), anything else unexpected is a
 * format error. Arguments come out as latin1 strings, one char per byte.
 */
export class AofTruncatedError extends Error {}
export class AofFormatError extends Error {}

/** Redis reads each `*`/`$` line with fgets into a buffer of this size (AOF_ANNOTATION_LINE_MAX_LEN). */
const LINE_MAX = 1024;

export class AofReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  /** Offset just past the last whole command read. */
  get offset(): number {
    return this.pos;
  }

  /** The next command, or null at the end of the file. */
  next(): string[] | null {
    const buf = this.buf;
    let p = this.pos;
    for (;;) {
      if (p >= buf.length) return null;
      if (buf[p] !== 0x23 /* # */) break;
      const nl = buf.indexOf(0x0a, p);
      if (nl < 0) return null;
      p = nl + 1;
      this.pos = p;
    }
    if (buf[p] !== 0x2a /* * */) throw new AofFormatError('expected a command (*)');
    const [argc, afterCount] = this.line(p + 1);
    if (!(argc >= 1)) throw new AofFormatError('bad argument count');
    p = afterCount;
    const argv = new Array<string>(argc);
    for (let j = 0; j < argc; j++) {
      if (p >= buf.length) throw new AofTruncatedError('unexpected end of file');
      if (buf[p] !== 0x24 /* $ */) throw new AofFormatError('expected a bulk string ($)');
      const [len, data] = this.line(p + 1);
      if (!(len >= 0)) throw new AofFormatError('bad bulk length');
      if (data + len + 2 > buf.length) throw new AofTruncatedError('unexpected end of file');
      argv[j] = buf.latin1Slice(data, data + len);
      p = data + len + 2;
    }
    this.pos = p;
    return argv;
  }

  /** The integer on the line starting at `p` (after its prefix byte) and where the next line starts. */
  private line(p: number): [number, number] {
    const buf = this.buf;
    const end = Math.min(buf.length, p + LINE_MAX);
    const nl = buf.indexOf(0x0a, p);
    if (nl < 0 || nl >= end) {
      if (nl < 0 && buf.length - p < LINE_MAX) throw new AofTruncatedError('unexpected end of file');
      throw new AofFormatError('line too long');
    }
    // atoi/strtol semantics: leading digits, anything after them ignored.
    const m = /^\s*([+-]?\d+)/.exec(buf.latin1Slice(p, nl));
    return [m ? Number(m[1]) : NaN, nl + 1];
  }
}
