/**
 * The keys the transport writes, under the prefix (default `brook`) like every key of the SDK:
 * - `<prefix>:<pattern>`: the stream of one pattern. Events and requests for `@EventPattern(p)` /
 *   `@MessagePattern(p)` are entries of `<prefix>:<p>`, read through the server's consumer group;
 *   its dead letters are `<prefix>:<p>:dead`. An object pattern is Nest's normalized route (JSON
 *   with sorted keys): `{ cmd: 'sum' }` is `brook:{"cmd":"sum"}`.
 * - `<prefix>:reply:<client id>`: one client's reply stream, deleted when the client closes.
 */
import { deadLetterKey, streamKey } from '@brook/sdk';

export function patternStreamKey(prefix: string, route: string): string {
  return streamKey(prefix, route);
}

export function patternDeadLetterKey(prefix: string, route: string): string {
  return deadLetterKey(prefix, route);
}

export function replyStreamKey(prefix: string, clientId: string): string {
  return streamKey(prefix, `reply:${clientId}`);
}

/** A server writes replies only to reply streams, whatever key a request names. */
export function isReplyStreamKey(prefix: string, key: string): boolean {
  return key.startsWith(streamKey(prefix, 'reply:'));
}
