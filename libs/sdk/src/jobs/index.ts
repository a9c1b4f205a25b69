export * from './job.js';
export * from './job-decorators.js';
export * from './job-options.js';
export type { JobTemplate, RepeatOptions } from './job-schedulers.js';
export * from './queue.js';
export * from './queue-keys.js';
export * from './queue-registry.js';
export * from './unrecoverable-error.js';
