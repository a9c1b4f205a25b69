import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
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
  private fd = -1;
  private unsubscribe: (() => void) | null = null;
  private manifest: AofManifest = emptyManifest();
  private baseSize = 0;
  /** Sizes of the incr files before the one being appended to. */
  private olderIncrSize = 0;
  /** Set while released clients flush: their replies may go out. */
  private releasing = false;

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
    if (buf.latin1Slice(0, 5) === 'REDIS') {
      throw new FatalStartupError(`Error reading the RDB base file ${name}, AOF loading aborted: Brook cannot read RDB files yet`);
    }
    const reader = new AofReader(buf);
    let beforeMulti = 0;
    let validUpTo = 0;
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
      // aof-use-rdb-preamble is not honoured yet: the base is in RESP form (Redis's `no`), empty here.
      m.base = { name: aofNames.base(this.fileName, 1, false), seq: 1, type: 'b' };
      writeFileSync(join(this.dir, m.base.name), '');
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
    this.fd = openSync(join(this.dir, incr.name), 'a');
    if (changed) this.persistManifest();
    this.baseSize = m.base ? sizeOf(join(this.dir, m.base.name)) : 0;
    this.olderIncrSize = m.incr.slice(0, -1).reduce((n, f) => n + sizeOf(join(this.dir, f.name)), 0);
    this.log = new AppendLog<Client>(
      this.fd,
      sizeOf(join(this.dir, incr.name)),
      this.server.config.value('appendfsync') as FsyncPolicy,
      (clients) => this.releaseClients(clients),
      (why) => this.fatal(why),
    );
    const log = this.log;
    const cfg = this.server.config;
    if (cfg.value('aof-use-rdb-preamble') === 'yes') {
      this.logger.warn('aof-use-rdb-preamble yes is accepted but not in effect yet: the AOF base is written in RESP form');
    }
    if (cfg.int('auto-aof-rewrite-percentage') > 0) {
      this.logger.warn('auto-aof-rewrite-percentage is accepted but not in effect yet: Brook does not rewrite the AOF yet');
    }
    this.unsubscribe = this.server.ks.feed.subscribe((db, argv) => log.append(db, argv));
    this.server.replyGate = this;
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

  /** Shutdown: everything appended is written and fsynced, the file closed. */
  stop(): void {
    const log = this.log;
    if (log === null) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.server.replyGate = null;
    log.flushSync((fd) => fsyncSync(fd));
    log.close();
    closeSync(this.fd);
    this.fd = -1;
    this.log = null;
  }

  private apply(name: string, value: string): string | null {
    if (name === 'appendfsync') this.log?.setPolicy(value as FsyncPolicy);
    else if (name === 'appendonly') {
      if (value === 'no') this.stop();
      // Turning it on at run time needs the rewrite that writes the base (BGREWRITEAOF).
      else if (this.log === null)
        this.logger.warn('appendonly yes is accepted but not in effect yet: turning the AOF on at run time needs BGREWRITEAOF');
    }
    return null;
  }

  /** INFO persistence: only what is measured; nothing about rewrites, which Brook does not do yet. */
  private info(): [string, string | number][] {
    const log = this.log;
    const fields: [string, string | number][] = [['aof_enabled', log ? 1 : 0]];
    if (log === null) return fields;
    fields.push(
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_rewrites', 0],
      ['aof_last_rewrite_time_sec', -1],
      ['aof_current_rewrite_time_sec', -1],
      ['aof_last_write_status', log.lastWriteStatus],
      ['aof_current_size', this.baseSize + this.olderIncrSize + log.size],
      ['aof_base_size', this.baseSize],
      ['aof_pending_rewrite', 0],
      ['aof_buffer_length', log.bufferLength],
      ['aof_pending_bio_fsync', log.fsyncInFlight ? 1 : 0],
    );
    return fields;
  }
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
