import type { CommandSpec } from './table.js';

export const keyspaceCommands: CommandSpec[] = [];
