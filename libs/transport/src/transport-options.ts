import type { BrookConnection } from '@brook/sdk';

/** What a BrookClient and a BrookServer both take: where Brook is, and the key prefix they must agree on. */
export interface BrookTransportOptions {
  /** `redis://[user:pass@]host:port/db`, `rediss://…`, `unix:///path`, or the object form; default 127.0.0.1:6379. */
  connection?: BrookConnection;
  /** Key prefix of the pattern and reply streams; clients and servers of one service use the same (default 'brook'). */
  prefix?: string;
}
