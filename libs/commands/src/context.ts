import type { ReplyWriter } from '@brook/resp';
import type { Database, Keyspace } from '@brook/storage';
import type { CommandTable } from './table.js';
import type { DebugSubcommand } from './family.js';
import type { ClientTracking } from './tracking.js';

export type ClientType = 'normal' | 'pubsub' | 'master' | 'replica';

/** What a command handler sees of the connection that sent it. Implemented by @brook/server. */
export interface Session extends ClientView {
  /** Replies go here; the connection flushes it once per input chunk. `w.proto` is 2 or 3. */
  readonly w: ReplyWriter;
  db: Database;
  readonly ks: Keyspace;
  readonly server: ServerContext;
  name: string;
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
  /** Connection type; the pub/sub family sets 'pubsub' while subscribed (output limits, CLIENT KILL/LIST TYPE). */
  type: ClientType;
  /** CLIENT LIST fields kept by their families: subscription counts, MULTI queue length (-1 outside MULTI), blocked. */
  sub: number;
  psub: number;
  ssub: number;
  multi: number;
  /** CLIENT LIST multi-mem: bytes of the queued commands' arguments (Redis's argv_len_sums). */
  multiMem: number;
  /** A watched key changed: EXEC will fail (CLIENT LIST flag d). */
  dirtyCas: boolean;
  blocked: boolean;
  /** CLIENT TRACKING state, null while tracking is off (see tracking.ts). */
  tracking: ClientTracking | null;
  /** Connected over loopback or a unix socket (enable-debug-command local, protected configs). */
  readonly isLocal: boolean;
  /** Switches the database (SELECT). */
  select(index: number): void;
  /**
   * Holds this connection's later commands until `task` settles; the task writes the reply
   * through `w` when it is done (CONFIG SET port rebinding, and any asynchronous command).
   */
  defer(task: Promise<void>): void;
  /** Sends what is in `w` now: output made outside this connection's own command (pub/sub messages, unblocked replies). */
  flush(): void;
  /** RESET: back to a fresh connection's state (db 0, RESP2, default user, no name...), see FamilyContext.onReset. */
  reset(): void;
}

/** One line of CLIENT LIST/INFO plus what CLIENT KILL filters on. */
export interface ClientView {
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
  readonly user: string;
  readonly type: ClientType;
  /** The CLIENT LIST / CLIENT INFO line (without the trailing newline). */
  describe(): string;
  kill(): void;
}

/** Parameter store behind CONFIG GET/SET (declared once in @brook/server). */
export interface ConfigAccess {
  /** Name/value pairs matching any of the names or glob patterns, each name once. */
  get(patterns: readonly string[]): [string, string][];
  /**
   * Sets several parameters atomically; returns the error text, null, or a Promise of either
   * when applying takes I/O (rebinding). `local`: the caller is on loopback or a unix socket.
   */
  set(pairs: readonly [string, string][], local?: boolean): string | null | Promise<string | null>;
  value(name: string): string;
  /** A numeric parameter's value (the families' encoding limits, read at every write). */
  int(name: string): number;
  /** CONFIG REWRITE; the error text or null. */
  rewrite(): string | null;
}

export type ShutdownMode = { save: 'save' | 'nosave' | 'default'; now: boolean; force: boolean };

/** Server-wide state handlers can reach. Implemented by @brook/server. */
export interface ServerContext {
  readonly commands: CommandTable;
  readonly config: ConfigAccess;
  readonly startedAt: number;
  readonly version: string;
  readonly redisVersion: string;
  clients(): Iterable<ClientView>;
  clientById(id: number): Session | undefined;
  /** INFO text for the given sections (already lower-cased; empty = default). */
  info(sections: readonly string[]): string;
  /** The process's memory figures now (INFO memory, MEMORY STATS and DOCTOR). */
  memory(): MemoryFigures;
  /** CONFIG RESETSTAT. */
  resetStats(): void;
  /** Pauses client commands until `until` (ms); mode 'write' pauses only writes. */
  pause(until: number, mode: 'all' | 'write'): void;
  unpause(): void;
  /** SHUTDOWN; an error text when it cannot (e.g. a failed save without FORCE), else null. */
  shutdown(mode: ShutdownMode): string | null;
  /**
   * AUTH and HELLO AUTH: on the right password `c` becomes that user's and authenticated; false for a
   * wrong pair or a disabled user, logged in ACL LOG with `command` (the name as typed) as its object.
   */
  authenticate(c: Session, user: string, password: string, command: string): boolean;
  /** True when the default user has no password, so connections start authenticated. */
  readonly defaultUserNoPass: boolean;
  /** True when the user exists (CLIENT KILL USER). */
  hasUser(name: string): boolean;
  /**
   * CLIENT UNBLOCK: releases client `id` from a blocking command, replying as on timeout or with
   * the UNBLOCKED error; false when it is not blocked.
   */
  unblock(id: number, error: boolean): boolean;
  /** DEBUG's subcommands, as the families installed them on this server. */
  debugSubcommand(name: string): DebugSubcommand | undefined;
  debugSubcommandNames(): string[];
  /**
   * Runs `work` once after the current outermost command (after EXEC as a whole, not after each
   * command inside it), before the next command: serving clients blocked on keys that became ready...
   */
  afterCommand(work: () => void): void;
  /**
   * Runs a command inside another one (EXEC, scripts, the SDK), as Redis's call(): the same
   * checks, stats and change feed, but the post-command work waits for the outermost command.
   */
  call(c: Session, argv: string[]): void;
  /**
   * Blocks `c` on `keys` of its current database until `waiter.serve` accepts a ready key, the
   * timeout passes (ms, 0 = forever) or CLIENT UNBLOCK. Inside a nested call (MULTI/EXEC) it never
   * blocks: the timeout reply comes at once, as in Redis.
   */
  block(c: Session, keys: readonly string[], timeoutMs: number, waiter: KeyWaiter): void;
  /**
   * Delivers `message` to the subscribers of `channel`, then to those of each matching pattern,
   * exactly as PUBLISH does (keyspace notifications, tracking redirects); returns the receiver count.
   * Receivers' sockets get it once the current work is done (one write per receiver per input chunk).
   */
  publish(channel: string, message: string): number;
  /** The channel subscriptions (the pub/sub family's state). */
  readonly pubsub: PubSubRegistry;
  /** SLOWLOG's entries (the dispatcher logs into it). */
  readonly slowlog: SlowLogAccess;
  /** The latency monitor's events (LATENCY LATEST/HISTORY/RESET). */
  readonly latency: LatencyAccess;
  /** MONITOR: `c` receives every command run from now on, as Redis's replicationFeedMonitors lines. */
  monitor(c: Session): void;
}

/** One slow log entry as SLOWLOG GET shows it: arguments already cut to Redis's limits. */
/** Memory figures, in bytes, each measured when asked for. */
export interface MemoryFigures {
  /** used_memory: the V8 heap in use plus memory outside it held by JS objects (Buffers). */
  readonly used: number;
  readonly peak: number;
  /** used at start-up, before any data was loaded. */
  readonly startup: number;
  readonly rss: number;
  /** The V8 heap's committed size plus the external memory: what the allocator holds. */
  readonly active: number;
  /** Query and output buffers of the normal (non-replica) clients. */
  readonly clientsNormal: number;
  /** AOF bytes not yet written. */
  readonly aofBuffer: number;
}

export interface SlowLogEntry {
  readonly id: number;
  /** Unix time in seconds. */
  readonly time: number;
  /** Microseconds. */
  readonly duration: number;
  readonly args: readonly string[];
  readonly addr: string;
  readonly name: string;
}

/** One second's worst latency of an event, in ms. */
export interface LatencySample {
  readonly time: number;
  latency: number;
}

export interface LatencyAccess {
  /** Each event with its latest sample and all-time maximum (ms). */
  latest(): [string, LatencySample, number][];
  /** An event's samples, oldest first; none for an unknown event. */
  history(event: string): readonly LatencySample[];
  /** Forgets the named events, or all when none are named; returns how many were forgotten. */
  reset(events: readonly string[]): number;
}

export interface SlowLogAccess {
  readonly length: number;
  /** The newest `count` entries, newest first. */
  newest(count: number): SlowLogEntry[];
  reset(): void;
}

/** Channels, patterns and shard channels: their namespaces are separate, as in Redis. */
export type PubSubKind = 'channel' | 'pattern' | 'shard';

/** Who is subscribed to what, on one server. Implemented by @brook/server. */
export interface PubSubRegistry {
  /** Adds the subscription (and keeps c.sub/psub/ssub and c.type); false if `c` already had it. */
  subscribe(c: Session, kind: PubSubKind, name: string): boolean;
  /** Removes the subscription; false if `c` did not have it. */
  unsubscribe(c: Session, kind: PubSubKind, name: string): boolean;
  /** The names `c` is subscribed to, a copy (UNSUBSCRIBE with no argument). */
  subscriptions(c: Session, kind: PubSubKind): string[];
  /** Channels (or shard channels) with at least one subscriber, matching `pattern` if given. */
  channels(kind: 'channel' | 'shard', pattern: string | null): string[];
  /** Subscribers of one channel (or shard channel), pattern subscribers excluded. */
  subscribers(kind: 'channel' | 'shard', name: string): number;
  /** How many names of a kind have subscribers (INFO pubsub_channels/patterns, PUBSUB NUMPAT). */
  count(kind: PubSubKind): number;
  /** SPUBLISH: delivers to the shard channel's subscribers; returns the receiver count. */
  publishShard(channel: string, message: string): number;
}

/** What a blocking command gives the server when it blocks a client on keys. */
export interface KeyWaiter {
  /**
   * Called when `key` may be ready (it was written after the client blocked): writes the reply and
   * returns true, or returns false to keep waiting (wrong type, empty, a client served before took it).
   */
  serve(c: Session, key: string): boolean;
  /** The reply on timeout and CLIENT UNBLOCK TIMEOUT (nil array for BLPOP, null for XREAD...). */
  timeout(c: Session): void;
  /**
   * The reply when the client may not block at all (inside MULTI/EXEC or a script), where Redis
   * gives another one than on timeout (BLMOVE: a null bulk, but a null array on timeout). Defaults to `timeout`.
   */
  refused?(c: Session): void;
}
