import { CommandTable } from '@brook/commands';
import { mergeSelectors } from './acl-store.js';
import { CommandCatalog, RuleFailure, ruleErrorText } from './selector.js';
import { AclUser } from './user.js';

/** Rules checked before any command is known: every +cmd is unknown (ENOENT), which the config check ignores. */
const NO_COMMANDS = new CommandCatalog(new CommandTable());

/**
 * A `user <name> <rules...>` line of redis.conf (Redis's ACLAppendUserForLoading): refuses a user
 * declared twice and rules with syntax errors; unknown commands are found later, when the users
 * are loaded with the command table. `args` is the whole line; `declared` the names seen so far.
 * Returns the error text for the fatal config error, or null.
 */
export function checkUserLine(args: readonly string[], declared: ReadonlySet<string>): string | null {
  // Redis names args[j] for the j-th rule (not the rule itself), so its messages name a word before the bad rule.
  if (declared.has(args[1])) return `Error in user declaration '${args[1]}': ${ruleErrorText('EALREADY')}`;
  const rules = mergeSelectors(args.slice(2));
  if (typeof rules === 'string') {
    const at = args.slice(2).indexOf(rules);
    return `Error in user declaration '${args[at]}': ${ruleErrorText('ENOENT')}`;
  }
  const fake = new AclUser(args[1], false);
  for (let j = 0; j < rules.length; j++) {
    try {
      fake.apply(rules[j], NO_COMMANDS, false);
    } catch (e) {
      if (!(e instanceof RuleFailure)) throw e;
      if (e.code !== 'ENOENT') return `Error in user declaration '${args[j]}': ${ruleErrorText(e.code)}`;
    }
  }
  return null;
}
