import type { CommandSpec } from './table.js';
import { bitmapCommands } from './bitmap.js';
import { connectionCommands } from './connection.js';
import { expireCommands } from './expire.js';
import { genericCommands } from './generic.js';
import { serverCommands } from './server.js';
import { stringCommands } from './strings.js';

export * from './table.js';
export * from './command-info.js';
export * from './context.js';
export * from './errors.js';
export * from './args.js';
export * from './reply.js';
export * from './propagate.js';
export * from './glob.js';
export * from './expire-arg.js';

/** Every built-in command, family by family (one file per family, as in Redis's t_*.c). */
export const builtinCommands: readonly CommandSpec[] = [
  ...connectionCommands,
  ...serverCommands,
  ...genericCommands,
  ...expireCommands,
  ...stringCommands,
  ...bitmapCommands,
];
