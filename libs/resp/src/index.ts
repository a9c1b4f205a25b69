export * from './parser.js';
export * from './writer.js';
