/**
 * MONITOR against a real redis-server: the same commands on both servers, the lines each monitor
 * received compared with the timestamp and client port normalised away; then redis-cli monitor.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { RawClient } from '../support/raw-client.js';
import { pairClients } from '../support/differential.js';
import { requireTool, serverPair } from '../support/servers.js';

const pair = serverPair();
const clients = pairClients(pair);
const { same } = clients;

/** Monitor lines with the time checked and dropped and the sender's port replaced by its role. */
function lines(raw: string, ports: Map<string, string>): string[] {
  const now = Date.now() / 1000;
  return raw
    .split('\r\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\+(\d+)\.(\d{6}) \[(\d+) 127\.0\.0\.1:(\d+)\] (.*)$/.exec(l);
      if (m === null) throw new Error(`not a monitor line: ${JSON.stringify(l)}`);
      expect(Math.abs(Number(m[1]) - now)).toBeLessThan(60);
      return `[${m[3]} ${ports.get(m[4]) ?? 'other'}] ${m[5]}`;
    });
}

/** Reads what has arrived on `c` until `last` (a substring) shows up. */
async function until(c: RawClient, last: string): Promise<string> {
  const deadline = Date.now() + 5000;
  while (!c.unread().includes(last)) {
    if (Date.now() > deadline) throw new Error(`no ${last} in ${JSON.stringify(c.unread())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return c.unread();
}

describe('MONITOR', () => {
  it('shows what runs, in Redis quoting, with secrets redacted and admin commands hidden', async () => {
    const monB = await RawClient.connect(pair.brook.port);
    const monR = await RawClient.connect(pair.redis.port);
    expect(await monB.call('MONITOR')).toBe('+OK\r\n');
    expect(await monR.call('MONITOR')).toBe('+OK\r\n');
    const ports = (s: RawClient, m: RawClient) =>
      new Map([
        [String(s.socket.localPort), 'sender'],
        [String(m.socket.localPort), 'monitor'],
      ]);
    await same('SET', 'k', 'a"b\\c\n\r\t\x07\x08\x01\xff é');
    await same('AUTH', 'secret');
    await same('AUTH', 'a', 'b', 'c');
    await same('HELLO', '2', 'SETNAME', 'n', 'AUTH', 'default', 'pw', 'BOGUS');
    await same('CONFIG', 'GET', 'maxclients');
    await same('SLOWLOG', 'LEN');
    await same('GET', 'nokey');
    await same('LPUSH', 'k', 'v');
    await same('SELECT', '3');
    await same('MULTI');
    await same('SET', 'x', '1');
    await same('MONITOR');
    await same('EXEC');
    await same('MULTI');
    await same('NOSUCHCOMMAND');
    await same('EXEC');
    await same('SELECT', '0');
    await same('ECHO', 'done');
    const [b, r] = await Promise.all([until(monB, '"done"'), until(monR, '"done"')]);
    const got = lines(b, ports(clients.brook, monB));
    expect(got).toEqual(lines(r, ports(clients.redis, monR)));
    expect(got).toContain('[0 sender] "AUTH" "(redacted)"');
    monB.socket.destroy();
    monR.socket.destroy();
  });

  it('CLIENT LIST flags a monitor O; RESET ends MONITOR', async () => {
    const mon = await RawClient.connect(pair.brook.port);
    await mon.call('CLIENT', 'SETNAME', 'watcher');
    await mon.call('MONITOR');
    const list = await clients.brook.call('CLIENT', 'LIST');
    expect(list).toMatch(/name=watcher [^\n]*flags=O [^\n]*cmd=monitor/);
    expect(await mon.call('RESET')).toBe('+RESET\r\n');
    await clients.brook.call('ECHO', 'after reset');
    await clients.brook.call('PING');
    await new Promise((r) => setTimeout(r, 50));
    expect(mon.unread()).toBe('');
    mon.socket.destroy();
  });

  it('redis-cli monitor prints the lines', async () => {
    requireTool('redis-cli');
    const cli = spawn('redis-cli', ['-p', String(pair.brook.port), 'monitor']);
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    try {
      const deadline = Date.now() + 5000;
      while (!out.includes('OK') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await clients.brook.call('SET', 'from', 'cli test');
      while (!out.includes('"cli test"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(out).toMatch(/^OK\n\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "from" "cli test"\n/);
    } finally {
      cli.kill();
    }
  });
});
