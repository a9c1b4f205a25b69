import { closeSync, fdatasync, writeSync } from 'node:fs';
import { respCommand } from './resp-command.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/**
 * The open incr file of the AOF: change-feed entries become RESP commands (with SELECT when the
 * database changes) in a buffer written once per event-loop turn, like Redis's beforeSleep
 * flushAppendOnlyFile. Replies produced while the AOF holds bytes not yet written (or, with
 * `always`, not yet durable) wait: the server parks those clients here (hold) and gets them
 * back (release) once their writes are on disk. With `always` the fdatasync runs in the thread
 * pool, one per turn at most, covering every write of that turn (group commit).
 */
export class AppendLog<W> {
  private pending = '';
  private selectedDb = -1;
  private scheduled = false;
  /** Waiters for the bytes pending or written after the sync in flight started. */
  private next = new Set<W>();
  /** Waiters the fsync in flight covers. */
  private inflight = new Set<W>();
  /** An `always` fsync is running: replies wait for it. */
  private syncing = false;
  /** An `everysec` fsync is running: replies do not wait for it. */
  private bgSyncing = false;
  private writtenSinceSync = false;
  private everysecTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Bytes written to the file (the incr file's size). */
  size: number;
  /** Bytes in the file not yet fsynced. */
  private unsynced = 0;
  /** 'ok' or 'err', of the last write (INFO aof_last_write_status). */
  lastWriteStatus: 'ok' | 'err' = 'ok';
  /** Writes made after waiting POSTPONE_MS for a background fsync (INFO aof_delayed_fsync). */
  delayedFsyncs = 0;
  /** When the write now waiting for the background fsync was first postponed (ms), or 0. */
  private postponedSince = 0;

  constructor(
    private fd: number,
    initialSize: number,
    private policy: FsyncPolicy,
    private readonly release: (waiters: Iterable<W>) => void,
    private readonly fatal: (why: string) => void,
    private readonly notice: (what: string) => void,
  ) {
    this.size = initialSize;
    this.setPolicy(policy);
  }

  setPolicy(policy: FsyncPolicy): void {
    this.policy = policy;
    if (this.everysecTimer) clearInterval(this.everysecTimer);
    this.everysecTimer = null;
    if (policy === 'everysec') {
      this.everysecTimer = setInterval(() => this.backgroundSync(), 1000);
      this.everysecTimer.unref();
    }
  }

  /** One change-feed entry. */
  append(db: number, argv: readonly string[]): void {
    if (db !== this.selectedDb) {
      this.pending += respCommand(['SELECT', String(db)]);
      this.selectedDb = db;
    }
    this.pending += respCommand(argv);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.endOfTurn);
    }
  }

  /** True when a reply made now must wait for the AOF (see hold). */
  get mustWait(): boolean {
    return (this.pending.length !== 0 && this.postponedSince === 0) || this.syncing;
  }

  /** Replies wait for an fsync (`always`), not only for the write. */
  get durableReplies(): boolean {
    return this.policy === 'always';
  }

  /** Keeps `w` until what the AOF holds now is written (durable with `always`), then gives it to release(). */
  hold(w: W): void {
    this.next.add(w);
  }

  /** Bytes appended but not yet handed to the kernel (INFO aof_buffer_length). */
  get bufferLength(): number {
    return this.pending.length;
  }

  /** An fsync is running in the background (INFO aof_pending_bio_fsync). */
  get fsyncInFlight(): boolean {
    return this.syncing || this.bgSyncing;
  }

  private readonly endOfTurn = (): void => {
    this.scheduled = false;
    if (this.closed || this.postpone()) return;
    if (!this.writePending()) {
      // Nothing reached the file: the held replies wait for the next turn's retry.
      this.scheduleRetry();
      return;
    }
    if (this.policy !== 'always') return this.releaseNext();
    if (this.syncing) this.writtenSinceSync = true;
    else this.startSync();
  };

  /**
   * `everysec`, Redis's rule: a write to the file while its background fsync runs would block
   * until that ends, so the write waits for the fsync up to POSTPONE_MS, and the replies do not
   * wait for the write meanwhile (everysec may lose about that much). Past that it is written
   * anyway, counted as a delayed fsync. True while postponed.
   */
  private postpone(): boolean {
    if (this.policy !== 'everysec' || !this.bgSyncing || this.pending.length === 0) {
      this.postponedSince = 0;
      return false;
    }
    const now = Date.now();
    if (this.postponedSince === 0) this.postponedSince = now;
    if (now - this.postponedSince < POSTPONE_MS) {
      this.releaseNext();
      this.scheduleRetry();
      return true;
    }
    this.postponedSince = 0;
    this.delayedFsyncs++;
    this.notice(
      'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Brook.',
    );
    return false;
  }

  private scheduleRetry(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(this.endOfTurn, 100).unref();
  }

  /** Hands the pending bytes to the kernel; false (and the bytes kept) when the write fails. */
  private writePending(): boolean {
    const data = this.pending;
    if (data.length === 0) return true;
    try {
      let done = 0;
      while (done < data.length) done += writeSync(this.fd, done === 0 ? data : data.slice(done), null, 'latin1');
    } catch (e) {
      this.lastWriteStatus = 'err';
      // Redis cannot acknowledge anything under `always` once a write failed: it exits.
      if (this.policy === 'always')
        this.fatal(`Can't recover from AOF write error when the AOF fsync policy is 'always': ${(e as Error).message}`);
      return false;
    }
    this.pending = '';
    this.size += data.length;
    this.unsynced += data.length;
    this.lastWriteStatus = 'ok';
    return true;
  }

  private releaseNext(): void {
    if (this.next.size === 0) return;
    const w = this.next;
    this.next = new Set();
    this.release(w);
  }

  /** `always`: one fdatasync covering everything written so far; the replies waiting for it go out after. */
  private startSync(): void {
    this.syncing = true;
    this.writtenSinceSync = false;
    this.inflight = this.next;
    this.next = new Set();
    this.unsynced = 0;
    fdatasync(this.fd, (err) => {
      this.syncing = false;
      this.closeRetired();
      if (this.closed) return;
      if (err) {
        this.lastWriteStatus = 'err';
        return this.fatal(`Can't persist the AOF (fdatasync): ${err.message}`);
      }
      const done = this.inflight;
      this.inflight = new Set();
      if (this.writtenSinceSync) this.startSync();
      // Waiters whose commands ran in this same turn, before this callback, have their bytes still
      // pending (not even written): the turn's end writes and syncs them, then releases them.
      // Releasing them here let a reply out before its write, and a SIGKILL then lost it.
      else if (this.pending.length === 0) this.releaseNext();
      this.release(done);
    });
  }

  /** `everysec`: fsync what was written in the last second, in the thread pool. */
  private backgroundSync(): void {
    if (this.unsynced === 0 || this.closed || this.bgSyncing) return;
    this.unsynced = 0;
    this.bgSyncing = true;
    fdatasync(this.fd, (err) => {
      this.bgSyncing = false;
      this.closeRetired();
      if (this.closed) return;
      if (err) this.lastWriteStatus = 'err';
      // A write postponed for this fsync goes now.
      if (this.postponedSince !== 0) this.endOfTurn();
    });
  }

  /** Writes what is pending and fsyncs it (shutdown, or before switching files); releases every waiter. */
  flushSync(fsync: (fd: number) => void): void {
    this.writePending();
    fsync(this.fd);
    this.unsynced = 0;
    const all = [...this.inflight, ...this.next];
    this.inflight = new Set();
    this.next = new Set();
    if (all.length) this.release(all);
  }

  /**
   * Appends to another file from now on (a rewrite opened a new incr file): what is pending goes to
   * the old one, fsynced, first; the new file starts with a SELECT. The old file is closed once no
   * fsync runs on it.
   */
  switchTo(fd: number, fsync: (fd: number) => void): void {
    this.flushSync(fsync);
    this.retire(this.fd);
    this.fd = fd;
    this.size = 0;
    this.selectedDb = -1;
  }

  /** Fds no longer appended to, closed when the fsync in flight on them is done. */
  private retired: number[] = [];

  private retire(fd: number): void {
    if (this.syncing || this.bgSyncing) this.retired.push(fd);
    else closeSync(fd);
  }

  private closeRetired(): void {
    if (this.syncing || this.bgSyncing) return;
    for (const fd of this.retired) closeSync(fd);
    this.retired = [];
  }

  /** Shutdown or appendonly no: everything written and fsynced, the timers stopped, the file closed. */
  close(fsync: (fd: number) => void): void {
    this.flushSync(fsync);
    this.closed = true;
    if (this.everysecTimer) clearInterval(this.everysecTimer);
    this.everysecTimer = null;
    this.retire(this.fd);
  }
}

/** How long a write may wait for the background fsync under `everysec` (Redis: 2 seconds). */
const POSTPONE_MS = 2000;
