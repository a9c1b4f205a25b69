import { DiscoveryService } from '@nestjs/core';
import type { CommandSpec } from '@brook/commands';

/** Metadata of a provider method that implements a command: everything but the handler. */
export type CommandMetadata = Omit<CommandSpec, 'handler' | 'subcommands' | 'group' | 'summary' | 'since'> &
  Partial<Pick<CommandSpec, 'group' | 'summary' | 'since'>>;

/**
 * Marks a provider method as a Brook command — Brook's equivalent of a Redis module command.
 * The method receives `(session, argv)` and replies through `session.w`, synchronously:
 *
 *   @Command({ name: 'hello.world', arity: 1, flags: ['readonly', 'fast'] })
 *   hello(c: Session) { c.w.bulk('hello'); }
 *
 * or returns a Promise: the connection's later commands wait until it settles (replies stay in
 * order), then its value is the reply — a string or Buffer as a bulk string, an integer (number
 * or bigint) as an integer, null as nil, an array element by element, an Error as an error reply
 * ('ERR ' added unless the message starts with an upper-case code); undefined means the method
 * replied through `session.w` itself. A rejection is an error reply the same way:
 *
 *   @Command({ name: 'hello.later', arity: 1, flags: ['readonly'] })
 *   async later() { await sleep(10); return 'hello'; }
 *
 * To wait on keys (like BLPOP), call `session.server.block(session, keys, timeoutMs, waiter)`.
 * CommandExplorer finds these at bootstrap and adds them to the server's one command table.
 */
export const Command = DiscoveryService.createDecorator<CommandMetadata>();
