import type { BrookConnection } from './connection.js';
import type { EmbeddedOptions } from './embedded.js';
import type { BrookMetricsOption } from './metrics/job-metrics.js';

/** Turns payloads into bytes and back; the default is JSON (UTF-8). */
export interface BrookSerializer {
  serialize(value: unknown): string | Buffer;
  deserialize(raw: Buffer): unknown;
}

export interface BrookModuleOptions {
  /** `redis://[user:pass@]host:port/db`, `rediss://…`, `unix:///path`, or the object form; default 127.0.0.1:6379. */
  connection?: BrookConnection;
  /** Start Brook inside this process (then `connection` is ignored); `port`: also listen on 127.0.0.1:port. */
  embedded?: boolean | EmbeddedOptions;
  /** Prefix of every key the SDK writes (default 'brook'); pub/sub channels are not prefixed. */
  prefix?: string;
  serializer?: BrookSerializer;
  /** ms app.close() waits for handlers in flight before closing connections (default 10000). */
  shutdownTimeout?: number;
  /** Job metrics in prom-client's default registry (`true`) or in `{ registry }`; off by default. */
  metrics?: BrookMetricsOption;
}
