/**
 * What a key holds. Strings are stored as the cheapest JS form that represents them (see
 * types/string); every other type is a class extending RedisObject.
 */
export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export abstract class RedisObject {
  /** LRU clock (seconds) of the last access, for OBJECT IDLETIME and eviction. */
  lru = 0;
  abstract readonly type: TypeName;
  /** OBJECT ENCODING name. */
  abstract get encoding(): string;
}

export type Value = string | number | bigint | RedisObject;

export function typeOf(v: Value): TypeName {
  return typeof v === 'object' ? v.type : 'string';
}
