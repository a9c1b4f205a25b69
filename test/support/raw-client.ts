/**
 * A byte-level RESP client for differential tests: sends commands and returns each reply's raw
 * bytes exactly as the server wrote them, so Brook and Redis can be compared byte for byte.
 */
import { Socket } from 'node:net';

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Length of one complete RESP reply at the start of `b`, or -1 if incomplete. */
export function replyLength(b: Buffer, pos = 0): number {
  if (pos >= b.length) return -1;
  const lf = b.indexOf(10, pos);
  if (lf < 0) return -1;
  const type = String.fromCharCode(b[pos]);
  const head = b.toString('latin1', pos + 1, lf - 1);
  const after = lf + 1;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return after - pos;
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return after - pos;
      return b.length >= after + n + 2 ? after + n + 2 - pos : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(head);
      if (n < 0) return after - pos;
      if (type === '%' || type === '|') n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        const l = replyLength(b, p);
        if (l < 0) return -1;
        p += l;
      }
      return p - pos;
    }
    default:
      throw new Error(`bad reply type ${JSON.stringify(type)} in ${JSON.stringify(b.toString('latin1', pos, pos + 80))}`);
  }
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = new Socket();
      s.once('error', reject);
      s.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Reads one complete reply (raw bytes), waiting up to `ms`. */
  async read(ms = 5000): Promise<Buffer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const n = replyLength(this.buf);
      if (n >= 0) {
        const r = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return Buffer.from(r);
      }
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a reply; have ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends one command and returns its reply as a latin1 string of raw RESP. */
  async call(...args: (string | Buffer)[]): Promise<string> {
    this.write(encodeCommand(args));
    return (await this.read()).toString('latin1');
  }

  /** Bytes received and not yet read as replies. */
  unread(): string {
    return this.buf.toString('latin1');
  }

  /** Waits until the server closes the connection; returns whatever bytes arrived unread. */
  async waitClosed(ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.closed) throw new Error('connection still open');
    return this.buf.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}
