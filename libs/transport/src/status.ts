/** Status and connection events shared by BrookServer and BrookClient, as Nest's Redis transport names them. */
import type { Redis } from 'ioredis';

export type BrookStatus = 'connected' | 'reconnecting' | 'disconnected';

/** ioredis connection events; a listener gets the connection's role first (like Nest's `'pub' | 'sub'`). */
export interface BrookEventsMap {
  error: (role: string, error: Error) => void;
  ready: (role: string) => void;
  reconnecting: (role: string, delay: number) => void;
  end: (role: string) => void;
  [event: string]: (role: string, ...args: never[]) => void;
}

type Listener = (role: string, ...args: unknown[]) => void;

/**
 * Listeners given to `on()` before the connections exist are kept and attached to every connection
 * opened later, each call prefixed with that connection's role.
 */
export class ConnectionListeners {
  private readonly listeners: [event: string, listener: Listener][] = [];
  private readonly connections: [role: string, redis: Redis][] = [];

  add(event: string, listener: Listener): void {
    this.listeners.push([event, listener]);
    for (const [role, redis] of this.connections) redis.on(event, (...args: unknown[]) => listener(role, ...args));
  }

  attach(role: string, redis: Redis): void {
    this.connections.push([role, redis]);
    for (const [event, listener] of this.listeners) redis.on(event, (...args: unknown[]) => listener(role, ...args));
  }

  detachAll(): void {
    this.connections.length = 0;
  }
}

/** Feeds a status subject from one connection: the one whose state is the transport's state. */
export function trackStatus(redis: Redis, next: (status: BrookStatus) => void, isClosing: () => boolean): void {
  redis.on('ready', () => next('connected'));
  redis.on('reconnecting', () => {
    if (!isClosing()) next('reconnecting');
  });
  redis.on('end', () => next('disconnected'));
}

/**
 * Resolves when the connection is ready, rejects on its first error: the connections reconnect
 * forever, but connect()/listen() should tell the caller when the broker is not there at all.
 */
export function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const ready = (): void => {
      redis.off('error', failed);
      resolve();
    };
    const failed = (err: Error): void => {
      redis.off('ready', ready);
      reject(err);
    };
    redis.once('ready', ready);
    redis.once('error', failed);
  });
}
