// Public API of @brook/transport: a Nest microservice transport over Brook (or Redis 7) streams.
export * from './brook-server.js';
export * from './brook-client.js';
export * from './brook-context.js';
export type { BrookTransportOptions } from './transport-options.js';
export { RequestTimeoutError } from './errors.js';
export type { BrookStatus, BrookEventsMap } from './status.js';
