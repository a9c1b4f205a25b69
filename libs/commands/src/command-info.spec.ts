import { describe, expect, it } from '@jest/globals';
import { ReplyWriter } from '@brook/resp';
import { commandFlags, commandKeys, redisReference, writeCommandInfo, writeRef } from './command-info.js';
import { builtinCommands } from './index.js';
import { CommandTable, type CommandSpec } from './table.js';

/** Commands declared like a family would, to read Redis's key specs for them from the reference. */
function command(spec: Partial<CommandSpec> & { name: string; arity: number }) {
  const table = new CommandTable();
  return table.register({ flags: [], group: 'generic', summary: '', since: '1.0.0', ...spec });
}

const names = (argv: string[], found: { pos: number }[] | null) => found?.map((k) => argv[k.pos]) ?? null;

describe('command keys from Redis key specs (COMMAND GETKEYS)', () => {
  it('numkeys-based specs (ZUNIONSTORE dst numkeys key...)', () => {
    const z = command({ name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], keys: [1, 1, 1], group: 'sorted_set' });
    const argv = ['zunionstore', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2'];
    expect(names(argv, commandKeys(z, argv))).toEqual(['dst', 'a', 'b']);
    expect(commandKeys(z, ['zunionstore', 'dst', 'x', 'a'])).toBeNull();
    expect(commandFlags(z)).toEqual(['write', 'denyoom', 'movablekeys']);
  });

  it('keyword-based specs with a limit (XREAD ... STREAMS k1 k2 id1 id2)', () => {
    const x = command({ name: 'xread', arity: -4, flags: ['readonly', 'blocking'], group: 'stream' });
    const argv = ['xread', 'COUNT', '2', 'STREAMS', 's1', 's2', '0', '0'];
    expect(names(argv, commandKeys(x, argv))).toEqual(['s1', 's2']);
  });

  it('a range spec derived from [first, last, step] for commands Redis does not have', () => {
    const m = command({ name: 'my.mset', arity: -3, flags: ['write'], keys: [1, -1, 2], group: 'module' });
    const argv = ['my.mset', 'a', '1', 'b', '2'];
    const keys = commandKeys(m, argv);
    expect(names(argv, keys)).toEqual(['a', 'b']);
    expect(keys![0].flags).toEqual(['RW', 'update']);
  });
});

describe('reply encoding of metadata', () => {
  it('sets hold simple strings, maps are flat arrays in RESP2', () => {
    const w = new ReplyWriter(() => undefined);
    writeRef(w, { flags: { '~': ['RO', 'access'] }, n: 1 });
    expect(w.take()).toBe('*4\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$1\r\nn\r\n:1\r\n');
    w.proto = 3;
    writeRef(w, { flags: { '~': ['RO'] } });
    expect(w.take()).toBe('%1\r\n$5\r\nflags\r\n~1\r\n+RO\r\n');
  });

  it('COMMAND INFO carries Redis tips; no keys and no subcommands are empty sets', () => {
    const w = new ReplyWriter(() => undefined);
    writeCommandInfo(w, command({ name: 'ping', arity: -1, flags: ['fast'], group: 'connection' }));
    expect(w.take()).toBe(
      '*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n' +
        '*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n',
    );
  });
});

describe('built-in command metadata agrees with Redis 7.0', () => {
  it('every built-in command Redis also has shows the same COMMAND INFO flags', () => {
    const table = new CommandTable();
    table.registerAll(builtinCommands);
    const differ: string[] = [];
    const all = table.commands().flatMap((c) => [c, ...(c.subcommands?.values() ?? [])]);
    for (const cmd of all) {
      const ref = redisReference(cmd.spec, cmd.fullName);
      if (ref && commandFlags(cmd).join(' ') !== ref.flags.join(' ')) {
        differ.push(`${cmd.fullName}: ${commandFlags(cmd).join(' ')} vs ${ref.flags.join(' ')}`);
      }
    }
    expect(differ).toEqual([]);
  });
});
