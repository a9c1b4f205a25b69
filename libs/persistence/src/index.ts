// RDB (Redis 7.0's format) and AOF: the files Brook writes and reads, interchangeable with Redis's.
export {};
