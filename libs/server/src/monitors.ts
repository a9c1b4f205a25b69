import type { Command } from '@brook/commands';
import type { Client } from './client.js';
import { shownArgs } from './shown-args.js';

/**
 * MONITOR clients and the lines they receive (Redis's replicationFeedMonitors): after each command
 * runs, `+<unix time>.<µs> [<db> <addr>] "arg" ...` in Redis's quoting. Admin and skip_monitor
 * commands are not shown; secrets are redacted. The dispatcher checks `size` first, so with no
 * monitor attached a command costs one comparison.
 */
export class Monitors {
  private readonly clients = new Set<Client>();
  /** Monitors with lines not yet sent: one socket write per monitor per event-loop turn, like pub/sub. */
  private readonly unflushed = new Set<Client>();
  private flushQueued = false;
  private readonly flushAll = (): void => {
    this.flushQueued = false;
    // A monitor over its output limit is closed by its flush (and removed by remove()).
    for (const m of this.unflushed) m.flush();
    this.unflushed.clear();
  };

  constructor(private readonly unixSocket: () => string) {}

  get size(): number {
    return this.clients.size;
  }

  has(c: Client): boolean {
    return this.clients.has(c);
  }

  add(c: Client): void {
    this.clients.add(c);
  }

  /** RESET or a closed connection: no more lines for `c`. */
  remove(c: Client): void {
    this.clients.delete(c);
    this.unflushed.delete(c);
  }

  feed(c: Client, cmd: Command, argv: readonly string[]): void {
    const flags = cmd.spec.flags;
    if (flags.includes('admin') || flags.includes('skip_monitor')) return;
    const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const from = c.unix ? `unix:${this.unixSocket()}` : c.addr;
    let line = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')} [${c.db.id} ${from}]`;
    for (const a of shownArgs(cmd, argv)) line += ' ' + repr(a);
    for (const m of this.clients) {
      m.w.simple(line);
      this.unflushed.add(m);
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushAll);
    }
  }
}

/** Redis's sdscatrepr: a double-quoted string, printable ASCII as is, \\ \" \n \r \t \a \b escaped, other bytes as \xhh. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i);
    if (b === 0x5c || b === 0x22) out += '\\' + s[i];
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x07) out += '\\a';
    else if (b === 0x08) out += '\\b';
    else if (b >= 0x20 && b <= 0x7e) out += s[i];
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + '"';
}
