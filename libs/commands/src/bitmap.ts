import type { CommandSpec } from './table.js';

export const bitmapCommands: CommandSpec[] = [];
