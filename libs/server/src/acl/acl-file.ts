import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AclConnection, AclStore } from './acl-store.js';
import { mergeSelectors } from './acl-store.js';
import { hasSpaces, RuleFailure, ruleErrorText } from './selector.js';
import type { AclUser } from './user.js';

/**
 * ACL LOAD (Redis's ACLLoadFromFile): every line `user <name> <rules...>`, words split on single
 * spaces. All lines are checked first; on any error nothing changes and the errors are returned.
 * On success every user is replaced: clients of the old non-default users are disconnected, as
 * Redis frees those users.
 */
export function loadAclFile(store: AclStore, filename: string, current: AclConnection | null): string | null {
  let text: string;
  try {
    text = readFileSync(filename, 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${filename}': ${errnoText(e)}`;
  }
  const { users, errors } = parseAclText(store, text, filename);
  if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  store.replaceAll(users, current);
  return null;
}

/** The users an aclfile text defines, and Redis's error text for its bad lines ('' when none). */
export function parseAclText(store: AclStore, text: string, filename: string): { users: Map<string, AclUser>; errors: string } {
  const users = new Map<string, AclUser>();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const at = `${filename}:${i + 1}`;
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') continue;
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${at} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1];
    if (hasSpaces(name)) {
      errors += `'${at}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${i + 1}. `;
      continue;
    }
    const u = store.newUser(name);
    users.set(name, u);
    const merged = mergeSelectors(argv.slice(2));
    if (typeof merged === 'string') {
      errors += `${at}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let syntaxError = false;
    for (const raw of merged) {
      const rule = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
      try {
        store.applyRules(u, [rule]);
      } catch (e) {
        if (!(e instanceof RuleFailure)) throw e;
        if (e.code === 'ENOENT') errors += `${at}: Error in applying operation '${rule}': ${ruleErrorText(e.code)}. `;
        else if (!syntaxError) {
          errors += `${at}: ${ruleErrorText(e.code)}. `;
          syntaxError = true;
        }
      }
    }
  }
  return { users, errors };
}

/** ACL SAVE: ACL LIST's lines, written to a temporary file and renamed over the aclfile. */
export function saveAclFile(store: AclStore, filename: string): boolean {
  const text = store
    .list()
    .map((u) => `user ${u.name} ${u.describe(store.catalog)}\n`)
    .join('');
  const tmp = `${filename}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, text, 'latin1');
    renameSync(tmp, filename);
    return true;
  } catch {
    return false;
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}
