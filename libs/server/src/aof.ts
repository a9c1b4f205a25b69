import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { CommandFamily } from '@brook/commands';
import {
  RdbFile,
  RdbWriter,
  RespBaseEncoder,
  Snapshot,
  type EncoderFactory,
  AppendLog,
  aofNames,
  emptyManifest,
  formatManifest,
  ManifestError,
  parseManifest,
  type AofFileInfo,
  type AofManifest,
  type FsyncPolicy,
} from '@brook/persistence';
import type { BrookServer } from './brook-server.js';
import { AofLoad, FatalStartupError } from './aof-load.js';
import type { Client } from './client.js';
import { REDIS_COMPAT_VERSION } from './version.js';

/** Holds a client's replies back until the writes they acknowledge are in the AOF (Client.flush asks). */
export interface ReplyGate {
  holds(c: Client): boolean;
}

/**
 * `appendonly yes`: loads the multi-part AOF at start-up (manifest, base, incr files, run through
 * the normal command path as a fake client, as Redis does), then appends every change-feed entry
 * to the last incr file (AppendLog) and holds replies until their writes are written, or durable
 * with `appendfsync always`.
 */
export class AofPersistence implements ReplyGate {
  private readonly logger = new Logger('aof');
  /**
   * Redis's aof_state: 'wait-rewrite' after CONFIG SET appendonly yes, until the rewrite that
   * writes the first base is done; meanwhile writes go to a temp incr file the manifest does not
   * name yet, so a crash before then leaves the directory as it was.
   */
  private state: 'off' | 'on' | 'wait-rewrite' = 'off';
  private log: AppendLog<Client> | null = null;
  private unsubscribe: (() => void) | null = null;
  private manifest: AofManifest = emptyManifest();
  private baseSize = 0;
  /** Sizes of the incr files before the one being appended to. */
  private olderIncrSize = 0;
  /** Set while released clients flush: their replies may go out. */
  private releasing = false;
  private rewrite: Rewrite | null = null;
  /** BGREWRITEAOF asked for while a BGSAVE held the one snapshot: it starts when that ends. */
  private rewriteScheduled = false;
  private rewrites = 0;
  /** Failed rewrites since the last that succeeded (INFO aof_rewrites_consecutive_failures). */
  private consecutiveFailures = 0;
  /** Peak bytes the last successful rewrite held beyond the data set (INFO aof_last_cow_size). */
  private lastRewriteExtraBytes = 0;
  private lastRewriteSec = -1;
  private lastRewriteOk = true;
  /** The AOF's size when its base was last written: auto-aof-rewrite-percentage measures growth from it. */
  private rewriteBaseSize = 0;
  private cron: NodeJS.Timeout | null = null;
  /** The AOF load left for after the listeners are up (start), else null. */
  private loading: { readonly job: AofLoad; readonly startedMs: number } | null = null;

  constructor(private readonly server: BrookServer) {
    server.addInfo('persistence', () => this.info());
    server.config.onApply((name, value) => this.apply(name, value));
  }

  private get dir(): string {
    return join(this.server.config.value('dir'), this.server.config.value('appenddirname'));
  }

  private get fileName(): string {
    return this.server.config.value('appendfilename');
  }

  /**
   * At start-up, before any listener: reads the manifest and loads an AOF of up to
   * PRE_LISTEN_BYTES at once; a bigger one loads in slices once the port is open
   * (continueLoading). The AOF opens for appending once it is loaded.
   */
  start(): void {
    this.cron = setInterval(() => this.tick(), 1000);
    this.cron.unref();
    if (this.server.config.value('appendonly') !== 'yes') return;
    const manifestPath = join(this.dir, aofNames.manifest(this.fileName));
    if (existsSync(manifestPath)) {
      try {
        this.manifest = parseManifest(readFileSync(manifestPath, 'latin1'));
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e;
        throw new FatalStartupError(`*** FATAL AOF MANIFEST FILE ERROR *** ${e.message}`);
      }
    }
    this.upgradeSingleFile();
    if (this.manifest.base === null && this.manifest.incr.length === 0) return this.open();
    // On while it loads, as Redis's aof_state: INFO says aof_enabled:1 (the log opens once loaded).
    this.state = 'on';
    const startedMs = Date.now();
    const job = new AofLoad(this.server, this.dir, this.manifest, this.logger);
    if (job.totalBytes > PRE_LISTEN_BYTES) {
      this.loading = { job, startedMs };
      return;
    }
    job.step(Infinity);
    this.loaded(job, startedMs);
  }

  /** After the listeners are up: the rest of the AOF in slices, clients meanwhile getting -LOADING (Persistence.runLoad). */
  continueLoading(): void {
    const pending = this.loading;
    if (pending === null) return;
    this.loading = null;
    this.server.persistence.runLoad(
      pending.job,
      pending.startedMs,
      () => this.loaded(pending.job, pending.startedMs),
      (e) => {
        this.logger.error(e.message);
        process.exit(1);
      },
    );
  }

  /**
   * Redis ≤ 6's single-file AOF (`<dir>/<appendfilename>`: commands, possibly after an RDB
   * preamble) becomes the base of the multi-part layout, as Redis 7.0's aofUpgradePrepare does
   * when there is no AOF directory, or no files in its manifest, or a manifest naming only that
   * base which is not moved yet (a crash in the middle of an upgrade). The manifest is written
   * first, then the file moved.
   */
  private upgradeSingleFile(): void {
    const old = join(this.server.config.value('dir'), this.fileName);
    if (!existsSync(old)) return;
    const m = this.manifest;
    const none = m.base === null && m.incr.length === 0;
    const halfDone = m.base?.name === this.fileName && m.incr.length === 0 && !existsSync(join(this.dir, this.fileName));
    if (existsSync(this.dir) && !none && !halfDone) return;
    mkdirSync(this.dir, { recursive: true });
    m.base = { name: this.fileName, seq: 1, type: 'b' };
    this.persistManifest();
    renameSync(old, join(this.dir, this.fileName));
    const dirName = this.server.config.value('appenddirname');
    this.logger.log(`Successfully migrated an old-style AOF file (${this.fileName}) into the AOF directory (${dirName}).`);
  }

  private loaded(job: AofLoad, startedMs: number): void {
    // Loading is not client traffic: the stats start at zero, as Redis's (commands run from the AOF are not counted).
    this.server.resetStats();
    this.logger.log(
      `DB loaded from append only file: ${((Date.now() - startedMs) / 1000).toFixed(3)} seconds (${String(job.loadedBytes)} bytes)`,
    );
    this.open();
  }

  // ---- appending ----------------------------------------------------------------------------

  /**
   * Opens the last incr file for appending, creating the layout Redis 7.0 creates on a first
   * start (an empty base, incr seq 1, the manifest) or a new incr file when the manifest has none.
   */
  private open(): void {
    mkdirSync(this.dir, { recursive: true });
    const m = this.manifest;
    let changed = false;
    if (m.base === null && m.incr.length === 0) {
      // The data set is empty: the base is an empty RDB (aof-use-rdb-preamble yes) or an empty RESP file.
      const rdb = this.server.config.value('aof-use-rdb-preamble') === 'yes';
      m.base = { name: aofNames.base(this.fileName, 1, rdb), seq: 1, type: 'b' };
      writeFileSync(join(this.dir, m.base.name), rdb ? this.emptyRdb() : '');
      this.logger.log(`Creating AOF base file ${m.base.name} on server start`);
      changed = true;
    }
    if (m.incr.length === 0) {
      const seq = (m.incr.at(-1)?.seq ?? 0) + 1;
      m.incr.push({ name: aofNames.incr(this.fileName, seq), seq, type: 'i' });
      this.logger.log(`Creating AOF incr file ${m.incr[0].name} on server start`);
      changed = true;
    }
    const incr = m.incr[m.incr.length - 1];
    const fd = openSync(join(this.dir, incr.name), 'a');
    if (changed) this.persistManifest();
    this.baseSize = m.base ? sizeOf(join(this.dir, m.base.name)) : 0;
    this.olderIncrSize = m.incr.slice(0, -1).reduce((n, f) => n + sizeOf(join(this.dir, f.name)), 0);
    this.state = 'on';
    this.attach(fd, sizeOf(join(this.dir, incr.name)));
    this.rewriteBaseSize = this.currentSize;
  }

  /** Appends every change-feed entry to `fd` from now on, and holds replies until their writes are in it. */
  private attach(fd: number, size: number): void {
    const log = new AppendLog<Client>(
      fd,
      size,
      this.server.config.value('appendfsync') as FsyncPolicy,
      (clients) => this.releaseClients(clients),
      (why) => this.fatal(why),
      (what) => this.logger.log(what),
    );
    this.log = log;
    this.unsubscribe = this.server.ks.feed.subscribe((db, argv) => log.append(db, argv));
    this.server.replyGate = this;
  }

  /** Where writes go while the first base is written (Redis's temp-<appendfilename>.incr). */
  private get tempIncrPath(): string {
    return join(this.dir, `temp-${this.fileName}.incr`);
  }

  /** An RDB of an empty data set, marked as an AOF base. */
  private emptyRdb(): Buffer {
    const chunks: Buffer[] = [];
    const w = new RdbWriter({ compression: false, checksum: this.server.config.value('rdbchecksum') === 'yes' }, (c) => chunks.push(c));
    w.header([
      ['redis-ver', REDIS_COMPAT_VERSION],
      ['redis-bits', 64],
      ['ctime', Math.floor(Date.now() / 1000)],
      ['used-mem', process.memoryUsage().heapUsed],
      ['aof-base', 1],
    ]);
    w.end();
    return Buffer.concat(chunks);
  }

  /** The manifest, atomically: a temp file fsynced then renamed over it, and the directory fsynced. */
  private persistManifest(): void {
    const tmp = join(this.dir, aofNames.tempManifest(this.fileName));
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, formatManifest(this.manifest), 'latin1');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, aofNames.manifest(this.fileName)));
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  holds(c: Client): boolean {
    const log = this.log;
    if (log === null || this.releasing || !log.mustWait) return false;
    // With `always` the release comes turns later: its next input waits too, or replies to writes
    // not yet durable would go out with the held ones. Otherwise the release comes this same turn.
    if (log.durableReplies) c.socket.pause();
    log.hold(c);
    return true;
  }

  private releaseClients(clients: Iterable<Client>): void {
    this.releasing = true;
    try {
      for (const c of clients) c.flushHeld();
    } finally {
      this.releasing = false;
    }
  }

  private fatal(why: string): void {
    this.logger.error(`${why}. Exiting...`);
    process.exit(1);
  }

  // ---- rewriting ----------------------------------------------------------------------------

  /**
   * BGREWRITEAOF, forkless and in Redis 7.0's multi-part scheme: new writes go to a new incr file
   * opened now, while the base is the snapshot engine's point-in-time image (RDB preamble) written
   * in slices; when it is complete the manifest switches to it and the files it replaces go.
   */
  bgrewrite(): { ok: boolean; text: string } {
    if (this.rewrite !== null) return { ok: false, text: 'ERR Background append only file rewriting already in progress' };
    if (this.server.ks.snapshot !== null) {
      this.rewriteScheduled = true;
      return { ok: true, text: 'Background append only file rewriting scheduled' };
    }
    if (!this.startRewrite()) {
      return { ok: false, text: "ERR Can't execute an AOF background rewriting. Please check the server logs for more information." };
    }
    return { ok: true, text: 'Background append only file rewriting started' };
  }

  /** appenddirname, created if needed; false (logged, the last rewrite status 'err', as Redis) when it cannot be. */
  private ensureDir(): boolean {
    try {
      mkdirSync(this.dir, { recursive: true });
      return true;
    } catch (e) {
      this.logger.warn(`Can't open or create append-only dir ${this.server.config.value('appenddirname')}: ${(e as Error).message}`);
      this.lastRewriteOk = false;
      return false;
    }
  }

  /** Starts a rewrite; false when its directory cannot be created. */
  private startRewrite(): boolean {
    this.rewriteScheduled = false;
    const m = this.manifest;
    const baseSeq = (m.base?.seq ?? 0) + 1;
    // aof-use-rdb-preamble: the base is an RDB (marked aof-base) or the commands that rebuild the data.
    const rdb = this.server.config.value('aof-use-rdb-preamble') === 'yes';
    const baseName = aofNames.base(this.fileName, baseSeq, rdb);
    if (!this.ensureDir()) {
      // The rewrite that turns the AOF on is retried (serverCron), as Redis does.
      this.rewriteScheduled = this.state === 'wait-rewrite';
      return false;
    }
    const file = new RdbFile(this.dir, join(this.dir, baseName), rdb && this.server.config.value('rdbchecksum') === 'yes');
    if (this.state === 'wait-rewrite') {
      // Turning the AOF on: from this instant, the base holds the data and the temp incr what follows.
      this.attach(openSync(this.tempIncrPath, 'w'), 0);
      this.logger.log(`Creating AOF incr file temp-${this.fileName}.incr on background rewrite`);
    } else if (this.log !== null) {
      const seq = (m.incr.at(-1)?.seq ?? 0) + 1;
      const incr = { name: aofNames.incr(this.fileName, seq), seq, type: 'i' as const };
      this.olderIncrSize += this.log.size;
      this.log.switchTo(openSync(join(this.dir, incr.name), 'a'), (fd) => fsyncSync(fd));
      m.incr.push(incr);
      this.persistManifest();
      this.logger.log(`Creating AOF incr file ${incr.name} on background rewrite`);
    }
    const compression = this.server.config.value('rdbcompression') === 'yes';
    const encoder: EncoderFactory = rdb
      ? (sink) => new RdbWriter({ compression, checksum: false }, sink)
      : (sink) => new RespBaseEncoder(sink);
    const snapshot = new Snapshot(this.server.ks, encoder, file.push, [
      ['redis-ver', REDIS_COMPAT_VERSION],
      ['redis-bits', 64],
      ['ctime', Math.floor(Date.now() / 1000)],
      ['used-mem', process.memoryUsage().heapUsed],
      ['aof-base', 1],
    ]);
    const rw: Rewrite = { snapshot, file, baseName, baseSeq, startedMs: Date.now(), timer: null };
    this.rewrite = rw;
    this.logger.log('Background append only file rewriting started');
    const slice = (): void => {
      rw.timer = null;
      if (this.rewrite !== rw) return;
      try {
        if (!snapshot.step(REWRITE_SLICE_MS)) {
          // What this slice produced goes out now; the last piece (EOF, checksum) is finish()'s.
          file.flush();
          rw.timer = setImmediate(slice);
          return;
        }
      } catch (e) {
        return this.rewriteDone(rw, e as Error);
      }
      file.finish((err) => this.rewriteDone(rw, err));
    };
    rw.timer = setImmediate(slice);
    return true;
  }

  /** The base is on disk (or the rewrite failed): the manifest switches to it, and what it replaces becomes history and goes. */
  private rewriteDone(rw: Rewrite, err: Error | null): void {
    if (this.rewrite !== rw) return;
    this.rewrite = null;
    this.lastRewriteSec = Math.round((Date.now() - rw.startedMs) / 1000);
    if (err) {
      this.lastRewriteOk = false;
      this.consecutiveFailures++;
      rw.file.discard();
      this.logger.warn(`Background AOF rewrite failed: ${err.message}`);
      if (this.state === 'wait-rewrite') {
        // As Redis: what the temp incr got is dropped, and the rewrite that turns the AOF on is tried again.
        this.dropTempIncr();
        this.rewriteScheduled = true;
      }
      return;
    }
    const m = this.manifest;
    let current: AofFileInfo | undefined;
    if (this.state === 'wait-rewrite') {
      // The temp incr gets the next incr name; every file of the old manifest is in the new base.
      const seq = (m.incr.at(-1)?.seq ?? 0) + 1;
      current = { name: aofNames.incr(this.fileName, seq), seq, type: 'i' };
      renameSync(this.tempIncrPath, join(this.dir, current.name));
    } else if (this.log !== null) {
      // Every incr file but the one opened when the rewrite began is in the new base.
      current = m.incr.at(-1);
    }
    if (m.base) m.history.push({ ...m.base, type: 'h' });
    for (const f of m.incr) if (f !== current) m.history.push({ ...f, type: 'h' });
    m.incr = current ? [current] : [];
    m.base = { name: rw.baseName, seq: rw.baseSeq, type: 'b' };
    this.persistManifest();
    if (this.state === 'wait-rewrite') this.state = 'on';
    this.consecutiveFailures = 0;
    this.lastRewriteExtraBytes = rw.snapshot.peakHeldBytes;
    this.baseSize = rw.file.bytesWritten;
    this.olderIncrSize = 0;
    this.rewriteBaseSize = this.currentSize;
    this.rewrites++;
    this.lastRewriteOk = true;
    this.logger.log('Background AOF rewrite finished successfully');
    if (this.server.config.value('aof-disable-auto-gc') !== 'yes') this.deleteHistory();
  }

  /** Removes the history files and their manifest lines (Redis's aofDelHistoryFiles). */
  private deleteHistory(): void {
    for (const f of this.manifest.history) rmSync(join(this.dir, f.name), { force: true });
    this.manifest.history = [];
    this.persistManifest();
  }

  /** AOF bytes not yet written (MEMORY STATS aof.buffer). */
  get bufferBytes(): number {
    return this.log?.bufferLength ?? 0;
  }

  private get currentSize(): number {
    return this.baseSize + this.olderIncrSize + (this.log?.size ?? 0);
  }

  /** serverCron's AOF part: a scheduled rewrite once the snapshot is free, and auto-aof-rewrite-percentage. */
  private tick(): void {
    if (this.rewrite !== null || this.server.ks.snapshot !== null) return;
    if (this.rewriteScheduled) {
      this.startRewrite();
      return;
    }
    const perc = this.server.config.int('auto-aof-rewrite-percentage');
    const size = this.currentSize;
    if (this.log === null || perc === 0 || size < this.server.config.int('auto-aof-rewrite-min-size')) return;
    const base = this.rewriteBaseSize || 1;
    const growth = Math.floor((size * 100) / base) - 100;
    if (growth >= perc) {
      this.logger.log(`Starting automatic rewriting of AOF on ${String(growth)}% growth`);
      this.startRewrite();
    }
  }

  /** The rewrite that turns the AOF on is running (SHUTDOWN refuses to stop then, unless FORCE). */
  get writingInitialAof(): boolean {
    return this.state === 'wait-rewrite' && this.rewrite !== null;
  }

  /** Shutdown: everything appended is written and fsynced, the file closed. */
  stop(): void {
    this.abortRewrite();
    if (this.cron !== null) clearInterval(this.cron);
    this.cron = null;
    this.turnOff();
  }

  /** Drops a running rewrite (Redis's killAppendOnlyChild): its temp base goes; not counted as a failure. */
  private abortRewrite(): void {
    const rw = this.rewrite;
    if (rw === null) return;
    this.rewrite = null;
    if (rw.timer !== null) clearImmediate(rw.timer);
    rw.snapshot.abort();
    rw.file.discard();
  }

  /**
   * Stops appending (shutdown, CONFIG SET appendonly no): what was appended is written and fsynced
   * first. The AOF was not on yet (no base written): its temp incr file goes too.
   */
  private turnOff(): void {
    const waiting = this.state === 'wait-rewrite';
    this.state = 'off';
    this.rewriteScheduled = false;
    this.closeLog();
    if (waiting) rmSync(this.tempIncrPath, { force: true });
  }

  private closeLog(): void {
    const log = this.log;
    if (log === null) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.server.replyGate = null;
    log.close((fd) => fsyncSync(fd));
    this.log = null;
  }

  /** A failed first rewrite: the writes it would have followed are in the next attempt's base. */
  private dropTempIncr(): void {
    this.closeLog();
    rmSync(this.tempIncrPath, { force: true });
  }

  private apply(name: string, value: string): string | null {
    if (name === 'appendfsync') this.log?.setPolicy(value as FsyncPolicy);
    else if (name === 'appendonly') {
      if (value === 'no' && this.state !== 'off') {
        // As Redis's stopAppendOnly: a rewrite in progress is dropped with the AOF.
        this.abortRewrite();
        this.turnOff();
      } else if (value === 'yes' && this.state === 'off') return this.turnOn();
    }
    return null;
  }

  /**
   * CONFIG SET appendonly yes (Redis's startAppendOnly): the AOF is on once a rewrite has written
   * its base. The rewrite starts after the command (an EXEC's writes reach the feed at its end,
   * and must not be both in the base and in the incr file), or when a BGSAVE frees the snapshot
   * engine; a rewrite already running (BGREWRITEAOF with the AOF off) is replaced, as it does not
   * collect the writes that follow it.
   */
  private turnOn(): string | null {
    if (this.manifest.base === null && this.manifest.incr.length === 0) {
      // A directory left by an earlier run: its files become history once the new base is written.
      const path = join(this.dir, aofNames.manifest(this.fileName));
      if (existsSync(path)) {
        try {
          this.manifest = parseManifest(readFileSync(path, 'latin1'));
        } catch (e) {
          if (!(e instanceof ManifestError)) throw e;
          this.logger.warn(`Unable to turn on AOF: the AOF manifest in ${this.dir} is invalid: ${e.message}`);
          return 'Unable to turn on AOF. Check server logs.';
        }
      }
    }
    if (!this.ensureDir()) return 'Unable to turn on AOF. Check server logs.';
    this.state = 'wait-rewrite';
    this.baseSize = 0;
    this.olderIncrSize = 0;
    if (this.rewrite !== null) {
      this.logger.warn(
        'AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.',
      );
      this.abortRewrite();
    }
    this.rewriteScheduled = true;
    if (this.server.ks.snapshot !== null) {
      this.logger.warn(
        'AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.',
      );
      return null;
    }
    this.server.afterCommand(() => {
      if (this.state === 'wait-rewrite' && this.rewriteScheduled && this.rewrite === null && this.server.ks.snapshot === null)
        this.startRewrite();
    });
    return null;
  }

  /** INFO persistence's aof_* fields, all measured. */
  private info(): [string, string | number][] {
    const log = this.log;
    const rw = this.rewrite;
    const on = this.state !== 'off';
    const fields: [string, string | number][] = [
      ['aof_enabled', on ? 1 : 0],
      ['aof_rewrite_in_progress', rw ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteSec],
      ['aof_current_rewrite_time_sec', rw ? Math.round((Date.now() - rw.startedMs) / 1000) : -1],
      // Redis's 'ok' before any rewrite claims none failed, which is true.
      ['aof_last_bgrewrite_status', this.lastRewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.consecutiveFailures],
    ];
    if (on) fields.push(['aof_last_write_status', log?.lastWriteStatus ?? 'ok']);
    // Redis: the pages the last rewrite's fork copied. A forkless rewrite copies none; what it held
    // beyond the data set is the serialised keys it preserved early, measured by the snapshot.
    fields.push(['aof_last_cow_size', this.lastRewriteExtraBytes]);
    if (!on) return fields;
    fields.push(
      ['aof_current_size', this.currentSize],
      ['aof_base_size', this.baseSize],
      ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', log?.bufferLength ?? 0],
      ['aof_pending_bio_fsync', log?.fsyncInFlight ? 1 : 0],
      ['aof_delayed_fsync', log?.delayedFsyncs ?? 0],
    );
    return fields;
  }
}

/** BGREWRITEAOF. */
export function aofFamily(aof: AofPersistence): CommandFamily {
  return {
    name: 'aof',
    commands: [
      {
        name: 'bgrewriteaof',
        arity: 1,
        flags: ['admin', 'noscript', 'no_async_loading'],
        group: 'server',
        summary: 'Asynchronously rewrite the append-only file',
        since: '1.0.0',
        complexity: 'O(1)',
        handler: (c) => {
          const r = aof.bgrewrite();
          if (r.ok) c.w.simple(r.text);
          else c.w.error(r.text);
        },
      },
    ],
  };
}

/**
 * An AOF up to this size (a few ms of replay) loads before the listeners open, so a bad small
 * file stops the server before anyone could connect (Redis listens first, but the -LOADING
 * window would be that short); nobody waits on the event loop yet. A bigger one loads after.
 */
const PRE_LISTEN_BYTES = 1 << 20;
/** A rewrite's turn: a few ms of serialisation, then the event loop serves clients (as BGSAVE's). */
const REWRITE_SLICE_MS = 4;

interface Rewrite {
  readonly snapshot: Snapshot;
  readonly file: RdbFile;
  readonly baseName: string;
  readonly baseSeq: number;
  readonly startedMs: number;
  timer: NodeJS.Immediate | null;
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
