import type { KeyTable, Keyspace, Value } from '@brook/storage';
import type { Session } from './context.js';
import type { CommandFamily, FamilyContext, TransactionHooks } from './family.js';
import { Err } from './errors.js';
import { specMaker, type Command, type CommandSpec } from './table.js';

/** One key a client watches (Redis's watchedKey). */
interface Watch {
  readonly tx: Transaction;
  readonly db: number;
  readonly key: string;
  /** The key had already expired (not yet reclaimed) when WATCH ran: its reclaiming is no change. */
  expired: boolean;
}

/** A connection's MULTI queue and WATCH list (Redis's mstate and watched_keys). */
class Transaction {
  queue: string[][] = [];
  /** The queue holds a write: CLIENT PAUSE WRITE holds its EXEC (Redis's mstate.cmd_flags). */
  writes = false;
  /** The queue holds a denyoom command: EXEC is refused while out of memory. */
  denyOom = false;
  /** A command was refused while queueing: EXEC replies EXECABORT (CLIENT_DIRTY_EXEC). */
  refused = false;
  watches: Watch[] = [];

  constructor(readonly c: Session) {}
}

/** Commands that run at once in MULTI instead of being queued (processCommand's list). */
const RUN_IN_MULTI = new Set(['multi', 'exec', 'discard', 'watch', 'quit', 'reset']);

/**
 * MULTI/EXEC/WATCH state of one server. Watched keys live in one map per database, key → the
 * transactions watching it, so a write costs one map lookup when nobody watches its key; and the
 * key-modified and flush listeners are subscribed only while some key is watched, so writes cost
 * nothing more when nobody watches at all.
 */
class Transactions implements TransactionHooks {
  private readonly byClient = new WeakMap<Session, Transaction>();
  private readonly watched: (Map<string, Map<Transaction, Watch>> | undefined)[];
  private watchCount = 0;
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly ks: Keyspace) {
    this.watched = new Array<undefined>(ks.dbs.length);
  }

  of(c: Session): Transaction {
    let tx = this.byClient.get(c);
    if (tx === undefined) this.byClient.set(c, (tx = new Transaction(c)));
    return tx;
  }

  queue(c: Session, cmd: Command, argv: string[]): boolean {
    if (RUN_IN_MULTI.has(cmd.fullName)) return false;
    const tx = this.of(c);
    // A transaction bound to fail keeps nothing (Redis: no sense wasting memory on it).
    if (!tx.refused && !c.dirtyCas) {
      tx.queue.push(argv);
      c.multi = tx.queue.length;
      if (cmd.isWrite || cmd.spec.flags.includes('may_replicate')) tx.writes = true;
      if (cmd.denyOom) tx.denyOom = true;
      let bytes = 8 * argv.length;
      for (let i = 0; i < argv.length; i++) bytes += argv[i].length;
      c.multiMem += bytes;
    }
    c.w.simple('QUEUED');
    return true;
  }

  refused(c: Session, cmd: Command | null, error: string): string {
    if (cmd !== null && cmd.fullName === 'exec') {
      // Redis's execCommandAbort: EXEC refused ends the transaction, in MULTI or not.
      this.discard(c);
      return Err.execAbortBecause(error);
    }
    if (c.multi >= 0) this.of(c).refused = true;
    return error;
  }

  queuedWrites(c: Session): boolean {
    return this.byClient.get(c)?.writes === true;
  }

  queuedDenyOom(c: Session): boolean {
    return this.byClient.get(c)?.denyOom === true;
  }

  /** Leaves MULTI and forgets the watched keys (discardTransaction). */
  discard(c: Session): void {
    const tx = this.byClient.get(c);
    c.multi = -1;
    c.multiMem = 0;
    c.dirtyCas = false;
    if (tx === undefined) return;
    tx.queue = [];
    tx.writes = false;
    tx.denyOom = false;
    tx.refused = false;
    this.unwatchAll(tx);
  }

  // ---- WATCH -------------------------------------------------------------------------------------

  watch(c: Session, key: string): void {
    const tx = this.of(c);
    const db = c.db.id;
    let keys = this.watched[db];
    if (keys === undefined) this.watched[db] = keys = new Map();
    let watchers = keys.get(key);
    if (watchers === undefined) keys.set(key, (watchers = new Map<Transaction, Watch>()));
    else if (watchers.has(tx)) return;
    const w: Watch = { tx, db, key, expired: c.db.isExpired(key) };
    watchers.set(tx, w);
    tx.watches.push(w);
    if (this.watchCount++ === 0) this.listen();
  }

  unwatchAll(tx: Transaction): void {
    if (tx.watches.length === 0) return;
    for (const w of tx.watches) {
      const keys = this.watched[w.db]!;
      const watchers = keys.get(w.key)!;
      watchers.delete(tx);
      if (watchers.size === 0) keys.delete(w.key);
    }
    this.watchCount -= tx.watches.length;
    tx.watches = [];
    if (this.watchCount === 0) this.stopListening();
  }

  /** Redis's isWatchedKeyExpired: a key alive when watched has expired since (not yet reclaimed). */
  watchedKeyExpired(tx: Transaction): boolean {
    for (const w of tx.watches) if (!w.expired && this.ks.dbs[w.db].isExpired(w.key)) return true;
    return false;
  }

  private listen(): void {
    this.unsubscribe = [
      this.ks.onKeyModified((db, key, signalled) => {
        if (signalled) this.touched(db, key);
      }),
      this.ks.onDbFlushed((db, emptied) => this.flushed(db, emptied)),
    ];
  }

  private stopListening(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  /** Redis's touchWatchedKey: every transaction watching the key will fail, and stops watching. */
  private touched(db: number, key: string): void {
    const watchers = this.watched[db]?.get(key);
    if (watchers === undefined) return;
    const d = this.ks.dbs[db];
    for (const w of watchers.values()) {
      if (w.expired) {
        // Watched once already expired: reclaiming it is no change (a new value is).
        if (!d.keys.has(key)) {
          w.expired = false;
          continue;
        }
        if (d.isExpired(key)) continue;
      }
      this.dirty(w.tx);
    }
  }

  /** Bound to fail: what it still watches is of no use (Redis unwatches; the queue stays, new commands are dropped). */
  private dirty(tx: Transaction): void {
    tx.c.dirtyCas = true;
    this.unwatchAll(tx);
  }

  /**
   * Redis's touchAllWatchedKeysInDb: FLUSHDB/FLUSHALL (`emptied` is what the database held) and
   * SWAPDB (`emptied` is what it held, now in the other database; it holds the other's keys now):
   * a watched key that existed in either fails its watchers, except that a key already expired
   * when watched and now gone (or still expired) is no change.
   */
  private flushed(db: number, emptied: KeyTable<Value>): void {
    const keys = this.watched[db];
    if (keys === undefined) return;
    const now = this.ks.dbs[db];
    const failed: Transaction[] = [];
    for (const [key, watchers] of keys) {
      const existed = emptied.has(key);
      const exists = now.keys.has(key);
      if (!existed && !exists) continue;
      for (const w of watchers.values()) {
        if (w.expired) {
          if (!exists) {
            w.expired = false;
            continue;
          }
          if (now.isExpired(key)) continue;
        } else if (!existed && now.isExpired(key)) {
          w.expired = true;
          continue;
        }
        failed.push(w.tx);
      }
    }
    for (const tx of failed) tx.c.dirtyCas = true;
  }
}

// ---- commands ------------------------------------------------------------------------------------

function multi(tx: Transactions, c: Session): void {
  if (c.multi >= 0) return c.w.error(Err.multiNested);
  c.multi = 0;
  tx.of(c);
  c.w.ok();
}

function discard(tx: Transactions, c: Session): void {
  if (c.multi < 0) return c.w.error(Err.discardWithoutMulti);
  tx.discard(c);
  c.w.ok();
}

/**
 * EXEC: fails (null array) when a watched key changed or expired, aborts when a command was
 * refused while queueing; else runs the queue through call(), where blocking commands reply at
 * once and blocked clients are served only after EXEC. Its writes reach the change feed as one
 * unit: wrapped in MULTI/EXEC when there are several, as Redis 7.0 propagates them.
 */
function exec(txs: Transactions, c: Session): void {
  if (c.multi < 0) return c.w.error(Err.execWithoutMulti);
  const tx = txs.of(c);
  if (!c.dirtyCas && txs.watchedKeyExpired(tx)) c.dirtyCas = true;
  if (tx.refused || c.dirtyCas) {
    if (tx.refused) c.w.error(Err.execAbort);
    else c.w.nilArray();
    return txs.discard(c);
  }
  txs.unwatchAll(tx);
  const queue = tx.queue;
  const feed = c.ks.feed;
  const feeding = feed.active;
  if (feeding) feed.hold();
  const errors = c.w.errors;
  c.w.array(queue.length);
  try {
    for (const argv of queue) c.server.call(c, argv);
  } finally {
    // Each command counted its own errors; EXEC itself did not fail.
    c.w.errors = errors;
    txs.discard(c);
    if (feeding) emitUnit(c.ks, feed.release());
  }
}

function emitUnit(ks: Keyspace, held: [number, readonly string[]][]): void {
  if (held.length === 0) return;
  const feed = ks.feed;
  if (held.length > 1) feed.emit(held[0][0], ['MULTI']);
  for (const [db, argv] of held) feed.emit(db, argv);
  if (held.length > 1) feed.emit(held[held.length - 1][0], ['EXEC']);
}

function watch(tx: Transactions, c: Session, argv: string[]): void {
  if (c.multi >= 0) return c.w.error(Err.watchInMulti);
  // No point watching more once bound to fail.
  if (!c.dirtyCas) for (let i = 1; i < argv.length; i++) tx.watch(c, argv[i]);
  c.w.ok();
}

function unwatch(tx: Transactions, c: Session): void {
  tx.unwatchAll(tx.of(c));
  c.dirtyCas = false;
  c.w.ok();
}

/** Each server's state, by its keyspace (the command table is shared data; state is per server). */
const servers = new WeakMap<Keyspace, Transactions>();

function on(f: (tx: Transactions, c: Session, argv: string[]) => void) {
  return (c: Session, argv: string[]): void => f(servers.get(c.ks)!, c, argv);
}

const cmd = specMaker('transactions');
const flags = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const transactionCommands: readonly CommandSpec[] = [
  cmd('multi', 1, flags, [0, 0, 0], 'Mark the start of a transaction block', '1.2.0', 'O(1)', on(multi)),
  cmd(
    'exec',
    1,
    ['noscript', 'loading', 'stale', 'skip_slowlog'],
    [0, 0, 0],
    'Execute all commands issued after MULTI',
    '1.2.0',
    'Depends on commands in the transaction',
    on(exec),
  ),
  cmd(
    'discard',
    1,
    flags,
    [0, 0, 0],
    'Discard all commands issued after MULTI',
    '2.0.0',
    'O(N), when N is the number of queued commands',
    on(discard),
  ),
  cmd(
    'watch',
    -2,
    flags,
    [1, -1, 1],
    'Watch the given keys to determine execution of the MULTI/EXEC block',
    '2.2.0',
    'O(1) for every key.',
    on(watch),
  ),
  cmd('unwatch', 1, flags, [0, 0, 0], 'Forget about all watched keys', '2.2.0', 'O(1)', on(unwatch)),
];

export const transactionsFamily: CommandFamily = {
  name: 'transactions',
  commands: transactionCommands,
  install(ctx: FamilyContext) {
    const tx = new Transactions(ctx.ks);
    servers.set(ctx.ks, tx);
    ctx.setTransactions(tx);
    // RESET and a closing connection end the transaction and forget the watched keys.
    ctx.onReset((c) => tx.discard(c));
    ctx.onClose((c) => tx.discard(c));
  },
};
