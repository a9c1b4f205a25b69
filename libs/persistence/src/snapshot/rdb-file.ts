import { closeSync, fsync, fsyncSync, openSync, rename, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc64 } from '../rdb/crc64.js';

/**
 * The file a snapshot goes to: `temp-<pid>.rdb` in `dir`, fsynced, then renamed over the target
 * in one step (readers see the old file or the new one, never a part), as Redis does.
 *
 * The checksum is computed here rather than by the writer: a snapshot splices in bytes serialised
 * apart from the main stream (keys preserved early for a later database's section), so only the
 * sink sees every byte. The writer leaves the 8-byte checksum zero; `finish` fills it in when
 * rdbchecksum is on (zero is also what Redis writes when it is off).
 */
export class RdbFile {
  readonly tempPath: string;
  private readonly fd: number;
  private pending: Buffer[] = [];
  private crc = 0n;
  bytesWritten = 0;

  constructor(
    dir: string,
    private readonly target: string,
    private readonly checksum: boolean,
  ) {
    this.tempPath = join(dir, `temp-${process.pid}.rdb`);
    this.fd = openSync(this.tempPath, 'w');
  }

  /** The snapshot's sink. */
  readonly push = (chunk: Buffer): void => {
    this.pending.push(chunk);
  };

  /** Writes what the snapshot produced so far (between slices; never after the end was produced). */
  flush(): void {
    for (const chunk of this.pending) this.writeOut(chunk, chunk.length);
    this.pending = [];
  }

  /** After the snapshot's end: the checksum, the last bytes, fsync and the rename (SAVE, DEBUG RELOAD, shutdown). */
  finishSync(): void {
    this.writeTail();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tempPath, this.target);
  }

  /** finishSync without blocking the event loop on fsync and rename (BGSAVE). */
  finish(done: (err: Error | null) => void): void {
    try {
      this.writeTail();
    } catch (e) {
      done(e as Error);
      return;
    }
    fsync(this.fd, (err) => {
      closeSync(this.fd);
      if (err) return done(err);
      rename(this.tempPath, this.target, done);
    });
  }

  /** Closes and removes the temp file of a failed snapshot. */
  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // never created or already gone
    }
  }

  private writeTail(): void {
    const tail = Buffer.concat(this.pending);
    this.pending = [];
    const body = tail.length - 8;
    if (this.checksum) {
      const crc = crc64(this.crc, tail, 0, body);
      tail.writeBigUInt64LE(crc, body);
    }
    this.writeOut(tail, tail.length);
  }

  private writeOut(buf: Buffer, length: number): void {
    if (this.checksum) this.crc = crc64(this.crc, buf, 0, length);
    let off = 0;
    while (off < length) off += writeSync(this.fd, buf, off, length - off);
    this.bytesWritten += length;
  }
}
