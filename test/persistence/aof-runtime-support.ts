/**
 * Helpers for the suites that switch the AOF at run time: data sets that make Brook's rewrite take
 * many slices, pipelined commands (run by the server in one turn), and waiting for a rewrite.
 */
import { encodeCommand, type RawClient } from '../support/raw-client.js';
import { fillEveryType } from './aof-support.js';

export const MANIFEST = 'appendonlydir/appendonly.aof.manifest';

/** Every type, then `keys` string keys (many keys: Brook's snapshot takes many slices). */
export async function fillKeys(c: RawClient, keys: number): Promise<void> {
  await fillEveryType(c);
  for (let i = 0; i < keys; i += 5000) {
    await c.call('MSET', ...Array.from({ length: 5000 }, (_, j) => [`k${String(i + j)}`, `v${String(i + j)}`]).flat());
  }
}

/** Sends the commands in one write (so the server runs them in one turn) and returns their replies. */
export async function pipeline(c: RawClient, ...commands: string[][]): Promise<string[]> {
  c.write(Buffer.concat(commands.map((a) => encodeCommand(a))));
  const out: string[] = [];
  for (let i = 0; i < commands.length; i++) out.push((await c.read()).toString('latin1'));
  return out;
}

/** The AOF's state fields of INFO persistence. */
export function aofState(info: string): string[] {
  return info.split('\r\n').filter((l) => /^aof_(enabled|rewrite_in_progress|rewrite_scheduled|pending_rewrite):/.test(l));
}

/** Waits until `rewrites` rewrites are done and none runs or waits (Redis counts one when it starts); returns INFO persistence. */
export async function rewritten(c: RawClient, rewrites: number): Promise<string> {
  for (;;) {
    const info = await c.call('INFO', 'persistence');
    if (info.includes('aof_last_bgrewrite_status:err')) throw new Error(`the rewrite failed:\n${info}`);
    const idle = info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0');
    if (info.includes(`aof_rewrites:${String(rewrites)}\r\n`) && idle) return info;
    await new Promise((r) => setTimeout(r, 50));
  }
}
