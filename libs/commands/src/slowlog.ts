import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import type { CommandSpec } from './table.js';
import { Err } from './errors.js';
import { parseInt64 } from './args.js';
import { helpSubcommand } from './reply.js';

/** SLOWLOG GET's count when none is given, as Redis. */
const DEFAULT_COUNT = 10;

/** SLOWLOG GET [count]: the newest entries, newest first; -1 means all. */
function slowlogGet(c: Session, argv: string[]): void {
  if (argv.length > 3) return c.w.error(Err.subcommandSyntax(argv[1], 'SLOWLOG'));
  const log = c.server.slowlog;
  let count = DEFAULT_COUNT;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null || n < -1) return c.w.error(Err.slowlogCount);
    count = n === -1 ? log.length : Number(n);
  }
  const entries = log.newest(count);
  const w = c.w;
  w.array(entries.length);
  for (const e of entries) {
    w.array(6);
    w.integer(e.id);
    w.integer(e.time);
    w.integer(e.duration);
    w.bulkArray(e.args);
    w.bulk(e.addr);
    w.bulk(e.name);
  }
}

const HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const ADMIN: CommandSpec['flags'] = ['admin', 'loading', 'stale'];

function sub(name: string, arity: number, summary: string, handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags: ADMIN, group: 'server', summary, since: '2.2.12', complexity: 'O(N)', handler };
}

export const slowlogCommands: readonly CommandSpec[] = [
  {
    name: 'slowlog',
    arity: -2,
    flags: [],
    group: 'server',
    summary: 'A container for slow log commands',
    since: '2.2.12',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('get', -2, "Get the slow log's entries", slowlogGet),
      sub('len', 2, "Get the slow log's length", (c) => c.w.integer(c.server.slowlog.length)),
      sub('reset', 2, 'Clear all entries from the slow log', (c) => {
        c.server.slowlog.reset();
        c.w.ok();
      }),
      helpSubcommand('server', '6.2.0', HELP),
    ],
  },
];

/** SLOWLOG (Redis's slowlog.c); the dispatcher fills the log, see @brook/server's SlowLog. */
export const slowlogFamily: CommandFamily = { name: 'slowlog', commands: slowlogCommands };
