/**
 * Bulk loading with `redis-cli --pipe`: the RESP stream is generated here in chunks and written
 * with back-pressure, so even 20M commands never sit in memory at once.
 */
import { once } from 'node:events';
import { spawnClient } from './servers.js';

/** Commands per chunk written to redis-cli's stdin. */
const CHUNK = 10000;

/** One command in RESP multibulk form (arguments are ASCII here, so length = bytes). */
function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/**
 * Sends commandOf(i) (an argument array) for i in [0, count) through `redis-cli -p port --pipe`
 * and checks redis-cli's summary: no errors and one reply per command. Returns the elapsed
 * seconds. `progress(sent)` is called after every million commands written.
 */
export async function pipeCommands(port, count, commandOf, progress = () => {}) {
  const started = process.hrtime.bigint();
  const cli = spawnClient('redis-cli', ['-p', String(port), '--pipe']);
  let output = '';
  cli.stdout.on('data', (d) => (output += d));
  cli.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => cli.on('close', resolve));
  let broken = null;
  cli.stdin.on('error', (e) => (broken = e));

  for (let i = 0; i < count && !broken;) {
    const end = Math.min(count, i + CHUNK);
    let chunk = '';
    for (; i < end; i++) chunk += resp(commandOf(i));
    if (i % 1000000 === 0) progress(i);
    // once() also settles (rejects) on 'error'; `broken` then ends the loop and is reported.
    if (!cli.stdin.write(chunk)) await once(cli.stdin, 'drain').catch(() => {});
  }
  cli.stdin.end();
  const code = await exited;

  const m = /errors: (\d+), replies: (\d+)/.exec(output);
  if (code !== 0 || !m || Number(m[1]) !== 0 || Number(m[2]) !== count) {
    throw new Error(
      `redis-cli --pipe sending ${count} commands failed (exit ${code}${broken ? `, ${broken.message}` : ''}):\n${output.slice(-2000)}`,
    );
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** SET keyOf(i) valueOf(i) for i in [0, count) (see pipeCommands). */
export function pipeSet(port, count, keyOf, valueOf, progress) {
  return pipeCommands(port, count, (i) => ['SET', keyOf(i), valueOf(i)], progress);
}
