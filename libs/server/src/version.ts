import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Redis version Brook is compatible with, reported as redis_version (clients gate on it). */
export const REDIS_COMPAT_VERSION = '7.0.15';

/**
 * Brook's own version, from the package.json above this file (source and dist layouts alike):
 * the repository's `brook`, or `@brook/sdk`, which carries the server for embedded mode and is
 * versioned with it.
 */
export const BROOK_VERSION: string = findVersion(dirname(fileURLToPath(import.meta.url)));

function findVersion(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'brook' || pkg.name === '@brook/sdk') return pkg.version ?? '0.0.0';
    }
  }
  return '0.0.0';
}
