import type { Session } from './context.js';

/**
 * Puts a write into the change feed in a replayable form other than the command as received
 * (relative expiry → PXAT, INCRBYFLOAT → SET KEEPTTL, ...). Call at most once per command, or
 * several times when one command becomes several writes.
 */
export function propagate(c: Session, argv: readonly string[]): void {
  c.propagated = true;
  const feed = c.ks.feed;
  if (feed.active) feed.emit(c.db.id, argv);
}
