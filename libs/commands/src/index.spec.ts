import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { builtinCommands } from './index.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

describe('the built-in command table', () => {
  it('has unique names', () => {
    const names = builtinCommands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  // The README's command list is the user's reference: it must not fall behind the table.
  it('is fully listed in the README, subcommands included', () => {
    const missing: string[] = [];
    for (const c of builtinCommands) {
      if (!new RegExp(`\\b${c.name.toUpperCase()}\\b`).test(readme)) missing.push(c.name);
      for (const s of c.subcommands ?? []) {
        if (!new RegExp(`\\b${s.name.toUpperCase()}\\b`).test(readme)) missing.push(`${c.name}|${s.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
