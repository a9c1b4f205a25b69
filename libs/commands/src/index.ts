import type { CommandFamily } from './family.js';
import type { CommandSpec } from './table.js';
import { bitmapFamily } from './bitmap.js';
import { connectionFamily } from './connection.js';
import { expireFamily } from './expire.js';
import { keyspaceEventsFamily } from './keyspace-events.js';
import { genericFamily } from './generic.js';
import { geoFamily } from './geo.js';
import { hashFamily } from './hashes.js';
import { hyperloglogFamily } from './hyperloglog.js';
import { listFamily } from './lists.js';
import { serverFamily } from './server.js';
import { setFamily } from './sets.js';
import { sortFamily } from './sort.js';
import { stringFamily } from './strings.js';
import { zsetFamily } from './zsets.js';
import { streamFamily } from './streams.js';
import { streamGroupsFamily } from './stream-groups.js';
import { pubsubFamily } from './pubsub.js';
import { transactionsFamily } from './transactions.js';
import { slowlogFamily } from './slowlog.js';
import { monitorFamily } from './monitor.js';
import { latencyFamily } from './latency.js';
import { memoryFamily } from './memory.js';

export * from './table.js';
export * from './family.js';
export * from './config-param.js';
export * from './command-info.js';
export * from './context.js';
export * from './errors.js';
export * from './args.js';
export * from './reply.js';
export * from './propagate.js';
export * from './glob.js';
export * from './expire-arg.js';
export * from './tracking.js';
export * from './latency-histogram.js';
export { refusedWhileSubscribed } from './pubsub.js';

/** Every built-in family (one file per family, as in Redis's t_*.c), installed in this order. */
export const builtinFamilies: readonly CommandFamily[] = [
  connectionFamily,
  serverFamily,
  genericFamily,
  expireFamily,
  keyspaceEventsFamily,
  stringFamily,
  bitmapFamily,
  hashFamily,
  setFamily,
  zsetFamily,
  listFamily,
  geoFamily,
  hyperloglogFamily,
  sortFamily,
  streamFamily,
  streamGroupsFamily,
  pubsubFamily,
  transactionsFamily,
  slowlogFamily,
  monitorFamily,
  latencyFamily,
  memoryFamily,
];

/** Every built-in command, family by family. */
export const builtinCommands: readonly CommandSpec[] = builtinFamilies.flatMap((f) => f.commands);
