import { describe, expect, it } from '@jest/globals';
import { Differential, differentialSuite, script, type Step } from './support/differential.js';
import { RawClient } from './support/raw-client.js';

/** Replaces the parts of a reply that differ between any two servers (ids, ports, versions). */
function scrub(reply: string): string {
  return reply.replace(/\$\d+\r\nid\r\n:\d+/g, '$2\r\nid\r\n:ID').replace(/^:\d+\r\n$/, ':N\r\n');
}

async function runBoth(d: Differential, steps: Step[], normalize = (s: string) => s): Promise<string[]> {
  const out: string[] = [];
  for (const step of steps) {
    const [b, r] = await Promise.all([d.brook.call(...step), d.redis.call(...step)]);
    if (normalize(b) !== normalize(r)) out.push(`${step.join(' ')}\n  brook: ${JSON.stringify(b)}\n  redis: ${JSON.stringify(r)}`);
  }
  return out;
}

describe('connection commands, differential against real Redis', () => {
  const suite = differentialSuite();

  it('PING, ECHO, SELECT and their errors', async () => {
    const steps = script(`
      PING
      PING hi
      PING a b
      ECHO
      ECHO x y
      SELECT 1
      SELECT 16
      SELECT -1
      SELECT x
      SELECT 99999999999
      SELECT 0
    `);
    expect(await runBoth(suite.diff, steps)).toEqual([]);
  });

  it('HELLO shapes and errors (ids masked)', async () => {
    const steps: Step[] = [
      ['HELLO'],
      ['HELLO', '2'],
      ['HELLO', '4'],
      ['HELLO', '1'],
      ['HELLO', 'x'],
      ['HELLO', '99999999999999999999'],
      ['HELLO', '2', 'foo'],
      ['HELLO', '2', 'AUTH', 'a'],
      ['HELLO', '2', 'SETNAME'],
      ['HELLO', '3', 'SETNAME', 'a b'],
      ['HELLO', '2', 'SETNAME', 'first', 'SETNAME', 'second'],
      ['CLIENT', 'GETNAME'],
      ['HELLO', '2', 'AUTH', 'default', 'anything'],
      ['HELLO', '3'],
      ['PING'],
      ['CLIENT', 'GETNAME'],
      ['HELLO', '2'],
    ];
    expect(await runBoth(suite.diff, steps, scrub)).toEqual([]);
  });

  it('AUTH without a password configured', async () => {
    const steps = script(`
      AUTH
      AUTH x
      AUTH default x
      AUTH nouser x
      AUTH a b c
    `);
    expect(await runBoth(suite.diff, steps)).toEqual([]);
  });

  it('CLIENT SETNAME/GETNAME/ID/REPLY/NO-EVICT/PAUSE argument errors', async () => {
    const steps: Step[] = [
      ...script(`
        CLIENT
        CLIENT FOO
        CLIENT GETNAME
        CLIENT SETNAME
        CLIENT SETNAME a b
        CLIENT SETNAME conn-1
        CLIENT GETNAME
        CLIENT REPLY maybe
        CLIENT NO-EVICT maybe
        CLIENT NO-EVICT on
        CLIENT NO-EVICT off
        CLIENT PAUSE x
        CLIENT PAUSE -1
        CLIENT PAUSE 10 foo
        CLIENT PAUSE 10 WRITE extra
        CLIENT UNPAUSE
        CLIENT LIST TYPE foo
        CLIENT LIST ID x
        CLIENT LIST ID 0
        CLIENT LIST foo
        CLIENT LIST TYPE master
        CLIENT LIST TYPE replica
        CLIENT KILL 1.2.3.4:5
        CLIENT KILL ID 999999
        CLIENT KILL ID x
        CLIENT KILL ID 0
        CLIENT KILL TYPE foo
        CLIENT KILL SKIPME maybe
        CLIENT KILL FOO bar
        CLIENT KILL ID
        CLIENT KILL ID 5 SKIPME
        CLIENT KILL USER nouser
        CLIENT KILL TYPE slave
        CLIENT KILL TYPE master
        CLIENT KILL TYPE pubsub
        CLIENT KILL ADDR 1.2.3.4:5 ID 3
        CLIENT KILL LADDR 1.2.3.4:5
        CLIENT UNBLOCK 999999
        CLIENT UNBLOCK x
        CLIENT UNBLOCK 1 foo
        CLIENT UNBLOCK 1 TIMEOUT extra
        CLIENT GETREDIR
        CLIENT TRACKINGINFO
        CLIENT SETNAME
      `),
      ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'a\nb'],
      ['CLIENT', 'SETNAME', '\xe9'],
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
    ];
    expect(await runBoth(suite.diff, steps)).toEqual([]);
  });

  it('CLIENT REPLY OFF and SKIP silence replies exactly like Redis', async () => {
    const [b, r] = [await RawClient.connect(suite.brook.port), await RawClient.connect(suite.redis.port)];
    try {
      const seq = [
        ['CLIENT', 'REPLY', 'SKIP'],
        ['PING', 'skipped'],
        ['PING', 'seen-1'],
        ['CLIENT', 'REPLY', 'OFF'],
        ['PING', 'hidden'],
        ['NOSUCHCOMMAND'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['CLIENT', 'REPLY', 'ON'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['CLIENT', 'REPLY', 'SKIP'],
        ['PING', 'skipped-too'],
        ['PING', 'seen-2'],
      ];
      const payload = Buffer.concat(seq.map((a) => Buffer.from(`*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`)));
      b.write(payload);
      r.write(payload);
      const read = async (c: RawClient): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < 3; i++) out.push((await c.read()).toString('latin1'));
        return out;
      };
      const [fromBrook, fromRedis] = await Promise.all([read(b), read(r)]);
      expect(fromBrook).toEqual(fromRedis);
      expect(fromBrook).toEqual(['$6\r\nseen-1\r\n', '+OK\r\n', '$6\r\nseen-2\r\n']);
    } finally {
      b.close();
      r.close();
    }
  });

  it('RESET restores a fresh connection state', async () => {
    const steps: Step[] = [['HELLO', '3', 'SETNAME', 'someone'], ['SELECT', '3'], ['RESET'], ['CLIENT', 'GETNAME'], ['PING'], ['HELLO']];
    expect(await runBoth(suite.diff, steps, scrub)).toEqual([]);
    // Both are back in db 0: a key written now is visible after SELECT 0.
    expect(await runBoth(suite.diff, script('SET reset-probe 1\nSELECT 0\nGET reset-probe'))).toEqual([]);
  });

  it('RESET turns replies back on', async () => {
    const payload = '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*1\r\n$4\r\nPING\r\n*1\r\n$5\r\nRESET\r\n*1\r\n$4\r\nPING\r\n';
    for (const port of [suite.brook.port, suite.redis.port]) {
      const c = await RawClient.connect(port);
      c.write(payload);
      expect((await c.read()).toString()).toBe('+RESET\r\n');
      expect((await c.read()).toString()).toBe('+PONG\r\n');
      c.close();
    }
  });

  it('QUIT replies OK and closes', async () => {
    for (const port of [suite.brook.port, suite.redis.port]) {
      const c = await RawClient.connect(port);
      expect(await c.call('QUIT')).toBe('+OK\r\n');
      await c.waitClosed();
    }
  });

  it('CLIENT KILL by ID, ADDR, USER and TYPE counts victims and skips itself by default', async () => {
    const a = await RawClient.connect(suite.brook.port);
    const b = await RawClient.connect(suite.brook.port);
    const killer = await RawClient.connect(suite.brook.port);
    try {
      const idA = (await a.call('CLIENT', 'ID')).slice(1, -2);
      const addrB = /addr=(\S+)/.exec(await b.call('CLIENT', 'INFO'))![1];
      expect(await killer.call('CLIENT', 'KILL', 'ID', idA)).toBe(':1\r\n');
      await a.waitClosed();
      expect(await killer.call('CLIENT', 'KILL', addrB)).toBe('+OK\r\n');
      await b.waitClosed();
      expect(await killer.call('CLIENT', 'KILL', addrB)).toBe('-ERR No such client\r\n');
      // USER default matches every connection but this one (SKIPME yes is the default).
      const others = await Promise.all([RawClient.connect(suite.brook.port), RawClient.connect(suite.brook.port)]);
      await Promise.all(others.map((o) => o.call('PING')));
      const killed = Number((await killer.call('CLIENT', 'KILL', 'USER', 'default', 'TYPE', 'normal')).slice(1, -2));
      expect(killed).toBeGreaterThanOrEqual(2);
      await Promise.all(others.map((o) => o.waitClosed()));
      expect(await killer.call('PING')).toBe('+PONG\r\n');
      // SKIPME no: the caller gets its count, then its connection closes.
      const myId = (await killer.call('CLIENT', 'ID')).slice(1, -2);
      expect(await killer.call('CLIENT', 'KILL', 'ID', myId, 'SKIPME', 'no')).toBe(':1\r\n');
      await killer.waitClosed();
    } finally {
      a.close();
      b.close();
      killer.close();
    }
  });

  it('CLIENT LIST and CLIENT INFO lines have Redis 7 fields', async () => {
    const c = await RawClient.connect(suite.brook.port);
    try {
      await c.call('CLIENT', 'SETNAME', 'lister');
      await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib');
      const info = await c.call('CLIENT', 'INFO');
      expect(info).toMatch(
        /^\$\d+\r\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=lister age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 .* cmd=client\|info user=default redir=-1 resp=2 lib-name=mylib lib-ver=\n\r\n$/,
      );
      const list = await c.call('CLIENT', 'LIST', 'ID', /id=(\d+)/.exec(info)![1]);
      expect(list).toContain('name=lister');
      expect(list).toContain('cmd=client|list');
      expect(await c.call('CLIENT', 'SETINFO', 'LIB-VER', 'a b')).toBe(
        '-ERR LIB-VER cannot contain spaces, newlines or special characters.\r\n',
      );
      expect(await c.call('CLIENT', 'SETINFO', 'color', 'red')).toBe("-ERR Unrecognized option 'color'\r\n");
      expect(await c.call('CLIENT', 'NO-TOUCH', 'on')).toBe('+OK\r\n');
      expect(await c.call('CLIENT', 'INFO')).toContain('flags=T ');
    } finally {
      c.close();
    }
  });

  it('CLIENT PAUSE WRITE holds writes but not reads; UNPAUSE releases them in order', async () => {
    const admin = await RawClient.connect(suite.brook.port);
    const writer = await RawClient.connect(suite.brook.port);
    try {
      expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('+OK\r\n');
      expect(await writer.call('GET', 'pause-key')).toBe('$-1\r\n');
      writer.write('*3\r\n$3\r\nSET\r\n$9\r\npause-key\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$9\r\npause-key\r\n');
      await expect(writer.read(300)).rejects.toThrow(/timed out/);
      expect(await admin.call('GET', 'pause-key')).toBe('$-1\r\n');
      expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
      expect((await writer.read()).toString()).toBe('+OK\r\n');
      expect((await writer.read()).toString()).toBe('$1\r\nv\r\n');
    } finally {
      admin.close();
      writer.close();
    }
  });

  it('CLIENT PAUSE ALL holds every command until the timeout ends', async () => {
    const admin = await RawClient.connect(suite.brook.port);
    const other = await RawClient.connect(suite.brook.port);
    try {
      const start = Date.now();
      expect(await admin.call('CLIENT', 'PAUSE', '400')).toBe('+OK\r\n');
      expect(await other.call('PING')).toBe('+PONG\r\n');
      expect(Date.now() - start).toBeGreaterThanOrEqual(350);
    } finally {
      admin.close();
      other.close();
    }
  });
});

describe('AUTH with requirepass, differential against real Redis', () => {
  const suite = differentialSuite(['--requirepass', 's3cret'], ['--requirepass', 's3cret']);

  it('refuses commands before AUTH and accepts the password', async () => {
    const steps: Step[] = [
      ['PING'],
      ['GET'],
      ['NOSUCH'],
      ['CLIENT', 'SETNAME', 'x'],
      ['HELLO', '3'],
      ['HELLO'],
      ['AUTH', 'wrong'],
      ['AUTH', 'default', 'wrong'],
      ['AUTH', 'nouser', 's3cret'],
      ['HELLO', '3', 'AUTH', 'default', 'wrong'],
      ['HELLO', '2', 'AUTH', 'default', 's3cret', 'SETNAME', 'authed'],
      ['CLIENT', 'GETNAME'],
      ['PING'],
      ['RESET'],
      ['PING'],
      ['AUTH', 's3cret'],
      ['PING'],
      ['CONFIG', 'GET', 'requirepass'],
    ];
    expect(await runBoth(suite.diff, steps, scrub)).toEqual([]);
  });

  it('CONFIG SET requirepass changes the password for new connections', async () => {
    const admin = await RawClient.connect(suite.brook.port);
    try {
      expect(await admin.call('AUTH', 's3cret')).toBe('+OK\r\n');
      expect(await admin.call('CONFIG', 'SET', 'requirepass', 'other')).toBe('+OK\r\n');
      const c = await RawClient.connect(suite.brook.port);
      expect(await c.call('AUTH', 's3cret')).toMatch(/^-WRONGPASS/);
      expect(await c.call('AUTH', 'other')).toBe('+OK\r\n');
      c.close();
      expect(await admin.call('CONFIG', 'SET', 'requirepass', 's3cret')).toBe('+OK\r\n');
    } finally {
      admin.close();
    }
  });
});
