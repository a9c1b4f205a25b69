export * from './stream-id.js';
export * from './consumer-group.js';
