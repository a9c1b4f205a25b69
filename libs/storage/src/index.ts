export * from './key-table.js';
export * from './access.js';
export * from './change-feed.js';
export * from './database.js';
export * from './keyspace.js';
export * from './active-expiry.js';
export * from './types/object.js';
export * from './types/string/index.js';
