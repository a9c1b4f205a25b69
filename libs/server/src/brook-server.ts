import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';
import {
  builtinCommands,
  CommandTable,
  Err,
  unknownCommand,
  type ClientView,
  type Command,
  type ServerContext,
} from '@brook/commands';
import { ActiveExpiry, Keyspace } from '@brook/storage';
import { Client, type ClientHost } from './client.js';
import type { ConfigStore } from './config/config-store.js';
import { buildInfo } from './info.js';
import { BROOK_VERSION, REDIS_COMPAT_VERSION } from './version.js';

export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  errorReplies: number;
  errorsByCode: Map<string, number>;
  netInputBytes: number;
}

/** Redis's default limit for the number of arguments in one request (1024*1024). */
const MAX_MULTIBULK = 1024 * 1024;

/**
 * The RESP server core, independent of Nest: listeners, clients, the dispatcher and the
 * server-wide state commands see. RespServer (the Nest transport strategy) owns one of these.
 */
export class BrookServer extends EventEmitter implements ClientHost, ServerContext {
  readonly ks: Keyspace;
  readonly commands = new CommandTable();
  readonly startedAt = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  readonly version = BROOK_VERSION;
  readonly redisVersion = REDIS_COMPAT_VERSION;
  readonly stats: ServerStats = newStats();
  readonly parserLimits: { maxBulkLen: number; maxMultibulkLen: number; maxQueryBuffer: number };
  private readonly clientsById = new Map<number, Client>();
  private readonly netServers: net.Server[] = [];
  private readonly expiry: ActiveExpiry;
  private cron: NodeJS.Timeout | null = null;
  private pausedUntil = 0;
  private pauseMode: 'all' | 'write' = 'all';
  private pauseTimer: NodeJS.Timeout | null = null;
  private shuttingDown = false;
  /** TCP port actually bound (differs from config when it was 0 in tests that ask for any port). */
  boundPort = 0;

  constructor(readonly config: ConfigStore) {
    super();
    this.ks = new Keyspace(config.int('databases'));
    this.commands.registerAll(builtinCommands);
    this.expiry = new ActiveExpiry(this.ks, Math.max(1, config.int('hz')));
    this.parserLimits = {
      maxBulkLen: config.int('proto-max-bulk-len'),
      maxMultibulkLen: MAX_MULTIBULK,
      maxQueryBuffer: config.int('client-query-buffer-limit'),
    };
    config.onApply((name, value) => this.apply(name, value));
  }

  get ctx(): ServerContext {
    return this;
  }

  get requiresAuth(): boolean {
    return this.config.value('requirepass') !== '';
  }

  /** Binds every configured address (TCP unless port is 0, plus the unix socket if set). */
  async listen(): Promise<void> {
    const port = this.config.int('port');
    if (port !== 0) {
      for (const addr of this.config.value('bind').split(' ').filter(Boolean)) {
        const optional = addr.startsWith('-');
        const host = optional ? addr.slice(1) : addr;
        try {
          await this.bindTcp(host === '*' ? '0.0.0.0' : host, port);
        } catch (e) {
          if (!optional) throw e;
        }
      }
    }
    const unixPath = this.config.value('unixsocket');
    if (unixPath) {
      if (existsSync(unixPath)) unlinkSync(unixPath);
      const srv = net.createServer((s) => this.accept(s, unixPath));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(unixPath, () => resolve());
      });
      const perm = parseInt(this.config.value('unixsocketperm'), 8);
      if (perm) chmodSync(unixPath, perm);
      this.netServers.push(srv);
    }
    const dir = this.config.value('dir');
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    this.expiry.start();
    this.cron = setInterval(() => this.clientsCron(), 1000);
    this.cron.unref();
  }

  private bindTcp(host: string, port: number): Promise<void> {
    const srv = net.createServer({ noDelay: true }, (s) => this.accept(s));
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ host, port, backlog: this.config.int('tcp-backlog') }, () => {
        srv.off('error', reject);
        this.boundPort = (srv.address() as net.AddressInfo).port;
        this.netServers.push(srv);
        resolve();
      });
    });
  }

  private accept(socket: net.Socket, unixPath?: string): void {
    this.stats.connectionsReceived++;
    if (this.clientsById.size >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const keepalive = this.config.int('tcp-keepalive');
    if (!unixPath && keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    const c = new Client(socket, this, unixPath);
    this.clientsById.set(c.id, c);
  }

  /** Stops listening and disconnects every client. */
  async close(): Promise<void> {
    this.expiry.stop();
    if (this.cron) clearInterval(this.cron);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    for (const c of [...this.clientsById.values()]) c.kill();
    await Promise.all(this.netServers.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.netServers.length = 0;
    const unixPath = this.config.value('unixsocket');
    if (unixPath && existsSync(unixPath)) unlinkSync(unixPath);
  }

  // ---- dispatch ------------------------------------------------------------------------------

  /** Runs one command: lookup, arity and auth checks, the handler, stats and the change feed. */
  execute(c: Client, argv: string[]): void {
    this.stats.commandsProcessed++;
    let cmd: Command | undefined = this.commands.lookup(argv[0]);
    if (cmd === undefined) return this.reject(c, null, unknownCommand(argv));
    if (cmd.subcommands !== null && argv.length >= 2) {
      const sub = cmd.subcommands.get(argv[1].toLowerCase());
      if (sub === undefined) return this.reject(c, cmd, Err.unknownSubcommand(argv[1], cmd.spec.name));
      cmd = sub;
    }
    const arity = cmd.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return this.reject(c, cmd, Err.wrongArgs(cmd.fullName));
    }
    if (!c.authenticated && !cmd.spec.flags.includes('no_auth')) return this.reject(c, cmd, Err.noAuth);
    const handler = cmd.handler;
    if (handler === undefined) return this.reject(c, cmd, Err.wrongArgs(cmd.fullName));

    const ks = this.ks;
    const dirty = ks.dirty;
    const w = c.w;
    const errors = w.errors;
    const mark = c.replyMode === 'on' ? -1 : w.out.length;
    c.propagated = false;
    const start = performance.now();
    handler(c, argv);
    const stats = cmd.stats;
    stats.usec += (performance.now() - start) * 1000;
    stats.calls++;
    c.lastCommand = cmd.fullName;
    if (w.errors !== errors) this.countError(w.lastError, stats);
    if (cmd.isWrite && ks.dirty !== dirty && !c.propagated && ks.feed.active) ks.feed.emit(c.db.id, argv);
    if (mark >= 0) this.applyReplyMode(c, cmd, mark);
  }

  private reject(c: Client, cmd: Command | null, error: string): void {
    if (cmd) cmd.stats.rejectedCalls++;
    c.w.error(error);
    this.countError(error, null);
  }

  private countError(text: string, stats: { failedCalls: number } | null): void {
    if (stats) stats.failedCalls++;
    this.stats.errorReplies++;
    const code = text.slice(0, text.indexOf(' ') >>> 0);
    this.stats.errorsByCode.set(code, (this.stats.errorsByCode.get(code) ?? 0) + 1);
  }

  /** CLIENT REPLY OFF/SKIP: drop what the command wrote (the CLIENT REPLY command itself included). */
  private applyReplyMode(c: Client, cmd: Command, mark: number): void {
    const isReplyCmd = cmd.fullName === 'client|reply';
    if (c.replyMode === 'off' || (c.replyMode === 'skip' && !isReplyCmd) || isReplyCmd) {
      c.w.out = c.w.out.slice(0, mark);
    }
    if (c.replyMode === 'skip' && !isReplyCmd) c.replyMode = 'on';
  }

  // ---- ServerContext --------------------------------------------------------------------------

  clients(): Iterable<ClientView> {
    return this.clientsById.values();
  }

  clientById(id: number): ClientView | undefined {
    return this.clientsById.get(id);
  }

  closed(c: Client): void {
    this.clientsById.delete(c.id);
  }

  info(sections: readonly string[]): string {
    return buildInfo(this, sections);
  }

  resetStats(): void {
    Object.assign(this.stats, newStats());
    this.ks.resetStats();
    this.commands.resetStats();
  }

  authenticate(user: string, password: string): boolean {
    const pass = this.config.value('requirepass');
    if (user !== 'default') return false;
    return pass === '' || pass === password;
  }

  isPaused(c: Client, argv: string[]): boolean {
    if (this.pausedUntil === 0 || c.type === 'master' || c.type === 'replica') return false;
    if (Date.now() >= this.pausedUntil) return false;
    if (this.pauseMode === 'all') return true;
    const cmd = this.commands.resolve(argv);
    return cmd !== undefined && (cmd.isWrite || cmd.spec.flags.includes('may_replicate'));
  }

  pause(until: number, mode: 'all' | 'write'): void {
    // A new pause never shortens an existing one, and ALL wins over WRITE (as in Redis).
    if (until > this.pausedUntil) this.pausedUntil = until;
    if (mode === 'all' || this.pausedUntil === until) this.pauseMode = mode === 'all' ? 'all' : this.pauseMode;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.unpause(), Math.max(0, this.pausedUntil - Date.now()));
  }

  unpause(): void {
    this.pausedUntil = 0;
    this.pauseMode = 'all';
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    for (const c of [...this.clientsById.values()]) c.resume();
  }

  shutdown(mode: 'save' | 'nosave' | 'default'): string | null {
    if (this.shuttingDown) return null;
    this.shuttingDown = true;
    // Persistence arrives with a later issue; until then SAVE and NOSAVE both just stop.
    setImmediate(() => this.emit('shutdown', mode));
    return null;
  }

  // ---- config and housekeeping ----------------------------------------------------------------

  private apply(name: string, value: string): string | null {
    switch (name) {
      case 'proto-max-bulk-len':
        this.parserLimits.maxBulkLen = Number(value);
        break;
      case 'client-query-buffer-limit':
        this.parserLimits.maxQueryBuffer = Number(value);
        break;
      case 'hz':
        this.expiry.setHz(Math.max(1, Number(value)));
        break;
    }
    return null;
  }

  /** Closes clients idle for longer than `timeout` seconds (not pub/sub ones, as in Redis). */
  private clientsCron(): void {
    const timeout = this.config.int('timeout');
    if (timeout <= 0) return;
    const now = Date.now();
    for (const c of [...this.clientsById.values()]) {
      if (c.type === 'normal' && now - c.lastInteraction > timeout * 1000) c.kill();
    }
  }
}

function newStats(): ServerStats {
  return {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    errorReplies: 0,
    errorsByCode: new Map(),
    netInputBytes: 0,
  };
}
