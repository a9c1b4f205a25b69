export * from './hash-object.js';
