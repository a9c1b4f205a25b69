import type { ReplyWriter } from '@brook/resp';
import type { Database, Keyspace } from '@brook/storage';
import type { CommandTable } from './table.js';

/** What a command handler sees of the connection that sent it. Implemented by @brook/server. */
export interface Session {
  readonly id: number;
  /** Replies go here; the connection flushes it once per input chunk. */
  readonly w: ReplyWriter;
  db: Database;
  readonly ks: Keyspace;
  readonly server: ServerContext;
  name: string;
  user: string;
  authenticated: boolean;
  libName: string;
  libVer: string;
  /** CLIENT NO-EVICT / NO-TOUCH. */
  noEvict: boolean;
  noTouch: boolean;
  /** CLIENT REPLY: 'on', 'off', or 'skip' (the next reply only). */
  replyMode: 'on' | 'off' | 'skip';
  /** Set by a handler that already put its effect into the change feed in another form. */
  propagated: boolean;
  /** Close the connection once pending replies are written (QUIT, protocol errors). */
  closeAfterReply: boolean;
  /** Switches the database (SELECT). */
  select(index: number): void;
}

/** One line of CLIENT LIST/INFO plus what CLIENT KILL filters on. */
export interface ClientView {
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
  readonly user: string;
  readonly type: 'normal' | 'pubsub' | 'master' | 'replica';
  describe(): string;
  kill(): void;
}

/** Parameter store behind CONFIG GET/SET (declared once in @brook/server). */
export interface ConfigAccess {
  /** All name/value pairs whose names match any of the glob patterns. */
  get(patterns: readonly string[]): [string, string][];
  /** Sets several parameters atomically; returns an error text or null. */
  set(pairs: readonly [string, string][]): string | null;
  value(name: string): string;
  rewrite(): string | null;
}

/** Server-wide state handlers can reach. Implemented by @brook/server. */
export interface ServerContext {
  readonly commands: CommandTable;
  readonly config: ConfigAccess;
  readonly startedAt: number;
  clients(): Iterable<ClientView>;
  clientById(id: number): ClientView | undefined;
  /** INFO text for the given sections (already lower-cased; empty = default). */
  info(sections: readonly string[]): string;
  resetStats(): void;
  /** Pauses client commands until `until` (ms); mode 'write' pauses only writes. */
  pause(until: number, mode: 'all' | 'write'): void;
  unpause(): void;
  shutdown(mode: 'save' | 'nosave' | 'default'): string | null;
  /** Checks a password for a user (AUTH/HELLO). */
  authenticate(user: string, password: string): boolean;
  /** True when the default user needs a password. */
  readonly requiresAuth: boolean;
  readonly version: string;
  readonly redisVersion: string;
}
