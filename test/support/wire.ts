/**
 * Raw-socket helpers for protocol tests: send arbitrary bytes (well formed or not) and collect
 * exactly what the server answers and whether it closed the connection; and the memory of a
 * spawned brook-server's Node process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';

export interface Exchange {
  /** Every byte the server sent, as latin1. */
  reply: string;
  /** True when the server closed the connection. */
  closed: boolean;
}

export interface ExchangeOptions {
  /** The connection counts as "left open" after this long without data (ms). */
  quietMs?: number;
  /** Send the pieces as separate writes, yielding to the event loop between them. */
  pieces?: Buffer[];
  /** Give up after this long (ms) even if data keeps coming. */
  maxMs?: number;
  /** Done as soon as the reply ends with this (no quiet period to wait out, however slow the server). */
  until?: string;
}

/** Sends `input` on a fresh connection and waits for the server to close it or go quiet. */
export function exchange(port: number, input: Buffer | string, opts: ExchangeOptions = {}): Promise<Exchange> {
  const quietMs = opts.quietMs ?? 300;
  const maxMs = opts.maxMs ?? 10000;
  return new Promise((resolve, reject) => {
    const s = new Socket();
    const chunks: Buffer[] = [];
    let closed = false;
    let quiet: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(quiet);
      clearTimeout(limit);
      s.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const rearm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(done, quietMs);
    };
    const limit = setTimeout(done, maxMs);
    s.setNoDelay(true);
    let sent = false;
    let tail = '';
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.until !== undefined) {
        tail = (tail + d.toString('latin1')).slice(-opts.until.length);
        if (tail === opts.until) return done();
      }
      if (sent) rearm();
    });
    s.on('close', () => {
      closed = true;
      done();
    });
    s.on('error', () => undefined); // a reset after the server closes is still "closed"
    const send = async (): Promise<void> => {
      const pieces = opts.pieces ?? [typeof input === 'string' ? Buffer.from(input, 'latin1') : input];
      for (const p of pieces) {
        if (s.destroyed) break;
        // Wait until the kernel took each piece: the quiet period starts once everything is sent.
        await new Promise<void>((r) => s.write(p, () => r()));
      }
      sent = true;
      rearm();
    };
    s.connect(port, '127.0.0.1', () => void send().catch(reject));
  });
}

/**
 * PID of the Node process that runs the server: bin/brook-server.js is a launcher that spawns
 * Node again with a sized heap, so the data lives in its child.
 */
export function serverPid(launcherPid: number): number {
  const out = execFileSync('ps', ['--ppid', String(launcherPid), '-o', 'pid='])
    .toString()
    .trim();
  const pid = Number(out.split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no child process under ${launcherPid}`);
  return pid;
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** True while the process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
