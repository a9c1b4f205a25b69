import { encodeString } from '@brook/storage';
import type { Command, CommandSpec } from './table.js';
import type { Session, ShutdownMode } from './context.js';
import { Err } from './errors.js';
import { is, parseFloatArg, parseInt64 } from './args.js';
import { globMatch } from './glob.js';
import { commandKeys, keySpecsOf, writeCommandDocs, writeCommandInfo } from './command-info.js';
import { helpSubcommand, replyHelp } from './reply.js';
import type { CommandFamily, DebugSubcommand } from './family.js';
import { param } from './config-param.js';

// ---- COMMAND ------------------------------------------------------------------------------------

/** COMMAND with no subcommand: every command's COMMAND INFO entry. */
function command(c: Session): void {
  const all = c.server.commands.served();
  c.w.array(all.length);
  for (const cmd of all) writeCommandInfo(c.w, cmd);
}

function commandCount(c: Session): void {
  c.w.integer(c.server.commands.served().length);
}

/** Finds a command or subcommand by name, accepting 'client|kill' full names as Redis does. */
function findCommand(c: Session, name: string): Command | undefined {
  const bar = name.indexOf('|');
  const cmd = c.server.commands.lookup(bar < 0 ? name : name.slice(0, bar));
  if (bar < 0 || cmd === undefined) return cmd;
  return cmd.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

function commandInfo(c: Session, argv: string[]): void {
  if (argv.length === 2) return command(c);
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const cmd = findCommand(c, argv[i]);
    if (cmd) writeCommandInfo(c.w, cmd);
    else c.w.nil();
  }
}

/** COMMAND DOCS [name...]: a map of name → docs; unknown names are left out. */
function commandDocs(c: Session, argv: string[]): void {
  const found: Command[] = [];
  if (argv.length === 2) found.push(...c.server.commands.served());
  for (let i = 2; i < argv.length; i++) {
    const cmd = findCommand(c, argv[i]);
    if (cmd) found.push(cmd);
  }
  c.w.map(found.length);
  for (const cmd of found) {
    c.w.bulk(cmd.fullName);
    writeCommandDocs(c.w, cmd);
  }
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: names and subcommand full names. */
function commandList(c: Session, argv: string[]): void {
  let match: (cmd: Command) => boolean = () => true;
  if (argv.length === 5 && is(argv[2], 'FILTERBY')) {
    const arg = argv[4];
    if (is(argv[3], 'MODULE')) match = (cmd) => cmd.spec.group === 'module' && cmd.spec.module === arg;
    else if (is(argv[3], 'ACLCAT')) match = (cmd) => cmd.aclCategories.includes(arg.toLowerCase());
    else if (is(argv[3], 'PATTERN')) match = (cmd) => globMatch(arg, cmd.fullName, true);
    else return c.w.error(Err.syntax);
  } else if (argv.length !== 2) {
    return c.w.error(Err.syntax);
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.served()) {
    if (match(cmd)) names.push(cmd.fullName);
    for (const sub of cmd.subcommands?.values() ?? []) if (match(sub)) names.push(sub.fullName);
  }
  c.w.bulkArray(names);
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS <full command>: the keys the command would access. */
function getKeys(c: Session, argv: string[], withFlags: boolean): void {
  const target = argv.slice(2);
  let cmd = c.server.commands.lookup(target[0]);
  if (cmd?.subcommands && target.length >= 2) cmd = cmd.subcommands.get(target[1].toLowerCase());
  if (!cmd) return c.w.error(Err.getkeysInvalidCommand);
  if (keySpecsOf(cmd).length === 0 && !cmd.spec.getKeys) return c.w.error(Err.getkeysNoKeys);
  const arity = cmd.arity;
  if ((arity > 0 && arity !== target.length) || target.length < -arity) return c.w.error(Err.getkeysBadArity);
  const keys = commandKeys(cmd, target);
  if (keys === null || keys.length === 0) {
    if (cmd.spec.flags.includes('no_mandatory_keys')) return c.w.array(0);
    return c.w.error(Err.getkeysInvalidArgs);
  }
  c.w.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      c.w.bulk(target[k.pos]);
      continue;
    }
    c.w.array(2);
    c.w.bulk(target[k.pos]);
    c.w.set(k.flags.length);
    for (const f of k.flags) c.w.simple(f);
  }
}

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

// ---- INFO, TIME -------------------------------------------------------------------------------

/** INFO [section...]: a verbatim string in RESP3, a bulk string in RESP2. */
function info(c: Session, argv: string[]): void {
  const sections: string[] = [];
  for (let i = 1; i < argv.length; i++) sections.push(argv[i].toLowerCase());
  c.w.verbatim(c.server.info(sections));
}

function time(c: Session): void {
  const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  c.w.array(2);
  c.w.bulk(String(us / 1000000n));
  c.w.bulk(String(us % 1000000n));
}

// ---- CONFIG -------------------------------------------------------------------------------------

/** CONFIG GET pattern [pattern...]: a map of parameter → value. */
function configGet(c: Session, argv: string[]): void {
  const pairs = c.server.config.get(argv.slice(2));
  c.w.map(pairs.length);
  for (const [k, v] of pairs) {
    c.w.bulk(k);
    c.w.bulk(v);
  }
}

/** CONFIG SET name value [name value...]: all or nothing; rebinding replies once it is done. */
function configSet(c: Session, argv: string[]): void {
  if (argv.length % 2 !== 0) return c.w.error(Err.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const r = c.server.config.set(pairs, c.isLocal);
  if (r instanceof Promise) {
    c.defer(r.then((err) => (err === null ? c.w.ok() : c.w.error(err))));
  } else if (r === null) c.w.ok();
  else c.w.error(r);
}

function configResetstat(c: Session): void {
  c.server.resetStats();
  c.w.ok();
}

function configRewrite(c: Session): void {
  const err = c.server.config.rewrite();
  if (err === null) c.w.ok();
  else c.w.error(err);
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

// ---- DEBUG --------------------------------------------------------------------------------------

/** DEBUG SLEEP seconds: stops the whole server, like Redis (decimals allowed, bad input is 0). */
function debugSleep(c: Session, args: string[]): void {
  const seconds = parseFloatArg(args[0]) ?? 0;
  const ms = Math.max(0, seconds * 1000);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  c.w.ok();
}

/**
 * DEBUG POPULATE count [prefix] [size]: creates prefix:N = "value:N" (cut or zero-padded to
 * size bytes) for N in 0..count-1, skipping existing keys; not propagated.
 */
function debugPopulate(c: Session, args: string[]): void {
  const count = parseInt64(args[0]);
  if (count === null || count < 0) return c.w.error(Err.notPositive);
  const prefix = args.length > 1 ? args[1] : 'key';
  let size = 0;
  if (args.length > 2) {
    const s = parseInt64(args[2]);
    if (s === null || s < 0) return c.w.error(Err.notPositive);
    size = Number(s);
  }
  const db = c.db;
  const n = Number(count);
  for (let j = 0; j < n; j++) {
    const key = `${prefix}:${j}`;
    if (db.get(key) !== undefined) continue;
    let value = `value:${j}`;
    if (size > 0) value = size <= value.length ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.set(key, encodeString(value));
  }
  c.propagated = true;
  c.w.ok();
}

const debugPopulateSub: DebugSubcommand = {
  name: 'populate',
  args: [1, 3],
  help: [
    'POPULATE <count> [<prefix>] [<size>]',
    '    Create <count> string keys named key:<num>. If <prefix> is specified then',
    "    it is used instead of the 'key' prefix. These are not propagated to",
    '    replicas. Cluster slots are not respected so keys not belonging to the',
    '    current node can be created in cluster mode.',
  ],
  handler: debugPopulate,
};

const debugSleepSub: DebugSubcommand = {
  name: 'sleep',
  args: [1, 1],
  help: ['SLEEP <seconds>', '    Stop the server for <seconds>. Decimals allowed.'],
  handler: debugSleep,
};

function debug(c: Session, argv: string[]): void {
  const allowed = c.server.config.value('enable-debug-command');
  if (allowed === 'no' || (allowed === 'local' && !c.isLocal)) return c.w.error(Err.debugNotAllowed);
  if (argv.length === 2 && is(argv[1], 'HELP')) {
    const lines: string[] = [];
    for (const name of c.server.debugSubcommandNames().sort()) lines.push(...c.server.debugSubcommand(name)!.help);
    return replyHelp(c.w, argv[0], lines);
  }
  const sub = c.server.debugSubcommand(argv[1].toLowerCase());
  const nargs = argv.length - 2;
  if (!sub || nargs < sub.args[0] || nargs > sub.args[1]) return c.w.error(Err.subcommandSyntax(argv[1], 'DEBUG'));
  sub.handler(c, argv.slice(2));
}

// ---- SHUTDOWN -----------------------------------------------------------------------------------

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: on success there is no reply, the server exits. */
function shutdown(c: Session, argv: string[]): void {
  let save = false;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (is(a, 'NOSAVE')) nosave = true;
    else if (is(a, 'SAVE')) save = true;
    else if (is(a, 'NOW')) now = true;
    else if (is(a, 'FORCE')) force = true;
    else if (is(a, 'ABORT')) abort = true;
    else return c.w.error(Err.syntax);
  }
  if ((abort && (save || nosave || now || force)) || (save && nosave)) return c.w.error(Err.syntax);
  // Brook's shutdown is immediate, so there is never one in progress to abort.
  if (abort) return c.w.error(Err.noShutdownInProgress);
  const mode: ShutdownMode = { save: save ? 'save' : nosave ? 'nosave' : 'default', now, force };
  const err = c.server.shutdown(mode);
  if (err !== null) c.w.error(err);
}

// ---- table --------------------------------------------------------------------------------------

const SERVER_FLAGS: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];
const LOADING_STALE: CommandSpec['flags'] = ['loading', 'stale'];

export const serverCommands: CommandSpec[] = [
  {
    name: 'command',
    arity: -1,
    flags: LOADING_STALE,
    group: 'server',
    summary: 'Get array of Redis command details',
    since: '2.8.13',
    complexity: 'O(N) where N is the total number of Redis commands',
    handler: command,
    subcommands: [
      {
        name: 'info',
        arity: -2,
        flags: LOADING_STALE,
        group: 'server',
        since: '2.8.13',
        summary: 'Get array of specific Redis command details, or all when no argument is given.',
        complexity: 'O(N) where N is the number of commands to look up',
        handler: commandInfo,
      },
      {
        name: 'getkeysandflags',
        arity: -4,
        flags: LOADING_STALE,
        group: 'server',
        since: '7.0.0',
        summary: 'Extract keys and access flags given a full Redis command',
        complexity: 'O(N) where N is the number of arguments to the command',
        handler: (c, argv) => getKeys(c, argv, true),
      },
      {
        name: 'docs',
        arity: -2,
        flags: LOADING_STALE,
        group: 'server',
        since: '7.0.0',
        summary: 'Get array of specific Redis command documentation',
        complexity: 'O(N) where N is the number of commands to look up',
        handler: commandDocs,
      },
      {
        name: 'getkeys',
        arity: -4,
        flags: LOADING_STALE,
        group: 'server',
        since: '2.8.13',
        summary: 'Extract keys given a full Redis command',
        complexity: 'O(N) where N is the number of arguments to the command',
        handler: (c, argv) => getKeys(c, argv, false),
      },
      {
        name: 'count',
        arity: 2,
        flags: LOADING_STALE,
        group: 'server',
        since: '2.8.13',
        summary: 'Get total number of Redis commands',
        complexity: 'O(1)',
        handler: commandCount,
      },
      {
        name: 'list',
        arity: -2,
        flags: LOADING_STALE,
        group: 'server',
        since: '7.0.0',
        summary: 'Get an array of Redis command names',
        complexity: 'O(N) where N is the total number of Redis commands',
        handler: commandList,
      },
      helpSubcommand('server', '5.0.0', COMMAND_HELP),
    ],
  },
  {
    name: 'info',
    arity: -1,
    flags: LOADING_STALE,
    group: 'server',
    summary: 'Get information and statistics about the server',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: info,
  },
  {
    name: 'time',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    group: 'server',
    summary: 'Return the current server time',
    since: '2.6.0',
    complexity: 'O(1)',
    handler: time,
  },
  {
    name: 'config',
    arity: -2,
    flags: [],
    group: 'server',
    summary: 'A container for server configuration commands',
    since: '2.0.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'rewrite',
        arity: 2,
        flags: SERVER_FLAGS,
        group: 'server',
        since: '2.8.0',
        summary: 'Rewrite the configuration file with the in memory configuration',
        complexity: 'O(1)',
        handler: configRewrite,
      },
      {
        name: 'get',
        arity: -3,
        flags: SERVER_FLAGS,
        group: 'server',
        since: '2.0.0',
        summary: 'Get the values of configuration parameters',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        handler: configGet,
      },
      {
        name: 'set',
        arity: -4,
        flags: SERVER_FLAGS,
        group: 'server',
        since: '2.0.0',
        summary: 'Set configuration parameters to the given values',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        handler: configSet,
      },
      helpSubcommand('server', '5.0.0', CONFIG_HELP),
      {
        name: 'resetstat',
        arity: 2,
        flags: SERVER_FLAGS,
        group: 'server',
        since: '2.0.0',
        summary: 'Reset the stats returned by INFO',
        complexity: 'O(1)',
        handler: configResetstat,
      },
    ],
  },
  {
    name: 'debug',
    arity: -2,
    flags: SERVER_FLAGS,
    group: 'server',
    summary: 'A container for debugging commands',
    since: '1.0.0',
    complexity: 'Depends on subcommand.',
    handler: debug,
  },
  {
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    group: 'server',
    summary: 'Synchronously save the dataset to disk and then shut down the server',
    since: '1.0.0',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    handler: shutdown,
  },
];

/** The server family: its commands, and DEBUG's own subcommands registered on each server installing it. */
export const serverFamily: CommandFamily = {
  name: 'server',
  commands: serverCommands,
  // Who may run DEBUG: fixed at start, as in Redis (a protected config).
  params: [param.enum('enable-debug-command', 'local', ['no', 'yes', 'local'], { mutable: false })],
  install(ctx) {
    ctx.addDebugSubcommand(debugPopulateSub);
    ctx.addDebugSubcommand(debugSleepSub);
  },
};
