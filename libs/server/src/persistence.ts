import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { Err, type CommandFamily, type CommandSpec, type FamilyContext, type Session } from '@brook/commands';
import { RdbFile, RdbLoad, RdbWriter, Snapshot, limitsFromConfig, type EncoderFactory } from '@brook/persistence';
import type { Keyspace } from '@brook/storage';
import type { ConfigStore } from './config/config-store.js';
import { REDIS_COMPAT_VERSION } from './version.js';

/** Redis's text for writes refused after a failed background save (stop-writes-on-bgsave-error). */
export const MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
export const LOADING = 'LOADING Redis is loading the dataset in memory';

/** A background save's turn: a few ms, then the event loop serves clients (as active expiry does). */
const SLICE_MS = 4;
/** After a failed background save, save points wait this long before trying again (CONFIG_BGSAVE_RETRY_DELAY). */
const RETRY_DELAY_S = 5;
/** BGSAVE while an AOF rewrite holds the snapshot walk: Redis's reply when another child process is active. */
const BGSAVE_BUSY =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

/** Save points and a scheduled BGSAVE are checked this often (serverCron at the default hz). */
const CRON_MS = 100;

/**
 * A start-up load sliced across event-loop turns: dbfilename (RdbLoad) or the AOF's files. While
 * one runs, commands without the loading flag get -LOADING and INFO reports the loading_* fields.
 */
export interface LoadJob {
  /** Loads for about `budgetMs`; true once the whole data set is in. Throws on a file that cannot be loaded. */
  step(budgetMs: number): boolean;
  /** Bytes consumed so far (INFO loading_loaded_bytes). */
  readonly offset: number;
  /** Bytes to load in all (INFO loading_total_bytes). */
  readonly totalBytes: number;
  /** The client whose commands replay the data set (the AOF's), which the -LOADING gate lets through; null for an RDB. */
  readonly client: object | null;
}

interface RunningLoad {
  readonly job: LoadJob;
  readonly startedMs: number;
  timer: NodeJS.Immediate | null;
}

interface BackgroundSave {
  readonly snapshot: Snapshot;
  readonly file: RdbFile;
  readonly startedMs: number;
  readonly dirtyAtStart: number;
  /** SYNC clients waiting for this snapshot's file: called with true once it is dbfilename, false if it failed. */
  readonly waiters: ((ok: boolean) => void)[];
}

/**
 * RDB persistence on one server: SAVE, forkless BGSAVE (Snapshot), save points, LASTSAVE, the
 * stop-writes-on-bgsave-error gate, loading at start-up and DEBUG RELOAD, the rdb_* INFO fields,
 * and the RDB transfer of SYNC/PSYNC for `redis-cli --rdb`.
 */
export class Persistence {
  private readonly logger = new Logger('brook');
  /** Unix seconds of the last successful save; the start time until then, as in Redis (LASTSAVE). */
  lastSave = Math.floor(Date.now() / 1000);
  private lastBgsaveOk = true;
  private lastBgsaveTry = 0;
  private lastBgsaveTimeSec = -1;
  private saves = 0;
  /** Peak bytes the last background save held beyond the data set (rdb_last_cow_size's counterpart). */
  private lastExtraBytes = 0;
  private bg: BackgroundSave | null = null;
  /** Keys the last load (start-up or DEBUG RELOAD) loaded, and skipped as already expired. */
  private lastLoad = { loaded: 0, expired: 0 };
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private cron: NodeJS.Timeout | null = null;
  /** The start-up load in progress (commands without the loading flag get -LOADING), else null. */
  private load: RunningLoad | null = null;
  /**
   * True while a command may be refused before it runs (loading, or MISCONF armed): the dispatcher
   * checks this one flag and asks `refusal` only then.
   */
  gated = false;

  constructor(
    private readonly ks: Keyspace,
    private readonly config: ConfigStore,
  ) {}

  get path(): string {
    return join(this.config.value('dir'), this.config.value('dbfilename'));
  }

  get bgsaveInProgress(): boolean {
    return this.bg !== null;
  }

  /** The client replaying the AOF while it loads: its commands are the load, never refused. */
  get loadingClient(): object | null {
    return this.load?.job.client ?? null;
  }

  /** The error for a command refused now (LOADING, MISCONF), or null. */
  refusal(flags: readonly string[], isWrite: boolean, name: string): string | null {
    if (this.load !== null && !flags.includes('loading')) return LOADING;
    if ((isWrite || name === 'ping') && this.writesDenied()) return MISCONF;
    return null;
  }

  start(): void {
    this.cron = setInterval(() => this.serverCron(), CRON_MS);
    this.cron.unref();
  }

  stop(): void {
    if (this.cron) clearInterval(this.cron);
    this.cron = null;
    this.abortBackground('server stopped');
    if (this.load?.timer) clearImmediate(this.load.timer);
    this.load = null;
    this.refreshGate();
  }

  // ---- saving -------------------------------------------------------------------------------

  /** SAVE: the whole image now, blocking; null or the error reply. */
  save(): string | null {
    if (this.bgsaveInProgress) return 'ERR Background save already in progress';
    this.saves++;
    return this.saveSync() ? null : 'ERR';
  }

  /** A blocking save (SAVE, SHUTDOWN, FLUSHALL with save points, DEBUG RELOAD); false after logging the failure. */
  saveSync(): boolean {
    this.abortBackground('a synchronous save takes over');
    // An AOF rewrite holds the one snapshot walk: SAVE blocks anyway, so it finishes that walk first (Redis's SAVE runs beside its child).
    this.ks.snapshot?.finishNow();
    const started = Date.now();
    let file: RdbFile | null = null;
    try {
      file = this.openFile();
      const snap = this.snapshot(file);
      snap.step(Infinity);
      file.finishSync();
    } catch (e) {
      file?.discard();
      this.logger.warn(`Write error saving DB on disk: ${(e as Error).message}`);
      return false;
    }
    this.ks.dirty = 0;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.refreshGate();
    this.logger.log(`DB saved on disk (${file.bytesWritten} bytes in ${Date.now() - started} ms)`);
    return true;
  }

  /** BGSAVE [SCHEDULE]: the reply (a status text or an error starting with its code). */
  bgsave(inExec: boolean, schedule: boolean): { ok: boolean; text: string } {
    if (this.bgsaveInProgress) return { ok: false, text: 'ERR Background save already in progress' };
    // Another snapshot walk (an AOF rewrite) stands where Redis's other child process would.
    const busy = this.ks.snapshot !== null;
    if (inExec || (busy && schedule)) {
      this.scheduled = true;
      return { ok: true, text: 'Background saving scheduled' };
    }
    if (busy) return { ok: false, text: BGSAVE_BUSY };
    return this.startBackground() ? { ok: true, text: 'Background saving started' } : { ok: false, text: 'ERR' };
  }

  /** Starts a snapshot sliced across event-loop turns; false when its file cannot be created. */
  private startBackground(): boolean {
    this.saves++;
    this.lastBgsaveTry = Math.floor(Date.now() / 1000);
    let file: RdbFile;
    try {
      file = this.openFile();
    } catch (e) {
      this.logger.warn(`Failed opening the temp RDB file for saving: ${(e as Error).message}`);
      this.backgroundFailed();
      return false;
    }
    this.bg = { snapshot: this.snapshot(file), file, startedMs: Date.now(), dirtyAtStart: this.ks.dirty, waiters: [] };
    this.logger.log('Background saving started (forkless snapshot)');
    this.timer = setTimeout(() => this.backgroundSlice(), 0);
    return true;
  }

  private backgroundSlice(): void {
    const bg = this.bg;
    if (bg === null) return;
    let done: boolean;
    try {
      done = bg.snapshot.step(SLICE_MS);
      if (!done) bg.file.flush();
    } catch (e) {
      return this.backgroundEnded(bg, e as Error);
    }
    if (!done) {
      this.timer = setImmediate(() => this.backgroundSlice()) as unknown as NodeJS.Timeout;
      return;
    }
    this.timer = null;
    bg.file.finish((err) => this.backgroundEnded(bg, err));
  }

  private backgroundEnded(bg: BackgroundSave, err: Error | null): void {
    if (this.bg !== bg) return;
    this.bg = null;
    this.lastExtraBytes = bg.snapshot.peakHeldBytes;
    if (err !== null) {
      bg.snapshot.abort();
      bg.file.discard();
      this.logger.warn(`Background saving error: ${err.message}`);
      this.backgroundFailed();
      for (const w of bg.waiters) w(false);
      return;
    }
    this.ks.dirty -= bg.dirtyAtStart;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.lastBgsaveTimeSec = Math.round((Date.now() - bg.startedMs) / 1000);
    this.refreshGate();
    this.logger.log(
      `Background saving terminated with success (${bg.file.bytesWritten} bytes, ${bg.snapshot.preservedEarly} keys written ahead of the walk, ${Date.now() - bg.startedMs} ms)`,
    );
    for (const w of bg.waiters) w(true);
  }

  private backgroundFailed(): void {
    this.lastBgsaveOk = false;
    this.refreshGate();
  }

  /** Drops a running background save (a synchronous save or FLUSHALL takes over, or shutdown): not a failure, as Redis's killRDBChild. */
  private abortBackground(why: string): void {
    const bg = this.bg;
    if (bg === null) return;
    this.bg = null;
    if (this.timer !== null) clearImmediate(this.timer as unknown as NodeJS.Immediate);
    this.timer = null;
    bg.snapshot.abort();
    bg.file.discard();
    this.logger.log(`Background saving stopped: ${why}`);
    for (const w of bg.waiters) w(false);
  }

  private openFile(): RdbFile {
    return new RdbFile(this.config.value('dir'), resolve(this.path), this.config.bool('rdbchecksum'));
  }

  private snapshot(file: RdbFile): Snapshot {
    const compression = this.config.bool('rdbcompression');
    const encoder: EncoderFactory = (sink) => new RdbWriter({ compression, checksum: false }, sink);
    return new Snapshot(this.ks, encoder, file.push, [
      ['redis-ver', REDIS_COMPAT_VERSION],
      ['redis-bits', 64],
      ['ctime', Math.floor(Date.now() / 1000)],
      ['used-mem', process.memoryUsage().heapUsed],
      ['aof-base', 0],
    ]);
  }

  // ---- save points and the cron -------------------------------------------------------------

  private savePoints(): [number, number][] {
    const parts = this.config.value('save').split(' ').filter(Boolean);
    const points: [number, number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) points.push([Number(parts[i]), Number(parts[i + 1])]);
    return points;
  }

  get hasSavePoints(): boolean {
    return this.savePoints().length > 0;
  }

  private writesDenied(): boolean {
    return !this.lastBgsaveOk && this.config.bool('stop-writes-on-bgsave-error') && this.hasSavePoints;
  }

  /** Recomputes the dispatcher's one-flag gate: set whenever a refusal is possible (refusal() decides, reading the config then). */
  refreshGate(): void {
    this.gated = this.load !== null || !this.lastBgsaveOk;
  }

  get loading(): boolean {
    return this.load !== null;
  }

  /** serverCron's persistence part: a scheduled BGSAVE, then the save points. */
  private serverCron(): void {
    if (this.bg !== null || this.load !== null || this.ks.snapshot !== null) return;
    const now = Math.floor(Date.now() / 1000);
    const mayRetry = this.lastBgsaveOk || now - this.lastBgsaveTry > RETRY_DELAY_S;
    if (this.scheduled && mayRetry) {
      this.scheduled = false;
      this.startBackground();
      return;
    }
    for (const [seconds, changes] of this.savePoints()) {
      if (this.ks.dirty >= changes && now - this.lastSave > seconds && mayRetry) {
        this.logger.log(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBackground();
        return;
      }
    }
  }

  // ---- SYNC / PSYNC ---------------------------------------------------------------------------

  /**
   * The RDB for a SYNC/PSYNC client, as Redis's disk-based sync: the BGSAVE in progress, or a new
   * one, then `$<len>\r\n` and the file's bytes (no CRLF after them). Only the transfer: Brook has
   * no replication stream yet, so nothing follows it.
   */
  transfer(c: Session, preamble: string): void {
    this.logger.warn('SYNC/PSYNC: sending an RDB snapshot only; no replication stream follows (Brook has no replication yet)');
    c.defer(
      new Promise<void>((done) => {
        const send = (ok: boolean): void => {
          if (!ok) c.w.error('ERR the snapshot for SYNC failed; see the server log');
          else {
            const bytes = readFileSync(this.path);
            c.w.raw(`${preamble}$${bytes.length}\r\n`);
            c.w.bytes(bytes);
          }
          done();
        };
        if (this.bg === null && !this.startBackground()) return send(false);
        this.bg!.waiters.push(send);
      }),
    );
  }

  // ---- loading ------------------------------------------------------------------------------

  /** Starts loading dbfilename if it exists, in slices (commands meanwhile get -LOADING). Exits on a bad file, as Redis. */
  loadAtStartup(): void {
    const path = this.path;
    if (!existsSync(path)) return;
    const started = Date.now();
    const job = new RdbLoad(
      this.ks,
      readFileSync(path),
      limitsFromConfig((n) => this.config.value(n)),
      () => Date.now(),
    );
    this.runLoad(
      job,
      started,
      () => {
        this.lastLoad = { loaded: job.keysLoaded, expired: job.keysExpired };
        this.ks.dirty = 0;
        if (job.functionsSkipped > 0)
          this.logger.warn(`${job.functionsSkipped} FUNCTION libraries in the RDB file were not loaded: Brook runs no functions`);
        this.logger.log(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds (${job.keysLoaded} keys)`);
      },
      (e) => this.loadFailed(job, e),
    );
  }

  /**
   * Runs a start-up load in slices of SLICE_MS until it is done (then `done`) or fails (then
   * `failed`, which stops the server): the one mechanism behind -LOADING and INFO's loading_*
   * fields, for dbfilename and the AOF alike. The first slice runs now.
   */
  runLoad(job: LoadJob, startedMs: number, done: () => void, failed: (e: Error) => void): void {
    const load: RunningLoad = { job, startedMs, timer: null };
    this.load = load;
    this.refreshGate();
    const slice = (): void => {
      load.timer = null;
      if (this.load !== load) return;
      let finished: boolean;
      try {
        finished = job.step(SLICE_MS);
      } catch (e) {
        failed(e as Error);
        return;
      }
      if (!finished) {
        load.timer = setImmediate(slice);
        return;
      }
      this.load = null;
      this.refreshGate();
      done();
    };
    slice();
  }

  /** DEBUG RELOAD: save, empty, load, all blocking. */
  reload(): string | null {
    if (!this.saveSync()) return 'ERR';
    this.ks.flushAll();
    try {
      const job = new RdbLoad(
        this.ks,
        readFileSync(this.path),
        limitsFromConfig((n) => this.config.value(n)),
        () => Date.now(),
      );
      job.step(Infinity);
      this.lastLoad = { loaded: job.keysLoaded, expired: job.keysExpired };
    } catch (e) {
      this.logger.warn(`DEBUG RELOAD: ${(e as Error).message}`);
      return 'ERR Error trying to load the RDB dump';
    }
    this.ks.dirty = 0;
    this.logger.warn('DB reloaded by DEBUG RELOAD');
    return null;
  }

  private loadFailed(job: RdbLoad, e: Error): void {
    this.logger.error(`Internal error in RDB reading offset ${job.offset} -> ${e.message}`);
    this.logger.error('Terminating server after rdb file reading failure.');
    process.exit(1);
  }

  // ---- INFO ---------------------------------------------------------------------------------

  info(): [string, string | number][] {
    const bg = this.bg;
    const load = this.load;
    const fields: [string, string | number][] = [
      ['loading', load !== null ? 1 : 0],
      ['async_loading', 0],
    ];
    if (load !== null) {
      const elapsed = (Date.now() - load.startedMs) / 1000;
      const total = load.job.totalBytes;
      const done = load.job.offset;
      const perc = total === 0 ? 0 : (done / total) * 100;
      const eta = done === 0 ? 1 : Math.round((total - done) / (done / Math.max(elapsed, 0.001)));
      fields.push(
        ['loading_start_time', Math.floor(load.startedMs / 1000)],
        ['loading_total_bytes', total],
        ['loading_rdb_used_mem', 0],
        ['loading_loaded_bytes', done],
        ['loading_loaded_perc', perc.toFixed(2)],
        ['loading_eta_seconds', eta],
      );
    }
    fields.push(
      ['current_save_keys_processed', bg?.snapshot.keysWritten ?? 0],
      ['current_save_keys_total', bg?.snapshot.keysTotal ?? 0],
      ['rdb_changes_since_last_save', this.ks.dirty],
      ['rdb_bgsave_in_progress', bg !== null ? 1 : 0],
      ['rdb_last_save_time', this.lastSave],
      ['rdb_last_bgsave_status', this.lastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveTimeSec],
      ['rdb_current_bgsave_time_sec', bg !== null ? Math.round((Date.now() - bg.startedMs) / 1000) : -1],
      // Redis reports the pages its fork copied; Brook's counterpart is what the snapshot held beyond the data set, measured.
      ['rdb_last_cow_size', this.lastExtraBytes],
      ['rdb_saves', this.saves],
      ['rdb_last_load_keys_expired', this.lastLoad.expired],
      ['rdb_last_load_keys_loaded', this.lastLoad.loaded],
    );
    return fields;
  }

  /**
   * After FLUSHALL, as Redis's flushAllDataAndResetRDB: a running BGSAVE is dropped (its image is
   * obsolete) and, with save points, the empty data set is saved at once; then one more change.
   */
  flushedAll(ctx: FamilyContext): void {
    this.abortBackground('FLUSHALL');
    if (!this.hasSavePoints) return;
    ctx.server.afterCommand(() => {
      this.saveSync();
      this.ks.dirty++;
    });
  }
}

/** SAVE, BGSAVE, LASTSAVE, SYNC, PSYNC, REPLCONF (accepted for `redis-cli --rdb`) and DEBUG RELOAD. */
export function persistenceFamily(p: Persistence): CommandFamily {
  const commands: CommandSpec[] = [
    {
      name: 'save',
      arity: 1,
      flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
      group: 'server',
      summary: 'Synchronously save the dataset to disk',
      since: '1.0.0',
      complexity: 'O(N) where N is the total number of keys in all databases',
      handler: (c) => {
        const err = p.save();
        if (err === null) c.w.ok();
        else c.w.error(err);
      },
    },
    {
      name: 'bgsave',
      arity: -1,
      flags: ['admin', 'noscript', 'no_async_loading'],
      group: 'server',
      summary: 'Asynchronously save the dataset to disk',
      since: '1.0.0',
      complexity: 'O(1)',
      handler: (c, argv) => {
        if (argv.length > 1 && (argv.length !== 2 || argv[1].toLowerCase() !== 'schedule')) return c.w.error(Err.syntax);
        const r = p.bgsave(c.multi >= 0, argv.length === 2);
        if (r.ok) c.w.simple(r.text);
        else c.w.error(r.text);
      },
    },
    {
      name: 'lastsave',
      arity: 1,
      flags: ['loading', 'stale', 'fast'],
      group: 'server',
      summary: 'Get the UNIX time stamp of the last successful save to disk',
      since: '1.0.0',
      complexity: 'O(1)',
      acl: ['admin', 'dangerous'],
      handler: (c) => c.w.integer(p.lastSave),
    },
    {
      name: 'sync',
      arity: 1,
      flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
      group: 'server',
      summary: 'Internal command used for replication',
      since: '1.0.0',
      handler: (c) => p.transfer(c, ''),
    },
    {
      name: 'psync',
      arity: -3,
      flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
      group: 'server',
      summary: 'Internal command used for replication',
      since: '2.8.0',
      // Always a full resync: there is no backlog to continue from.
      handler: (c) => p.transfer(c, `+FULLRESYNC ${REPL_ID} 0\r\n`),
    },
    {
      name: 'replconf',
      arity: -1,
      flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'],
      group: 'server',
      summary: 'An internal command for configuring the replication stream',
      since: '3.0.0',
      // The options a replica or redis-cli --rdb announces are accepted; none changes the transfer.
      handler: (c) => c.w.ok(),
    },
  ];
  return {
    name: 'persistence',
    commands,
    install(ctx: FamilyContext) {
      ctx.addDebugSubcommand({
        name: 'reload',
        args: [0, 0],
        help: ['RELOAD', '    Save the RDB on disk and reload it back to memory.'],
        handler: (c) => {
          const err = p.reload();
          if (err === null) c.w.ok();
          else c.w.error(err);
        },
      });
      ctx.ks.onDbFlushed((db, _emptied, cause) => {
        // FLUSHALL with save points writes the (empty) image at once, as Redis's flushallCommand.
        if (cause === 'flushall' && db === ctx.ks.dbs.length - 1) p.flushedAll(ctx);
      });
    },
  };
}

/** The replication id Brook announces in +FULLRESYNC: 40 characters, as a replica requires. */
const REPL_ID = randomBytes(20).toString('hex');
