import { ACL_CATEGORY_ORDER, commandKeys, globMatch, type Command, type CommandTable } from '@brook/commands';

/** Why a rule was refused: Redis's ACLSetUser errno, turned into its text by ruleErrorText. */
export type RuleError = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD' | 'EALREADY';

export class RuleFailure extends Error {
  constructor(readonly code: RuleError) {
    super(code);
  }
}

/** Redis's ACLSetUserStringError texts. */
export function ruleErrorText(code: RuleError): string {
  switch (code) {
    case 'ENOENT':
      return 'Unknown command or category name in ACL';
    case 'EINVAL':
      return 'Syntax error';
    case 'EEXIST':
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR':
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV':
      return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG':
      return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY':
      return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD':
      return 'Allowing first-arg of a subcommand is not supported';
  }
}

/** Key pattern permissions (%R~, %W~, ~ = both). */
export const READ = 1;
export const WRITE = 2;
const ALL_PERMS = READ | WRITE;

/** ACL check results in Redis's order of relevance (ACL_DENIED_CMD < KEY < CHANNEL). */
export const enum Denied {
  None = 0,
  Command = 1,
  Key = 2,
  Channel = 4,
}

/** Where a denial points: the argv index of the key or channel (0 for a command denial). */
export interface CheckResult {
  denied: Denied;
  pos: number;
}

/**
 * The commands ACL rules range over: every command and subcommand of the table, in table order,
 * with the members of each category (Redis's orig_commands and ACLCommandCategories). Module
 * commands are never part of a category, as in Redis.
 */
export class CommandCatalog {
  readonly all: Command[] = [];
  private readonly byCategory = new Map<string, Command[]>();

  constructor(private readonly table: CommandTable) {
    for (const cat of ACL_CATEGORY_ORDER) this.byCategory.set(cat, []);
    for (const cmd of table.commands()) {
      this.add(cmd);
      if (cmd.subcommands) for (const s of cmd.subcommands.values()) this.add(s);
    }
  }

  private add(cmd: Command): void {
    this.all.push(cmd);
    if (cmd.spec.group === 'module') return;
    for (const cat of cmd.aclCategories) this.byCategory.get(cat)?.push(cmd);
  }

  /** Members of a category (case-insensitive name), or undefined for an unknown one. */
  category(name: string): readonly Command[] | undefined {
    return this.byCategory.get(name.toLowerCase());
  }

  /** ACLLookupCommand: 'get' or 'client|kill', case-insensitive; a name with more than one '|' is unknown. */
  lookup(name: string): Command | undefined {
    const parts = name.split('|');
    if (parts.length > 2) return undefined;
    const cmd = this.table.lookupOriginal(parts[0]);
    if (cmd === undefined || parts.length === 1) return cmd;
    return cmd.subcommands?.get(parts[1].toLowerCase());
  }
}

/** Redis's ACLStringHasSpaces: isspace() or NUL anywhere. */
export function hasSpaces(s: string): boolean {
  return /[\s\0\v]/.test(s);
}

/**
 * One set of permissions (Redis's aclSelector): commands, key patterns, channel patterns. A user
 * has a root selector and any number of extra ones; a command runs when one selector allows it.
 */
export class Selector {
  allKeys = false;
  allChannels = false;
  /** Every command, including those added later (Redis's ALLCOMMANDS flag). */
  allCommands = false;
  /** The reserved "future commands" bit: set by +@all, cleared only by -@all (ACL LIST starts with +@all). */
  future = false;
  readonly allowed = new Set<Command>();
  /** +select|0: first arguments allowed for a command that is otherwise denied. */
  readonly firstArgs = new Map<Command, string[]>();
  /** Key pattern → its %R/%W flags, in the order added (Maps and Sets keep rule lists linear to apply). */
  readonly keys = new Map<string, number>();
  readonly channels = new Set<string>();

  constructor(
    readonly root: boolean,
    allChannels: boolean,
  ) {
    this.allChannels = allChannels;
  }

  copy(): Selector {
    const s = new Selector(this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.future = this.future;
    for (const c of this.allowed) s.allowed.add(c);
    for (const [c, args] of this.firstArgs) s.firstArgs.set(c, [...args]);
    for (const [k, f] of this.keys) s.keys.set(k, f);
    for (const c of this.channels) s.channels.add(c);
    return s;
  }

  get unrestricted(): boolean {
    return this.allCommands && this.allKeys && this.allChannels;
  }

  /** Redis's ACLSetSelector: applies one rule or throws a RuleFailure. */
  apply(op: string, catalog: CommandCatalog): void {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.keys.clear();
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.keys.clear();
    } else if (lower === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels.clear();
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels.clear();
    } else if (lower === 'allcommands' || lower === '+@all') {
      for (const c of catalog.all) this.allowed.add(c);
      this.allCommands = true;
      this.future = true;
      this.firstArgs.clear();
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.clear();
      this.allCommands = false;
      this.future = false;
      this.firstArgs.clear();
    } else if (op[0] === '~' || op[0] === '%') {
      this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) throw new RuleFailure('EISDIR');
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) throw new RuleFailure('EINVAL');
      this.channels.add(pattern);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      this.allowCommand(op.slice(1), catalog);
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = catalog.lookup(op.slice(1));
      if (cmd === undefined) throw new RuleFailure('ENOENT');
      this.change(cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const members = catalog.category(op.slice(2));
      if (members === undefined) throw new RuleFailure('ENOENT');
      for (const cmd of members) this.change(cmd, op[0] === '+');
    } else {
      throw new RuleFailure('EINVAL');
    }
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new RuleFailure('EEXIST');
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const ch = op[offset].toUpperCase();
        if (ch === 'R' && !(flags & READ)) flags |= READ;
        else if (ch === 'W' && !(flags & WRITE)) flags |= WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else throw new RuleFailure('EINVAL');
      }
    } else flags = ALL_PERMS;
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw new RuleFailure('EINVAL');
    this.keys.set(pattern, (this.keys.get(pattern) ?? 0) | flags);
    this.allKeys = false;
  }

  /** +cmd, +container|sub, or +cmd|firstarg (a deprecated misuse Redis still accepts). */
  private allowCommand(name: string, catalog: CommandCatalog): void {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = catalog.lookup(name);
      if (cmd === undefined) throw new RuleFailure('ENOENT');
      return this.change(cmd, true);
    }
    const cmd = catalog.lookup(name.slice(0, bar));
    if (cmd === undefined) throw new RuleFailure('ENOENT');
    if (cmd.parent !== null) throw new RuleFailure('ECHILD');
    const sub = name.slice(bar + 1);
    if (sub === '') throw new RuleFailure('EINVAL');
    if (cmd.subcommands !== null) {
      const subcmd = catalog.lookup(name);
      if (subcmd === undefined) throw new RuleFailure('ENOENT');
      return this.change(subcmd, true);
    }
    const args = this.firstArgs.get(cmd) ?? [];
    if (!args.some((a) => a.toLowerCase() === sub.toLowerCase())) args.push(sub);
    this.firstArgs.set(cmd, args);
  }

  /** ACLChangeSelectorPerm: a container's rule covers its subcommands too. */
  change(cmd: Command, allow: boolean): void {
    this.setBit(cmd, allow);
    this.firstArgs.delete(cmd);
    if (cmd.subcommands) for (const s of cmd.subcommands.values()) this.setBit(s, allow);
  }

  private setBit(cmd: Command, allow: boolean): void {
    if (allow) this.allowed.add(cmd);
    else {
      this.allowed.delete(cmd);
      this.allCommands = false;
    }
  }

  /** ACLSelectorCheckCmd: the command, then its keys, then its channels. */
  check(cmd: Command, argv: readonly string[]): CheckResult {
    if (!this.allCommands && !cmd.spec.flags.includes('no_auth') && !this.allowed.has(cmd)) {
      const args = this.firstArgs.get(cmd);
      const idx = cmd.parent ? 2 : 1;
      if (args === undefined || argv.length < 2 || !args.some((a) => a.toLowerCase() === argv[idx]?.toLowerCase()))
        return { denied: Denied.Command, pos: 0 };
    }
    if (!this.allKeys) {
      for (const k of commandKeys(cmd, argv) ?? []) {
        if (!this.keyAllowed(argv[k.pos], keyAccess(k.flags))) return { denied: Denied.Key, pos: k.pos };
      }
    }
    if (!this.allChannels) {
      for (const ch of commandChannels(cmd, argv)) {
        if (!this.channelAllowed(argv[ch.pos], ch.pattern)) return { denied: Denied.Channel, pos: ch.pos };
      }
    }
    return { denied: Denied.None, pos: 0 };
  }

  private keyAllowed(key: string, access: number): boolean {
    for (const [pattern, flags] of this.keys) {
      if ((flags & access) === access && globMatch(pattern, key)) return true;
    }
    return false;
  }

  /** A PSUBSCRIBE pattern must equal an ACL pattern literally; a channel name is matched against them. */
  channelAllowed(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    if (isPattern) return this.channels.has(channel);
    for (const p of this.channels) if (globMatch(p, channel)) return true;
    return false;
  }

  /** ACL LIST's text of this selector: keys, channels, then the command rules. */
  describe(catalog: CommandCatalog): string {
    let out = '';
    if (this.allKeys) out += '~* ';
    else for (const [k, f] of this.keys) out += patternString(k, f) + ' ';
    if (this.allChannels) out += '&* ';
    else {
      out += 'resetchannels ';
      for (const c of this.channels) out += '&' + c + ' ';
    }
    return out + this.describeCommands(catalog);
  }

  keysText(): string {
    return this.allKeys ? '~*' : [...this.keys].map(([k, f]) => patternString(k, f)).join(' ');
  }

  channelsText(): string {
    return this.allChannels ? '&*' : [...this.channels].map((c) => '&' + c).join(' ');
  }

  /**
   * Redis's ACLDescribeSelectorCommandRules: +@all or -@all, then the categories that best fit
   * what is allowed (greedy, in category order), then single commands to make up the difference.
   * Redis lists those single commands in its command dictionary's order; Brook in table order.
   */
  describeCommands(catalog: CommandCatalog): string {
    const additive = !this.future;
    const rules: string[] = [additive ? '-@all' : '+@all'];
    const fake = new Selector(false, false);
    fake.apply(additive ? '-@all' : '+@all', catalog);
    const temp = new Set(this.allowed);
    const applied = new Set<string>();
    for (;;) {
      let best: string | null = null;
      let minDiff = Number.MAX_SAFE_INTEGER;
      let maxSame = 0;
      for (const cat of ACL_CATEGORY_ORDER) {
        if (applied.has(cat)) continue;
        let on = 0;
        let off = 0;
        for (const cmd of catalog.category(cat) ?? []) {
          if (temp.has(cmd)) on++;
          else off++;
        }
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = cat;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best === null) break;
      const members = catalog.category(best) ?? [];
      for (const cmd of members) {
        fake.change(cmd, additive);
        // The inverse on the working copy, as Redis applies invop to its temp selector.
        for (const c of [cmd, ...(cmd.subcommands?.values() ?? [])]) {
          if (additive) temp.delete(c);
          else temp.add(c);
        }
      }
      rules.push((additive ? '+@' : '-@') + best);
      applied.add(best);
    }
    for (const cmd of catalog.all) {
      const mine = this.allowed.has(cmd);
      if (mine !== fake.allowed.has(cmd)) {
        rules.push((mine ? '+' : '-') + cmd.fullName);
        fake.change(cmd, mine);
      }
      const args = mine ? undefined : this.firstArgs.get(cmd);
      if (args) for (const a of args) rules.push(`+${cmd.fullName}|${a}`);
    }
    return rules.join(' ');
  }
}

function patternString(pattern: string, flags: number): string {
  const prefix = flags === ALL_PERMS ? '~' : flags === READ ? '%R~' : flags === WRITE ? '%W~' : '%~';
  return prefix + pattern;
}

/** The access a key spec's flags ask for: access = read; insert, delete, update = write (Redis's ACLSelectorCheckKey). */
function keyAccess(flags: readonly string[]): number {
  let access = 0;
  for (const f of flags) {
    if (f === 'access') access |= READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') access |= WRITE;
  }
  return access;
}

/** The channels a command publishes or subscribes to (Redis's commands_with_channels; unsubscribing is never checked). */
function commandChannels(cmd: Command, argv: readonly string[]): { pos: number; pattern: boolean }[] {
  switch (cmd.fullName) {
    case 'subscribe':
    case 'ssubscribe':
    case 'psubscribe': {
      const out: { pos: number; pattern: boolean }[] = [];
      for (let i = 1; i < argv.length; i++) out.push({ pos: i, pattern: cmd.fullName === 'psubscribe' });
      return out;
    }
    case 'publish':
    case 'spublish':
      return [{ pos: 1, pattern: false }];
    default:
      return [];
  }
}
