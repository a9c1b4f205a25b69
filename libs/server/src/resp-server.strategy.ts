import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { BrookServer } from './brook-server.js';

/** Transport id of the RESP listener, for `@MessagePattern(p, BROOK_RESP)` in hybrid apps. */
export const BROOK_RESP = Symbol('brook-resp');

type RespServerEvents = { shutdown: (mode: string) => void };

/**
 * The Nest custom transport strategy that serves RESP. Nest wires modules, config and lifecycle;
 * the sockets and the command path belong to BrookServer and never go through Nest per command.
 */
export class RespServer extends Server<RespServerEvents> implements CustomTransportStrategy {
  override readonly transportId = BROOK_RESP;

  constructor(readonly brook: BrookServer) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    this.brook.listen().then(
      () => {
        this._status$.next('connected');
        callback();
      },
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    await this.brook.close();
    this._status$.next('disconnected');
  }

  on<K extends keyof RespServerEvents>(event: K, callback: RespServerEvents[K]): void {
    this.brook.on(event, callback);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's Server.unwrap signature
  unwrap<T>(): T {
    return this.brook as T;
  }
}
