// RDB (Redis 7.0's format) and AOF: the files Brook writes and reads, interchangeable with Redis's.
export * from './aof/manifest.js';
export * from './aof/aof-reader.js';
export * from './aof/append-log.js';
