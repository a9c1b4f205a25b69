import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { createServer as createTlsServer } from 'node:tls';
import { MAX_ARGS } from '@brook/resp';
import {
  builtinFamilies,
  CommandTable,
  Err,
  refusedWhileSubscribed,
  unknownCommand,
  type ClientView,
  type Command,
  type CommandFamily,
  type DebugSubcommand,
  type FamilyContext,
  type KeyWaiter,
  type MemoryFigures,
  type ServerContext,
  type Session,
  type ShutdownMode,
  type TransactionHooks,
  LatencyHistogram,
} from '@brook/commands';
import { ActiveExpiry, Keyspace, setLongTimeout, type LongTimeout } from '@brook/storage';
import { AofPersistence, aofFamily, type ReplyGate } from './aof.js';
import { FatalStartupError } from './aof-load.js';
import { BlockedClients, type BlockedCall } from './blocked-clients.js';
import { Client, isLoopback, type ClientHost, type OutputLimit } from './client.js';
import { PROTECTED_MODE_DENIED, protectedModeRefuses } from './acl/protected-mode.js';
import { readingSocket } from './connection-socket.js';
import { TlsConfigError, tlsClientRefused, tlsContextOptions } from './tls.js';
import type { ConfigStore } from './config/config-store.js';
import { warnIfNotHonoured, warnNotHonoured } from './config/not-honoured.js';
import { PrometheusEndpoint, infoMetrics } from './prometheus-endpoint.js';
import { buildInfo, infoSections, type InfoFields } from './info.js';
import { Metrics, SAMPLE_PERIOD_MS, usedMemory } from './metrics.js';
import { Persistence, persistenceFamily } from './persistence.js';
import { ChannelRegistry } from './pubsub-registry.js';
import { Monitors } from './monitors.js';
import { SlowLog } from './slowlog.js';
import { LatencyMonitor } from './latency-monitor.js';
import { MEMORY_LIMIT_PARAMS, MemoryLimit } from './memory-limit.js';
import { AclStore } from './acl/acl-store.js';
import { aclFamily } from './acl/acl-family.js';
import { BROOK_VERSION, REDIS_COMPAT_VERSION } from './version.js';

export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  errorReplies: number;
  errorsByCode: Map<string, number>;
  outputLimitDisconnections: number;
  netInputBytes: number;
  netOutputBytes: number;
}

/**
 * The RESP server core, independent of Nest: listeners, clients, the dispatcher and the
 * server-wide state commands see. RespServer (the Nest transport strategy) owns one of these.
 */
export class BrookServer extends EventEmitter implements ClientHost, ServerContext {
  readonly ks: Keyspace;
  private readonly logger = new Logger('brook');
  readonly commands = new CommandTable();
  readonly acl: AclStore;
  readonly startedAt = Date.now();
  /** used_memory with no data (MEMORY STATS startup.allocated): first read once the server is built. */
  private startupMemory = 0;
  readonly memoryLimit: MemoryLimit;
  readonly runId = randomBytes(20).toString('hex');
  readonly version = BROOK_VERSION;
  readonly redisVersion = REDIS_COMPAT_VERSION;
  readonly stats: ServerStats = newStats();
  readonly metrics = new Metrics();
  readonly parserLimits: { maxBulkLen: number; maxMultibulkLen: number; maxQueryBuffer: number };
  readonly outputLimits = { normal: noLimit(), replica: noLimit(), pubsub: noLimit() };
  readonly pubsub = new ChannelRegistry();
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  /** latency-tracking: per-command histograms (LATENCY HISTOGRAM, INFO latencystats). */
  private latencyTracking: boolean;
  private readonly monitors = new Monitors(() => this.config.value('unixsocket'));
  private readonly clientsById = new Map<number, Client>();
  private tcpServers: net.Server[] = [];
  /** The tls-port listeners, at the same bind addresses; their secure context is reloaded in place. */
  private tlsServers: tls.Server[] = [];
  private boundTlsPort = 0;
  private boundTlsBind = '';
  private unixServer: net.Server | null = null;
  readonly expiry: ActiveExpiry;
  readonly persistence: Persistence;
  private readonly resetHooks: ((c: Session) => void)[] = [];
  private readonly closeHooks: ((c: Session) => void)[] = [];
  private readonly unblockHooks: ((c: Session, error: boolean) => boolean)[] = [];
  private readonly infoExtra = new Map<string, InfoFields[]>();
  private readonly debugSubcommands = new Map<string, DebugSubcommand>();
  /** Work for the post-command phase (afterCommand), run once the outermost command returns. */
  private readonly postWork: (() => void)[] = [];
  /** Depth of nested calls (call()): the post-command phase waits for the outermost command. */
  private nesting = 0;
  private readonly blockedClients: BlockedClients;
  /** MULTI's queue, set by the transaction family. */
  private transactions: TransactionHooks | null = null;
  /** What families' install steps register through: hooks on this server only. */
  private readonly familyContext: FamilyContext;
  private cron: NodeJS.Timeout | null = null;
  /** When the clients' reply peaks (CLIENT LIST rbp) last started a new period. */
  private replyPeakResetAt = Date.now();
  private sampler: NodeJS.Timeout | null = null;
  private pausedUntil = 0;
  private pauseMode: 'all' | 'write' = 'all';
  private pauseTimer: LongTimeout | null = null;
  private shuttingDown = false;
  /** The port and bind addresses the TCP listeners serve (0 and '' while there are none to serve). */
  boundPort = 0;
  private boundBind = '';
  /** The last CONFIG SET port/bind rebind: the next one starts after it. */
  private rebinding: Promise<unknown> = Promise.resolve();
  private closing = false;
  /** Set by the AOF while it is on (see Client.flush). */
  replyGate: ReplyGate | null = null;
  private readonly aof: AofPersistence;
  /** GET /metrics when metrics-port is set. */
  private prometheus: PrometheusEndpoint | null = null;

  constructor(readonly config: ConfigStore) {
    super();
    this.ks = new Keyspace(config.int('databases'));
    this.slowlog = new SlowLog(config);
    this.latency = new LatencyMonitor(config);
    this.latencyTracking = config.value('latency-tracking') === 'yes';
    this.acl = new AclStore(this.commands, config, () => this.clientsById.values(), this.pubsub);
    this.blockedClients = new BlockedClients(
      this.ks,
      (work) => this.afterCommand(work),
      (c, call, replyUs, failed) => this.accountUnblocked(c, call, replyUs, failed),
    );
    this.familyContext = {
      server: this,
      ks: this.ks,
      onReset: (hook) => this.resetHooks.push(hook),
      onClose: (hook) => this.closeHooks.push(hook),
      onUnblock: (hook) => this.unblockHooks.push(hook),
      addInfo: (section, fields) => this.addInfo(section, fields),
      addDebugSubcommand: (sub) => this.debugSubcommands.set(sub.name.toLowerCase(), sub),
      onConfigSet: (name, react) => config.onApply((changed, value) => (changed === name ? react(value) : null)),
      setTransactions: (hooks) => (this.transactions = hooks),
    };
    for (const family of builtinFamilies) this.install(family);
    this.persistence = new Persistence(this.ks, config);
    this.install(persistenceFamily(this.persistence));
    this.expiry = new ActiveExpiry(this.ks, Math.max(1, config.int('hz')));
    this.debugSubcommands.set('set-active-expire', this.setActiveExpire);
    this.parserLimits = {
      maxBulkLen: config.int('proto-max-bulk-len'),
      // The parser's own cap (2^26; Redis 7.0 accepts up to INT_MAX), see MAX_ARGS.
      maxMultibulkLen: MAX_ARGS,
      maxQueryBuffer: config.int('client-query-buffer-limit'),
    };
    this.install(aclFamily(this.acl, { connection, aclfile: () => config.value('aclfile') }));
    this.acl.setDefaultPassword(config.value('requirepass'));
    config.userDirectives = () =>
      config.value('aclfile') !== '' ? null : this.acl.list().map((u) => `user ${u.name} ${u.describe(this.acl.catalog)}`);
    this.startupMemory = usedMemory();
    this.memoryLimit = new MemoryLimit(this.ks, config, () => this.pausedUntil !== 0 && Date.now() < this.pausedUntil);
    this.setOutputLimits(config.value('client-output-buffer-limit'));
    config.onApply((name, value) => this.apply(name, value));
    warnNotHonoured(this.logger, (name) => config.value(name));
    this.aof = new AofPersistence(this);
    this.install(aofFamily(this.aof));
    config.renameCommands((from, to) => this.commands.rename(from, to));
  }

  /** Adds a family to this server: its commands into the table, then its install step. */
  install(family: CommandFamily): void {
    // Parameters are read with the config file, before any server exists: the store must know them.
    for (const p of family.params ?? [])
      if (!this.config.declares(p)) throw new Error(`family '${family.name}' declares '${p.name}', unknown to the config store`);
    this.commands.registerAll(family.commands);
    family.install?.(this.familyContext);
  }

  get ctx(): ServerContext {
    return this;
  }

  get defaultUserNoPass(): boolean {
    return this.acl.defaultUser.nopass && this.acl.defaultUser.enabled;
  }

  // ---- listeners -------------------------------------------------------------------------------

  /**
   * Binds every configured address: the unix socket (if set) with its permissions first, then TCP
   * (none when port is 0), so that once the TCP port answers every listener is ready.
   */
  async listen(): Promise<void> {
    const aclError = this.acl.loadAtStartup(this.config.userLines, this.config.value('aclfile'));
    if (aclError !== null) throw new FatalStartupError(aclError);
    const dir = this.config.value('dir');
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    this.aof.start();
    const unixPath = this.config.value('unixsocket');
    if (unixPath) this.unixServer = await this.bindUnix(unixPath, parseInt(this.config.value('unixsocketperm'), 8));
    try {
      await this.syncTcp();
    } catch (e) {
      await this.close();
      throw e;
    }
    this.expiry.start();
    this.persistence.start();
    // Listening first, as Redis: clients connecting meanwhile get -LOADING until the data set is in.
    // With appendonly yes the AOF (begun above) is the data set, and Redis does not read dump.rdb.
    if (this.config.value('appendonly') === 'yes') this.aof.continueLoading();
    else this.persistence.loadAtStartup();
    this.cron = setInterval(() => this.clientsCron(), 1000);
    this.cron.unref();
    this.sampler = setInterval(() => this.metrics.sample(this.stats, Date.now()), SAMPLE_PERIOD_MS);
    this.sampler.unref();
    const metricsPort = this.config.int('metrics-port');
    if (metricsPort !== 0) {
      this.prometheus = new PrometheusEndpoint(infoMetrics(() => this.infoFields(), this.ks.dbs.length));
      try {
        await this.prometheus.listen(metricsPort, this.config.value('metrics-bind'));
      } catch (e) {
        await this.close();
        throw new FatalStartupError(
          `Could not listen for metrics on ${this.config.value('metrics-bind')}:${metricsPort}: ${(e as Error).message}`,
        );
      }
    }
  }

  /**
   * Listens on a unix socket that nobody can reach with other permissions than `perm`: it is
   * bound in a private directory next to `path`, given its mode, then renamed into place
   * (replacing a stale socket, as Redis unlinks one). Redis binds, chmods, then listens; Node
   * binds and listens in one call, and a process-wide umask would race other threads' files.
   */
  private async bindUnix(path: string, perm: number): Promise<net.Server> {
    const staging = mkdtempSync(join(dirname(path), '.brook-'));
    try {
      const staged = join(staging, 's');
      const srv = await listenOn(
        net.createServer({ pauseOnConnect: true }, (s) => this.accept(s, path)),
        { path: staged },
      );
      try {
        if (perm) chmodSync(staged, perm);
        renameSync(staged, path);
      } catch (e) {
        srv.close();
        throw e;
      }
      return srv;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /**
   * Makes the TCP listeners match the configured port and bind, then the TLS ones tls-port and
   * bind: stops listening on the old addresses (their connections stay) and listens on the new
   * ones, none when the port is 0. Throws when an address cannot be bound, leaving no listener of
   * that kind (the caller restores the old config).
   */
  private async syncTcp(): Promise<void> {
    const port = this.config.int('port');
    const bind = this.config.value('bind');
    if (port !== this.boundPort || bind !== this.boundBind) {
      await stopListening(this.tcpServers);
      this.tcpServers = [];
      this.boundPort = 0;
      this.boundBind = '';
      if (port !== 0) this.tcpServers = await this.bindAll(port, bind, () => net.createServer(PLAIN_OPTIONS, (s) => this.accept(s)));
      this.boundPort = port;
      this.boundBind = bind;
    }
    const tlsPort = this.config.int('tls-port');
    if (tlsPort === this.boundTlsPort && bind === this.boundTlsBind) return;
    await stopListening(this.tlsServers);
    this.tlsServers = [];
    this.boundTlsPort = 0;
    this.boundTlsBind = '';
    if (tlsPort !== 0) {
      const options = tlsContextOptions((n) => this.config.value(n));
      this.tlsServers = await this.bindAll(tlsPort, bind, () => this.tlsServer(options));
    }
    this.boundTlsPort = tlsPort;
    this.boundTlsBind = bind;
  }

  /**
   * A TLS listener: the client certificate is always asked for and checked once the handshake is
   * done (tlsClientRefused), so tls-auth-clients applies to new clients without a new listener.
   * A failed handshake (plaintext on the TLS port, a bad certificate) only drops that connection.
   */
  private tlsServer(options: tls.SecureContextOptions): tls.Server {
    const srv = createTlsServer({ ...options, requestCert: true, rejectUnauthorized: false }, (s) => {
      if (tlsClientRefused(this.config.value('tls-auth-clients'), s)) s.destroy();
      else this.accept(s, undefined, true);
    });
    srv.on('tlsClientError', (e) => this.logger.verbose(`Error accepting a client connection: ${e.message}`));
    return srv;
  }

  /** Listens on `port` at each bind address ('-addr' may fail, '*' is every IPv4 address); all or none. */
  private async bindAll<S extends net.Server>(port: number, bind: string, create: () => S): Promise<S[]> {
    const servers: S[] = [];
    for (const addr of bind.split(' ').filter(Boolean)) {
      const optional = addr.startsWith('-');
      const host = optional ? addr.slice(1) : addr;
      const srv = create();
      try {
        servers.push(await listenOn(srv, { host: host === '*' ? '0.0.0.0' : host, port, backlog: this.config.int('tcp-backlog') }));
      } catch (e) {
        this.logger.warn(`Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`);
        if (optional) continue;
        await stopListening(servers);
        throw e;
      }
    }
    return servers;
  }

  /**
   * CONFIG SET port/bind: rebinds to the configured addresses once the rebind before it is done
   * (each reads port and bind when its turn comes). On failure nothing listens on TCP and `why`
   * makes ConfigStore restore the old values, whose rebind then listens on the old addresses.
   */
  private rebind(why: string): Promise<string | null> {
    const done = this.rebinding.then(() => {
      if (this.closing) return null;
      return this.syncTcp().then(
        () => null,
        (e: unknown) => (e instanceof TlsConfigError ? Err.tlsConfigFailed : why),
      );
    });
    this.rebinding = done;
    return done;
  }

  /**
   * A new connection: plain TCP and unix ones are read through readingSocket (the hot path), a
   * TLS one through its stream's 'data' events (its bytes are decrypted in JS-land anyway).
   */
  private accept(accepted: net.Socket, unixPath?: string, secure = false): void {
    const local = unixPath !== undefined || isLoopback(accepted.remoteAddress);
    if (protectedModeRefuses(this.config.value('protected-mode') === 'yes', this.acl.defaultUser.nopass, local)) {
      this.stats.rejectedConnections++;
      accepted.end(PROTECTED_MODE_DENIED, () => accepted.destroy());
      return;
    }
    this.stats.connectionsReceived++;
    if (this.clientsById.size >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      // Closed once the error is out, like Redis: an ended socket would otherwise stay open, uncounted, until the peer closes it.
      accepted.end('-ERR max number of clients reached\r\n', () => accepted.destroy());
      return;
    }
    let client: Client | null = null;
    let socket = accepted;
    if (secure) accepted.on('data', (chunk: Buffer) => client?.receive(chunk, chunk.length));
    else socket = readingSocket(accepted, (buffer, length) => client?.receive(buffer, length));
    const keepalive = this.config.int('tcp-keepalive');
    if (!unixPath && keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    client = new Client(socket, this, unixPath);
    this.clientsById.set(client.id, client);
  }

  /** Stops listening (after a rebind in flight) and disconnects every client. */
  async close(): Promise<void> {
    this.closing = true;
    await this.rebinding;
    this.expiry.stop();
    this.persistence.stop();
    if (this.cron) clearInterval(this.cron);
    if (this.sampler) clearInterval(this.sampler);
    this.pauseTimer?.clear();
    for (const c of [...this.clientsById.values()]) c.kill();
    const servers = [...this.tcpServers, ...this.tlsServers, ...(this.unixServer ? [this.unixServer] : [])];
    await Promise.all(servers.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.tcpServers = [];
    this.tlsServers = [];
    this.boundPort = 0;
    this.boundBind = '';
    this.boundTlsPort = 0;
    this.boundTlsBind = '';
    this.unixServer = null;
    await this.prometheus?.close();
    this.prometheus = null;
    const unixPath = this.config.value('unixsocket');
    if (unixPath && existsSync(unixPath)) unlinkSync(unixPath);
    this.aof.stop();
  }

  // ---- dispatch ------------------------------------------------------------------------------

  /**
   * Runs one command from a connection: lookup, arity and auth checks, the handler, stats and the
   * change feed, then the post-command phase (one branch when nothing is pending).
   */
  execute(c: Client, argv: string[]): void {
    if (c.replyMode !== 'on') this.executeSilenced(c, argv);
    else this.dispatch(c, argv);
    if (this.postWork.length !== 0) this.runPostCommand();
  }

  call(c: Session, argv: string[]): void {
    this.nesting++;
    try {
      this.dispatch(connection(c), argv);
    } finally {
      this.nesting--;
    }
  }

  /** Blocked clients waiting with a timeout (INFO clients_in_timeout_table). */
  clientsInTimeoutTable(): number {
    return this.blockedClients.timed;
  }

  afterCommand(work: () => void): void {
    this.postWork.push(work);
  }

  afterDeferred(): void {
    if (this.postWork.length !== 0) this.runPostCommand();
  }

  /**
   * The post-command phase (Redis's handleClientsBlockedOnKeys and friends): runs the queued work
   * in order, including work queued while it runs (a served client's write makes more keys ready),
   * until none is left. Not inside a nested call: the outermost command runs it when it returns.
   */
  private runPostCommand(): void {
    if (this.nesting > 0) return;
    const work = this.postWork;
    for (let i = 0; i < work.length; i++) {
      try {
        work[i]();
      } catch (e) {
        this.logger.error(`post-command work failed: ${(e as Error).stack ?? String(e)}`);
      }
    }
    work.length = 0;
  }

  private dispatch(c: Client, argv: string[]): void {
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
    // Redis's authRequired: a connection that never authenticated may run once the default user needs no password.
    if (!c.authenticated && !this.defaultUserNoPass && !cmd.spec.flags.includes('no_auth')) return this.reject(c, cmd, Err.noAuth);
    // One flag for the usual case (a user allowed everything); the full ACL check otherwise.
    if (!c.aclUser.unrestricted) {
      const denied = this.acl.deny(c, cmd, argv, this.nesting > 0 && c.multi >= 0 ? 'exec' : c.multi >= 0 ? 'multi' : 'toplevel');
      if (denied !== null) return this.reject(c, cmd, denied);
    }
    // The AOF's own client replays the data set while it loads: its commands are never refused.
    if (this.persistence.gated && c !== this.persistence.loadingClient) {
      const refused = this.persistence.refusal(cmd.spec.flags, cmd.isWrite, cmd.fullName);
      if (refused !== null) return this.reject(c, cmd, refused);
    }
    // Redis's processCommand evicts here (after ACL, before the persistence checks), not for what EXEC runs.
    if (this.memoryLimit.maxmemory !== 0 && this.nesting === 0 && c !== this.persistence.loadingClient) {
      if (this.memoryLimit.refuses(c, cmd, this.transactions)) return this.reject(c, cmd, Err.oom);
    }
    if (c.type === 'pubsub' && refusedWhileSubscribed(c, cmd)) return this.reject(c, cmd, Err.subscribedContext(cmd.fullName));
    if (c.multi >= 0 && this.queuedInMulti(c, cmd, argv)) return;
    // Redis counts commands run (call()), not those refused or queued.
    this.stats.commandsProcessed++;

    const ks = this.ks;
    const dirty = ks.dirty;
    const w = c.w;
    const errors = w.errors;
    c.propagated = false;
    c.lastCommand = cmd.fullName;
    const tracking = c.tracking;
    if (tracking !== null) tracking.before(c);
    const start = performance.now();
    try {
      handler(c, argv);
    } catch (e) {
      this.handlerFailed(c, cmd, e instanceof Error ? e : new Error(String(e)));
    }
    if (tracking !== null) tracking.after(c, cmd, argv);
    // One clock read after the handler serves commandstats, the slow log and the latency figures.
    const usec = (performance.now() - start) * 1000;
    const stats = cmd.stats;
    stats.usec += usec;
    stats.calls++;
    if (usec >= this.slowlog.threshold) this.slowlog.push(c, cmd, argv, usec);
    if (this.monitors.size !== 0) this.monitors.feed(c, cmd, argv);
    if (usec >= this.latency.thresholdUs)
      this.latency.add(cmd.spec.flags.includes('fast') ? 'fast-command' : 'command', Math.floor(usec / 1000));
    // A client left blocked goes to the slow log and the histogram when served (accountUnblocked), as in Redis.
    if (c.blocked) this.blockedClients.noteCall(c, { cmd, argv, usec });
    else if (this.latencyTracking) (stats.latency ??= new LatencyHistogram()).record(usec);
    if (w.errors !== errors) this.countError(w.lastError, stats);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the handler may have set c.propagated
    if (cmd.isWrite && ks.dirty !== dirty && !c.propagated && ks.feed.active) ks.feed.emit(c.db.id, argv);
  }

  /**
   * Redis 7.0's updateStatsOnUnblock: a blocked command served at last adds its first run plus the
   * time its reply took (not the time it waited) to commandstats once more, and that sum goes to
   * the histogram and the slow log; the reply's time alone is the latency event
   * 'command-unblocking'. A wait that times out records nothing. CLIENT UNBLOCK (`replyUs` null)
   * accounts as Redis 7.0.15 does, after it has reset the client: a failed call whatever the
   * reason, and a slow log entry without arguments.
   */
  private accountUnblocked(c: Client, call: BlockedCall, replyUs: number | null, failed: boolean): void {
    const total = call.usec + (replyUs ?? 0);
    const stats = call.cmd.stats;
    stats.usec += total;
    if (replyUs === null) {
      stats.failedCalls++;
      if (failed) this.countError(c.w.lastError, null);
    } else if (failed) this.countError(c.w.lastError, stats);
    if (this.latencyTracking) (stats.latency ??= new LatencyHistogram()).record(total);
    if (total >= this.slowlog.threshold) this.slowlog.push(c, call.cmd, replyUs === null ? [] : call.argv, total);
    if (replyUs !== null && replyUs >= this.latency.thresholdUs) this.latency.add('command-unblocking', Math.floor(replyUs / 1000));
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
    this.logger.error(`command '${cmd.fullName}' failed: ${e.stack ?? e.message}`);
    c.w.error(`ERR internal error in '${cmd.fullName}': ${e.message.replace(/[\r\n]/g, ' ')}`);
  }

  /**
   * In MULTI (the end of Redis's processCommand): a no_multi command is refused, the transaction
   * family queues the rest or lets them run (EXEC, DISCARD...). What EXEC runs (nested) is never queued.
   */
  private queuedInMulti(c: Client, cmd: Command, argv: string[]): boolean {
    if (this.nesting > 0 || this.transactions === null) return false;
    if (cmd.spec.flags.includes('no_multi')) {
      this.reject(c, cmd, Err.notAllowedInMulti);
      return true;
    }
    if (!this.transactions.queue(c, cmd, argv)) return false;
    c.lastCommand = cmd.fullName;
    return true;
  }

  private reject(c: Client, cmd: Command | null, error: string): void {
    if (cmd) cmd.stats.rejectedCalls++;
    if (this.transactions !== null) error = this.transactions.refused(c, cmd, error);
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

  clientById(id: number): Client | undefined {
    return this.clientsById.get(id);
  }

  memory(): MemoryFigures {
    const m = process.memoryUsage();
    const heap = usedMemory(m);
    // What the server holds with no data: the least heap reading seen while every database was
    // empty (start-up garbage makes the first reading high).
    if (heap < this.startupMemory && this.ks.dbs.every((db) => db.keys.size === 0)) this.startupMemory = heap;
    // Under maxmemory, used_memory is the accounted figure eviction compares with the limit.
    const used = this.memoryLimit.maxmemory !== 0 ? this.memoryLimit.evictor.used() : heap;
    // The sampler tracks the peak every 100 ms; a reading here counts too, so peak >= used.
    this.metrics.notePeak(used);
    let clientsNormal = 0;
    for (const c of this.clientsById.values()) if (c.type !== 'replica') clientsNormal += c.totalMemory;
    return {
      used,
      peak: this.metrics.peakMemory,
      startup: this.startupMemory,
      rss: m.rss,
      active: m.heapTotal + m.external,
      clientsNormal,
      aofBuffer: this.aof.bufferBytes,
    };
  }

  connectedClients(): number {
    return this.clientsById.size;
  }

  block(c: Session, keys: readonly string[], timeoutMs: number, waiter: KeyWaiter): void {
    // Inside MULTI/EXEC (or a script) a blocking command never blocks: it replies at once.
    if (this.nesting === 0) this.blockedClients.block(connection(c), keys, timeoutMs, waiter);
    else if (waiter.refused) waiter.refused(c);
    else waiter.timeout(c);
  }

  publish(channel: string, message: string): number {
    return this.pubsub.publish(channel, message);
  }

  unblock(id: number, error: boolean): boolean {
    const c = this.clientsById.get(id);
    if (c === undefined || !c.blocked) return false;
    if (this.blockedClients.unblock(c, error)) return true;
    for (const h of this.unblockHooks) {
      if (h(c, error)) {
        c.flush();
        return true;
      }
    }
    return false;
  }

  debugSubcommand(name: string): DebugSubcommand | undefined {
    return this.debugSubcommands.get(name);
  }

  debugSubcommandNames(): string[] {
    return [...this.debugSubcommands.keys()];
  }

  /** MONITOR: not inside MULTI/EXEC, which needs one reply per command; a second MONITOR is ignored without a reply, as Redis. */
  monitor(c: Session): void {
    const m = connection(c);
    if (this.nesting > 0) return m.w.error(Err.monitorDenied);
    if (this.monitors.has(m)) return;
    this.monitors.add(m);
    m.monitoring = true;
    m.w.ok();
  }

  resetSession(c: Client): void {
    this.stopMonitoring(c);
    for (const h of this.resetHooks) h(c);
  }

  closed(c: Client, reason: 'gone' | 'killed' | 'output-limit'): void {
    if (!this.clientsById.delete(c.id)) return;
    if (reason === 'output-limit') this.stats.outputLimitDisconnections++;
    if (c.blocked) this.blockedClients.remove(c);
    this.stopMonitoring(c);
    for (const h of this.closeHooks) h(c);
  }

  private stopMonitoring(c: Client): void {
    if (!c.monitoring) return;
    this.monitors.remove(c);
    c.monitoring = false;
  }

  info(sections: readonly string[]): string {
    return buildInfo(this, sections, this.infoExtra);
  }

  /** INFO's fields by section (all sections), for the Prometheus endpoint. */
  infoFields(): Map<string, Map<string, string | number>> {
    return infoSections(this, ['everything'], this.infoExtra);
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

  authenticate(c: Session, user: string, password: string, command: string): boolean {
    const client = connection(c);
    return this.acl.authenticate(client, user, password, command, client.multi >= 0);
  }

  hasUser(name: string): boolean {
    return this.acl.get(name) !== undefined;
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
    if (cmd === undefined) return false;
    if (cmd.fullName === 'exec' && c.multi > 0) return this.transactions?.queuedWrites(c) === true;
    return cmd.isWrite || cmd.spec.flags.includes('may_replicate');
  }

  /** A new pause never shortens a running one, and ALL wins over WRITE until it ends (as in Redis). */
  pause(until: number, mode: 'all' | 'write'): void {
    const active = this.pausedUntil !== 0 && Date.now() < this.pausedUntil;
    if (!active) this.pauseMode = mode;
    else if (mode === 'all') this.pauseMode = 'all';
    if (!active || until > this.pausedUntil) this.pausedUntil = until;
    this.pauseTimer?.clear();
    this.pauseTimer = setLongTimeout(() => this.unpause(), this.pausedUntil - Date.now());
  }

  unpause(): void {
    this.pausedUntil = 0;
    this.pauseMode = 'all';
    this.pauseTimer?.clear();
    this.pauseTimer = null;
    for (const c of [...this.clientsById.values()]) c.resume();
  }

  /**
   * SHUTDOWN, or SIGINT/SIGTERM (`origin`) with their shutdown-on-sig* flags: the process owner
   * (apps/brook) stops the Nest app and exits on 'shutdown'. As Redis's prepareForShutdown: with
   * SAVE, or save points and no NOSAVE, the data set is saved first (a running BGSAVE is dropped);
   * a failed save keeps the server running unless FORCE.
   */
  shutdown(mode: ShutdownMode, origin = 'SHUTDOWN'): string | null {
    if (this.shuttingDown) return null;
    // As Redis: the rewrite that turns the AOF on holds the only copy the AOF will have of the data set.
    if (this.aof.writingInitialAof) {
      if (!mode.force) {
        this.logger.warn("Writing initial AOF, can't exit.");
        return Err.shutdownFailed;
      }
      this.logger.warn('Writing initial AOF. Exit anyway.');
    }
    // Never while loading: the data set is incomplete (Redis turns such a shutdown into NOSAVE).
    const save = mode.save === 'save' || (mode.save === 'default' && this.persistence.hasSavePoints);
    if (save && !this.persistence.loading) {
      this.logger.log('Saving the final RDB snapshot before exiting.');
      if (this.persistence.saveSync()) this.logger.log('DB saved on disk');
      else if (!mode.force) {
        this.logger.warn("Error trying to save the DB, can't exit.");
        return Err.shutdownFailed;
      } else this.logger.warn('Error trying to save the DB. Exit anyway.');
    }
    this.shuttingDown = true;
    setImmediate(() => this.emit('shutdown', mode, origin));
    return null;
  }

  /**
   * DEBUG SET-ACTIVE-EXPIRE 0|1: stops or restarts the active expire cycle (keys then expire only
   * when touched). The argument is read as C's atoi reads it, as Redis does: anything not a nonzero number is 0.
   */
  private readonly setActiveExpire: DebugSubcommand = {
    name: 'SET-ACTIVE-EXPIRE',
    args: [1, 1],
    help: [
      'SET-ACTIVE-EXPIRE <0|1>',
      '    Setting it to 0 disables expiring keys in background when they are not',
      '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
      '    default.',
    ],
    handler: (c, args) => {
      const n = parseInt(args[0], 10);
      if (Number.isNaN(n) || n === 0) this.expiry.stop();
      else if (!this.closing) this.expiry.start();
      c.w.ok();
    },
  };

  // ---- config and housekeeping ----------------------------------------------------------------

  private apply(name: string, value: string): string | null | Promise<string | null> {
    warnIfNotHonoured(this.logger, name, value);
    if (MEMORY_LIMIT_PARAMS.has(name)) this.memoryLimit.apply();
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
      case 'latency-tracking':
        this.latencyTracking = value === 'yes';
        break;
      case 'hz':
        this.expiry.setHz(Math.max(1, Number(value)));
        break;
      case 'requirepass':
        this.acl.setDefaultPassword(value);
        break;
      case 'dir':
        if (!existsSync(value) || !statSync(value).isDirectory()) return 'No such file or directory';
        break;
      case 'port':
        return this.rebind(Err.listenPortFailed);
      case 'bind':
        return this.rebind(Err.bindFailed);
      case 'tls-port':
        // The certificates are checked before the port is bound, as Redis's applyTLSPort does.
        return this.reloadTls() ?? this.rebind(Err.listenPortFailed);
    }
    if (name.startsWith('tls-')) return this.reloadTls();
    return null;
  }

  /**
   * CONFIG SET of a tls-* file or cipher setting (one apply step for them all, as Redis's
   * applyTlsCfg) or of tls-port: a new secure context from the files as they are now, for new
   * connections; nothing to check while tls-port (its new value, as Redis reads it) is 0.
   */
  private reloadTls(): string | null {
    if (this.config.int('tls-port') === 0) return null;
    try {
      const options = tlsContextOptions((n) => this.config.value(n));
      for (const srv of this.tlsServers) srv.setSecureContext(options);
    } catch (e) {
      this.logger.warn((e as Error).message);
      return Err.tlsConfigFailed;
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
    const { clientInput, clientOutput } = this.metrics;
    const newPeakPeriod = now - this.replyPeakResetAt >= REPLY_PEAK_PERIOD_MS;
    if (newPeakPeriod) this.replyPeakResetAt = now;
    for (const c of [...this.clientsById.values()]) {
      clientInput.record(c.parser.bufferBytes, now);
      clientOutput.record(c.outputListBytes, now);
      if (timeout > 0 && c.type === 'normal' && !c.blocked && now - c.lastInteraction > timeout) c.kill();
      else if (c.outputPending > 0) c.checkOutputLimits();
      if (now - c.lastInteraction > IDLE_TRIM_MS) c.parser.trim();
      if (newPeakPeriod) c.resetReplyPeak();
    }
  }
}

/** The connection behind a session: every Session a handler sees is one of the server's Clients. */
function connection(c: Session): Client {
  if (!(c instanceof Client)) throw new TypeError('not a connection of this server');
  return c;
}

/** The plain TCP listeners: connections handed over paused, for readingSocket. */
const PLAIN_OPTIONS: net.ServerOpts = { noDelay: true, pauseOnConnect: true };

/** Starts `srv` listening; resolves once it accepts, rejects with the bind error. */
function listenOn<S extends net.Server>(srv: S, options: net.ListenOptions): Promise<S> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(options, () => {
      srv.off('error', reject);
      resolve(srv);
    });
  });
}

/** A client idle this long gives back the buffer its parser keeps for big arguments (Redis: 2 s). */
const IDLE_TRIM_MS = 2000;
/** Redis measures a client's reply buffer peak over periods of 5 seconds (clientsCronResizeOutputBuffer). */
const REPLY_PEAK_PERIOD_MS = 5000;

/**
 * Stops accepting on these listeners without waiting for their connections (close()'s callback
 * would), then lets libuv finish closing the handles so the addresses can be bound again.
 */
async function stopListening(servers: net.Server[]): Promise<void> {
  if (servers.length === 0) return;
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
    netInputBytes: 0,
    netOutputBytes: 0,
  };
}
