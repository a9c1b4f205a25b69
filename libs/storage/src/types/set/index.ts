export * from './set-value.js';
