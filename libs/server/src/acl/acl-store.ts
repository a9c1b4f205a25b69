import { globMatch, type Command, type CommandTable, type PubSubRegistry, type Session } from '@brook/commands';
import { AclLog, type AclLogReason } from './acl-log.js';
import { CommandCatalog, Denied, hasSpaces, RuleFailure, ruleErrorText } from './selector.js';
import { AclUser } from './user.js';
import { loadAclFile } from './acl-file.js';

/** What the ACL needs of a connection (a Client): its user, and a way to end it. */
export interface AclConnection {
  aclUser: AclUser;
  authenticated: boolean;
  closeAfterReply: boolean;
  /** CLIENT LIST's cmd=: Redis sets it when it looks the command up, so a denial's client-info names the denied command. */
  lastCommand: string;
  readonly type: string;
  describe(): string;
  kill(): void;
}

/** Where a denial happened: at the top level, while queueing in MULTI, or inside EXEC. */
export type AclContext = 'toplevel' | 'multi' | 'exec';

/**
 * The ACL users and their security log (Redis's acl.c): rules, authentication, permission checks,
 * and what a change to a user does to its connected clients.
 */
export class AclStore {
  private readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  /** The user of internal clients (the AOF loader): every permission, never listed, as Redis's NULL user. */
  readonly internalUser: AclUser;
  readonly log: AclLog;
  private catalogCache: CommandCatalog | null = null;
  private catalogSize = -1;

  constructor(
    private readonly table: CommandTable,
    private readonly settings: { value(name: string): string; int(name: string): number },
    private readonly connections: () => Iterable<AclConnection>,
    private readonly pubsub: PubSubRegistry,
  ) {
    this.log = new AclLog(() => settings.int('acllog-max-len'));
    this.defaultUser = this.createDefault();
    this.internalUser = this.createDefault();
    this.users.set('default', this.defaultUser);
  }

  /** The commands rules range over; rebuilt when commands were added (modules register at bootstrap). */
  get catalog(): CommandCatalog {
    if (this.catalogCache === null || this.catalogSize !== this.table.size) {
      const before = this.catalogCache;
      this.catalogCache = new CommandCatalog(this.table);
      this.catalogSize = this.table.size;
      if (before !== null) this.allowNewCommands(before);
    }
    return this.catalogCache;
  }

  /**
   * Commands registered after users were made (module commands at bootstrap) are allowed to every
   * selector that has +@all since its last -@all: Redis's +@all sets every bit, future ids included.
   */
  private allowNewCommands(before: CommandCatalog): void {
    const known = new Set(before.all);
    const added = this.catalog.all.filter((c) => !known.has(c));
    for (const u of this.users.values()) for (const s of u.selectors) if (s.future) for (const c of added) s.allowed.add(c);
  }

  /** acl-pubsub-default: whether new users (and `reset`) get allchannels. */
  private get allChannelsByDefault(): boolean {
    return this.settings.value('acl-pubsub-default') === 'allchannels';
  }

  /** ACLCreateDefaultUser: +@all ~* &* on nopass. */
  private createDefault(): AclUser {
    const u = new AclUser('default', false);
    for (const rule of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(rule, this.catalog, false);
    return u;
  }

  get(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** Users in name order (Redis's rax order: bytewise). */
  list(): AclUser[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** requirepass: `resetpass` then `>pass`, or `nopass` when empty (ACLUpdateDefaultUserPassword). */
  setDefaultPassword(password: string): void {
    this.defaultUser.apply('resetpass', this.catalog, false);
    this.defaultUser.apply(password === '' ? 'nopass' : '>' + password, this.catalog, false);
  }

  /**
   * ACL SETUSER (Redis's ACLStringSetUser): the rules are applied to a copy, so a bad rule changes
   * nothing; then pub/sub clients that lost a channel are disconnected. Returns the error text or null.
   */
  setUser(name: string, rules: readonly string[]): string | null {
    const merged = mergeSelectors(rules);
    if (typeof merged === 'string') return `Unmatched parenthesis in acl selector starting at '${merged}'.`;
    const existing = this.users.get(name);
    const temp = new AclUser(name, this.allChannelsByDefault);
    if (existing) temp.copyFrom(existing);
    for (const rule of merged) {
      try {
        temp.apply(rule, this.catalog, this.allChannelsByDefault);
      } catch (e) {
        if (!(e instanceof RuleFailure)) throw e;
        return `Error in ACL SETUSER modifier '${rule}': ${ruleErrorText(e.code)}`;
      }
    }
    if (existing) {
      this.killPubsubClientsIfNeeded(existing, temp);
      existing.copyFrom(temp);
    } else this.users.set(name, temp);
    return null;
  }

  /** A user name ACL SETUSER accepts (no spaces or NULs). */
  validName(name: string): boolean {
    return !hasSpaces(name);
  }

  /** ACL DELUSER: removes the users and disconnects their clients (`current` after its reply). Returns how many existed. */
  deleteUsers(names: readonly string[], current: AclConnection | null): number {
    let deleted = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined) continue;
      this.users.delete(name);
      deleted++;
      this.disconnectUser(u, current);
    }
    return deleted;
  }

  /** Clients of a removed user go back to the default user, unauthenticated, and are closed (ACLFreeUserAndKillClients). */
  private disconnectUser(u: AclUser, current: AclConnection | null): void {
    for (const c of [...this.connections()]) {
      if (c.aclUser !== u) continue;
      c.aclUser = this.defaultUser;
      c.authenticated = false;
      if (c === current) c.closeAfterReply = true;
      else c.kill();
    }
  }

  /**
   * ACLKillPubsubClientsIfNeeded: when the new rules drop a channel pattern the old ones had,
   * subscribers of that user whose subscriptions are no longer all allowed are disconnected.
   */
  private killPubsubClientsIfNeeded(original: AclUser, next: AclUser): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming = new Set(next.selectors.flatMap((s) => [...s.channels]));
    const kept = original.selectors.every((s) => !s.allChannels && [...s.channels].every((ch) => upcoming.has(ch)));
    if (kept) return;
    const allowed = (ch: string, isPattern: boolean): boolean =>
      isPattern ? upcoming.has(ch) : [...upcoming].some((p) => globMatch(p, ch));
    for (const c of [...this.connections()]) {
      if (c.aclUser !== original || c.type !== 'pubsub') continue;
      // Every connection the store sees is a server Client, which is a Session.
      const session = c as unknown as Session;
      const bad =
        this.pubsub.subscriptions(session, 'pattern').some((p) => !allowed(p, true)) ||
        this.pubsub.subscriptions(session, 'channel').some((ch) => !allowed(ch, false)) ||
        this.pubsub.subscriptions(session, 'shard').some((ch) => !allowed(ch, false));
      if (bad) c.kill();
    }
  }

  /**
   * AUTH and HELLO AUTH (ACLAuthenticateUser): on success the connection is that user's; a failure
   * is logged with the command name as the object.
   */
  authenticate(c: AclConnection, name: string, password: string, command: string, inMulti: boolean): boolean {
    const u = this.users.get(name);
    if (u !== undefined && u.checkPassword(password)) {
      c.aclUser = u;
      c.authenticated = true;
      return true;
    }
    this.addLog(c, 'auth', inMulti ? 'multi' : 'toplevel', command, name);
    return false;
  }

  /**
   * The dispatcher's check for a user that is not unrestricted: null when allowed, else the NOPERM
   * error to reply (after logging the denial). Inside EXEC Redis words it differently.
   */
  deny(c: AclConnection, cmd: Command, argv: readonly string[], context: AclContext): string | null {
    const r = c.aclUser.check(cmd, argv);
    if (r.denied === Denied.None) return null;
    const reason = denialReason(r.denied);
    c.lastCommand = cmd.fullName;
    this.addLog(
      c,
      reason,
      context === 'toplevel' ? 'toplevel' : 'multi',
      reason === 'command' ? cmd.fullName : argv[r.pos],
      c.aclUser.name,
    );
    if (context === 'exec') {
      return (
        'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. ' +
        'This command is no longer allowed for the following reason: ' +
        EXEC_REASONS[reason]
      );
    }
    return NOPERM[reason](cmd.fullName);
  }

  /** ACL DRYRUN's answer for a denial (a bulk string in Redis), or null when allowed. */
  dryRun(u: AclUser, cmd: Command, argv: readonly string[]): string | null {
    const r = u.check(cmd, argv);
    switch (r.denied) {
      case Denied.None:
        return null;
      case Denied.Command:
        return `This user has no permissions to run the '${cmd.fullName}' command`;
      case Denied.Key:
        return `This user has no permissions to access the '${argv[r.pos]}' key`;
      case Denied.Channel:
        return `This user has no permissions to access the '${argv[r.pos]}' channel`;
    }
  }

  private addLog(c: AclConnection, reason: AclLogReason, context: 'toplevel' | 'multi', object: string, username: string): void {
    this.log.add({ reason, context, object, username, time: Date.now(), clientInfo: c.describe() });
  }

  /**
   * ACL LOAD's commit: every non-default user is dropped (its clients disconnected, as Redis frees
   * it) and the loaded ones take their place; the default user object stays, with the loaded rules
   * (or the defaults when the file has none for it).
   */
  replaceAll(next: Map<string, AclUser>, current: AclConnection | null): void {
    for (const [name, u] of this.users) {
      if (name === 'default') continue;
      this.users.delete(name);
      this.disconnectUser(u, current);
    }
    this.defaultUser.copyFrom(next.get('default') ?? this.createDefault());
    for (const [name, u] of next) if (name !== 'default') this.users.set(name, u);
  }

  /**
   * Redis's ACLLoadUsersAtStartup: the config file's `user` lines (the default user is reset first),
   * then the aclfile; never both. Returns the fatal error to log before exiting, or null.
   */
  loadAtStartup(userLines: readonly string[][], aclfile: string): string | null {
    if (aclfile !== '' && userLines.length > 0)
      return (
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. ' +
        'This setup is very likely to lead to configuration errors and security holes, please define either an ACL file ' +
        'or declare users directly in your redis.conf, but not both.'
      );
    for (const [, name, ...rules] of userLines) {
      const u = name === 'default' ? this.defaultUser : this.newUser(name);
      if (u === this.defaultUser) u.apply('reset', this.catalog, this.allChannelsByDefault);
      for (const rule of mergeSelectors(rules) as string[]) {
        try {
          u.apply(rule, this.catalog, this.allChannelsByDefault);
        } catch (e) {
          if (!(e instanceof RuleFailure)) throw e;
          return `Error loading ACL rule '${rule}' for the user named '${name}': ${ruleErrorText(e.code)}. Critical error while loading ACLs. Exiting.`;
        }
      }
      this.users.set(name, u);
    }
    if (aclfile === '') return null;
    const errors = loadAclFile(this, aclfile, null);
    return errors === null ? null : `Aborting Redis startup because of ACL errors: ${errors}`;
  }

  /** A fresh user outside the table, for loading rules before committing them. */
  newUser(name: string): AclUser {
    return new AclUser(name, this.allChannelsByDefault);
  }

  applyRules(u: AclUser, rules: readonly string[]): void {
    for (const r of rules) u.apply(r, this.catalog, this.allChannelsByDefault);
  }
}

function denialReason(d: Denied): AclLogReason {
  return d === Denied.Command ? 'command' : d === Denied.Key ? 'key' : 'channel';
}

const NOPERM: Record<AclLogReason, (cmd: string) => string> = {
  command: (cmd) => `NOPERM this user has no permissions to run the '${cmd}' command`,
  key: () => 'NOPERM this user has no permissions to access one of the keys used as arguments',
  channel: () => 'NOPERM this user has no permissions to access one of the channels used as arguments',
  auth: () => 'NOPERM no permission',
};

const EXEC_REASONS: Record<AclLogReason, string> = {
  command: 'no permission to execute the command or subcommand',
  key: 'no permission to touch the specified keys',
  channel: 'no permission to access one of the channels used as arguments',
  auth: 'no permission',
};

/**
 * ACLMergeSelectorArguments: "(~a" "+get)" become one "(~a +get)" rule. Returns the rules, or the
 * argument where an unclosed selector starts.
 */
export function mergeSelectors(args: readonly string[]): string[] | string {
  const out: string[] = [];
  let open: string | null = null;
  let start = '';
  for (const op of args) {
    if (open === null && op.startsWith('(') && !op.endsWith(')')) {
      open = op;
      start = op;
      continue;
    }
    if (open !== null) {
      open += ' ' + op;
      if (op.endsWith(')')) {
        out.push(open);
        open = null;
      }
      continue;
    }
    out.push(op);
  }
  return open !== null ? start : out;
}
