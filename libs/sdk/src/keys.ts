/**
 * Every key the SDK writes lives under one prefix (default `brook`): stream `orders` is the key
 * `brook:orders`, its dead letters `brook:orders:dead`. Pub/sub channels are not keys and are
 * never prefixed, so any Redis client can publish to an @OnMessage handler.
 */
export const DEFAULT_PREFIX = 'brook';

export function streamKey(prefix: string, stream: string): string {
  return `${prefix}:${stream}`;
}

/** Where entries of `stream` go once they cannot be processed (`<prefix>:<stream>:dead`). */
export function deadLetterKey(prefix: string, stream: string): string {
  return `${streamKey(prefix, stream)}:dead`;
}
