/**
 * Redis 7.0's multi-part AOF manifest: one line per file, `file <name> seq <n> type <b|h|i>`,
 * base first, then history, then incr files in loading order. Parsing follows aof.c's rules so a
 * manifest Redis refuses is refused here with the same message.
 */
export interface AofFileInfo {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

export interface AofManifest {
  base: AofFileInfo | null;
  history: AofFileInfo[];
  incr: AofFileInfo[];
}

export class ManifestError extends Error {}

/** Redis's MANIFEST_MAX_LINE: a longer line (or a last line without '\n') is refused. */
const MAX_LINE = 1024;

export function emptyManifest(): AofManifest {
  return { base: null, history: [], incr: [] };
}

export function parseManifest(text: string): AofManifest {
  const m = emptyManifest();
  if (text.length === 0) throw new ManifestError('Found an empty AOF manifest');
  let maxSeq = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const raw = text.slice(pos, nl < 0 ? text.length : nl + 1);
    pos += raw.length;
    if (raw.startsWith('#')) continue;
    if (nl < 0 || raw.length > MAX_LINE) throw new ManifestError('The AOF manifest file contains too long line');
    const args = splitArgs(raw.trim());
    if (args === null || args.length < 6 || args.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format');
    let name = '';
    let seq = 0;
    let type = '';
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i].toLowerCase();
      if (key === 'file') {
        name = args[i + 1];
        if (name.includes('/')) throw new ManifestError("File can't be a path, just a filename");
      } else if (key === 'seq') seq = atoll(args[i + 1]);
      else if (key === 'type') type = args[i + 1].charAt(0);
    }
    if (!name || !seq || !type) throw new ManifestError('Invalid AOF manifest file format');
    if (type === 'b') {
      if (m.base) throw new ManifestError('Found duplicate base file information');
      m.base = { name, seq, type };
    } else if (type === 'h') m.history.push({ name, seq, type });
    else if (type === 'i') {
      if (seq <= maxSeq) throw new ManifestError('Found a non-monotonic sequence number');
      m.incr.push({ name, seq, type });
      maxSeq = seq;
    } else throw new ManifestError('Unknown AOF file type');
  }
  return m;
}

/** The manifest's text as Redis writes it: base, history, incr; every line ends with '\n'. */
export function formatManifest(m: AofManifest): string {
  const files = [...(m.base ? [m.base] : []), ...m.history, ...m.incr];
  return files.map((f) => `file ${quoteName(f.name)} seq ${String(f.seq)} type ${f.type}\n`).join('');
}

/** Redis quotes a name with spaces or quotes (sdscatrepr) so sdssplitargs reads it back. */
function quoteName(name: string): string {
  return /^[^\s"'\\]+$/.test(name) ? name : JSON.stringify(name);
}

/** atoll: leading digits (with an optional sign), 0 when there are none. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** sdssplitargs for the manifest: words separated by blanks, "double quoted" (with \ escapes) or 'single quoted'. */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let cur = '';
    const q = line[i];
    if (q === '"' || q === "'") {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        const ch = line[i];
        if (ch === q) break;
        if (q === '"' && ch === '\\' && i + 1 < line.length) {
          const e = line[++i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
        } else cur += ch;
        i++;
      }
      i++;
      // A closing quote must be followed by a blank or the end, as in sdssplitargs.
      if (i < line.length && !/\s/.test(line[i])) return null;
    } else {
      while (i < line.length && !/\s/.test(line[i])) cur += line[i++];
    }
    out.push(cur);
  }
  return out;
}

/** File names Redis 7.0 gives the parts of `appendfilename` (e.g. appendonly.aof.1.base.rdb). */
export const aofNames = {
  manifest: (base: string): string => `${base}.manifest`,
  tempManifest: (base: string): string => `temp-${base}.manifest`,
  base: (base: string, seq: number, rdb: boolean): string => `${base}.${String(seq)}.base.${rdb ? 'rdb' : 'aof'}`,
  incr: (base: string, seq: number): string => `${base}.${String(seq)}.incr.aof`,
};
