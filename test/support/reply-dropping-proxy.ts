/**
 * A TCP proxy in front of a server that can lose one reply: what a client sees when the server
 * ran its command (an EXEC committed) and the connection died before the reply reached it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class ReplyDroppingProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private trigger: string | null = null;
  /** How many replies were dropped so far. */
  dropped = 0;

  private constructor(targetPort: number) {
    this.server = createServer((client) => this.pipe(client, targetPort));
  }

  /** Listens on a free port of 127.0.0.1, forwarding each connection to `targetPort`. */
  static async start(targetPort: number): Promise<ReplyDroppingProxy> {
    const proxy = new ReplyDroppingProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.port)}`;
  }

  /**
   * The next request chunk that contains `text` (latin1) reaches the server; the server's reply to
   * it does not reach the client: that connection is cut both ways once the reply arrives.
   */
  dropReplyTo(text: string): void {
    this.trigger = text;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private pipe(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    let swallowing = false;
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (this.trigger !== null && chunk.toString('latin1').includes(this.trigger)) {
        this.trigger = null;
        swallowing = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!swallowing) {
        client.write(chunk);
        return;
      }
      this.dropped++;
      client.destroy();
      upstream.destroy();
    });
  }
}
