import type { CommandSpec } from './table.js';
import type { Session } from './context.js';
import { Err } from './errors.js';
import { parseSafeInt } from './args.js';

function ping(c: Session, argv: string[]): void {
  if (argv.length > 2) return c.w.error(Err.wrongArgs('ping'));
  if (argv.length === 2) c.w.bulk(argv[1]);
  else c.w.simple('PONG');
}

function echo(c: Session, argv: string[]): void {
  c.w.bulk(argv[1]);
}

function quit(c: Session): void {
  c.w.ok();
  c.closeAfterReply = true;
}

function select(c: Session, argv: string[]): void {
  const index = parseSafeInt(argv[1]);
  if (index === null) return c.w.error(Err.notInteger);
  if (index < 0 || index >= c.ks.dbs.length) return c.w.error(Err.dbIndexOutOfRange);
  c.select(index);
  c.w.ok();
}

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping', arity: -1, flags: ['fast'], group: 'connection', summary: 'Returns the server\'s liveliness response.',
    since: '1.0.0', complexity: 'O(1)', handler: ping,
  },
  {
    name: 'echo', arity: 2, flags: ['fast'], group: 'connection', summary: 'Returns the given string.',
    since: '1.0.0', complexity: 'O(1)', handler: echo,
  },
  {
    name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], group: 'connection',
    summary: 'Closes the connection.', since: '1.0.0', complexity: 'O(1)', handler: quit,
  },
  {
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], group: 'connection',
    summary: 'Changes the selected database.', since: '1.0.0', complexity: 'O(1)', handler: select,
  },
];
