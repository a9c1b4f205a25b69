/**
 * The server's heap measured without garbage: a brook-server started with GC_ENV preloads
 * test/bench/gc-on-signal.js, which runs full GCs on SIGUSR2 and prints V8's figures.
 */
import { ROOT, type RunningServer } from './servers.js';
import { waitUntil } from './wait.js';

/** Environment for startBrookProcess / serverPool().brook that makes heapAfterGc work. */
export const GC_ENV = { BROOK_NODE_OPTIONS: `--expose-gc --import ${ROOT}/test/bench/gc-on-signal.js` };

/** Heap in use (plus external memory) right after a full GC in the server whose process id is `pid`. */
export async function heapAfterGc(server: RunningServer, pid: number): Promise<number> {
  const from = server.output().length;
  process.kill(pid, 'SIGUSR2');
  let line: RegExpExecArray | null = null;
  await waitUntil(() => (line = /BROOK-BENCH-HEAP (.*)\n/.exec(server.output().slice(from))) !== null, 'the heap figures', 20_000);
  const h = JSON.parse(line![1]) as { usedHeap: number; external: number };
  return h.usedHeap + h.external;
}
