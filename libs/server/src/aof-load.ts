import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@nestjs/common';
import { AofFormatError, AofReader, AofTruncatedError, RdbLoad, limitsFromConfig, type AofManifest } from '@brook/persistence';
import type { BrookServer } from './brook-server.js';
import { Client } from './client.js';
import type { LoadJob } from './persistence.js';

/** A start-up failure that stops the server with its message logged as is (a corrupt AOF, like Redis's exit(1)). */
export class FatalStartupError extends Error {}

/** Commands replayed between two looks at the clock: one command can be a big one (an RPUSH of thousands). */
const CLOCK_EVERY = 64;

interface AofFile {
  readonly name: string;
  readonly path: string;
  readonly kind: 'base' | 'incr';
  readonly last: boolean;
}

/** The file being replayed: its bytes, its RDB preamble while that loads, then its commands. */
interface OpenFile {
  readonly file: AofFile;
  readonly buf: Buffer;
  readonly startedMs: number;
  rdb: RdbLoad | null;
  reader: AofReader | null;
  /** Where the MULTI being replayed started, and the end of the last whole command outside one (the cut for a torn tail). */
  beforeMulti: number;
  validUpTo: number;
}

/**
 * Replays a multi-part AOF (base, then the incr files) in slices, as a LoadJob: an RDB base (or an
 * RDB preamble) through RdbLoad, RESP commands through the normal command path as Redis's AOF
 * client, its replies dropped. A short read is recoverable only in the last file and with
 * aof-load-truncated (the file is cut after its last whole command, an unfinished MULTI
 * included); every other problem is a FatalStartupError with Redis's message.
 */
export class AofLoad implements LoadJob {
  readonly totalBytes: number;
  readonly client: Client;
  private readonly files: AofFile[];
  private next = 0;
  private current: OpenFile | null = null;
  /** Bytes of the files already replayed (as counted for loading_loaded_bytes: cut tails included). */
  private doneBytes = 0;
  /** Bytes the AOF holds once loaded (a torn tail cut off). */
  loadedBytes = 0;

  constructor(
    private readonly server: BrookServer,
    dir: string,
    manifest: AofManifest,
    private readonly logger: Logger,
  ) {
    const all = [...(manifest.base ? [manifest.base] : []), ...manifest.incr];
    this.files = all.map((f, i) => ({
      name: f.name,
      path: join(dir, f.name),
      kind: f === manifest.base ? 'base' : 'incr',
      last: i === all.length - 1,
    }));
    // A missing file is refused before anything loads, as Redis checks them all first.
    for (const f of this.files) {
      if (!existsSync(f.path)) throw new FatalStartupError(`The append log file ${f.name} doesn't exist: no such file or directory`);
    }
    this.totalBytes = this.files.reduce((n, f) => n + statSync(f.path).size, 0);
    this.client = new Client(new Socket(), server);
    this.client.aclUser = server.acl.internalUser;
    this.client.authenticated = true;
  }

  get offset(): number {
    const cur = this.current;
    if (cur === null) return this.doneBytes;
    return this.doneBytes + (cur.reader?.offset ?? cur.rdb?.offset ?? 0);
  }

  step(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    for (;;) {
      let cur = this.current;
      if (cur === null) {
        if (this.next === this.files.length) return true;
        cur = this.current = this.open(this.files[this.next++]);
      }
      if (cur.rdb !== null) {
        let finished: boolean;
        try {
          finished = cur.rdb.step(Math.max(0, deadline - performance.now()));
        } catch (e) {
          throw new FatalStartupError(`Error reading the RDB base file ${cur.file.name}, AOF loading aborted: ${(e as Error).message}`);
        }
        if (!finished) return false;
        cur.reader = new AofReader(cur.buf, cur.rdb.offset);
        cur.beforeMulti = cur.validUpTo = cur.rdb.offset;
        cur.rdb = null;
      }
      if (!this.replay(cur, deadline)) return false;
      if (performance.now() >= deadline) return this.current === null && this.next === this.files.length;
    }
  }

  private open(file: AofFile): OpenFile {
    const buf = readFileSync(file.path);
    const cur: OpenFile = { file, buf, startedMs: performance.now(), rdb: null, reader: null, beforeMulti: 0, validUpTo: 0 };
    // An RDB base (or an old single-file AOF's RDB preamble), decided by content as Redis does; RESP may follow it.
    if (buf.latin1Slice(0, 5) === 'REDIS') {
      this.logger.log('Reading RDB base file on AOF loading...');
      cur.rdb = new RdbLoad(
        this.server.ks,
        buf,
        limitsFromConfig((n) => this.server.config.value(n)),
        () => Date.now(),
      );
    } else cur.reader = new AofReader(buf, 0);
    return cur;
  }

  /** Runs the file's commands until the deadline (false) or its end (true, the file closed). */
  private replay(cur: OpenFile, deadline: number): boolean {
    const reader = cur.reader!;
    const fake = this.client;
    const server = this.server;
    let truncated = false;
    try {
      let n = 0;
      for (;;) {
        if ((++n & (CLOCK_EVERY - 1)) === 0 && performance.now() >= deadline) return false;
        const argv = reader.next();
        if (argv === null) break;
        const cmd = server.commands.resolve(argv);
        if (cmd === undefined) throw new FatalStartupError(`Unknown command '${argv[0]}' reading the append only file ${cur.file.name}`);
        if (cmd.fullName === 'multi') cur.beforeMulti = cur.validUpTo;
        server.execute(fake, argv);
        fake.w.takeBytes();
        cur.validUpTo = reader.offset;
      }
      if (fake.multi >= 0) {
        this.logger.warn(`Revert incomplete MULTI/EXEC transaction in AOF file ${cur.file.name}`);
        this.discardMulti(cur);
        truncated = true;
      }
    } catch (e) {
      if (e instanceof AofFormatError) {
        throw new FatalStartupError(
          `Bad file format reading the append only file ${cur.file.name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
        );
      }
      if (!(e instanceof AofTruncatedError)) throw e;
      if (fake.multi >= 0) this.discardMulti(cur);
      truncated = true;
    }
    this.close(cur, truncated);
    return true;
  }

  private discardMulti(cur: OpenFile): void {
    this.server.execute(this.client, ['DISCARD']);
    this.client.w.takeBytes();
    cur.validUpTo = cur.beforeMulti;
  }

  private close(cur: OpenFile, truncated: boolean): void {
    const { file, buf } = cur;
    this.current = null;
    this.doneBytes += buf.length;
    if (truncated) this.cutTornTail(cur);
    this.loadedBytes += truncated ? cur.validUpTo : buf.length;
    this.logger.log(`DB loaded from ${file.kind} file ${file.name}: ${((performance.now() - cur.startedMs) / 1000).toFixed(3)} seconds`);
  }

  private cutTornTail(cur: OpenFile): void {
    const { name, path } = cur.file;
    if (!cur.file.last) throw new FatalStartupError('Fatal error: the truncated file is not the last file');
    if (this.server.config.value('aof-load-truncated') !== 'yes') {
      throw new FatalStartupError(
        `Unexpected end of file reading the append only file ${name}. You can: ` +
          '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
          "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
      );
    }
    this.logger.warn(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    this.logger.warn(`!!! Truncating the AOF ${name} at offset ${String(cur.validUpTo)} !!!`);
    truncateSync(path, cur.validUpTo);
    this.logger.warn(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
  }
}
