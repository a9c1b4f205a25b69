/**
 * The change feed: every write, in a deterministic replayable form (absolute expiry times,
 * concrete removals instead of random picks, DEL for expired and evicted keys). AOF, replication
 * and keyspace notifications all consume this one feed.
 */
export type ChangeListener = (db: number, argv: readonly string[]) => void;

export class ChangeFeed {
  private listeners: ChangeListener[] = [];
  /** Entries kept back while a transaction runs (hold), or null. */
  private held: [number, readonly string[]][] | null = null;

  /** True when someone listens; writers skip building entries otherwise. */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(db: number, argv: readonly string[]): void {
    if (this.held !== null) {
      this.held.push([db, argv]);
      return;
    }
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i](db, argv);
  }

  /** Keeps what is emitted from now on until release() (EXEC: the transaction's writes reach listeners as one unit). */
  hold(): void {
    this.held = [];
  }

  /** Stops holding; returns what was held, in order, for the caller to emit. */
  release(): [number, readonly string[]][] {
    const held = this.held ?? [];
    this.held = null;
    return held;
  }
}
