import type { Keyspace } from '@brook/storage';
import type { ServerContext, Session } from './context.js';
import type { FamilyContext } from './family.js';
import type { Command } from './table.js';
import { commandKeys } from './command-info.js';

/**
 * Client-side caching (Redis's tracking.c): which clients may hold which keys, and the
 * invalidation messages sent when those keys change.
 *
 * Like Redis, the table is one for the whole server, keyed by key name without the database
 * (a write to "k" in any database invalidates "k" everywhere); ids of clients that went away or
 * turned tracking off stay in it until the key is invalidated (lazy cleanup, as in Redis).
 */

/** The channel a RESP2 redirect target subscribes to. */
const INVALIDATE_CHANNEL = '__redis__:invalidate';
/** Most keys one trimming round invalidates (Redis's effort grows without bound). */
const MAX_TRIM_SLICE = 1000;

/** One client's CLIENT TRACKING state: Redis's CLIENT_TRACKING_* flags and its redirection. */
export class ClientTracking {
  /** Client id receiving the invalidations, 0 for this connection itself. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES/NO given for the next command (or transaction). */
  caching = false;
  /** The redirect target went away (TRACKINGINFO broken_redirect, CLIENT LIST flag R). */
  brokenRedirect = false;
  /** BCAST prefixes, in byte order (TRACKINGINFO lists them so). */
  prefixes: string[] = [];

  constructor(readonly table: TrackingTable) {}

  /** Before each command of this client: invalidations about its own writes wait for its reply. */
  before(c: Session): void {
    this.table.current = c;
  }

  /** After each command: remembers the keys a read-only command read (Redis's call()). */
  after(c: Session, cmd: Command, argv: string[]): void {
    const table = this.table;
    if (c.tracking === this) {
      if (!this.bcast && cmd.spec.flags.includes('readonly') && this.cachingWanted()) table.rememberKeys(c, cmd, argv);
      // CLIENT CACHING covers the next command, or the whole MULTI...EXEC that follows it.
      if (this.caching && c.multi < 0 && cmd.parent?.spec.name !== 'client') this.caching = false;
      table.trim();
    }
    table.current = null;
  }

  /** OPTIN remembers only after CLIENT CACHING YES, OPTOUT all but after CLIENT CACHING NO. */
  private cachingWanted(): boolean {
    return this.optin ? this.caching : !(this.optout && this.caching);
  }
}

/** A BCAST prefix: its subscribers, and the keys written under it since the last broadcast (→ who wrote them). */
interface Broadcast {
  readonly clients: Set<Session>;
  keys: Map<string, Session | null>;
}

/** Invalidations for the running client, sent after its reply: [target, keys or null for a flush]. */
type Pending = [Session, string[] | null];

export class TrackingTable {
  /** key → the ids of the clients that read it: one number, or a set when several. */
  private readonly keys = new Map<string, number | Set<number>>();
  /** Ids stored across the table (INFO tracking_total_items). */
  private items = 0;
  private readonly prefixes = new Map<string, Broadcast>();
  /** The prefixes in byte order: the order broadcasts go out in. */
  private prefixOrder: string[] = [];
  /** Clients with tracking on (INFO tracking_clients, flush invalidations). */
  readonly clients = new Set<Session>();
  /** The tracking client whose command is running, if any. */
  current: Session | null = null;
  private pending: Pending[] = [];
  private broadcastScheduled = false;
  private listening = false;
  private maxKeys: number;
  /** Consecutive trims that ended still over the limit: each tries harder (Redis's timeout_counter). */
  private trimRounds = 0;
  private trimLater: NodeJS.Immediate | null = null;

  constructor(
    private readonly server: ServerContext,
    private readonly ks: Keyspace,
  ) {
    this.maxKeys = Number(server.config.value('tracking-table-max-keys'));
  }

  get totalKeys(): number {
    return this.keys.size;
  }

  get totalItems(): number {
    return this.items;
  }

  get totalPrefixes(): number {
    return this.prefixes.size;
  }

  /** CLIENT TRACKING ON (already validated): Redis's enableTracking. */
  enable(
    c: Session,
    redirect: number,
    opts: { bcast: boolean; optin: boolean; optout: boolean; noloop: boolean },
    prefixes: string[],
  ): void {
    this.listen();
    const t = c.tracking ?? new ClientTracking(this);
    c.tracking = t;
    this.clients.add(c);
    t.redirect = redirect;
    t.brokenRedirect = false;
    t.bcast = opts.bcast;
    t.optin = opts.optin;
    t.optout = opts.optout;
    t.noloop = opts.noloop;
    if (opts.bcast) for (const p of prefixes.length === 0 ? [''] : prefixes) this.subscribePrefix(c, t, p);
  }

  /** CLIENT TRACKING OFF, RESET, disconnect. The client's ids in the key table go lazily. */
  disable(c: Session): void {
    const t = c.tracking;
    if (t === null) return;
    for (const p of t.prefixes) {
      const b = this.prefixes.get(p)!;
      b.clients.delete(c);
      if (b.clients.size === 0) {
        this.prefixes.delete(p);
        this.prefixOrder = this.prefixOrder.filter((q) => q !== p);
      }
    }
    this.clients.delete(c);
    c.tracking = null;
  }

  private subscribePrefix(c: Session, t: ClientTracking, prefix: string): void {
    let b = this.prefixes.get(prefix);
    if (b === undefined) {
      b = { clients: new Set(), keys: new Map() };
      this.prefixes.set(prefix, b);
      insertSorted(this.prefixOrder, prefix);
    }
    if (b.clients.has(c)) return;
    b.clients.add(c);
    insertSorted(t.prefixes, prefix);
  }

  /**
   * The key listeners exist from the first CLIENT TRACKING ON on (as Redis's table does): a server
   * where nobody ever tracked pays nothing per write.
   */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    // Consumer-group bookkeeping is not signalled as a modification in Redis: no invalidation.
    this.ks.onKeyModified((_db, key, signalled) => {
      if (signalled) this.keyModified(key);
    });
    this.ks.onDbFlushed((db, _emptied, cause) => {
      // FLUSHALL flushes every database in turn: one invalidation for all of them. SWAPDB invalidates nothing.
      if (cause === 'flushdb' || (cause === 'flushall' && db === 0)) this.flushed();
    });
  }

  // ---- default mode: the key table -------------------------------------------------------------

  rememberKeys(c: Session, cmd: Command, argv: string[]): void {
    // Shard channels are keys only for cluster routing: not cached data.
    if (cmd.spec.group === 'pubsub') return;
    const found = commandKeys(cmd, argv);
    if (found === null) return;
    const id = c.id;
    for (const { pos } of found) {
      const key = argv[pos];
      const ids = this.keys.get(key);
      if (ids === undefined) {
        this.keys.set(key, id);
        this.items++;
      } else if (typeof ids === 'number') {
        if (ids === id) continue;
        this.keys.set(key, new Set([ids, id]));
        this.items++;
      } else if (!ids.has(id)) {
        ids.add(id);
        this.items++;
      }
    }
  }

  private keyModified(key: string): void {
    if (this.prefixes.size !== 0) this.rememberForBroadcast(key);
    this.invalidateKey(key);
  }

  /** Sends the invalidation of `key` to the clients that read it, and forgets it (Redis's trackingInvalidateKey). */
  private invalidateKey(key: string): void {
    const ids = this.keys.get(key);
    if (ids === undefined) return;
    this.keys.delete(key);
    if (typeof ids === 'number') {
      this.items--;
      this.invalidateFor(ids, key);
    } else {
      this.items -= ids.size;
      for (const id of ids) this.invalidateFor(id, key);
    }
  }

  private invalidateFor(id: number, key: string): void {
    const target = this.session(id);
    // A client that turned tracking off or switched to BCAST since it read the key gets nothing.
    if (target === undefined || target.tracking === null || target.tracking.bcast) return;
    if (target === this.current && target.tracking.noloop) return;
    this.deliver(target, [key]);
  }

  /**
   * tracking-table-max-keys: forgets keys (invalidating them, as if written) until the table is
   * within the limit, trying 100 more keys each consecutive round that ends still over it (Redis's
   * trackingLimitUsedSlots), at most MAX_TRIM_SLICE per round so one round stays short. Redis picks
   * keys by random walk; the oldest entries go first here. Redis tries again before every command
   * and in serverCron; here after each command of a tracking client and, while still over, on the
   * next event-loop turn (other clients are served in between).
   */
  trim(): void {
    const max = this.maxKeys;
    if (max === 0 || this.keys.size <= max) {
      this.trimRounds = 0;
      return;
    }
    let effort = Math.min(100 * (this.trimRounds + 1), MAX_TRIM_SLICE);
    for (const key of this.keys.keys()) {
      if (effort-- === 0) break;
      this.invalidateKey(key);
      if (this.keys.size <= max) break;
    }
    if (this.keys.size <= max) {
      this.trimRounds = 0;
      return;
    }
    this.trimRounds++;
    this.trimLater ??= setImmediate(() => {
      this.trimLater = null;
      this.trim();
    });
  }

  /** CONFIG SET tracking-table-max-keys. */
  setMaxKeys(value: string): null {
    this.maxKeys = Number(value);
    if (this.clients.size !== 0) this.trim();
    return null;
  }

  // ---- BCAST -------------------------------------------------------------------------------------

  private rememberForBroadcast(key: string): void {
    const writer = this.current;
    for (const [prefix, b] of this.prefixes) if (key.startsWith(prefix)) b.keys.set(key, writer);
    if (!this.broadcastScheduled) {
      this.broadcastScheduled = true;
      // Redis sends these from beforeSleep: once per event-loop turn, whatever was written in it.
      setImmediate(() => this.broadcast());
    }
  }

  /** Each prefix's written keys (in byte order) to its subscribers; NOLOOP ones without their own writes. */
  private broadcast(): void {
    this.broadcastScheduled = false;
    for (const prefix of this.prefixOrder) {
      const b = this.prefixes.get(prefix)!;
      if (b.keys.size === 0) continue;
      const written = b.keys;
      b.keys = new Map();
      const all = [...written.keys()].sort();
      for (const c of b.clients) {
        if (!c.tracking!.noloop) this.deliver(c, all);
        else {
          const others = all.filter((k) => written.get(k) !== c);
          if (others.length !== 0) this.deliver(c, others);
        }
      }
    }
  }

  // ---- flush ---------------------------------------------------------------------------------------

  /** FLUSHDB/FLUSHALL: a null invalidation ("every key") to every tracking client, and the table is emptied. */
  private flushed(): void {
    for (const c of this.clients) this.deliver(c, null);
    this.keys.clear();
    this.items = 0;
  }

  // ---- delivery ------------------------------------------------------------------------------------

  /**
   * Sends an invalidation for `target` (Redis's sendTrackingMessage), except while its own command
   * runs: then it follows the command's reply (and the whole of EXEC's reply).
   */
  private deliver(target: Session, keys: string[] | null): void {
    const current = this.current;
    if (current !== null && (target === current || target.tracking!.redirect === current.id)) {
      if (this.pending.length === 0) this.server.afterCommand(() => this.sendPending());
      this.pending.push([target, keys]);
      return;
    }
    this.send(target, keys);
  }

  private sendPending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const [target, keys] of pending) if (target.tracking !== null) this.send(target, keys);
  }

  private send(target: Session, keys: string[] | null): void {
    const t = target.tracking!;
    let to = target;
    if (t.redirect !== 0) {
      const redir = this.session(t.redirect);
      if (redir === undefined) {
        t.brokenRedirect = true;
        if (target.w.proto === 3) {
          target.w.push(2);
          target.w.bulk('tracking-redir-broken');
          target.w.integer(t.redirect);
          target.flush();
        }
        return;
      }
      to = redir;
    }
    const w = to.w;
    if (w.proto === 3) {
      w.push(2);
      w.bulk('invalidate');
    } else if (t.redirect !== 0 && to.type === 'pubsub') {
      // RESP2 has no push frames: a redirect target in subscribed mode gets a pub/sub message.
      w.push(3);
      w.bulk('message');
      w.bulk(INVALIDATE_CHANNEL);
    } else {
      return; // RESP2 without redirection: nothing can carry it.
    }
    if (keys === null) w.nil();
    else {
      w.array(keys.length);
      for (const k of keys) w.bulk(k);
    }
    to.flush();
  }

  private session(id: number): Session | undefined {
    return this.server.clientById(id);
  }
}

function insertSorted(list: string[], s: string): void {
  let i = list.length;
  while (i > 0 && list[i - 1] > s) i--;
  list.splice(i, 0, s);
}

/** Each server's tracking table, created by the connection family's install step. */
const tables = new WeakMap<ServerContext, TrackingTable>();

export function trackingTable(server: ServerContext): TrackingTable {
  return tables.get(server)!;
}

/** Creates the server's table and hooks it to RESET, disconnects, INFO and CONFIG SET. */
export function installTracking(ctx: FamilyContext): void {
  const table = new TrackingTable(ctx.server, ctx.ks);
  tables.set(ctx.server, table);
  ctx.onReset((c) => table.disable(c));
  ctx.onClose((c) => table.disable(c));
  ctx.onConfigSet('tracking-table-max-keys', (v) => table.setMaxKeys(v));
  ctx.addInfo('clients', () => [['tracking_clients', table.clients.size]]);
  ctx.addInfo('stats', () => [
    ['tracking_total_keys', table.totalKeys],
    ['tracking_total_items', table.totalItems],
    ['tracking_total_prefixes', table.totalPrefixes],
  ]);
}
