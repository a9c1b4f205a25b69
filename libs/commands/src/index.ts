import type { CommandSpec } from './table.js';
import { connectionCommands } from './connection.js';
import { stringCommands } from './strings.js';

export * from './table.js';
export * from './context.js';
export * from './errors.js';
export * from './args.js';
export * from './reply.js';
export * from './propagate.js';
export * from './glob.js';
export * from './expire-arg.js';

/** Every built-in command, family by family. */
export const builtinCommands: readonly CommandSpec[] = [...connectionCommands, ...stringCommands];
