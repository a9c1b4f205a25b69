import { closeSync, openSync, writeSync } from 'node:fs';
import type { LoggerService } from '@nestjs/common';

/** Redis's log levels, least severe first, and the mark each line carries (serverLogRaw). */
const LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;
type Level = (typeof LEVELS)[number];
const MARKS: Record<Level, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Nest's own start-up chatter (module wiring): verbose, not notice, so a default log reads like Redis's. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'NestMicroservice', 'NestApplication', 'RoutesResolver']);

/** What the log reads from the configuration: loglevel, logfile, log-format (read at each line: CONFIG SET applies at once). */
export interface LogSettings {
  value(name: string): string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The server's log, as Redis's serverLog: lines at or above `loglevel` (debug, verbose, notice,
 * warning), appended to `logfile` or written to stdout when it is "", each as
 * `pid:M 27 Nov 2026 14:03:05.123 * message` (local time; the mark . - * # is the level) or, with
 * the Brook-only `log-format json`, one JSON object per line. Every Nest Logger of the process
 * writes through it (Logger.overrideLogger): log → notice, warn/error/fatal → warning.
 */
export class ServerLog implements LoggerService {
  private fd: number | null = null;
  private openedPath = '';

  constructor(private readonly settings: LogSettings) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    this.write(typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context) ? 'verbose' : 'notice', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warning', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('warning', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('warning', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }

  /** Closes the log file (the next line reopens it). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const configured = LEVELS.indexOf(this.settings.value('loglevel') as Level);
    if (LEVELS.indexOf(level) < configured) return;
    // Nest passes the context last, and an error's stack before it.
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : '';
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? `\n${rest[0]}` : '';
    const text = (message instanceof Error ? (message.stack ?? message.message) : String(message)) + stack;
    const now = new Date();
    const line =
      this.settings.value('log-format') === 'json'
        ? JSON.stringify({ time: now.toISOString(), pid: process.pid, role: 'M', level, context, message: text })
        : `${process.pid}:M ${pad(now.getDate())} ${MONTHS[now.getMonth()]} ${now.getFullYear()} ` +
          `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)} ${MARKS[level]} ${text}`;
    this.emit(line + '\n');
  }

  private emit(line: string): void {
    const path = this.settings.value('logfile');
    if (path === '') {
      process.stdout.write(line);
      return;
    }
    try {
      if (this.fd === null || this.openedPath !== path) {
        this.close();
        this.fd = openSync(path, 'a');
        this.openedPath = path;
      }
      writeSync(this.fd, line);
    } catch {
      // Redis drops a line it cannot write (serverLogRaw returns when fopen fails).
    }
  }
}
