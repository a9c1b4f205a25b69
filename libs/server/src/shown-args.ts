import type { Command } from '@brook/commands';

/** What slowlog and MONITOR show in place of a secret argument (Redis's shared.redacted). */
const REDACTED = '(redacted)';

/**
 * The arguments of a command as slowlog and MONITOR show them: Redis's redactClientCommandArgument
 * replaces secrets (AUTH's password, HELLO's AUTH pair) in the argv it logs. `argv` itself when
 * there is nothing to hide.
 */
export function shownArgs(cmd: Command, argv: readonly string[]): readonly string[] {
  const redact = cmd.spec.redact;
  if (redact === undefined) return argv;
  const positions = redact(argv);
  if (positions.length === 0) return argv;
  const shown = argv.slice();
  for (const i of positions) if (i < shown.length) shown[i] = REDACTED;
  return shown;
}
