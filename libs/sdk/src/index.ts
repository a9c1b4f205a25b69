// Public API of @brook/sdk.
export * from './connection.js';
export * from './embedded.js';
export * from './errors.js';
export * from './keys.js';
export * from './stream-consumer.js';
export * from './options.js';
