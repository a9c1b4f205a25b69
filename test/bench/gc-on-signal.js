/**
 * Preloaded into the Brook node process by the memory and scale benchmarks only
 * (BROOK_NODE_OPTIONS="--expose-gc --import <this file>"): on SIGUSR2 it runs a full GC and prints
 * V8's heap statistics (and the memory held outside the heap by Buffers and other external
 * objects), so memory is measured without garbage and the heap limit the launcher chose can be
 * checked. Brook itself never calls gc().
 */
import { getHeapStatistics } from 'node:v8';

process.on('SIGUSR2', () => {
  globalThis.gc();
  // V8 frees dead ArrayBuffers' memory (external) by a sweeper that runs after the GC: a second
  // GC a moment later waits for it, so external no longer counts buffers already dead.
  setTimeout(report, 50);
});

function report() {
  globalThis.gc();
  const h = getHeapStatistics();
  const stats = {
    usedHeap: h.used_heap_size,
    totalHeap: h.total_heap_size,
    heapLimit: h.heap_size_limit,
    external: process.memoryUsage().external,
  };
  process.stderr.write(`BROOK-BENCH-HEAP ${JSON.stringify(stats)}\n`);
}
