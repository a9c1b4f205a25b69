import type { Socket } from 'node:net';
import { ProtocolError, QueryBufferLimitError, ReplyWriter, RespParser } from '@brook/resp';
import type { ClientType, ServerContext, Session } from '@brook/commands';
import type { Database, Keyspace } from '@brook/storage';

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
  readonly parserLimits: { maxBulkLen: number; maxMultibulkLen: number; maxQueryBuffer: number };
  /** client-output-buffer-limit by class (masters count as normal, as in Redis). */
  readonly outputLimits: { normal: OutputLimit; replica: OutputLimit; pubsub: OutputLimit };
  /** Runs one command for this client (the dispatcher). */
  execute(c: Client, argv: string[]): void;
  /** True while CLIENT PAUSE holds this command back. */
  isPaused(c: Client, argv: string[]): boolean;
  /** RESET: runs the families' reset hooks (MULTI, subscriptions...). */
  resetSession(c: Client): void;
  /** The connection is gone: runs the families' close hooks and forgets it. */
  closed(c: Client, reason: 'gone' | 'killed' | 'output-limit'): void;
}

let nextId = 1;

/**
 * One connection: parses its input, runs each command synchronously, and writes all replies to
 * one input chunk with a single socket write.
 */
export class Client implements Session {
  readonly id = nextId++;
  readonly w: ReplyWriter;
  readonly parser: RespParser;
  readonly createdAt = Date.now();
  db: Database;
  name = '';
  user = 'default';
  private auth = false;
  libName = '';
  libVer = '';
  noEvict = false;
  noTouch = false;
  private reply: 'on' | 'off' | 'skip' = 'on';
  /** The command running now is the one CLIENT REPLY SKIP covers. */
  replySkip = false;
  propagated = false;
  closeAfterReply = false;
  type: ClientType = 'normal';
  /** Subscription counts (CLIENT LIST sub/psub/ssub), kept by the pub/sub family. */
  sub = 0;
  psub = 0;
  ssub = 0;
  /** Commands queued in MULTI, or -1 outside MULTI (CLIENT LIST multi=), kept by the transaction family. */
  multi = -1;
  /** Waiting in a blocking command (CLIENT LIST flag b), kept by the blocking family. */
  blocked = false;
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  readonly addr: string;
  readonly laddr: string;
  readonly isLocal: boolean;
  private readonly unix: boolean;
  /** Commands held back (CLIENT PAUSE or a deferred reply), run in order when released. */
  private deferred: string[][] | null = null;
  private holds = 0;
  private closed = false;
  /** When pending output first went over the soft limit (ms), 0 when under it. */
  private softLimitSince = 0;
  private readonly run = (argv: string[]): void => this.command(argv);

  constructor(
    readonly socket: Socket,
    private readonly host: ClientHost,
    unixPath?: string,
  ) {
    this.w = new ReplyWriter((data) => this.write(data));
    this.parser = new RespParser(host.parserLimits);
    this.db = host.ks.dbs[0];
    this.authenticated = host.ctx.defaultUserNoPass;
    this.unix = unixPath !== undefined;
    this.addr = this.unix ? `${unixPath}:0` : `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = this.unix ? `${unixPath}:0` : `${socket.localAddress}:${socket.localPort}`;
    this.isLocal = this.unix || isLoopback(socket.remoteAddress);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close('gone'));
    socket.on('close', () => this.close('gone'));
  }

  /** Authentication also lifts the parser's tighter limits for unauthenticated clients. */
  get authenticated(): boolean {
    return this.auth;
  }

  set authenticated(v: boolean) {
    this.auth = v;
    this.parser.authenticated = v;
  }

  /** CLIENT REPLY state; turning replies on (CLIENT REPLY ON, RESET) also ends a running skip, as in Redis. */
  get replyMode(): 'on' | 'off' | 'skip' {
    return this.reply;
  }

  set replyMode(v: 'on' | 'off' | 'skip') {
    this.reply = v;
    if (v === 'on') this.replySkip = false;
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

  private onData(chunk: Buffer): void {
    if (this.closed || this.closeAfterReply) return;
    this.lastInteraction = this.host.ks.tick();
    try {
      this.parser.feed(chunk, this.run);
    } catch (e) {
      if (e instanceof QueryBufferLimitError) return this.kill();
      if (!(e instanceof ProtocolError)) throw e;
      this.w.error('ERR ' + e.message);
      this.closeAfterReply = true;
      this.parser.reset();
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
    this.host.execute(this, argv);
    // After QUIT Redis reads nothing more from this client: no later command, no protocol error.
    if (this.closeAfterReply) this.parser.reset();
  }

  defer(task: Promise<void>): void {
    this.holds++;
    const release = (): void => {
      this.holds--;
      this.flush();
      this.resume();
    };
    task.then(release, (e: unknown) => {
      this.w.error(`ERR ${(e as Error).message}`);
      release();
    });
  }

  /** Runs held-back commands once nothing holds them (pause lifted, deferred reply written). */
  resume(): void {
    const queue = this.deferred;
    if (queue === null || this.holds > 0 || this.closed) return;
    this.deferred = null;
    this.host.ks.tick();
    for (let i = 0; i < queue.length; i++) {
      if (this.closeAfterReply) break;
      if (this.holds > 0 || this.host.isPaused(this, queue[i])) {
        this.deferred = queue.slice(i);
        break;
      }
      this.host.execute(this, queue[i]);
    }
    this.flush();
    if (this.deferred === null && !this.closed) this.socket.resume();
  }

  reset(): void {
    this.select(0);
    this.w.proto = 2;
    this.user = 'default';
    this.authenticated = this.host.ctx.defaultUserNoPass;
    this.name = '';
    this.replyMode = 'on';
    this.noTouch = false;
    this.host.resetSession(this);
  }

  /** Writes pending replies in one socket write, then enforces the output buffer limits. */
  flush(): void {
    const out = this.w.take();
    if (out.length > 0 && !this.closed) this.write(out);
    if (this.closeAfterReply && !this.closed) {
      this.socket.end();
      this.close('gone');
    }
  }

  private write(data: string): void {
    if (this.closed) return;
    this.socket.write(data, 'latin1');
    if (this.socket.writableLength > 0) this.checkOutputLimits();
  }

  /**
   * Redis's checkClientOutputBufferLimits: over the hard limit, or over the soft limit for longer
   * than its seconds, the connection is closed (pending output counts, as Redis's reply list does).
   */
  checkOutputLimits(): void {
    const limits = this.host.outputLimits;
    const l = this.type === 'pubsub' ? limits.pubsub : this.type === 'replica' ? limits.replica : limits.normal;
    const used = this.socket.writableLength;
    if (l.hard > 0 && used >= l.hard) return this.close('output-limit');
    if (l.soft > 0 && used >= l.soft) {
      const now = Date.now();
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else if (now - this.softLimitSince > l.softSeconds * 1000) this.close('output-limit');
    } else {
      this.softLimitSince = 0;
    }
  }

  /** Closes the connection at once (CLIENT KILL, errors, buffer limits). */
  kill(): void {
    this.close('killed');
  }

  private close(reason: 'gone' | 'killed' | 'output-limit'): void {
    if (this.closed) return;
    this.closed = true;
    this.deferred = null;
    this.parser.reset();
    if (reason !== 'gone' || !this.socket.writableEnded) this.socket.destroy();
    this.host.closed(this, reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One CLIENT LIST line, in Redis 7.0's field order (plus 7.2's lib-name/lib-ver). */
  describe(): string {
    const now = Date.now();
    let flags = '';
    if (this.type === 'replica') flags += 'S';
    if (this.type === 'master') flags += 'M';
    if (this.type === 'pubsub') flags += 'P';
    if (this.multi >= 0) flags += 'x';
    if (this.blocked) flags += 'b';
    if (this.closeAfterReply) flags += 'c';
    if (this.unix) flags += 'U';
    if (this.noEvict) flags += 'e';
    if (this.noTouch) flags += 'T';
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    const qbuf = this.parser.pending;
    const omem = this.socket.writableLength;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${fd} name=${this.name} ` +
      `age=${Math.floor((now - this.createdAt) / 1000)} idle=${Math.floor((now - this.lastInteraction) / 1000)} ` +
      `flags=${flags || 'N'} db=${this.db.id} sub=${this.sub} psub=${this.psub} ssub=${this.ssub} multi=${this.multi} ` +
      `qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=${omem > 0 ? 1 : 0} omem=${omem} ` +
      `tot-mem=${qbuf + omem} events=r cmd=${this.lastCommand} user=${this.user} redir=-1 resp=${this.w.proto} ` +
      `lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
}

function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1' || (addr?.startsWith('127.') ?? false);
}
