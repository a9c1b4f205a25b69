/**
 * DEL and UNLINK of one big collection (10M elements by default): how long the command takes to
 * reply, and the longest wait another client's PINGs see from the command until SETTLE_MS after
 * it (Redis's DEL frees every element before replying and UNLINK hands the value to a background
 * thread; in Brook both drop a reference and V8's collector reclaims the memory later, so the
 * pauses that follow are the GC's).
 */
import { Socket } from 'node:net';
import { pipeCommands } from './load.js';
import { collectionWorkload, refusal } from './memory.js';
import { connect } from './servers.js';

const SETTLE_MS = 3000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/**
 * A client sending one PING at a time on a raw socket, recording how long each reply took; the
 * gaps are what any client waits while the server is busy.
 */
async function startPinger(port) {
  const socket = new Socket();
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1');
  });
  const samples = []; // [sentAt, ms]
  let sentAt = 0;
  let stopped = false;
  let pending = '';
  const send = () => {
    sentAt = now();
    socket.write('PING\r\n');
  };
  socket.on('data', (d) => {
    pending += d;
    while (pending.startsWith('+PONG\r\n')) {
      pending = pending.slice(7);
      samples.push([sentAt, now() - sentAt]);
      if (!stopped) send();
    }
  });
  send();
  return {
    /** Longest PING wait among those sent at or after `from` (ms since the time origin). */
    maxSince: (from) => samples.reduce((max, [at, ms]) => (at >= from - ms && ms > max ? ms : max), 0),
    stop() {
      stopped = true;
      socket.destroy();
    },
  };
}

/**
 * Loads `elements` elements of `type` into one key of a fresh server, then runs `command` (DEL or
 * UNLINK) on it. Resolves { name, loadSeconds, replyMs, maxPingMs, baselinePingMs } or { name, error }.
 */
export async function lazyfreeRun(start, { type, elements, command }, log) {
  const server = await start();
  const workload = collectionWorkload(type, elements, 0);
  try {
    const error = await refusal(server.port, workload);
    if (error) return { name: server.name, error };
    const progress = (n) => log(`${server.name}: ${n / 1e6}M ${type} elements sent`);
    const loadSeconds = await pipeCommands(server.port, elements, workload.commandOf, progress);
    const client = await connect(server.port);
    const pinger = await startPinger(server.port);
    try {
      await workload.check(client);
      await sleep(1000);
      const baselinePingMs = pinger.maxSince(now() - 1000);
      const key = workload.commandOf(0)[1];
      const before = now();
      const removed = await client.call(command, key);
      const replyMs = now() - before;
      if (removed !== 1) throw new Error(`${command} ${key} returned ${removed}`);
      await sleep(SETTLE_MS);
      const maxPingMs = pinger.maxSince(before);
      log(
        `${server.name}: ${command} of a ${elements} element ${type}: reply ${replyMs.toFixed(1)} ms, longest PING ${maxPingMs.toFixed(1)} ms`,
      );
      return { name: server.name, loadSeconds, replyMs, maxPingMs, baselinePingMs };
    } finally {
      pinger.stop();
      client.disconnect();
    }
  } finally {
    await server.stop();
  }
}
