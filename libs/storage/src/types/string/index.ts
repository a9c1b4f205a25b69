export * from './mutable-string.js';
export * from './string-value.js';
export * from './int64.js';
export * from './long-double.js';
export * from './lcs.js';
export * from './bits.js';
export * from './bitfield.js';
