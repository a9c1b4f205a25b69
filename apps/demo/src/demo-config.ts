import type { BrookModuleOptions } from '@brook/sdk';

/** The demo's settings, from the environment (see README "Demo"). */
export interface DemoConfig {
  /** BROOK_URL: a brook-server or Redis to use; unset, the demo starts Brook inside itself. */
  brook: BrookModuleOptions;
  /** DEMO_HOST / DEMO_PORT: where the HTTP endpoint listens (default 127.0.0.1:3000; 0 = any free port). */
  host: string;
  port: number;
  /** DEMO_EVERY_MS: the timer enqueues a job this often (default 10000; 0 turns it off). */
  everyMs: number;
}

export const DEMO_CONFIG = Symbol('DEMO_CONFIG');

export function demoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const url = env.BROOK_URL;
  return {
    brook: { ...(url ? { connection: url } : { embedded: true }), metrics: true },
    host: env.DEMO_HOST ?? '127.0.0.1',
    port: integer(env, 'DEMO_PORT', 3000),
    everyMs: integer(env, 'DEMO_EVERY_MS', 10000),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, not '${text}'`);
  return Number(text);
}
