import type { Socket } from 'node:net';
import { ProtocolError, QueryBufferLimitError, ReplyWriter, RespParser } from '@brook/resp';
import type { ClientView, ServerContext, Session } from '@brook/commands';
import type { Database, Keyspace } from '@brook/storage';

/** What a connection needs from the server that owns it. */
export interface ClientHost {
  readonly ctx: ServerContext;
  readonly ks: Keyspace;
  readonly parserLimits: { maxBulkLen: number; maxMultibulkLen: number; maxQueryBuffer: number };
  /** Runs one command for this client (the dispatcher). */
  execute(c: Client, argv: string[]): void;
  /** True while CLIENT PAUSE holds this command back. */
  isPaused(c: Client, argv: string[]): boolean;
  closed(c: Client): void;
}

let nextId = 1;

/**
 * One connection: parses its input, runs each command synchronously, and writes all replies to
 * one input chunk with a single socket write.
 */
export class Client implements Session, ClientView {
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
  replyMode: 'on' | 'off' | 'skip' = 'on';
  propagated = false;
  closeAfterReply = false;
  type: 'normal' | 'pubsub' | 'master' | 'replica' = 'normal';
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  readonly addr: string;
  readonly laddr: string;
  /** Commands held back by CLIENT PAUSE, run in order when it lifts. */
  private deferred: string[][] | null = null;
  private closed = false;
  private readonly run = (argv: string[]): void => this.command(argv);

  constructor(
    readonly socket: Socket,
    private readonly host: ClientHost,
    unixPath?: string,
  ) {
    this.w = new ReplyWriter((data) => this.socket.write(data, 'latin1'));
    this.parser = new RespParser(host.parserLimits);
    this.db = host.ks.dbs[0];
    this.authenticated = !host.ctx.requiresAuth;
    this.addr = unixPath ? `${unixPath}:0` : `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = unixPath ? `${unixPath}:0` : `${socket.localAddress}:${socket.localPort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.kill());
    socket.on('close', () => this.kill());
  }

  /** Authentication also lifts the parser's tighter limits for unauthenticated clients. */
  get authenticated(): boolean {
    return this.auth;
  }

  set authenticated(v: boolean) {
    this.auth = v;
    this.parser.authenticated = v;
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
    this.lastInteraction = Date.now();
    this.host.ks.tick();
    try {
      this.parser.feed(chunk, this.run);
    } catch (e) {
      if (e instanceof QueryBufferLimitError) {
        this.kill();
        return;
      }
      if (!(e instanceof ProtocolError)) throw e;
      this.w.error('ERR ' + e.message);
      this.closeAfterReply = true;
      this.parser.reset();
    }
    this.flush();
  }

  private command(argv: string[]): void {
    if (this.closeAfterReply) return;
    if (this.deferred !== null || this.host.isPaused(this, argv)) {
      (this.deferred ??= []).push(argv);
      this.socket.pause();
      return;
    }
    this.host.execute(this, argv);
  }

  /** Runs commands that CLIENT PAUSE held back; called when the pause lifts. */
  resume(): void {
    const queue = this.deferred;
    if (queue === null) return;
    this.deferred = null;
    this.host.ks.tick();
    for (let i = 0; i < queue.length; i++) {
      if (this.deferred !== null || this.host.isPaused(this, queue[i])) {
        (this.deferred ??= []).push(...queue.slice(i));
        break;
      }
      this.host.execute(this, queue[i]);
    }
    this.flush();
    if (this.deferred === null && !this.closed) this.socket.resume();
  }

  /** Writes all pending replies in one socket write. */
  flush(): void {
    const out = this.w.take();
    if (out.length > 0 && !this.closed) this.socket.write(out, 'latin1');
    if (this.closeAfterReply && !this.closed) {
      this.closed = true;
      this.socket.end();
      this.host.closed(this);
    }
  }

  /** Closes the connection at once (CLIENT KILL, errors, buffer limits). */
  kill(): void {
    if (this.closed) return;
    this.closed = true;
    this.parser.reset();
    this.socket.destroy();
    this.host.closed(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One CLIENT LIST line, in Redis's field order. */
  describe(): string {
    const now = Date.now();
    const flags = this.type === 'pubsub' ? 'P' : 'N';
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${(this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1} ` +
      `name=${this.name} age=${Math.floor((now - this.createdAt) / 1000)} idle=${Math.floor((now - this.lastInteraction) / 1000)} ` +
      `flags=${flags} db=${this.db.id} sub=0 psub=0 ssub=0 multi=-1 qbuf=${this.parser.pending} qbuf-free=0 argv-mem=0 ` +
      `multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=${this.socket.writableLength} tot-mem=0 events=r ` +
      `cmd=${this.lastCommand} user=${this.user} redir=-1 resp=${this.w.proto} lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
}
