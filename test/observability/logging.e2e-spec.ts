/**
 * The server's log: Redis's line format and levels, logfile or stdout, CONFIG SET loglevel at run
 * time, and the Brook-only log-format json.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../support/raw-client.js';
import { serverPool } from '../support/servers.js';
import { tempDirs } from '../support/temp-dirs.js';
import { waitUntil } from '../support/wait.js';

/** `pid:M 27 Nov 2026 14:03:05.123 <mark> message`, as Redis's serverLogRaw writes it. */
const LINE = /^\d+:M \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d\.\d{3} ([.\-*#]) (.*)$/;

describe('server log', () => {
  const pool = serverPool();
  const tempDir = tempDirs('brook-log-');

  it('goes to logfile in Redis format, filtered by loglevel, which CONFIG SET changes at run time', async () => {
    const logfile = join(tempDir(), 'brook.log');
    const brook = await pool.brook(['--logfile', logfile, '--loglevel', 'notice']);
    const read = () => (existsSync(logfile) ? readFileSync(logfile, 'utf8') : '');
    await waitUntil(() => read().includes('ready to accept connections'), 'the ready line in the log file', 10000);
    const lines = read().trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(LINE);
    const ready = lines.find((l) => l.includes('ready to accept connections'))!;
    expect(LINE.exec(ready)?.[2]).toBe('*');
    // Nest's module wiring is verbose: a notice log does not show it.
    expect(read()).not.toContain('dependencies initialized');
    expect(brook.output()).not.toContain('ready to accept connections');

    const c = await RawClient.connect(brook.port);
    expect(await c.call('INFO', 'server')).toContain(`process_id:${ready.slice(0, ready.indexOf(':'))}\r\n`);
    await c.call('SAVE');
    await waitUntil(() => read().includes('DB saved on disk'), 'the notice after SAVE', 5000);
    expect(await c.call('CONFIG', 'SET', 'loglevel', 'warning')).toBe('+OK\r\n');
    const before = read().length;
    await c.call('SAVE');
    await c.call('CONFIG', 'SET', 'aof-timestamp-enabled', 'yes'); // logged as not in effect, a warning
    await waitUntil(() => read().includes('aof-timestamp-enabled yes'), 'the warning', 5000);
    const added = read().slice(before).trimEnd().split('\n');
    expect(added.map((l) => LINE.exec(l)?.[2])).toEqual(['#']);
    expect(added[0]).toContain('aof-timestamp-enabled yes is accepted but not in effect yet');

    expect(await c.call('CONFIG', 'SET', 'loglevel', 'notice', 'log-format', 'json')).toBe('+OK\r\n');
    const mark = read().length;
    await c.call('SAVE');
    await waitUntil(() => read().slice(mark).includes('DB saved on disk'), 'the JSON line', 5000);
    const json = JSON.parse(read().slice(mark).trimEnd().split('\n')[0]) as Record<string, unknown>;
    expect(json).toMatchObject({ level: 'notice', role: 'M', context: 'brook', pid: expect.any(Number) });
    expect(json.message).toMatch(/^DB saved on disk/);
    expect(new Date(json.time as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    c.close();
  });

  it('goes to stdout when logfile is empty; loglevel debug shows the verbose lines too', async () => {
    const brook = await pool.brook(['--loglevel', 'debug']);
    await waitUntil(() => brook.output().includes('ready to accept connections'), 'the ready line on stdout', 10000);
    const lines = brook.output().trimEnd().split('\n');
    const marks = lines.map((l) => LINE.exec(l)?.[2]);
    expect(marks).not.toContain(undefined);
    expect(marks).toContain('-');
    expect(marks).toContain('*');
  });
});
