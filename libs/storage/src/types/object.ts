/**
 * What a key holds. Strings are stored as the cheapest JS form that represents them (see
 * types/string); every other type is a class extending RedisObject.
 */
export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export abstract class RedisObject {
  /**
   * Access word, as Redis's robj.lru: the LRU clock (seconds, 24 bits) of the last access, or
   * under an LFU maxmemory-policy the LFU word (minutes << 8 | log counter). Kept by Database.
   */
  lru = 0;
  /**
   * The footprint last charged for this value to its database's accounted bytes (Database.bytes),
   * while the keyspace accounts memory (maxmemory set); refreshed after each write to the value.
   */
  cost = 0;
  abstract readonly type: TypeName;
  /** OBJECT ENCODING name. */
  abstract get encoding(): string;
  /**
   * Bytes this value holds on the heap (MEMORY USAGE), added up from its layout; collections are
   * sampled over their first `samples` elements (footprint.ts).
   */
  abstract footprint(samples: number): number;
  /** A deep copy sharing nothing mutable with this value (COPY). */
  abstract clone(): RedisObject;
}

export type Value = string | number | bigint | RedisObject;

export function typeOf(v: Value): TypeName {
  return typeof v === 'object' ? v.type : 'string';
}

/** A copy of a value for COPY: immutable primitives are shared, objects are deep-copied. */
export function cloneValue(v: Value): Value {
  return typeof v === 'object' ? v.clone() : v;
}
