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
 * CommandExplorer finds these at bootstrap and adds them to the server's one command table.
 */
export const Command = DiscoveryService.createDecorator<CommandMetadata>();
