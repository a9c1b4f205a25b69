import type { CommandSpec } from './table.js';

export const expireCommands: CommandSpec[] = [];
