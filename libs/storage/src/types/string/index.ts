export * from './mutable-string.js';
export * from './string-value.js';
