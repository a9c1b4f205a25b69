/**
 * Redis's error texts, in one place: clients and tests match on them, so a wording fix is one edit.
 * Each is the full reply text after the leading '-'.
 */
export const Err = {
  syntax: 'ERR syntax error',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrFloatNaN: 'ERR increment would produce NaN or Infinity',
  noSuchKey: 'ERR no such key',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNoPassword:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  timeout: 'ERR timeout is not an integer or out of range',
  wrongArgs: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${truncate(sub)}'. Try ${cmd.toUpperCase()} HELP.`,
  protoUnsupported: 'NOPROTO unsupported protocol version',
} as const;

/** The unknown-command text: quotes up to 128 bytes of the name and of each argument, like Redis. */
export function unknownCommand(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${truncate(argv[i])}' `;
  return `ERR unknown command '${truncate(argv[0])}', with args beginning with: ${args}`;
}

function truncate(s: string): string {
  return s.length > 128 ? s.slice(0, 128) : s;
}
