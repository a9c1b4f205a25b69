// node test/support/pinger.js <port>: the adversarial harness's PING watcher, in a process of its
// own so that the test process's own work (writing a flood, parsing a huge reply) never delays
// the round trips it measures. It prints "ready" after the first PONG, then sends PING after PING
// (one in flight, 5 ms apart) until its stdin closes, and prints the slowest round trip in ms; a
// reply still awaited at that moment counts as the time waited so far.
import { Socket } from 'node:net';

const port = Number(process.argv[2]);
const socket = new Socket();
let maxPingMs = 0;
let sentAt = 0;
let ready = false;
let stopped = false;
let timer = null;

function ping() {
  timer = null;
  if (stopped) return;
  sentAt = performance.now();
  socket.write('PING\r\n');
}

socket.setNoDelay(true);
socket.on('data', (data) => {
  // PING replies are 7 bytes (+PONG\r\n); a read may hold only part of one.
  if (!data.toString('latin1').includes('\n')) return;
  if (ready) maxPingMs = Math.max(maxPingMs, performance.now() - sentAt);
  else {
    ready = true;
    process.stdout.write('ready\n');
  }
  sentAt = 0;
  timer = setTimeout(ping, 5);
});
socket.on('error', (e) => {
  process.stderr.write(`pinger: ${e.message}\n`);
  process.exit(1);
});
socket.connect(port, '127.0.0.1', ping);

process.stdin.resume();
process.stdin.on('end', () => {
  stopped = true;
  if (timer !== null) clearTimeout(timer);
  if (sentAt > 0 && ready) maxPingMs = Math.max(maxPingMs, performance.now() - sentAt);
  process.stdout.write(`${JSON.stringify({ maxPingMs })}\n`);
  socket.destroy();
  process.exit(0);
});
