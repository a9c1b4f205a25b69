import type { CommandFamily } from './family.js';
import type { CommandSpec } from './table.js';

export const monitorCommands: readonly CommandSpec[] = [
  {
    name: 'monitor',
    arity: 1,
    flags: ['admin', 'noscript', 'loading', 'stale'],
    group: 'server',
    summary: 'Listen for all requests received by the server in real time',
    since: '1.0.0',
    complexity: '',
    // The server keeps the monitors and feeds them (see @brook/server's Monitors).
    handler: (c) => c.server.monitor(c),
  },
];

/** MONITOR (Redis's monitorCommand in replication.c). */
export const monitorFamily: CommandFamily = { name: 'monitor', commands: monitorCommands };
