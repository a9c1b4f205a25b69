import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ACL_CATEGORY_ORDER, Err, helpSubcommand, parseInt64, type CommandFamily, type CommandSpec, type Session } from '@brook/commands';
import { formatScore } from '@brook/storage';
import type { AclConnection, AclStore } from './acl-store.js';
import { loadAclFile, saveAclFile } from './acl-file.js';
import type { Selector } from './selector.js';

/** What the ACL commands need of the server beyond the store. */
export interface AclHost {
  /** The connection behind a session (its user). */
  connection(c: Session): AclConnection;
  aclfile(): string;
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

const GENPASS_MAX_BITS = 4096;
const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** ACL (Redis's aclCommand), over the server's AclStore. */
export function aclFamily(store: AclStore, host: AclHost): CommandFamily {
  const logger = new Logger('acl');
  const admin: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];
  const plain: CommandSpec['flags'] = ['noscript', 'loading', 'stale'];
  const sub = (
    name: string,
    arity: number,
    flags: CommandSpec['flags'],
    summary: string,
    handler: CommandSpec['handler'],
  ): CommandSpec => ({
    name,
    arity,
    flags,
    group: 'server',
    summary,
    since: '6.0.0',
    complexity: 'O(N)',
    handler,
  });

  const writeSelector = (c: Session, s: Selector): void => {
    c.w.bulk('commands');
    c.w.bulk(s.describeCommands(store.catalog));
    c.w.bulk('keys');
    c.w.bulk(s.keysText());
    c.w.bulk('channels');
    c.w.bulk(s.channelsText());
  };

  const setuser = (c: Session, argv: string[]): void => {
    if (!store.validName(argv[2])) return c.w.error("ERR Usernames can't contain spaces or null characters");
    const error = store.setUser(argv[2], argv.slice(3));
    if (error === null) c.w.ok();
    else c.w.error('ERR ' + error.replace(/[\r\n]/g, ' '));
  };

  const deluser = (c: Session, argv: string[]): void => {
    const names = argv.slice(2);
    if (names.includes('default')) return c.w.error("ERR The 'default' user cannot be removed");
    c.w.integer(store.deleteUsers(names, host.connection(c)));
  };

  const getuser = (c: Session, argv: string[]): void => {
    const u = store.get(argv[2]);
    if (u === undefined) return c.w.nil();
    const w = c.w;
    w.map(6);
    w.bulk('flags');
    const flags = u.flags();
    w.set(flags.length);
    for (const f of flags) w.bulk(f);
    w.bulk('passwords');
    w.bulkArray([...u.passwords]);
    writeSelector(c, u.root);
    w.bulk('selectors');
    w.array(u.selectors.length - 1);
    for (const s of u.selectors.slice(1)) {
      w.map(3);
      writeSelector(c, s);
    }
  };

  const list = (c: Session): void => {
    const users = store.list();
    c.w.array(users.length);
    for (const u of users) c.w.bulk(`user ${u.name} ${u.describe(store.catalog)}`);
  };

  const cat = (c: Session, argv: string[]): void => {
    if (argv.length > 3) return c.w.error(Err.subcommandSyntax(argv[1], 'ACL'));
    if (argv.length === 2) return c.w.bulkArray(ACL_CATEGORY_ORDER);
    const members = store.catalog.category(argv[2]);
    if (members === undefined) return c.w.error(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
    c.w.bulkArray(members.map((m) => m.fullName));
  };

  const genpass = (c: Session, argv: string[]): void => {
    if (argv.length > 3) return c.w.error(Err.subcommandSyntax(argv[1], 'ACL'));
    let bits = 256;
    if (argv.length === 3) {
      const n = parseInt64(argv[2]);
      if (n === null) return c.w.error(Err.notInteger);
      if (n <= 0 || n > GENPASS_MAX_BITS)
        return c.w.error(
          `ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`,
        );
      bits = Number(n);
    }
    const chars = Math.floor((bits + 3) / 4);
    c.w.bulk(
      randomBytes(Math.ceil(chars / 2))
        .toString('hex')
        .slice(0, chars),
    );
  };

  const log = (c: Session, argv: string[]): void => {
    if (argv.length > 3) return c.w.error(Err.subcommandSyntax(argv[1], 'ACL'));
    let count = 10;
    if (argv.length === 3) {
      if (argv[2].toLowerCase() === 'reset') {
        store.log.reset();
        return c.w.ok();
      }
      const n = parseInt64(argv[2]);
      if (n === null) return c.w.error(Err.notInteger);
      count = n < 0 ? 0 : Number(n);
    }
    const entries = store.log.entries.slice(0, count);
    const now = Date.now();
    const w = c.w;
    w.array(entries.length);
    for (const e of entries) {
      w.map(7);
      w.bulk('count');
      w.integer(e.count);
      w.bulk('reason');
      w.bulk(e.reason);
      w.bulk('context');
      w.bulk(e.context);
      w.bulk('object');
      w.bulk(e.object);
      w.bulk('username');
      w.bulk(e.username);
      w.bulk('age-seconds');
      w.double(formatScore((now - e.time) / 1000));
      w.bulk('client-info');
      w.bulk(e.clientInfo);
    }
  };

  const dryrun = (c: Session, argv: string[]): void => {
    const u = store.get(argv[2]);
    if (u === undefined) return c.w.error(`ERR User '${argv[2]}' not found`);
    const cmdArgv = argv.slice(3);
    const cmd = c.server.commands.resolve(cmdArgv);
    if (cmd === undefined || (cmd.subcommands !== null && cmdArgv.length >= 2)) return c.w.error(`ERR Command '${argv[3]}' not found`);
    if ((cmd.arity > 0 && cmd.arity !== cmdArgv.length) || cmdArgv.length < -cmd.arity)
      return c.w.error(`ERR wrong number of arguments for '${cmd.fullName}' command`);
    const denied = store.dryRun(u, cmd, cmdArgv);
    if (denied === null) c.w.ok();
    else c.w.bulk(denied);
  };

  const fileCommand = (c: Session, run: (file: string) => void): void => {
    const file = host.aclfile();
    if (file === '') return c.w.error(NO_ACLFILE);
    run(file);
  };

  return {
    name: 'acl',
    commands: [
      {
        name: 'acl',
        arity: -2,
        flags: [],
        group: 'server',
        summary: 'A container for Access List Control commands',
        since: '6.0.0',
        complexity: 'Depends on subcommand.',
        subcommands: [
          sub('cat', -2, plain, 'List the ACL categories or the commands inside a category', cat),
          sub('deluser', -3, admin, 'Remove the specified ACL users and the associated rules', deluser),
          {
            ...sub('dryrun', -4, admin, 'Returns whether the user can execute the given command without executing the command.', dryrun),
            since: '7.0.0',
          },
          sub('genpass', -2, plain, 'Generate a pseudorandom secure password to use for ACL users', genpass),
          sub('getuser', 3, admin, 'Get the rules for a specific ACL user', getuser),
          sub('list', 2, admin, 'List the current ACL rules in ACL config file format', list),
          sub('load', 2, admin, 'Reload the ACLs from the configured ACL file', (c) =>
            fileCommand(c, (file) => {
              const errors = loadAclFile(store, file, host.connection(c));
              if (errors === null) c.w.ok();
              else c.w.error('ERR ' + errors);
            }),
          ),
          sub('log', -2, admin, 'List latest events denied because of ACLs in place', log),
          sub('save', 2, admin, 'Save the current ACL rules in the configured ACL file', (c) =>
            fileCommand(c, (file) => {
              if (saveAclFile(store, file)) return c.w.ok();
              logger.warn(`Writing the ACL file ${file} for ACL SAVE failed`);
              c.w.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
            }),
          ),
          {
            ...sub('setuser', -3, admin, 'Modify or create the rules for a specific ACL user', setuser),
            // Every argument after SETUSER is hidden from the slow log and MONITOR (passwords, rules), as Redis redacts them.
            redact: (argv) => argv.map((_, i) => i).filter((i) => i >= 2),
          },
          sub('users', 2, admin, 'List the username of all the configured ACL rules', (c) =>
            c.w.bulkArray(store.list().map((u) => u.name)),
          ),
          sub('whoami', 2, plain, 'Return the name of the user associated to the current connection', (c) =>
            c.w.bulk(host.connection(c).aclUser.name),
          ),
          helpSubcommand('server', '6.0.0', HELP),
        ],
      },
    ],
  };
}
