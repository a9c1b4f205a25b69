import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrookServer, loadConfig } from '@brook/server';
import type { BrookConnectionObject } from './connection.js';

/** The `embedded` option in its object form. */
export interface EmbeddedOptions {
  /** Also listen on 127.0.0.1:port, so other processes (workers, redis-cli) can reach this Brook. */
  port?: number;
  /** redis.conf directives (`{ maxmemory: '100mb' }`); port, bind, unixsocket and dir are the SDK's. */
  config?: Record<string, string>;
}

/** A Brook server running in this process. */
export interface EmbeddedBrook {
  /** Where the app's own connections go: the private unix socket. */
  readonly connection: BrookConnectionObject;
  readonly server: BrookServer;
  /** Stops the server, disconnecting its clients, and removes its directory. */
  close(): Promise<void>;
}

/**
 * Starts brook-server's RESP server inside this process, on a unix socket in a fresh private
 * directory (which is also its `dir`, so nothing lands in the app's working directory), and on
 * 127.0.0.1:port when asked. Persistence is off unless `config` turns it on.
 */
export async function startEmbeddedBrook(options: EmbeddedOptions = {}): Promise<EmbeddedBrook> {
  const dir = mkdtempSync(join(tmpdir(), 'brook-embedded-'));
  const socket = join(dir, 'brook.sock');
  const userConfig = Object.entries(options.config ?? {}).flatMap(([name, value]) => [`--${name}`, value]);
  try {
    const config = loadConfig([
      ...['--save', '', '--appendonly', 'no'],
      ...userConfig,
      ...['--port', String(options.port ?? 0), '--bind', '127.0.0.1', '--unixsocket', socket, '--dir', dir],
    ]);
    const server = new BrookServer(config);
    await server.listen();
    return {
      connection: { path: socket },
      server,
      close: async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
