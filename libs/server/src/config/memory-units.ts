/**
 * redis.conf memory units (memtoull): 1k = 1000, 1kb = 1024, m/mb, g/gb, case-insensitive. No
 * imports: the brook-server launcher reads maxmemory with it before the server is loaded.
 */
const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };

/** Bytes, or null when `v` is not a memory value. */
export function parseMemory(v: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(v);
  if (!m) return null;
  // An absent unit group is undefined at run time (typed string).
  return Number(m[1]) * MEMORY_UNITS[(m[2] || '').toLowerCase()];
}
