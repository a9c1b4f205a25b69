export * from './zset-value.js';
export * from './score.js';
