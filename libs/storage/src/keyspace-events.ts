/**
 * Keyspace notification classes: Redis's NOTIFY_* bits (server.h), so the parsed
 * `notify-keyspace-events` value and an event's class meet in one AND.
 */
export const NotifyClass = {
  keyspace: 1 << 0, // K
  keyevent: 1 << 1, // E
  generic: 1 << 2, // g
  string: 1 << 3, // $
  list: 1 << 4, // l
  set: 1 << 5, // s
  hash: 1 << 6, // h
  zset: 1 << 7, // z
  expired: 1 << 8, // x
  evicted: 1 << 9, // e
  stream: 1 << 10, // t
  keyMiss: 1 << 11, // m
  module: 1 << 13, // d
  new: 1 << 14, // n
} as const;

/** A keyspace event: its class and its name, declared once so emitting one builds no strings. */
export interface KeyEvent {
  readonly cls: number;
  readonly name: string;
}

const { generic, string, list, set, hash, zset, expired, evicted, stream, keyMiss } = NotifyClass;
const ev = (cls: number, name: string): KeyEvent => ({ cls, name });

/** Every event Redis 7.0 emits, named as it names them (grep notifyKeyspaceEvent in redis/src). */
export const Ev = {
  // generic
  del: ev(generic, 'del'),
  expire: ev(generic, 'expire'),
  persist: ev(generic, 'persist'),
  renameFrom: ev(generic, 'rename_from'),
  renameTo: ev(generic, 'rename_to'),
  moveFrom: ev(generic, 'move_from'),
  moveTo: ev(generic, 'move_to'),
  copyTo: ev(generic, 'copy_to'),
  restore: ev(generic, 'restore'),
  expired: ev(expired, 'expired'),
  evicted: ev(evicted, 'evicted'),
  new: ev(NotifyClass.new, 'new'),
  keymiss: ev(keyMiss, 'keymiss'),
  // strings, bitmaps, HyperLogLog
  set: ev(string, 'set'),
  setrange: ev(string, 'setrange'),
  append: ev(string, 'append'),
  incrby: ev(string, 'incrby'),
  incrbyfloat: ev(string, 'incrbyfloat'),
  setbit: ev(string, 'setbit'),
  pfadd: ev(string, 'pfadd'),
  // lists
  lpush: ev(list, 'lpush'),
  rpush: ev(list, 'rpush'),
  lpop: ev(list, 'lpop'),
  rpop: ev(list, 'rpop'),
  linsert: ev(list, 'linsert'),
  lset: ev(list, 'lset'),
  ltrim: ev(list, 'ltrim'),
  lrem: ev(list, 'lrem'),
  sortstore: ev(list, 'sortstore'),
  // sets
  sadd: ev(set, 'sadd'),
  srem: ev(set, 'srem'),
  spop: ev(set, 'spop'),
  sinterstore: ev(set, 'sinterstore'),
  sunionstore: ev(set, 'sunionstore'),
  sdiffstore: ev(set, 'sdiffstore'),
  // hashes
  hset: ev(hash, 'hset'),
  hincrby: ev(hash, 'hincrby'),
  hincrbyfloat: ev(hash, 'hincrbyfloat'),
  hdel: ev(hash, 'hdel'),
  // sorted sets and GEO
  zadd: ev(zset, 'zadd'),
  zincr: ev(zset, 'zincr'),
  zrem: ev(zset, 'zrem'),
  zremrangebyscore: ev(zset, 'zremrangebyscore'),
  zremrangebyrank: ev(zset, 'zremrangebyrank'),
  zremrangebylex: ev(zset, 'zremrangebylex'),
  zpopmin: ev(zset, 'zpopmin'),
  zpopmax: ev(zset, 'zpopmax'),
  zunionstore: ev(zset, 'zunionstore'),
  zinterstore: ev(zset, 'zinterstore'),
  zdiffstore: ev(zset, 'zdiffstore'),
  zrangestore: ev(zset, 'zrangestore'),
  georadiusstore: ev(zset, 'georadiusstore'),
  geosearchstore: ev(zset, 'geosearchstore'),
  // streams
  xadd: ev(stream, 'xadd'),
  xtrim: ev(stream, 'xtrim'),
  xdel: ev(stream, 'xdel'),
  xsetid: ev(stream, 'xsetid'),
  xgroupCreate: ev(stream, 'xgroup-create'),
  xgroupCreateconsumer: ev(stream, 'xgroup-createconsumer'),
  xgroupDelconsumer: ev(stream, 'xgroup-delconsumer'),
  xgroupDestroy: ev(stream, 'xgroup-destroy'),
  xgroupSetid: ev(stream, 'xgroup-setid'),
} as const;

/** Delivers an event of a key in a database (the server publishes it). */
export type KeyEventSink = (db: number, event: KeyEvent, key: string) => void;
