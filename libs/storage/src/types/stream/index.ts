export * from './stream-id.js';
