export * from './hll.js';
export * from './murmur.js';
export * from './selftest.js';
