/** The transport's error texts, in one place so a wording fix is one edit. */

/** What `send()` errors with when no reply arrived within the client's `timeout`. */
export class RequestTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly timeout: number,
  ) {
    super(`No reply to "${pattern}" within ${timeout} ms (is a BrookServer with a @MessagePattern for it running?)`);
    this.name = 'RequestTimeoutError';
  }
}

export const CLIENT_CLOSED = 'BrookClient was closed before the reply arrived';
export const NOT_CONNECTED = 'Not connected: call listen()/connect() before unwrap()';
export const MALFORMED_ENTRY = (stream: string, id: string): string => `Entry ${id} of ${stream} is not a transport packet; skipped`;
export const EXPIRED_REQUEST = (stream: string, id: string): string =>
  `Request ${id} of ${stream} passed its deadline before a handler took it (the client has given up); skipped`;
export const TRANSACTION_DISCARDED = 'MULTI/EXEC was discarded';
export const CLIENT_GONE = (replyStream: string, requestId: string): string =>
  `Reply to ${requestId} dropped: ${replyStream} is gone (its client closed)`;
