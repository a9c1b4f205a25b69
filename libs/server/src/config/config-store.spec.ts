import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { param } from '@brook/commands';
import { ConfigError, ConfigStore } from './config-store.js';
import { normalizeParam, PARAMS, parseMemory } from './params.js';

const spec = (name: string) => PARAMS.find((p) => p.name === name)!;

describe('normalizeParam (redis-server rules)', () => {
  it('memory units: k=1000, kb=1024, m, mb, g, gb', () => {
    expect(parseMemory('1k')).toBe(1000);
    expect(parseMemory('1KB')).toBe(1024);
    expect(parseMemory('2mb')).toBe(2 * 1024 * 1024);
    expect(parseMemory('1g')).toBe(1e9);
    expect(parseMemory('-1')).toBeNull();
    expect(parseMemory('1x')).toBeNull();
    expect(normalizeParam(spec('maxmemory'), '100kb')).toEqual({ value: '102400' });
  });

  it('integers follow string2ll and the declared range; hz is clamped to 500', () => {
    expect(normalizeParam(spec('hz'), '010')).toEqual({ error: "argument couldn't be parsed into an integer" });
    expect(normalizeParam(spec('hz'), '+5')).toEqual({ error: "argument couldn't be parsed into an integer" });
    expect(normalizeParam(spec('hz'), '600')).toEqual({ value: '500' });
    expect(normalizeParam(spec('port'), '65536')).toEqual({ error: 'argument must be between 0 and 65535 inclusive' });
    expect(normalizeParam(spec('proto-max-bulk-len'), '10')).toEqual({
      error: 'argument must be between 1048576 and 9223372036854775807 inclusive',
    });
  });

  it('booleans and enums are case-insensitive and canonical in lower case', () => {
    expect(normalizeParam(spec('appendonly'), 'YES')).toEqual({ value: 'yes' });
    expect(normalizeParam(spec('appendonly'), '1')).toEqual({ error: "argument must be 'yes' or 'no'" });
    expect(normalizeParam(spec('appendfsync'), 'ALWAYS')).toEqual({ value: 'always' });
    expect(normalizeParam(spec('shutdown-on-sigint'), 'now SAVE')).toEqual({ value: 'save now' });
  });

  it('keyspace events are canonicalised like keyspaceEventsFlagsToString', () => {
    const n = spec('notify-keyspace-events');
    expect(normalizeParam(n, 'KEA')).toEqual({ value: 'AKE' });
    expect(normalizeParam(n, 'Exmzn')).toEqual({ value: 'zxnEm' });
    expect(normalizeParam(n, 'Q')).toEqual({ error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." });
  });

  it('client-output-buffer-limit merges the classes given into the current limits', () => {
    const o = spec('client-output-buffer-limit');
    expect(normalizeParam(o, 'pubsub 1mb 512kb 30', o.default)).toEqual({
      value: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 30',
    });
    expect(normalizeParam(o, 'replica 1 2 3', o.default)).toEqual({
      value: 'normal 0 0 0 slave 1 2 3 pubsub 33554432 8388608 60',
    });
    expect(normalizeParam(o, 'pubsub 1 2')).toEqual({ error: 'Wrong number of arguments in buffer limit configuration.' });
  });
});

describe('ConfigStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brook-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a file then the command line; save lines accumulate and "" clears', () => {
    const c = new ConfigStore();
    c.load('port 7000\nsave 900 1\nsave 300 10\n# comment\nmaxmemory-policy allkeys-lru\n', ['--port', '7001', '--hz', '20']);
    expect(c.value('port')).toBe('7001');
    expect(c.value('save')).toBe('900 1 300 10');
    expect(c.value('maxmemory-policy')).toBe('allkeys-lru');
    expect(c.value('hz')).toBe('20');
    const d = new ConfigStore();
    d.load(null, ['--save', '']);
    expect(d.value('save')).toBe('');
  });

  it('reports the line of a bad directive like redis-server', () => {
    const c = new ConfigStore();
    expect(() => c.load('port 7000\nfoo bar\n', [])).toThrow(ConfigError);
    expect(() => c.load('port 7000\nfoo bar\n', [])).toThrow(/at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments/);
    // Command-line options are lines appended after the file and one blank line.
    expect(() => new ConfigStore().load(null, ['--port', '99999'])).toThrow(
      /at line 2\n>>> 'port "99999"'\nargument must be between 0 and 65535/,
    );
  });

  it('CONFIG GET matches names and aliases by glob, each once, exact names as typed', () => {
    const c = new ConfigStore();
    expect(c.get(['PORT'])).toEqual([['PORT', '6379']]);
    expect(c.get(['slave-read-only'])).toEqual([['slave-read-only', 'yes']]);
    const names = c.get(['*read-only', 'replica-read-only']).map(([k]) => k);
    expect(names.sort()).toEqual(['replica-read-only', 'slave-read-only']);
  });

  it('CONFIG SET is all or nothing, undoing applied values when a hook fails', () => {
    const c = new ConfigStore();
    const applied: string[] = [];
    c.onApply((name, value) => {
      applied.push(`${name}=${value}`);
      return name === 'maxclients' && value === '5' ? 'refused' : null;
    });
    expect(
      c.set([
        ['hz', '20'],
        ['maxclients', 'x'],
      ]),
    ).toMatch(/argument 'maxclients'/);
    expect(c.value('hz')).toBe('10');
    expect(applied).toEqual([]);
    expect(
      c.set([
        ['hz', '20'],
        ['maxclients', '5'],
      ]),
    ).toBe("ERR CONFIG SET failed (possibly related to argument 'maxclients') - refused");
    expect(c.value('hz')).toBe('10');
    expect(c.value('maxclients')).toBe('10000');
    expect(applied).toEqual(['hz=20', 'maxclients=5', 'hz=10', 'maxclients=10000']);
    expect(c.set([['dir', dir]], false)).toMatch(/can't set protected config/);
  });

  it('int() answers the value of the moment: after CONFIG SET, inside its hooks, after the undo of a failed one', () => {
    const c = new ConfigStore();
    expect(c.int('zset-max-listpack-entries')).toBe(128);
    expect(c.set([['zset-max-listpack-entries', '7']])).toBeNull();
    expect(c.int('zset-max-listpack-entries')).toBe(7);
    expect(c.int('hz')).toBe(10);
    const hzSeen: number[] = [];
    c.onApply((name, value) => {
      if (name !== 'maxclients') return null;
      hzSeen.push(c.int('hz'));
      return value === '5' ? 'refused' : null;
    });
    expect(
      c.set([
        ['hz', '20'],
        ['maxclients', '5'],
      ]),
    ).toMatch(/refused/);
    expect(hzSeen).toEqual([20, 10]);
    expect(c.int('hz')).toBe(10);
  });

  /** A hook like BrookServer's rebind: asynchronous, reads the stored value when its turn comes. */
  function asyncPortHook(c: ConfigStore, log: string[], refuse: string): void {
    c.onApply((name, value) => {
      if (name !== 'port') return name === 'maxclients' && value === '5' ? 'refused' : null;
      return new Promise((resolve) =>
        setTimeout(() => {
          const port = c.value('port');
          log.push(port);
          resolve(port === refuse ? 'cannot bind' : null);
        }, 20),
      );
    });
  }

  it('a CONFIG SET failing at once undoes the values before an asynchronous effect reads them', async () => {
    const c = new ConfigStore();
    const seen: string[] = [];
    asyncPortHook(c, seen, '');
    const r = c.set([
      ['port', '7001'],
      ['maxclients', '5'],
    ]);
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe("ERR CONFIG SET failed (possibly related to argument 'maxclients') - refused");
    expect(c.value('port')).toBe('6379');
    expect(seen.every((p) => p === '6379')).toBe(true);
  });

  it('an asynchronous failure is undone after every effect in flight settled; the next CONFIG SET waits', async () => {
    const c = new ConfigStore();
    const seen: string[] = [];
    asyncPortHook(c, seen, '7001');
    const failing = c.set([['port', '7001']]);
    // Issued while the first is in flight: validated and applied only after it is undone.
    const next = c.set([['port', '7002']]);
    expect(c.value('port')).toBe('7001');
    expect(await failing).toBe("ERR CONFIG SET failed (possibly related to argument 'port') - cannot bind");
    expect(await next).toBeNull();
    expect(c.value('port')).toBe('7002');
    expect(seen).toEqual(['7001', '6379', '7002']);
  });

  it('an apply group runs once, for its first changed parameter, which a failure names', () => {
    const c = new ConfigStore();
    const applied: string[] = [];
    let refuse = false;
    c.onApply((name) => {
      applied.push(name);
      return refuse && name.startsWith('tls-') ? 'Unable to update TLS configuration. Check server logs.' : null;
    });
    const pairs: [string, string][] = [
      ['tls-session-caching', 'yes'],
      ['TLS-Protocols', 'TLSv1.3'],
      ['hz', '20'],
      ['tls-ciphers', 'DEFAULT'],
    ];
    // tls-session-caching keeps its value, so it applies nothing; tls-ciphers rides on tls-protocols.
    expect(c.set(pairs)).toBeNull();
    expect(applied).toEqual(['tls-protocols', 'hz']);
    void c.set([
      ['tls-protocols', ''],
      ['tls-ciphers', ''],
    ]);
    refuse = true;
    expect(c.set(pairs)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'tls-protocols') - Unable to update TLS configuration. Check server logs.",
    );
    expect([c.value('tls-protocols'), c.value('hz')]).toEqual(['', '20']);
  });

  it('include loads files in place, nested and by wildcard; a missing one stops start-up', () => {
    const inc = mkdtempSync(join(dir, 'inc-'));
    writeFileSync(join(inc, 'a.conf'), 'hz 30\n');
    writeFileSync(join(inc, 'b.conf'), `include ${join(inc, 'deep.txt')}\n`);
    writeFileSync(join(inc, 'deep.txt'), 'timeout 9\n');
    const c = new ConfigStore();
    c.load(`hz 5\ninclude ${join(inc, '*.conf')}\ntimeout 3\n`, ['--include', join(inc, 'deep.txt')]);
    expect([c.value('hz'), c.value('timeout')]).toEqual(['30', '9']);
    expect(() => new ConfigStore().load(`include ${join(inc, 'none.conf')}`, [])).toThrow(
      `Fatal error, can't open config file '${join(inc, 'none.conf')}': No such file or directory`,
    );
    const loop = join(inc, 'loop.conf');
    writeFileSync(loop, `include ${loop}\n`);
    expect(() => new ConfigStore().load(`include ${loop}`, [])).toThrow('include nested too deeply');
  });

  it('hidden parameters answer CONFIG GET by exact name only', () => {
    const c = new ConfigStore();
    expect(c.get(['key-load-delay'])).toEqual([['key-load-delay', '0']]);
    expect(c.get(['key-load-*', '*'])).not.toContainEqual(['key-load-delay', '0']);
  });

  it('CONFIG REWRITE keeps comments, updates directives in place and appends the rest', () => {
    const file = join(dir, 'r.conf');
    writeFileSync(file, '# keep me\nport 7000\nsave 900 1\nsave 300 10\nunknown-later yes\n');
    const c = new ConfigStore();
    c.configFile = file;
    expect(new ConfigStore().rewrite()).toBe('ERR The server is running without a config file');
    c.load('port 7000\nsave 900 1\nsave 300 10\n', []);
    void c.set([
      ['port', '7005'],
      ['maxmemory-policy', 'allkeys-lru'],
      ['requirepass', 'a b'],
    ]);
    expect(c.rewrite()).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe(
      '# keep me\nport 7005\nsave 900 1 300 10\nunknown-later yes\n# Generated by CONFIG REWRITE\n' +
        'requirepass "a b"\nmaxmemory-policy allkeys-lru\n',
    );
  });

  it("knows the families' parameters like its own: the command line, CONFIG GET/SET, CONFIG REWRITE", () => {
    // The server family declares enable-debug-command next to DEBUG.
    const builtin = new ConfigStore();
    builtin.load(null, ['--enable-debug-command', 'yes']);
    expect(builtin.get(['enable-debug-command'])).toEqual([['enable-debug-command', 'yes']]);
    const file = join(dir, 'family.conf');
    writeFileSync(file, 'family-level 3\n');
    const c = new ConfigStore([param.int('family-level', 1, 0, 10)]);
    c.configFile = file;
    c.load('family-level 3\n', []);
    expect(c.value('family-level')).toBe('3');
    expect(c.set([['family-level', '11']])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'family-level') - argument must be between 0 and 10 inclusive",
    );
    expect(c.set([['family-level', '7']])).toBeNull();
    expect(c.rewrite()).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('family-level 7\n');
    expect(() => new ConfigStore([param.int('port', 1, 0, 10)])).toThrow("parameter 'port' is declared twice");
  });
});
