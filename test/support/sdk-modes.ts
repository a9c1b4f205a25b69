/**
 * Runs an SDK suite once per broker the SDK supports: a brook-server process, Brook embedded in
 * the app (`embedded`), and a real redis-server (which must be installed: the suite fails with
 * an apt-get hint when it is not).
 */
import { afterAll, beforeAll, describe } from '@jest/globals';
import type { BrookModuleOptions } from '@brook/sdk';
import { freePort, startBrookProcess, startRedis, type RunningServer } from './servers.js';

export type SdkMode = 'brook-server' | 'embedded' | 'redis';
export const SDK_MODES: readonly SdkMode[] = ['brook-server', 'embedded', 'redis'];

export interface SdkTarget {
  readonly mode: SdkMode;
  /**
   * The TCP port on 127.0.0.1 where every further app or child process connects. In embedded
   * mode nothing listens there until an app built from hostOptions() has started.
   */
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Options for the first app: in embedded mode it starts Brook in-process, listening on `port` too. */
  hostOptions(extra?: Omit<BrookModuleOptions, 'connection' | 'embedded'>): BrookModuleOptions;
  /** Options for any other app: a connection to `port` (in embedded mode, to the host app's Brook). */
  clientOptions(extra?: Omit<BrookModuleOptions, 'connection' | 'embedded'>): BrookModuleOptions;
}

/**
 * `describe(title [mode])` for each mode; `body` gets a target whose fields are set in the
 * mode's beforeAll, so read them inside hooks and tests, not while declaring them.
 */
export function describeSdkModes(title: string, body: (target: SdkTarget) => void, modes: readonly SdkMode[] = SDK_MODES): void {
  for (const mode of modes) {
    describe(`${title} [${mode}]`, () => {
      let server: RunningServer | undefined;
      let port = 0;
      const url = (): string => `redis://127.0.0.1:${port}`;
      const target: SdkTarget = {
        mode,
        get port() {
          return port;
        },
        get url() {
          return url();
        },
        hostOptions: (extra = {}) => (mode === 'embedded' ? { ...extra, embedded: { port } } : { ...extra, connection: url() }),
        clientOptions: (extra = {}) => ({ ...extra, connection: url() }),
      };
      beforeAll(async () => {
        if (mode === 'brook-server') server = await startBrookProcess();
        else if (mode === 'redis') server = await startRedis();
        port = server?.port ?? (await freePort());
      });
      body(target);
      // Declared after the body's hooks: Jest runs afterAll hooks in declaration order, and the
      // suite's clients must close before their server stops.
      afterAll(async () => {
        await server?.stop();
      });
    });
  }
}

/** Polls `check` until it holds (a generous deadline, never a timing assertion). `what` may be computed at the timeout, to show the state then. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
