import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, fsyncSync, mkdtempSync, open, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendLog } from './append-log.js';

const dir = mkdtempSync(join(tmpdir(), 'brook-append-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** libuv's thread pool, where the background fsync runs. */
const POOL = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

/**
 * Keeps every thread of the pool blocked in open() of a FIFO nobody writes to, so an fsync started
 * now waits in the pool as behind a disk too busy to sync; release() lets them go.
 */
function busyPool(name: string): { release: () => Promise<void> } {
  const fifos = Array.from({ length: POOL }, (_, i) => join(dir, `${name}-fifo${String(i)}`));
  const opened = fifos.map((f) => {
    execFileSync('mkfifo', [f]);
    return new Promise<void>((resolve) =>
      open(f, 'r', (err, fd) => {
        if (!err) closeSync(fd);
        resolve();
      }),
    );
  });
  return {
    release: async () => {
      // O_RDWR on a FIFO never blocks and counts as a writer, which lets the blocked readers open.
      // The writers stay open until every reader has opened: a reader whose open() had not started
      // yet would otherwise block for good, and the process could never exit (CI saw it hang).
      const writers = fifos.map((f) => openSync(f, constants.O_RDWR));
      await Promise.all(opened);
      for (const fd of writers) closeSync(fd);
    },
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An everysec log whose first write is on disk and whose background fsync is now stuck in the busy pool. */
async function stuckFsync(
  name: string,
): Promise<{ log: AppendLog<string>; path: string; written: number; notices: string[]; pool: { release: () => Promise<void> } }> {
  const path = join(dir, `${name}.aof`);
  const notices: string[] = [];
  const log = new AppendLog<string>(
    openSync(path, 'a'),
    0,
    'everysec',
    () => undefined,
    (why) => {
      throw new Error(why);
    },
    (what) => notices.push(what),
  );
  log.append(0, ['SET', 'a', '1']);
  await turn();
  const written = statSync(path).size;
  expect(written).toBeGreaterThan(0);
  const pool = busyPool(name);
  // The everysec timer starts the fsync within a second; it waits in the pool.
  await until(() => log.fsyncInFlight);
  return { log, path, written, notices, pool };
}

describe('AppendLog, appendfsync everysec', () => {
  it('postpones a write while the background fsync runs, and writes it when that fsync ends', async () => {
    const { log, path, written, notices, pool } = await stuckFsync('postponed');
    log.append(0, ['SET', 'b', '2']);
    await turn();
    expect(statSync(path).size).toBe(written);
    // Replies do not wait for a postponed write (everysec may lose about that much), as in Redis.
    expect(log.mustWait).toBe(false);
    await pool.release();
    await until(() => statSync(path).size > written);
    expect(log.delayedFsyncs).toBe(0);
    expect(notices).toEqual([]);
    log.close((fd) => fsyncSync(fd));
  });

  it('writes anyway after 2 s of waiting, counted as a delayed fsync (INFO aof_delayed_fsync)', async () => {
    const { log, path, written, notices, pool } = await stuckFsync('delayed');
    log.append(0, ['SET', 'b', '2']);
    await turn();
    expect(statSync(path).size).toBe(written);
    await until(() => log.delayedFsyncs === 1);
    expect(statSync(path).size).toBeGreaterThan(written);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^Asynchronous AOF fsync is taking too long/);
    await pool.release();
    await until(() => !log.fsyncInFlight);
    log.close((fd) => fsyncSync(fd));
  });
});

describe('appendfsync always', () => {
  it('lets a reply go only once its own write is in the file, also when the fsync before it ends in the same turn', async () => {
    const path = join(dir, 'always-same-turn.aof');
    /** The file's size when each waiter was released. */
    const sizeAtRelease = new Map<string, number>();
    const log = new AppendLog<string>(
      openSync(path, 'a'),
      0,
      'always',
      (waiters) => {
        for (const w of waiters) sizeAtRelease.set(w, statSync(path).size);
      },
      (why) => {
        throw new Error(why);
      },
      () => undefined,
    );
    const pool = busyPool('always-same-turn');
    log.append(0, ['SET', 'a', '1']);
    log.hold('a');
    await turn(); // the turn's end wrote `a`; its fsync waits in the busy pool
    const afterA = statSync(path).size;
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        // The fsync ends now, and its callback comes in the next poll phase: before the end of
        // the turn that writes `b`, which runs in the next check phase.
        void pool.release();
        for (const stop = Date.now() + 100; Date.now() < stop;);
        log.append(0, ['SET', 'b', '2']);
        log.hold('b');
        resolve();
      }),
    );
    await until(() => sizeAtRelease.has('b'));
    expect(sizeAtRelease.get('a')).toBe(afterA);
    expect(sizeAtRelease.get('b')).toBeGreaterThan(afterA);
    expect(sizeAtRelease.get('b')).toBe(statSync(path).size);
    log.close((fd) => fsyncSync(fd));
  });
});
