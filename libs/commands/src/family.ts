import type { Keyspace } from '@brook/storage';
import type { ServerContext, Session } from './context.js';
import type { Command, CommandSpec } from './table.js';
import type { ParamSpec } from './config-param.js';

/** A DEBUG subcommand; a family adds its own in its install step (POPULATE, SLEEP; OBJECT, RELOAD later). */
export interface DebugSubcommand {
  name: string;
  /** Accepted argument counts after the subcommand name: [min, max]. */
  args: [number, number];
  /** DEBUG HELP lines (usage, then indented description). */
  help: string[];
  handler: (c: Session, args: string[]) => void;
}

/**
 * What a family's install step registers on the one server installing it. Everything lands on
 * that server, so two servers in one process (tests, embedded mode) never share state.
 */
export interface FamilyContext {
  readonly server: ServerContext;
  readonly ks: Keyspace;
  /** State to clear on RESET (MULTI, subscriptions, tracking). */
  onReset(hook: (c: Session) => void): void;
  /** Cleanup for a connection that closes (subscriptions, waits...). */
  onClose(hook: (c: Session) => void): void;
  /**
   * CLIENT UNBLOCK for waits other than the server's own waits on keys (WAIT, later): release `c`,
   * replying as on timeout or with the UNBLOCKED error, and return true; false if `c` is not yours.
   */
  onUnblock(hook: (c: Session, error: boolean) => boolean): void;
  /** Adds fields to an INFO section (or replaces fields of the same name): persistence, pub/sub... */
  addInfo(section: string, fields: () => [string, string | number][]): void;
  addDebugSubcommand(sub: DebugSubcommand): void;
  /**
   * Reacts to CONFIG SET of a parameter: an error text, null, or a Promise of either (see
   * ConfigAccess.set). Runs after the value is stored, before the CONFIG SET reply.
   */
  onConfigSet(name: string, react: (value: string) => string | null | Promise<string | null>): void;
  /** MULTI (the transaction family): what the dispatcher hands a client's commands to while `c.multi >= 0`. */
  setTransactions(hooks: TransactionHooks): void;
}

/** The dispatcher's side of MULTI/EXEC (Redis's queueMultiCommand and flagTransaction). */
export interface TransactionHooks {
  /**
   * In MULTI, a command that passed the checks: queues it (replying +QUEUED) and returns true, or
   * returns false for those that run at once (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
   */
  queue(c: Session, cmd: Command, argv: string[]): boolean;
  /** A command was refused before running: flags an open MULTI so EXEC aborts; returns the error to reply (EXEC's abort text). */
  refused(c: Session, cmd: Command | null, error: string): string;
  /** The queue holds a write (or may_replicate) command: its EXEC is a write to CLIENT PAUSE WRITE. */
  queuedWrites(c: Session): boolean;
  /** The queue holds a denyoom command: its EXEC is refused when out of memory (Redis's mstate.cmd_flags). */
  queuedDenyOom(c: Session): boolean;
}

/**
 * A command family: its commands as data and an optional install step that registers its hooks
 * on the server (as a Redis source file has its commands in the table and its init function).
 */
export interface CommandFamily {
  readonly name: string;
  readonly commands: readonly CommandSpec[];
  /** Parameters the family owns: known to the config file, the command line and CONFIG like the core's. */
  readonly params?: readonly ParamSpec[];
  install?(ctx: FamilyContext): void;
}
