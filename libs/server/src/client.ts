import type { Socket } from 'node:net';
import { FLUSH_THRESHOLD, ProtocolError, QueryBufferLimitError, ReplyWriter, RespParser } from '@brook/resp';
import type { ClientTracking, ClientType, ServerContext, Session } from '@brook/commands';
import type { Database, Keyspace } from '@brook/storage';
import type { AclStore } from './acl/acl-store.js';
import type { AclUser } from './acl/user.js';

/** client-output-buffer-limit for one class: bytes (0 = none) and seconds over the soft limit. */
export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/** What a connection needs from the server that owns it. */
export interface ClientHost {
  readonly ctx: ServerContext;
  readonly ks: Keyspace;
  /** The ACL users: a new or RESET connection is the default user's. */
  readonly acl: AclStore;
  readonly parserLimits: { maxBulkLen: number; maxMultibulkLen: number; maxQueryBuffer: number };
  /** client-output-buffer-limit by class (masters count as normal, as in Redis). */
  readonly outputLimits: { normal: OutputLimit; replica: OutputLimit; pubsub: OutputLimit };
  /** Bytes received from and sent to clients (INFO total_net_*_bytes and the instantaneous kbps). */
  readonly stats: { netInputBytes: number; netOutputBytes: number };
  /** Runs one command for this client (the dispatcher), then the post-command work. */
  execute(c: Client, argv: string[]): void;
  /** Runs the post-command work after a deferred (asynchronous) command has written its reply. */
  afterDeferred(): void;
  /** Holds replies back until the writes they acknowledge are in the AOF; null without one (the usual case). */
  readonly replyGate: { holds(c: Client): boolean } | null;
  /** True while CLIENT PAUSE holds this command back. */
  isPaused(c: Client, argv: string[]): boolean;
  /** RESET: runs the families' reset hooks (MULTI, subscriptions...). */
  resetSession(c: Client): void;
  /** The connection is gone: runs the families' close hooks and forgets it. */
  closed(c: Client, reason: 'gone' | 'killed' | 'output-limit'): void;
}

let nextId = 1;

/**
 * Redis keeps the first 16 KiB of a client's pending output in a per-client buffer
 * (PROTO_REPLY_CHUNK_BYTES) that client-output-buffer-limit does not count: only output beyond it does.
 */
const REPLY_BUFFER = 16 * 1024;
/**
 * Largest piece of queued output handed to the socket at once: Node copies (and first flattens)
 * a string when it writes it, so this bounds the copying one event-loop turn does for one client.
 */
const WRITE_PIECE = FLUSH_THRESHOLD;

/** How long a closing client's socket stays half-open after its last output (see Client.ended). */
const CLOSE_GRACE_MS = 200;

/**
 * One connection: parses its input, runs each command synchronously, and writes all replies to
 * one input chunk with a single socket write. It stays listed and counted (CLIENT LIST, INFO,
 * maxclients) until its socket is destroyed.
 */
export class Client implements Session {
  readonly id = nextId++;
  readonly w: ReplyWriter;
  readonly parser: RespParser;
  readonly createdAt = Date.now();
  db: Database;
  name = '';
  /** The ACL user this connection runs as (AUTH/HELLO change it; a deleted user's clients are closed). */
  aclUser: AclUser;
  private auth = false;
  libName = '';
  libVer = '';
  noEvict = false;
  noTouch = false;
  private reply: 'on' | 'off' | 'skip' = 'on';
  propagated = false;
  closeAfterReply = false;
  type: ClientType = 'normal';
  /** Subscription counts (CLIENT LIST sub/psub/ssub), kept by the pub/sub family. */
  sub = 0;
  psub = 0;
  ssub = 0;
  /** Commands queued in MULTI, or -1 outside MULTI (CLIENT LIST multi=), kept by the transaction family. */
  multi = -1;
  multiMem = 0;
  /** In MONITOR mode (CLIENT LIST flag O), kept by the server's Monitors. */
  monitoring = false;
  dirtyCas = false;
  /** Waiting in a blocking command (CLIENT LIST flag b, INFO blocked_clients), kept by BlockedClients. */
  blocked = false;
  /** CLIENT TRACKING state, kept by the tracking table; null while tracking is off. */
  tracking: ClientTracking | null = null;
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  readonly addr: string;
  readonly laddr: string;
  readonly isLocal: boolean;
  /** Connected over the unix socket (CLIENT LIST flag U, MONITOR's `unix:` origin). */
  readonly unix: boolean;
  /** Commands held back (CLIENT PAUSE or a deferred reply), run in order when released. */
  private deferred: string[][] | null = null;
  private holds = 0;
  private closed = false;
  /** closeAfterReply's output went to the socket: nothing more is read or written, the socket closes once it is out. */
  private ending = false;
  /** When pending output first went over the soft limit (ms), 0 when under it. */
  private softLimitSince = 0;
  private readonly run = (argv: string[]): void => this.command(argv);
  /**
   * Output waiting while the socket is backed up (a slow reader), oldest first, as the writer made
   * it: strings that mostly point at the stored values, so a pipeline of big GETs costs no copy
   * here, and views of big buffers (a pub/sub message). Node would join all of its queued strings into one buffer on its next writev, a
   * synchronous copy of everything pending; this queue hands them over one at a time instead.
   */
  private backlog: (string | Buffer)[] = [];
  private backlogBytes = 0;
  /** The most reply bytes held in the slab at a flush since the last replyPeakReset (CLIENT LIST rbp). */
  private replyPeak = 0;
  private readonly drain = (): void => this.writeBacklog();
  /**
   * The last output is out and our FIN sent: the socket is destroyed when the peer closes too, or
   * after CLOSE_GRACE_MS. Destroying at once, with the peer's next bytes unread, would send a reset
   * that can reach the peer before it has read that last reply.
   */
  private readonly ended = (): void => void setTimeout(() => this.close('gone'), CLOSE_GRACE_MS).unref();

  constructor(
    readonly socket: Socket,
    private readonly host: ClientHost,
    unixPath?: string,
  ) {
    this.w = new ReplyWriter((data, following) => this.write(data, following));
    this.parser = new RespParser(host.parserLimits);
    this.db = host.ks.dbs[0];
    this.aclUser = host.acl.defaultUser;
    this.authenticated = host.ctx.defaultUserNoPass;
    this.unix = unixPath !== undefined;
    this.addr = this.unix ? `${unixPath}:0` : `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = this.unix ? `${unixPath}:0` : `${socket.localAddress}:${socket.localPort}`;
    this.isLocal = this.unix || isLoopback(socket.remoteAddress);
    socket.setNoDelay(true);
    socket.on('drain', this.drain);
    socket.on('error', () => this.close('gone'));
    socket.on('close', () => this.close('gone'));
  }

  get user(): string {
    return this.aclUser.name;
  }

  /** Authentication also lifts the parser's tighter limits for unauthenticated clients. */
  get authenticated(): boolean {
    return this.auth;
  }

  set authenticated(v: boolean) {
    this.auth = v;
    this.parser.authenticated = v;
  }

  /**
   * CLIENT REPLY state (the dispatcher silences the writer while a command runs with it off or
   * skipped); turning replies on (CLIENT REPLY ON, RESET) takes effect at once, also ending a
   * running skip, as in Redis.
   */
  get replyMode(): 'on' | 'off' | 'skip' {
    return this.reply;
  }

  set replyMode(v: 'on' | 'off' | 'skip') {
    this.reply = v;
    if (v === 'on' && !this.closed && !this.ending) this.w.silenced = false;
  }

  get ks(): Keyspace {
    return this.host.ks;
  }

  get server(): ServerContext {
    return this.host.ctx;
  }

  select(index: number): void {
    this.db = this.host.ks.dbs[index];
  }

  /** Input from the socket: the first `length` bytes of `chunk` (its reader calls this). */
  receive(chunk: Buffer, length: number): void {
    this.host.stats.netInputBytes += length;
    if (this.closed || this.closeAfterReply) return;
    this.lastInteraction = this.host.ks.tick();
    try {
      this.parser.feed(chunk, this.run, length);
    } catch (e) {
      if (e instanceof QueryBufferLimitError) return this.kill();
      if (!(e instanceof ProtocolError)) throw e;
      this.w.error('ERR ' + e.message);
      this.closeAfterReply = true;
    }
    this.flush();
  }

  private command(argv: string[]): void {
    if (this.closeAfterReply) return;
    if (this.deferred !== null || this.holds > 0 || this.host.isPaused(this, argv)) {
      (this.deferred ??= []).push(argv);
      this.socket.pause();
      return;
    }
    this.execute(argv);
  }

  /**
   * Runs one command. After QUIT Redis reads nothing more from this client (no later command, no
   * protocol error); and it checks the output limits as each reply is added, so a client that went
   * over its hard limit runs no further command.
   */
  private execute(argv: string[]): void {
    this.host.execute(this, argv);
    if (this.closeAfterReply) this.parser.reset();
    else if (this.w.pending > REPLY_BUFFER) this.checkOutputLimits();
  }

  defer(task: Promise<void>): void {
    this.holds++;
    const done = (): void => {
      this.holds--;
      this.flush();
      // What the task wrote may wake blocked clients: the post-command work runs as after any command.
      this.host.afterDeferred();
      this.resume();
    };
    task.then(done, (e: unknown) => {
      this.w.error(`ERR ${(e as Error).message}`);
      done();
    });
  }

  /** Holds later commands back while this client is blocked (BlockedClients), until release(). */
  hold(): void {
    this.holds++;
  }

  /**
   * Ends a hold: sends what was written meanwhile (the unblocked reply) and runs the held commands
   * once the current work is done, never inside another client's command (Redis too runs them
   * from beforeSleep, not from the command that served it).
   */
  release(): void {
    this.holds--;
    this.flush();
    if (this.deferred !== null) queueMicrotask(this.resumeHeld);
  }

  private readonly resumeHeld = (): void => this.resume();

  /** Runs held-back commands once nothing holds them (pause lifted, deferred reply written). */
  resume(): void {
    const queue = this.deferred;
    if (queue === null || this.holds > 0 || this.closed) return;
    this.deferred = null;
    this.host.ks.tick();
    for (let i = 0; i < queue.length; i++) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a command may close the connection
      if (this.closeAfterReply || this.closed) break;
      if (this.holds > 0 || this.host.isPaused(this, queue[i])) {
        this.deferred = queue.slice(i);
        break;
      }
      this.execute(queue[i]);
    }
    this.flush();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- commands run above may hold or close the connection
    if (this.deferred === null && !this.closed && !this.closeAfterReply) this.socket.resume();
  }

  reset(): void {
    this.select(0);
    this.w.proto = 2;
    this.aclUser = this.host.acl.defaultUser;
    this.authenticated = this.host.ctx.defaultUserNoPass;
    this.name = '';
    this.replyMode = 'on';
    this.noTouch = false;
    this.host.resetSession(this);
  }

  /**
   * Writes pending replies in one socket write. After QUIT, a protocol error or CLIENT KILL of
   * itself (closeAfterReply), this is the last output: the connection runs nothing more and closes
   * once it is written.
   */
  flush(): void {
    if (this.closed || this.ending) return;
    const gate = this.host.replyGate;
    if (gate !== null && gate.holds(this)) return;
    const pending = this.w.pending;
    if (pending > 0) {
      if (pending > this.replyPeak) this.replyPeak = pending;
      this.write(this.w.takeBytes());
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- write() closes a client over its output limit
    if (this.closeAfterReply && !this.closed) this.end();
  }

  /** The AOF gate let this client's held replies go: they are written, and its input read again. */
  flushHeld(): void {
    this.flush();
    if (this.deferred === null && !this.closed && !this.closeAfterReply && this.socket.isPaused()) this.socket.resume();
  }

  /** Output not yet written to the kernel, queued in Node or here (CLIENT LIST omem, output limits). */
  get outputPending(): number {
    return this.socket.writableLength + this.backlogBytes;
  }

  /**
   * Hands output to the socket if the output limits accept it and the `following` bytes of the same
   * reply (Redis counts a whole reply into the output buffer before writing any of it, so even a
   * reply the kernel would take at once counts); behind output the socket has not taken yet, it
   * joins the backlog. Once the socket holds nothing, the writer may reuse its slab.
   */
  private write(data: string | Buffer, following = 0): void {
    if (this.closed) return;
    const pending = this.outputPending + data.length + following;
    if (pending > REPLY_BUFFER && this.overOutputLimit(pending)) return this.close('output-limit');
    this.host.stats.netOutputBytes += data.length;
    if (this.backlog.length === 0 && !this.socket.writableNeedDrain && data.length <= WRITE_PIECE) {
      this.socket.write(data, 'latin1');
      if (this.socket.writableLength === 0) this.w.recycle();
      return;
    }
    this.backlogBytes += data.length;
    if (data.length > WRITE_PIECE) {
      // Queued by reference in pieces, never copied whole in this turn: a string's pieces are slices of it, a buffer's
      // are views (a pub/sub message shared by its receivers, or a slab view the writer leaves alone until recycle()).
      for (let i = 0; i < data.length; i += WRITE_PIECE)
        this.backlog.push(typeof data === 'string' ? data.slice(i, i + WRITE_PIECE) : data.subarray(i, i + WRITE_PIECE));
    } else {
      // Smaller output is queued as text: a string joins the queue's last text piece without a copy.
      if (typeof data !== 'string') data = data.latin1Slice(0, data.length);
      const last = this.backlog.length - 1;
      const tail = last >= 0 ? this.backlog[last] : null;
      if (typeof tail === 'string' && tail.length + data.length <= WRITE_PIECE) this.backlog[last] = tail + data;
      else this.backlog.push(data);
    }
    if (!this.socket.writableNeedDrain) this.writeBacklog();
  }

  /**
   * On 'drain': hands the socket backlog pieces until it is backed up again. Output reaching the
   * kernel counts as interaction, as in Redis (timeout, CLIENT LIST idle).
   */
  private writeBacklog(): void {
    this.lastInteraction = Date.now();
    while (this.backlog.length > 0 && !this.socket.writableNeedDrain) {
      const piece = this.backlog.shift()!;
      this.backlogBytes -= piece.length;
      this.socket.write(piece, 'latin1');
    }
    if (this.ending && this.backlog.length === 0 && !this.socket.writableEnded) this.socket.end(this.ended);
  }

  /** Closes the connection if its pending output is over the output buffer limits (after a command, and from the cron). */
  checkOutputLimits(): void {
    if (this.overOutputLimit(this.w.pending + this.outputPending)) this.close('output-limit');
  }

  /**
   * Redis's checkClientOutputBufferLimits on `pending` bytes of output (less REPLY_BUFFER): over
   * the hard limit, or over the soft limit for longer than its seconds.
   */
  private overOutputLimit(pending: number): boolean {
    const limits = this.host.outputLimits;
    const l = this.type === 'pubsub' ? limits.pubsub : this.type === 'replica' ? limits.replica : limits.normal;
    const used = pending - REPLY_BUFFER;
    if (l.hard > 0 && used >= l.hard) return true;
    if (l.soft > 0 && used >= l.soft) {
      const now = Date.now();
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else if (now - this.softLimitSince > l.softSeconds * 1000) return true;
    } else {
      this.softLimitSince = 0;
    }
    return false;
  }

  /** Closes the connection at once, dropping pending output (CLIENT KILL, timeout, errors, buffer limits). */
  kill(): void {
    this.close('killed');
  }

  /**
   * Closes the connection once its last output is written, as Redis frees a close-after-reply
   * client only when its reply is out: until then it stays listed with flag c, and `timeout` or
   * the output limits may still free it (a peer that never reads would hold it forever otherwise).
   */
  private end(): void {
    this.ending = true;
    this.w.silenced = true;
    this.parser.reset();
    // Input keeps being read (and dropped, see onData) until the socket is destroyed, so it closes
    // without unread input (see `ended`).
    this.socket.resume();
    if (this.backlog.length === 0) this.socket.end(this.ended);
  }

  /** Destroys the socket, which closes it even with output pending or input unread (then the peer gets a reset). */
  private close(reason: 'gone' | 'killed' | 'output-limit'): void {
    if (this.closed) return;
    this.closed = true;
    this.deferred = null;
    this.w.silenced = true;
    this.w.takeBytes();
    this.backlog = [];
    this.backlogBytes = 0;
    this.parser.reset();
    this.socket.destroy();
    this.host.closed(this, reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Output not yet written to the kernel, the reply being built included. */
  get outputBytes(): number {
    return this.w.pending + this.outputPending;
  }

  /** Output beyond Redis's fixed reply buffer: Redis's reply_bytes (CLIENT LIST omem, INFO client_recent_max_output_buffer). */
  get outputListBytes(): number {
    return Math.max(0, this.outputBytes - REPLY_BUFFER);
  }

  /**
   * One CLIENT LIST line, in Redis 7.0's field order (plus 7.2's lib-name/lib-ver), every figure
   * measured. rbs/rbp are left out: Brook has no fixed reply buffer whose size and peak they report.
   *
   * Output in Redis's terms: the writer's reply being built, Node's socket queue and the backlog
   * hold it, in that order. Its first REPLY_BUFFER bytes stand for Redis's fixed reply buffer (obl);
   * the rest is its reply list: omem bytes in oll pieces, one per backlog piece plus one each for
   * Node's queue and the writer's reply when they hold bytes.
   */
  /** CLIENT LIST tot-mem, INFO mem_clients_normal: input buffer, arguments, MULTI queue and pending output. */
  /** Starts a new period of the reply peak (Redis keeps buf_peak over 5-second periods). */
  resetReplyPeak(): void {
    this.replyPeak = this.w.pending;
  }

  get totalMemory(): number {
    return this.parser.bufferBytes + this.parser.argvBytes + this.multiMem + this.outputBytes;
  }

  describe(): string {
    const now = Date.now();
    let flags = '';
    if (this.monitoring) flags += 'O';
    if (this.type === 'replica') flags += 'S';
    if (this.type === 'master') flags += 'M';
    if (this.type === 'pubsub') flags += 'P';
    if (this.multi >= 0) flags += 'x';
    if (this.blocked) flags += 'b';
    if (this.tracking !== null) flags += trackingFlags(this.tracking);
    if (this.dirtyCas) flags += 'd';
    if (this.closeAfterReply) flags += 'c';
    if (this.unix) flags += 'U';
    if (this.noEvict) flags += 'e';
    if (this.noTouch) flags += 'T';
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    const parser = this.parser;
    const argvMem = parser.argvBytes;
    const out = this.outputBytes;
    const omem = this.outputListBytes;
    const obl = out - omem;
    const oll = omem === 0 ? 0 : this.backlog.length + (this.socket.writableLength > 0 ? 1 : 0) + (this.w.pending > 0 ? 1 : 0);
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${fd} name=${this.name} ` +
      `age=${Math.floor((now - this.createdAt) / 1000)} idle=${Math.floor((now - this.lastInteraction) / 1000)} ` +
      `flags=${flags || 'N'} db=${this.db.id} sub=${this.sub} psub=${this.psub} ssub=${this.ssub} multi=${this.multi} ` +
      `qbuf=${parser.pending} qbuf-free=${parser.bufferFree} argv-mem=${argvMem} multi-mem=${this.multiMem} rbs=${this.w.slabBytes} rbp=${this.replyPeak} obl=${obl} oll=${oll} omem=${omem} ` +
      `tot-mem=${this.totalMemory} events=${this.outputPending > 0 ? 'rw' : 'r'} cmd=${this.lastCommand} user=${this.user} redir=${this.tracking?.redirect ?? -1} resp=${this.w.proto} ` +
      `lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
}

/** CLIENT LIST flags t (tracking), R (broken redirect), B (BCAST). */
function trackingFlags(t: ClientTracking): string {
  return 't' + (t.brokenRedirect ? 'R' : '') + (t.bcast ? 'B' : '');
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped addresses (a dual-stack listener's IPv4 clients), as Redis's islocalClient. */
export function isLoopback(addr: string | undefined): boolean {
  return addr === '::1' || (addr?.startsWith('127.') ?? false) || (addr?.startsWith('::ffff:127.') ?? false);
}
