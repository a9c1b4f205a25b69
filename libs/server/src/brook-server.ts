import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';
import {
  builtinCommands,
  CommandTable,
  Err,
  unknownCommand,
  type ClientView,
  type Command,
  type ServerContext,
  type Session,
  type ShutdownMode,
} from '@brook/commands';
import { ActiveExpiry, Keyspace } from '@brook/storage';
import { Client, type ClientHost, type OutputLimit } from './client.js';
import type { ConfigStore } from './config/config-store.js';
import { buildInfo, type InfoFields } from './info.js';
import { UserStore } from './users.js';
import { BROOK_VERSION, REDIS_COMPAT_VERSION } from './version.js';

export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  errorReplies: number;
  errorsByCode: Map<string, number>;
  outputLimitDisconnections: number;
}

/** Most arguments in one request: Redis 7.0 accepts up to INT_MAX (6.x stopped at 1024*1024). */
const MAX_MULTIBULK = 2147483647;

/**
 * The RESP server core, independent of Nest: listeners, clients, the dispatcher and the
 * server-wide state commands see. RespServer (the Nest transport strategy) owns one of these.
 */
export class BrookServer extends EventEmitter implements ClientHost, ServerContext {
  readonly ks: Keyspace;
  private readonly logger = new Logger('brook');
  readonly commands = new CommandTable();
  readonly users = new UserStore();
  readonly startedAt = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  readonly version = BROOK_VERSION;
  readonly redisVersion = REDIS_COMPAT_VERSION;
  readonly stats: ServerStats = newStats();
  readonly parserLimits: { maxBulkLen: number; maxMultibulkLen: number; maxQueryBuffer: number };
  readonly outputLimits = { normal: noLimit(), replica: noLimit(), pubsub: noLimit() };
  private readonly clientsById = new Map<number, Client>();
  private tcpServers: net.Server[] = [];
  private unixServer: net.Server | null = null;
  private readonly expiry: ActiveExpiry;
  private readonly resetHooks: ((c: Session) => void)[] = [];
  private readonly closeHooks: ((c: Session) => void)[] = [];
  private readonly unblockHooks: ((c: Session, error: boolean) => boolean)[] = [];
  private readonly infoExtra = new Map<string, InfoFields[]>();
  private cron: NodeJS.Timeout | null = null;
  private pausedUntil = 0;
  private pauseMode: 'all' | 'write' = 'all';
  private pauseTimer: NodeJS.Timeout | null = null;
  private shuttingDown = false;
  /** TCP port actually bound (differs from config when it was 0 in tests that ask for any port). */
  boundPort = 0;
  private boundBind = '';

  constructor(readonly config: ConfigStore) {
    super();
    this.ks = new Keyspace(config.int('databases'));
    this.commands.registerAll(builtinCommands);
    this.expiry = new ActiveExpiry(this.ks, Math.max(1, config.int('hz')));
    this.ks.setAccessPolicy(config.value('maxmemory-policy'));
    this.parserLimits = {
      maxBulkLen: config.int('proto-max-bulk-len'),
      maxMultibulkLen: MAX_MULTIBULK,
      maxQueryBuffer: config.int('client-query-buffer-limit'),
    };
    this.users.defaultUser.setPassword(config.value('requirepass'));
    this.setOutputLimits(config.value('client-output-buffer-limit'));
    config.onApply((name, value) => this.apply(name, value));
  }

  get ctx(): ServerContext {
    return this;
  }

  get defaultUserNoPass(): boolean {
    return this.users.defaultUser.nopass && this.users.defaultUser.enabled;
  }

  // ---- listeners -------------------------------------------------------------------------------

  /** Binds every configured address (TCP unless port is 0, plus the unix socket if set). */
  async listen(): Promise<void> {
    const dir = this.config.value('dir');
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    this.tcpServers = await this.bindAll(this.config.int('port'), this.config.value('bind'));
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
      this.unixServer = srv;
    }
    this.expiry.start();
    this.cron = setInterval(() => this.clientsCron(), 1000);
    this.cron.unref();
  }

  /** Listens on `port` at each bind address ('-addr' may fail, '*' is every IPv4 address). */
  private async bindAll(port: number, bind: string): Promise<net.Server[]> {
    const servers: net.Server[] = [];
    if (port === 0 && this.config.value('unixsocket')) return servers;
    try {
      for (const addr of bind.split(' ').filter(Boolean)) {
        const optional = addr.startsWith('-');
        const host = optional ? addr.slice(1) : addr;
        try {
          servers.push(await this.bindTcp(host === '*' ? '0.0.0.0' : host, port));
        } catch (e) {
          if (!optional) throw e;
        }
      }
    } catch (e) {
      await stopListening(servers);
      throw e;
    }
    if (servers.length > 0) this.boundPort = (servers[0].address() as net.AddressInfo).port;
    this.boundBind = bind;
    return servers;
  }

  private bindTcp(host: string, port: number): Promise<net.Server> {
    const srv = net.createServer({ noDelay: true }, (s) => this.accept(s));
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ host, port, backlog: this.config.int('tcp-backlog') }, () => {
        srv.off('error', reject);
        resolve(srv);
      });
    });
  }

  /**
   * CONFIG SET port/bind: stop listening on the old addresses (connections stay), listen on the
   * new ones; if that fails, listen on the old ones again and report Redis's error.
   */
  private async rebind(port: number, bind: string, why: string): Promise<string | null> {
    const old = this.tcpServers;
    const oldPort = this.boundPort;
    const oldBind = this.boundBind;
    await stopListening(old);
    try {
      this.tcpServers = await this.bindAll(port, bind);
      return null;
    } catch {
      this.tcpServers = await this.bindAll(oldPort, oldBind).catch(() => []);
      return why;
    }
  }

  private accept(socket: net.Socket, unixPath?: string): void {
    this.stats.connectionsReceived++;
    if (this.clientsById.size >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      // Closed once the error is out, like Redis: an ended socket would otherwise stay open, uncounted, until the peer closes it.
      socket.end('-ERR max number of clients reached\r\n', () => socket.destroy());
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
    const servers = this.unixServer ? [...this.tcpServers, this.unixServer] : this.tcpServers;
    await Promise.all(servers.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.tcpServers = [];
    this.unixServer = null;
    const unixPath = this.config.value('unixsocket');
    if (unixPath && existsSync(unixPath)) unlinkSync(unixPath);
  }

  // ---- dispatch ------------------------------------------------------------------------------

  /** Runs one command: lookup, arity and auth checks, the handler, stats and the change feed. */
  execute(c: Client, argv: string[]): void {
    if (c.replyMode !== 'on') this.executeSilenced(c, argv);
    else this.dispatch(c, argv);
  }

  private dispatch(c: Client, argv: string[]): void {
    this.stats.commandsProcessed++;
    let cmd: Command | undefined = this.commands.lookup(argv[0]);
    if (cmd === undefined) return this.reject(c, null, unknownCommand(argv));
    if (cmd.subcommands !== null && argv.length >= 2) {
      const sub = cmd.subcommands.get(argv[1].toLowerCase());
      if (sub === undefined) return this.reject(c, cmd, Err.unknownSubcommand(argv[1], cmd.spec.name));
      cmd = sub;
    }
    // Redis's order: existence, arity, then authentication.
    const arity = cmd.arity;
    const handler = cmd.handler;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity || handler === undefined) {
      return this.reject(c, cmd, Err.wrongArgs(cmd.fullName));
    }
    if (!c.authenticated && !cmd.spec.flags.includes('no_auth')) return this.reject(c, cmd, Err.noAuth);

    const ks = this.ks;
    const dirty = ks.dirty;
    const w = c.w;
    const errors = w.errors;
    c.propagated = false;
    c.lastCommand = cmd.fullName;
    const start = performance.now();
    try {
      handler(c, argv);
    } catch (e) {
      this.handlerFailed(c, cmd, e as Error);
    }
    const stats = cmd.stats;
    stats.usec += (performance.now() - start) * 1000;
    stats.calls++;
    if (w.errors !== errors) this.countError(w.lastError, stats);
    if (cmd.isWrite && ks.dirty !== dirty && !c.propagated && ks.feed.active) ks.feed.emit(c.db.id, argv);
  }

  /**
   * CLIENT REPLY OFF/SKIP: the command runs with its writer silenced, so what it writes is dropped
   * (a huge reply spilled early too), unless it turns replies back on (CLIENT REPLY ON, RESET).
   * SKIP covers the one command after it. Between commands the writer is not silenced: pub/sub
   * messages still reach the client, as Redis pushes them through REPLY OFF.
   */
  private executeSilenced(c: Client, argv: string[]): void {
    if (c.replyMode === 'skip') c.replyMode = 'on';
    c.w.silenced = true;
    this.dispatch(c, argv);
    c.w.silenced = c.isClosed;
  }

  /**
   * A handler bug must not take the server (and every other client) down: the command gets an
   * error reply, the stack goes to the log, and the connection carries on.
   */
  private handlerFailed(c: Client, cmd: Command, e: Error): void {
    this.logger.error(`command '${cmd.fullName}' failed: ${e?.stack ?? e}`);
    c.w.error(`ERR internal error in '${cmd.fullName}': ${String(e?.message ?? e).replace(/[\r\n]/g, ' ')}`);
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

  // ---- ServerContext --------------------------------------------------------------------------

  clients(): Iterable<ClientView> {
    return this.clientsById.values();
  }

  clientById(id: number): ClientView | undefined {
    return this.clientsById.get(id);
  }

  connectedClients(): number {
    return this.clientsById.size;
  }

  onReset(hook: (c: Session) => void): void {
    this.resetHooks.push(hook);
  }

  onClose(hook: (c: Session) => void): void {
    this.closeHooks.push(hook);
  }

  unblock(id: number, error: boolean): boolean {
    const c = this.clientsById.get(id);
    if (c === undefined || !c.blocked) return false;
    for (const h of this.unblockHooks) {
      if (h(c, error)) {
        c.flush();
        return true;
      }
    }
    return false;
  }

  onUnblock(hook: (c: Session, error: boolean) => boolean): void {
    this.unblockHooks.push(hook);
  }

  resetSession(c: Client): void {
    for (const h of this.resetHooks) h(c);
  }

  closed(c: Client, reason: 'gone' | 'killed' | 'output-limit'): void {
    if (!this.clientsById.delete(c.id)) return;
    if (reason === 'output-limit') this.stats.outputLimitDisconnections++;
    for (const h of this.closeHooks) h(c);
  }

  info(sections: readonly string[]): string {
    return buildInfo(this, sections, this.infoExtra);
  }

  addInfo(section: string, fields: InfoFields): void {
    const list = this.infoExtra.get(section) ?? [];
    list.push(fields);
    this.infoExtra.set(section, list);
  }

  resetStats(): void {
    Object.assign(this.stats, newStats());
    this.ks.resetStats();
    this.commands.resetStats();
  }

  authenticate(user: string, password: string): boolean {
    return this.users.authenticate(user, password);
  }

  hasUser(name: string): boolean {
    return this.users.get(name) !== undefined;
  }

  /**
   * CLIENT PAUSE: ALL holds every command; WRITE holds commands that may change data (write and
   * may_replicate ones). Replicas and masters are never paused.
   */
  isPaused(c: Client, argv: string[]): boolean {
    if (this.pausedUntil === 0 || c.type === 'master' || c.type === 'replica') return false;
    if (Date.now() >= this.pausedUntil) return false;
    if (this.pauseMode === 'all') return true;
    const cmd = this.commands.resolve(argv);
    return cmd !== undefined && (cmd.isWrite || cmd.spec.flags.includes('may_replicate'));
  }

  /** A new pause never shortens a running one, and ALL wins over WRITE until it ends (as in Redis). */
  pause(until: number, mode: 'all' | 'write'): void {
    const active = this.pausedUntil !== 0 && Date.now() < this.pausedUntil;
    if (!active) this.pauseMode = mode;
    else if (mode === 'all') this.pauseMode = 'all';
    if (!active || until > this.pausedUntil) this.pausedUntil = until;
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

  /** SHUTDOWN: the process owner (apps/brook) stops the Nest app and exits on 'shutdown'. */
  shutdown(mode: ShutdownMode): string | null {
    if (this.shuttingDown) return null;
    this.shuttingDown = true;
    // Persistence arrives with its own family; until then SAVE and NOSAVE both just stop.
    setImmediate(() => this.emit('shutdown', mode));
    return null;
  }

  // ---- config and housekeeping ----------------------------------------------------------------

  private apply(name: string, value: string): string | null | Promise<string | null> {
    switch (name) {
      case 'proto-max-bulk-len':
        this.parserLimits.maxBulkLen = Number(value);
        break;
      case 'client-query-buffer-limit':
        this.parserLimits.maxQueryBuffer = Number(value);
        break;
      case 'client-output-buffer-limit':
        this.setOutputLimits(value);
        break;
      case 'hz':
        this.expiry.setHz(Math.max(1, Number(value)));
        break;
      case 'maxmemory-policy':
        this.ks.setAccessPolicy(value);
        break;
      case 'requirepass':
        this.users.defaultUser.setPassword(value);
        break;
      case 'dir':
        if (!existsSync(value) || !statSync(value).isDirectory()) return 'No such file or directory';
        break;
      // Rebinding to what is bound already is a no-op (also when a failed CONFIG SET is undone).
      case 'port':
        if (this.tcpServers.length === 0 || Number(value) === this.boundPort) break;
        return this.rebind(Number(value), this.config.value('bind'), 'Unable to listen on this port');
      case 'bind':
        if (this.tcpServers.length === 0 || value === this.boundBind) break;
        return this.rebind(this.boundPort, value, 'Failed to bind to specified addresses.');
    }
    return null;
  }

  private setOutputLimits(value: string): void {
    const parts = value.split(' ');
    for (let i = 0; i + 3 < parts.length; i += 4) {
      const limit: OutputLimit = { hard: Number(parts[i + 1]), soft: Number(parts[i + 2]), softSeconds: Number(parts[i + 3]) };
      if (parts[i] === 'normal') this.outputLimits.normal = limit;
      else if (parts[i] === 'slave') this.outputLimits.replica = limit;
      else if (parts[i] === 'pubsub') this.outputLimits.pubsub = limit;
    }
  }

  /**
   * Once a second: closes clients idle for longer than `timeout` seconds (not pub/sub or blocked
   * ones, as in Redis) and those over the soft output limit for too long.
   */
  private clientsCron(): void {
    const timeout = this.config.int('timeout') * 1000;
    const now = Date.now();
    for (const c of [...this.clientsById.values()]) {
      if (timeout > 0 && c.type === 'normal' && !c.blocked && now - c.lastInteraction > timeout) c.kill();
      else if (c.outputPending > 0) c.checkOutputLimits();
    }
  }
}

/**
 * Stops accepting on these listeners without waiting for their connections (close()'s callback
 * would), then lets libuv finish closing the handles so the addresses can be bound again.
 */
async function stopListening(servers: net.Server[]): Promise<void> {
  for (const s of servers) s.close();
  await new Promise((r) => setTimeout(r, 10));
}

function noLimit(): OutputLimit {
  return { hard: 0, soft: 0, softSeconds: 0 };
}

function newStats(): ServerStats {
  return {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    errorReplies: 0,
    errorsByCode: new Map(),
    outputLimitDisconnections: 0,
  };
}
