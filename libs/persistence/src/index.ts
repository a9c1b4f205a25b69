// RDB (Redis 7.0's format) and AOF: the files Brook writes and reads, interchangeable with Redis's.
export * from './rdb/crc64.js';
export * from './rdb/lzf.js';
export * from './rdb/listpack.js';
export * from './rdb/rdb-error.js';
export * from './rdb/rdb-types.js';
export * from './rdb/value-codec.js';
export * from './rdb/rdb-writer.js';
export { RdbReader, type RdbItem } from './rdb/rdb-reader.js';
export * from './rdb/dump-payload.js';
export * from './snapshot/snapshot.js';
export * from './snapshot/rdb-file.js';
export * from './snapshot/rdb-load.js';
export * from './aof/manifest.js';
export * from './aof/aof-reader.js';
export * from './aof/append-log.js';
export * from './aof/resp-command.js';
export * from './aof/resp-base-encoder.js';
