import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { CommandFamily } from '@brook/commands';
import {
  RdbFile,
  RdbLoad,
  RdbWriter,
  Snapshot,
  limitsFromConfig,
  AofFormatError,
  AofReader,
  AofTruncatedError,
  AppendLog,
  aofNames,
  emptyManifest,
  formatManifest,
  ManifestError,
  parseManifest,
  type AofManifest,
  type FsyncPolicy,
} from '@brook/persistence';
import type { BrookServer } from './brook-server.js';
import { Client } from './client.js';
import { REDIS_COMPAT_VERSION } from './version.js';

/** A start-up failure that stops the server with its message logged as is (a corrupt AOF, like Redis's exit(1)). */
export class FatalStartupError extends Error {}

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
  private lastRewriteSec = -1;
  private lastRewriteOk = true;
  /** The AOF's size when its base was last written: auto-aof-rewrite-percentage measures growth from it. */
  private rewriteBaseSize = 0;
  private cron: NodeJS.Timeout | null = null;

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

  /** At start-up, before any listener: loads the AOF and opens it for appending when appendonly is on. */
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
      this.load();
    }
    this.open();
  }

  // ---- loading ------------------------------------------------------------------------------

  private load(): void {
    const started = performance.now();
    const files = [...(this.manifest.base ? [this.manifest.base] : []), ...this.manifest.incr];
    const fake = this.fakeClient();
    let total = 0;
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const path = join(this.dir, f.name);
      if (!existsSync(path)) {
        throw new FatalStartupError(`The append log file ${f.name} doesn't exist: no such file or directory`);
      }
      const t0 = performance.now();
      const loaded = this.loadFile(fake, f.name, path, i === files.length - 1);
      total += loaded;
      const kind = f === this.manifest.base ? 'base' : 'incr';
      this.logger.log(`DB loaded from ${kind} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    }
    // Loading is not client traffic: the stats start at zero, as Redis's (commands run from the AOF are not counted).
    this.server.resetStats();
    this.logger.log(
      `DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds (${String(total)} bytes)`,
    );
  }

  /**
   * Runs one file's commands. A short read is recoverable only in the last file and with
   * aof-load-truncated (the file is cut after its last whole command, an unfinished MULTI
   * included); every other problem stops the server with Redis's message.
   */
  private loadFile(fake: Client, name: string, path: string, last: boolean): number {
    const buf = readFileSync(path);
    if (buf.length === 0) return 0;
    // An RDB base (or an old single-file AOF's RDB preamble), decided by content as Redis does; RESP may follow it.
    let start = 0;
    if (buf.latin1Slice(0, 5) === 'REDIS') {
      this.logger.log('Reading RDB base file on AOF loading...');
      const rdb = new RdbLoad(
        this.server.ks,
        buf,
        limitsFromConfig((n) => this.server.config.value(n)),
        () => Date.now(),
      );
      try {
        rdb.step(Infinity);
      } catch (e) {
        throw new FatalStartupError(`Error reading the RDB base file ${name}, AOF loading aborted: ${(e as Error).message}`);
      }
      start = rdb.offset;
    }
    const reader = new AofReader(buf, start);
    let beforeMulti = start;
    let validUpTo = start;
    let truncated = false;
    try {
      for (let argv = reader.next(); argv !== null; argv = reader.next()) {
        const cmd = this.server.commands.resolve(argv);
        if (cmd === undefined) throw new FatalStartupError(`Unknown command '${argv[0]}' reading the append only file ${name}`);
        if (cmd.fullName === 'multi') beforeMulti = validUpTo;
        this.server.execute(fake, argv);
        fake.w.takeBytes();
        validUpTo = reader.offset;
      }
      if (fake.multi >= 0) {
        this.logger.warn(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
        this.server.execute(fake, ['DISCARD']);
        fake.w.takeBytes();
        validUpTo = beforeMulti;
        truncated = true;
      }
    } catch (e) {
      if (e instanceof AofFormatError) {
        throw new FatalStartupError(
          `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
        );
      }
      if (!(e instanceof AofTruncatedError)) throw e;
      if (fake.multi >= 0) {
        this.server.execute(fake, ['DISCARD']);
        fake.w.takeBytes();
        validUpTo = beforeMulti;
      }
      truncated = true;
    }
    if (!truncated) return buf.length;
    if (!last) throw new FatalStartupError('Fatal error: the truncated file is not the last file');
    if (this.server.config.value('aof-load-truncated') !== 'yes') {
      throw new FatalStartupError(
        `Unexpected end of file reading the append only file ${name}. You can: ` +
          '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
          "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
      );
    }
    this.logger.warn(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    this.logger.warn(`!!! Truncating the AOF ${name} at offset ${String(validUpTo)} !!!`);
    truncateSync(path, validUpTo);
    this.logger.warn(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
    return validUpTo;
  }

  /** Redis's AOF client: runs commands through the normal path, authenticated, its replies dropped. */
  private fakeClient(): Client {
    const c = new Client(new Socket(), this.server);
    c.aclUser = this.server.acl.internalUser;
    c.authenticated = true;
    return c;
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
    this.log = new AppendLog<Client>(
      fd,
      sizeOf(join(this.dir, incr.name)),
      this.server.config.value('appendfsync') as FsyncPolicy,
      (clients) => this.releaseClients(clients),
      (why) => this.fatal(why),
    );
    const log = this.log;
    this.rewriteBaseSize = this.currentSize;
    this.unsubscribe = this.server.ks.feed.subscribe((db, argv) => log.append(db, argv));
    this.server.replyGate = this;
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
    this.startRewrite();
    return { ok: true, text: 'Background append only file rewriting started' };
  }

  private startRewrite(): void {
    this.rewriteScheduled = false;
    const m = this.manifest;
    mkdirSync(this.dir, { recursive: true });
    if (this.log !== null) {
      const seq = (m.incr.at(-1)?.seq ?? 0) + 1;
      const incr = { name: aofNames.incr(this.fileName, seq), seq, type: 'i' as const };
      this.olderIncrSize += this.log.size;
      this.log.switchTo(openSync(join(this.dir, incr.name), 'a'), (fd) => fsyncSync(fd));
      m.incr.push(incr);
      this.persistManifest();
      this.logger.log(`Creating AOF incr file ${incr.name} on background rewrite`);
    }
    const baseSeq = (m.base?.seq ?? 0) + 1;
    const baseName = aofNames.base(this.fileName, baseSeq, true);
    if (this.server.config.value('aof-use-rdb-preamble') !== 'yes') {
      this.logger.warn('aof-use-rdb-preamble no is accepted but not in effect yet: the rewritten base is an RDB');
    }
    const file = new RdbFile(this.dir, join(this.dir, baseName), this.server.config.value('rdbchecksum') === 'yes');
    const compression = this.server.config.value('rdbcompression') === 'yes';
    const snapshot = new Snapshot(this.server.ks, (sink) => new RdbWriter({ compression, checksum: false }, sink), file.push, [
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
  }

  /** The base is on disk (or the rewrite failed): the manifest switches to it, and what it replaces becomes history and goes. */
  private rewriteDone(rw: Rewrite, err: Error | null): void {
    if (this.rewrite !== rw) return;
    this.rewrite = null;
    this.lastRewriteSec = Math.round((Date.now() - rw.startedMs) / 1000);
    if (err) {
      this.lastRewriteOk = false;
      rw.file.discard();
      this.logger.warn(`Background AOF rewrite failed: ${err.message}`);
      return;
    }
    const m = this.manifest;
    if (m.base) m.history.push({ ...m.base, type: 'h' });
    // Every incr file but the one opened when the rewrite began is in the new base.
    const current = this.log !== null ? m.incr.at(-1) : undefined;
    for (const f of m.incr) if (f !== current) m.history.push({ ...f, type: 'h' });
    m.incr = current ? [current] : [];
    m.base = { name: rw.baseName, seq: rw.baseSeq, type: 'b' };
    this.persistManifest();
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

  private get currentSize(): number {
    return this.baseSize + this.olderIncrSize + (this.log?.size ?? 0);
  }

  /** serverCron's AOF part: a scheduled rewrite once the snapshot is free, and auto-aof-rewrite-percentage. */
  private tick(): void {
    if (this.rewrite !== null || this.server.ks.snapshot !== null) return;
    if (this.rewriteScheduled) return this.startRewrite();
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

  /** Shutdown: everything appended is written and fsynced, the file closed. */
  stop(): void {
    if (this.rewrite !== null) {
      const rw = this.rewrite;
      this.rewrite = null;
      if (rw.timer !== null) clearImmediate(rw.timer);
      rw.snapshot.abort();
      rw.file.discard();
    }
    if (this.cron !== null) clearInterval(this.cron);
    this.cron = null;
    this.closeLog();
  }

  /** Stops appending (shutdown, CONFIG SET appendonly no): what was appended is written and fsynced first. */
  private closeLog(): void {
    const log = this.log;
    if (log === null) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.server.replyGate = null;
    log.close((fd) => fsyncSync(fd));
    this.log = null;
  }

  private apply(name: string, value: string): string | null {
    if (name === 'appendfsync') this.log?.setPolicy(value as FsyncPolicy);
    else if (name === 'appendonly') {
      if (value === 'no') this.closeLog();
      // Turning it on at run time needs the rewrite that writes the base (BGREWRITEAOF).
      else if (this.log === null)
        this.logger.warn('appendonly yes is accepted but not in effect yet: turning the AOF on at run time needs BGREWRITEAOF');
    }
    return null;
  }

  /** INFO persistence's aof_* fields, all measured. */
  private info(): [string, string | number][] {
    const log = this.log;
    const rw = this.rewrite;
    const fields: [string, string | number][] = [
      ['aof_enabled', log ? 1 : 0],
      ['aof_rewrite_in_progress', rw ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteSec],
      ['aof_current_rewrite_time_sec', rw ? Math.round((Date.now() - rw.startedMs) / 1000) : -1],
      ['aof_rewrites', this.rewrites],
    ];
    // Redis's 'ok' before any rewrite claims none failed, which is true.
    fields.push(['aof_last_bgrewrite_status', this.lastRewriteOk ? 'ok' : 'err']);
    if (log === null) return fields;
    fields.push(
      ['aof_last_write_status', log.lastWriteStatus],
      ['aof_current_size', this.currentSize],
      ['aof_base_size', this.baseSize],
      ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', log.bufferLength],
      ['aof_pending_bio_fsync', log.fsyncInFlight ? 1 : 0],
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
