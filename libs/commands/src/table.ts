import type { Session } from './context.js';
import { redisReference, sortAclCategories } from './command-info.js';
import type { RefMap, RefValue } from './reference/types.js';
import type { LatencyHistogram } from './latency-histogram.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_multi'
  | 'allow_busy'
  // Refused while a replica loads its master's data in the background (SAVE, BGSAVE, SYNC...): Brook has no async loading yet.
  | 'no_async_loading';

export type Handler = (c: Session, argv: string[]) => void;

/**
 * A command is data plus a handler. COMMAND, ACL categories, MULTI queuing, key extraction and
 * (later) cluster slot checks all read this one declaration.
 */
export interface CommandSpec {
  /** Lower-case name; for a subcommand just the subcommand (e.g. 'setname'). */
  name: string;
  /** Redis arity: exact count when positive, minimum count when negative (the name counts). */
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions: first, last (negative counts from the end), step. 0,0,0 = no keys. */
  keys?: readonly [number, number, number];
  /** Docs group: string, generic, connection, server, bitmap, ... */
  group: string;
  summary: string;
  since: string;
  complexity?: string;
  /** ACL categories beyond those derived from flags and group, without '@'. */
  acl?: readonly string[];
  handler?: Handler;
  subcommands?: readonly CommandSpec[];
  /** Key extractor for commands whose keys are not a simple range (e.g. numkeys-based). */
  getKeys?: (argv: readonly string[]) => number[];
  /**
   * With getKeys: which key spec (its index) gives the flags of the key at argv position `pos`;
   * without it, the first. Redis's extractors set each key's flags (SORT's STORE key: OW update).
   */
  keySpecAt?: (pos: number) => number;
  /**
   * For a key spec flagged variable_flags: the flags the key has in this call (what Redis's
   * getkeys_proc reports, e.g. SET's key is RW access only with GET, else OW).
   */
  keyFlags?: (argv: readonly string[]) => readonly string[];
  /**
   * COMMAND INFO/DOCS extras in Redis's reply shapes (see reference/types.ts). Built-in commands
   * get Redis 7.0's own from reference/redis-commands.ts; set these only to differ or for new commands.
   */
  keySpecs?: readonly RefValue[];
  tips?: readonly string[];
  /** COMMAND DOCS fields beyond summary/since/group/complexity (doc_flags, history, arguments...). */
  docs?: RefMap;
  /** Positions of secret arguments slowlog and MONITOR show as '(redacted)' (AUTH's password), as Redis's redactClientCommandArgument. */
  redact?: (argv: readonly string[]) => readonly number[];
  /** Module name for commands added by @Command providers (COMMAND DOCS, COMMAND LIST FILTERBY MODULE). */
  module?: string;
}

/**
 * The positional spec builder of one command group, so a family's table reads one command per
 * call: cmd(name, arity, flags, keys, summary, since, complexity, handler[, getKeys]).
 */
export function specMaker(group: string) {
  return (
    name: string,
    arity: number,
    flags: CommandSpec['flags'],
    keys: readonly [number, number, number],
    summary: string,
    since: string,
    complexity: string,
    handler: Handler,
    getKeys?: CommandSpec['getKeys'],
  ): CommandSpec => ({ name, arity, flags, keys, group, summary, since, complexity, handler, ...(getKeys ? { getKeys } : {}) });
}

/** A command as resolved for dispatch (container commands carry their subcommand map). */
export interface Command {
  readonly spec: CommandSpec;
  /** 'get', or 'client|setname' for a subcommand. */
  readonly fullName: string;
  readonly parent: Command | null;
  readonly handler: Handler | undefined;
  readonly arity: number;
  readonly isWrite: boolean;
  /** Flag denyoom: refused while memory is over maxmemory and nothing can be evicted. */
  readonly denyOom: boolean;
  readonly subcommands: Map<string, Command> | null;
  readonly aclCategories: readonly string[];
  stats: CommandStats;
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Durations while latency-tracking is on (LATENCY HISTOGRAM, INFO latencystats); made on the first call, as Redis's. */
  latency: LatencyHistogram | null;
}

const GROUP_CATEGORY: Record<string, string> = {
  string: 'string',
  generic: 'keyspace',
  bitmap: 'bitmap',
  list: 'list',
  hash: 'hash',
  set: 'set',
  sorted_set: 'sortedset',
  stream: 'stream',
  pubsub: 'pubsub',
  connection: 'connection',
  hyperloglog: 'hyperloglog',
  geo: 'geo',
  transactions: 'transaction',
  scripting: 'scripting',
};

/** ACL categories the way Redis derives them: from flags, then the command's group. */
export function aclCategoriesOf(spec: CommandSpec): string[] {
  const cats: string[] = [];
  const f = new Set(spec.flags);
  if (f.has('write')) cats.push('write');
  if (f.has('readonly') && spec.group !== 'scripting') cats.push('read');
  if (f.has('admin')) cats.push('admin', 'dangerous');
  if (f.has('pubsub')) cats.push('pubsub');
  if (f.has('fast')) cats.push('fast');
  if (f.has('blocking')) cats.push('blocking');
  if (!f.has('fast')) cats.push('slow');
  const g = GROUP_CATEGORY[spec.group];
  if (g && !cats.includes(g)) cats.push(g);
  for (const c of spec.acl ?? []) if (!cats.includes(c)) cats.push(c);
  return cats;
}

function newStats(): CommandStats {
  return { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, latency: null };
}

/**
 * The command table: name → Command, with each name stored in lower and upper case so the hot
 * path finds `GET` and `get` without lower-casing.
 */
export class CommandTable {
  /** The names clients call commands by (rename-command changes these). */
  private readonly byName = new Map<string, Command>();
  /** The commands' own names, which ACL rules use whatever the renames (Redis's orig_commands). */
  private readonly byOriginalName = new Map<string, Command>();
  private readonly all: Command[] = [];
  /** Commands renamed to "": in the table for ACL, not callable, not listed by COMMAND. */
  private readonly disabled = new Set<Command>();

  register(spec: CommandSpec): Command {
    const cmd = build(spec, null);
    const name = spec.name.toLowerCase();
    if (this.byOriginalName.has(name) || this.byName.has(name)) throw new Error(`command '${name}' is already registered`);
    this.byOriginalName.set(name, cmd);
    this.setName(name, cmd);
    this.all.push(cmd);
    return cmd;
  }

  private setName(name: string, cmd: Command): void {
    this.byName.set(name, cmd);
    this.byName.set(name.toUpperCase(), cmd);
  }

  /**
   * rename-command: the command called `from` is called `to` from now on (its replies and COMMAND
   * still give its own name), or no longer callable when `to` is "". Returns Redis's error text.
   */
  rename(from: string, to: string): string | null {
    const old = from.toLowerCase();
    const cmd = this.byName.get(old);
    if (cmd === undefined) return 'No such command in rename-command';
    this.byName.delete(old);
    this.byName.delete(old.toUpperCase());
    if (to === '') {
      this.disabled.add(cmd);
      return null;
    }
    if (this.byName.has(to.toLowerCase())) return 'Target command name already exists';
    this.setName(to.toLowerCase(), cmd);
    return null;
  }

  /** A command by its own name, renamed or not (ACL rules). */
  lookupOriginal(name: string): Command | undefined {
    return this.byOriginalName.get(name.toLowerCase());
  }

  /** The commands clients can call, in table order (COMMAND, COMMAND COUNT/LIST/DOCS). */
  served(): readonly Command[] {
    return this.disabled.size === 0 ? this.all : this.all.filter((c) => !this.disabled.has(c));
  }

  registerAll(specs: readonly CommandSpec[]): void {
    for (const s of specs) this.register(s);
  }

  /** Hot-path lookup: exact match first, lower-casing only for mixed case. */
  lookup(name: string): Command | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** Resolves a command and, for containers, its subcommand (`CLIENT SETNAME` → client|setname). */
  resolve(argv: readonly string[]): Command | undefined {
    const cmd = this.lookup(argv[0]);
    if (!cmd || !cmd.subcommands || argv.length < 2) return cmd;
    return cmd.subcommands.get(argv[1].toLowerCase()) ?? cmd;
  }

  /** Every command registered, callable or not (the ACL catalog, INFO commandstats). */
  commands(): readonly Command[] {
    return this.all;
  }

  get size(): number {
    return this.all.length;
  }

  resetStats(): void {
    for (const c of this.all) {
      c.stats = newStats();
      if (c.subcommands) for (const s of c.subcommands.values()) s.stats = newStats();
    }
  }
}

function build(spec: CommandSpec, parent: Command | null): Command {
  const fullName = parent ? `${parent.fullName}|${spec.name}` : spec.name;
  const cmd: Command = {
    spec,
    fullName,
    parent,
    handler: spec.handler,
    arity: spec.arity,
    isWrite: spec.flags.includes('write'),
    denyOom: spec.flags.includes('denyoom'),
    subcommands: null,
    // Redis's declared categories for its own commands; derived ones for Brook's additions.
    aclCategories: sortAclCategories(redisReference(spec, fullName)?.acl ?? aclCategoriesOf(spec)),
    stats: newStats(),
  };
  if (spec.subcommands) {
    const subs = new Map<string, Command>();
    for (const s of spec.subcommands) subs.set(s.name.toLowerCase(), build(s, cmd));
    (cmd as { subcommands: Map<string, Command> | null }).subcommands = subs;
  }
  return cmd;
}
