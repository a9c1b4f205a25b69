export * from './stream-id.js';
export * from './stream-value.js';
export * from './consumer-group.js';
