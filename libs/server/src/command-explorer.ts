import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { ReplyWriter } from '@brook/resp';
import type { Handler, Session } from '@brook/commands';
import { BrookServer } from './brook-server.js';
import { Command } from './command.decorator.js';

/** Reads @Command metadata once at bootstrap and registers each method in the command table. */
@Injectable()
export class CommandExplorer implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly server: BrookServer,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const meta = this.discovery.getMetadataByDecorator(Command, wrapper, method);
        if (!meta) continue;
        const fn = (instance[method] as ModuleHandler).bind(instance);
        // The Nest module that declares the provider plays the part of a Redis module.
        this.server.commands.register({
          group: 'module',
          summary: `Provided by ${proto.constructor.name}.${method}`,
          since: this.server.version,
          module: wrapper.host?.name ?? proto.constructor.name,
          ...meta,
          name: meta.name.toLowerCase(),
          handler: moduleHandler(fn),
        });
      }
    }
  }
}

type ModuleHandler = (c: Session, argv: string[]) => unknown;

/**
 * A @Command method as a command handler: what it returns synchronously is ignored (it replied
 * through `c.w`); a Promise holds the connection's later commands (Session.defer, so replies stay
 * in order) and its value, unless undefined, becomes the reply; a rejection an error reply.
 */
function moduleHandler(fn: ModuleHandler): Handler {
  return (c, argv) => {
    const r = fn(c, argv);
    if (r instanceof Promise) {
      c.defer(
        r.then(
          (v: unknown) => {
            if (v !== undefined) writeValue(c.w, v);
          },
          (e: unknown) => c.w.error(errorText(e)),
        ),
      );
    }
  };
}

/**
 * A module's value as RESP: strings (latin1, one char per byte, like every key and value in
 * Brook) and Buffers as bulk strings, integers as integers, null as nil, arrays element by
 * element, an Error as an error reply.
 */
function writeValue(w: ReplyWriter, v: unknown): void {
  if (typeof v === 'string') w.bulk(v);
  else if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) w.integer(v);
  else if (typeof v === 'number') w.bulk(String(v));
  else if (v === null) w.nil();
  else if (Buffer.isBuffer(v)) w.bulkBuffer(v);
  else if (v instanceof Error) w.error(errorText(v));
  else if (Array.isArray(v)) {
    w.array(v.length);
    for (const item of v as unknown[]) writeValue(w, item ?? null);
  } else w.error(`ERR module command replied with an unsupported value (${typeof v})`);
}

/** An error reply's text: the message as is when it starts with an upper-case code (WRONGTYPE, NOPERM...), else 'ERR ' first. */
function errorText(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).replace(/[\r\n]/g, ' ');
  return /^[A-Z][A-Z0-9_]* /.test(msg) ? msg : `ERR ${msg}`;
}
