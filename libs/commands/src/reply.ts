import type { ReplyWriter } from '@brook/resp';
import type { StringValue } from '@brook/storage';
import type { CommandSpec } from './table.js';

/** Writes a string value as a bulk reply, whatever its encoding. */
export function replyString(w: ReplyWriter, v: StringValue): void {
  if (typeof v === 'string') w.bulk(v);
  else if (typeof v === 'number' || typeof v === 'bigint') w.bulk(String(v));
  else w.bulkBuffer(v.view());
}

/**
 * A HELP reply, as Redis's addReplyHelp: a header naming the command as it was typed (upper-cased),
 * the given lines, then the HELP entry; all of them status strings.
 */
export function replyHelp(w: ReplyWriter, command: string, lines: readonly string[]): void {
  w.array(lines.length + 3);
  w.simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) w.simple(line);
  w.simple('HELP');
  w.simple('    Prints this help.');
}

/** The HELP subcommand of a container command (CLIENT, COMMAND, CONFIG, OBJECT...), replying `lines`. */
export function helpSubcommand(group: string, since: string, lines: readonly string[]): CommandSpec {
  return {
    name: 'help',
    arity: 2,
    flags: ['loading', 'stale'],
    group,
    since,
    summary: 'Show helpful text about the different subcommands',
    complexity: 'O(1)',
    handler: (c, argv) => replyHelp(c.w, argv[0], lines),
  };
}

/**
 * Largest repeated-draw count (a negative count) HRANDFIELD and SRANDMEMBER serve: Redis writes all
 * |count| draws in one go and, with no output limit on normal clients, a count near -2^63 never
 * finishes. Brook refuses beyond this many (a reply of hundreds of MB already) with Redis's range
 * error instead.
 */
export const MAX_REPEATED_DRAWS = 2 ** 24;
