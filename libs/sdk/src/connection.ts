import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { LoggerService } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

/** Where the broker is, as an object: TCP host/port (TLS when `tls` is set) or a unix socket `path`. */
export interface BrookConnectionObject {
  host?: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
  db?: number;
  tls?: TlsOptions;
}

/**
 * The `connection` option: `redis://[user:pass@]host:port/db`, `rediss://…` (TLS),
 * `unix:///path/to.sock` (`?db=n` for a database), or the object form.
 */
export type BrookConnection = string | BrookConnectionObject;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 6379;

/** Reconnect delays: doubling from 50 ms up to 2 s, forever (a broker restart must not end the app's consumers). */
const MIN_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** Math.min(attempt, 16));
}

/** Reads the string form into the object form; throws on a scheme or database it cannot use. */
export function parseConnectionUrl(url: string): BrookConnectionObject {
  const u = new URL(url);
  const credentials = {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
  const dbParam = u.searchParams.get('db');
  if (u.protocol === 'unix:') {
    if (!u.pathname) throw new Error(`Brook connection '${url}': a unix:// URL needs a socket path (unix:///path/to.sock)`);
    return { path: decodeURIComponent(u.pathname), ...credentials, ...(dbParam !== null ? { db: parseDb(dbParam, url) } : {}) };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`Brook connection '${url}': use redis://, rediss:// or unix://`);
  }
  const dbPath = u.pathname.replace(/^\//, '');
  const db = dbPath !== '' ? dbPath : dbParam;
  return {
    // URL keeps the brackets of an IPv6 literal; sockets want the bare address.
    host: u.hostname ? u.hostname.replace(/^\[(.*)\]$/, '$1') : DEFAULT_HOST,
    port: u.port ? Number(u.port) : DEFAULT_PORT,
    ...credentials,
    ...(db !== null ? { db: parseDb(db, url) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function parseDb(text: string, url: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`Brook connection '${url}': the database must be a number, not '${text}'`);
  return Number(text);
}

/** The ioredis options for a connection (undefined: 127.0.0.1:6379, as redis-cli). */
export function redisOptions(connection: BrookConnection | undefined): RedisOptions {
  const c = typeof connection === 'string' ? parseConnectionUrl(connection) : (connection ?? {});
  const where: RedisOptions = c.path !== undefined ? { path: c.path } : { host: c.host ?? DEFAULT_HOST, port: c.port ?? DEFAULT_PORT };
  return {
    ...where,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.db !== undefined ? { db: c.db } : {}),
    ...(c.tls !== undefined ? { tls: c.tls } : {}),
    // ioredis 6 speaks RESP3 (HELLO 3) by default; "legacy" reply mapping keeps replies in the
    // RESP2 shapes the SDK parses, so brook-server, embedded Brook and Redis 7 all read alike.
    protocol: 3,
    replyMapping: 'legacy',
    retryStrategy: reconnectDelay,
  };
}

/**
 * An ioredis client for one role ('commands', 'subscriber', 'consumer orders/billing'…). It
 * reconnects with backoff forever; connection errors go to the logger, once per outage, so
 * they are never unhandled 'error' events and a long outage does not flood the log.
 */
export function createRedis(connection: BrookConnection | undefined, role: string, logger: LoggerService): Redis {
  return watch(new Redis(redisOptions(connection)), role, logger);
}

/**
 * A new connection to the same server as `client`, for a role that must not share it: a
 * blocking XREADGROUP loop, a subscriber (a connection in subscribe mode runs nothing else), or
 * transactions (`NO_REPLAY`).
 */
export function duplicateRedis(client: Redis, role: string, logger: LoggerService, overrides: RedisOptions = {}): Redis {
  return watch(client.duplicate(overrides), role, logger);
}

/**
 * For connections that run MULTI/EXEC. ioredis re-sends, once reconnected, the commands that were
 * in flight when a connection dropped: a MULTI block whose EXEC may have committed (the server
 * died after the write, before the reply reached us) would run a second time, and without the
 * WATCH that guarded it, since watches die with the connection. With this a command in flight, or
 * queued while the connection is down, fails at the drop instead (ioredis's per-request retry
 * budget of 0); the caller, which knows the outcome is unknown, decides: see Transactions.
 */
export const NO_REPLAY: RedisOptions = { maxRetriesPerRequest: 0 };

/**
 * True for the failure of a command whose connection dropped (or was down) before its reply: it
 * may or may not have run. A reply from the server (ReplyError) is not one.
 */
export function isConnectionLoss(error: unknown): boolean {
  return error instanceof Error && (error.name === 'MaxRetriesPerRequestError' || error.name === 'AbortError');
}

function watch(client: Redis, role: string, logger: LoggerService): Redis {
  let healthy = true;
  client.on('error', (err: Error) => {
    if (!healthy) return;
    healthy = false;
    logger.error(`Brook connection (${role}): ${err.message}; reconnecting`);
  });
  // A connection the server closed cleanly (CLIENT KILL, restart) emits no error, only this.
  client.on('reconnecting', () => {
    if (!healthy) return;
    healthy = false;
    logger.warn(`Brook connection (${role}) lost; reconnecting`);
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.log(`Brook connection (${role}) is back`);
  });
  return client;
}

/** Closes a client politely (QUIT), or at once when the server is unreachable. */
export async function closeRedis(client: Redis): Promise<void> {
  // A second disconnect() on an ended client arms ioredis's 2 s force-close timer for a socket
  // already closed, which then holds the process open.
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // The connection died during QUIT: disconnect below ends the reconnect loop.
    }
  }
  client.disconnect();
}
