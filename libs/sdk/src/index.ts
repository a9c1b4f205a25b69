// Public API of @brook/sdk.
export * from './brook-connections.js';
export * from './brook-publisher.js';
export * from './brook.constants.js';
export * from './brook.module.js';
export * from './connection.js';
export * from './embedded.js';
export * from './errors.js';
export * from './jobs/index.js';
export * from './keys.js';
export * from './message-context.js';
export * from './metrics/job-metrics.js';
export * from './on-message.decorator.js';
export * from './options.js';
export * from './serializer.js';
export * from './stream-consumer.js';
