import type { Command, SlowLogAccess, SlowLogEntry } from '@brook/commands';
import type { ConfigStore } from './config/config-store.js';
import type { Client } from './client.js';
import { shownArgs } from './shown-args.js';

/** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING: what one entry keeps of a command. */
const MAX_ARGS = 32;
const MAX_ARG_BYTES = 128;

/**
 * The slow log (Redis's slowlog.c): commands that ran for at least slowlog-log-slower-than
 * microseconds, newest first, at most slowlog-max-len of them. The dispatcher compares the duration
 * it already measured for commandstats with `threshold` (Infinity while the log is off), so a fast
 * command costs one comparison.
 */
export class SlowLog implements SlowLogAccess {
  /** Oldest first; SLOWLOG GET reads from the end. */
  private readonly log: SlowLogEntry[] = [];
  private nextId = 0;
  threshold = Infinity;
  private maxLen = 0;

  constructor(config: ConfigStore) {
    this.setThreshold(config.int('slowlog-log-slower-than'));
    this.maxLen = config.int('slowlog-max-len');
    config.onApply((name, value) => {
      if (name === 'slowlog-log-slower-than') this.setThreshold(Number(value));
      else if (name === 'slowlog-max-len') this.setMaxLen(Number(value));
      return null;
    });
  }

  /** A negative threshold turns the log off (it keeps its entries, as Redis's does). */
  private setThreshold(us: number): void {
    this.threshold = us < 0 ? Infinity : us;
  }

  private setMaxLen(n: number): void {
    this.maxLen = n;
    this.trim();
  }

  /**
   * Logs a command that took `usec` >= threshold; not those flagged skip_slowlog (EXEC: what it
   * ran is logged command by command) nor one that left its client blocked (logged when served).
   */
  push(c: Client, cmd: Command, argv: readonly string[], usec: number): void {
    if (cmd.spec.flags.includes('skip_slowlog') || c.blocked) return;
    const shown = shownArgs(cmd, argv);
    const kept = Math.min(shown.length, MAX_ARGS);
    const args: string[] = [];
    for (let i = 0; i < kept; i++) {
      const a = shown[i];
      if (kept !== shown.length && i === kept - 1) args.push(`... (${shown.length - kept + 1} more arguments)`);
      else if (a.length > MAX_ARG_BYTES) args.push(`${a.slice(0, MAX_ARG_BYTES)}... (${a.length - MAX_ARG_BYTES} more bytes)`);
      else args.push(a);
    }
    this.log.push({ id: this.nextId++, time: Math.floor(Date.now() / 1000), duration: Math.round(usec), args, addr: c.addr, name: c.name });
    this.trim();
  }

  private trim(): void {
    while (this.log.length > this.maxLen) this.log.shift();
  }

  get length(): number {
    return this.log.length;
  }

  /** The newest `count` entries, newest first. */
  newest(count: number): SlowLogEntry[] {
    const out: SlowLogEntry[] = [];
    for (let i = this.log.length - 1; i >= 0 && out.length < count; i--) out.push(this.log[i]);
    return out;
  }

  reset(): void {
    this.log.length = 0;
  }
}
