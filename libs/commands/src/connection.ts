import { INT_MAX, INT_MIN } from '@brook/storage';
import type { CommandSpec } from './table.js';
import type { ClientType, ClientView, Session } from './context.js';
import { Err } from './errors.js';
import { is, parseInt64, parseSafeInt } from './args.js';
import { helpSubcommand } from './reply.js';
import type { CommandFamily } from './family.js';
import { installTracking, trackingTable, type ClientTracking } from './tracking.js';

// ---- PING, ECHO, QUIT, SELECT, RESET ----------------------------------------------------------

function ping(c: Session, argv: string[]): void {
  if (argv.length > 2) return c.w.error(Err.wrongArgs('ping'));
  // A RESP2 subscriber can only receive arrays, so Redis answers ["pong", message] there.
  if (c.type === 'pubsub' && c.w.proto === 2) {
    c.w.array(2);
    c.w.bulk('pong');
    c.w.bulk(argv.length === 2 ? argv[1] : '');
  } else if (argv.length === 2) c.w.bulk(argv[1]);
  else c.w.simple('PONG');
}

function echo(c: Session, argv: string[]): void {
  c.w.bulk(argv[1]);
}

function quit(c: Session): void {
  c.w.ok();
  c.closeAfterReply = true;
}

function select(c: Session, argv: string[]): void {
  const index = parseSafeInt(argv[1]);
  if (index === null) return c.w.error(Err.notInteger);
  if (index < INT_MIN || index > INT_MAX) return c.w.error(Err.valueOutOfRange(INT_MIN, INT_MAX));
  if (index < 0 || index >= c.ks.dbs.length) return c.w.error(Err.dbIndexOutOfRange);
  c.select(index);
  c.w.ok();
}

/** RESET: db 0, RESP2, default user, no name, replies on, no MULTI/subscriptions/tracking. */
function reset(c: Session): void {
  c.reset();
  c.w.simple('RESET');
}

// ---- AUTH, HELLO --------------------------------------------------------------------------------

function auth(c: Session, argv: string[]): void {
  if (argv.length > 3) return c.w.error(Err.syntax);
  if (argv.length === 2 && c.server.defaultUserNoPass) return c.w.error(Err.authNoPassword);
  const [user, pass] = argv.length === 2 ? ['default', argv[1]] : [argv[1], argv[2]];
  if (!c.server.authenticate(c, user, pass, argv[0])) return c.w.error(Err.wrongPass);
  c.w.ok();
}

/** AUTH's user and password, hidden from slowlog and MONITOR; not in a form AUTH refuses outright (more than 2 arguments), as Redis. */
function authSecrets(argv: readonly string[]): readonly number[] {
  return argv.length === 2 ? [1] : argv.length === 3 ? [1, 2] : [];
}

/** HELLO's AUTH pair, as Redis's helloCommand redacts it while parsing: only past a valid protover, up to a bad option. */
function helloSecrets(argv: readonly string[]): readonly number[] {
  const v = argv.length >= 2 ? parseInt64(argv[1]) : 2;
  if (v !== 2 && v !== 3) return [];
  const hidden: number[] = [];
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (is(argv[i], 'AUTH') && more >= 2) {
      hidden.push(i + 1, i + 2);
      i += 2;
    } else if (is(argv[i], 'SETNAME') && more >= 1) i++;
    else break;
  }
  return hidden;
}

/** HELLO [protover [AUTH user pass] [SETNAME name]]: switches RESP version and replies the server's map. */
function hello(c: Session, argv: string[]): void {
  let proto = 0;
  let i = 1;
  if (argv.length >= 2) {
    const v = parseInt64(argv[i++]);
    if (v === null) return c.w.error(Err.protoNotInteger);
    if (v !== 2 && v !== 3) return c.w.error(Err.protoUnsupported);
    proto = v;
  }
  let user: string | null = null;
  let pass = '';
  let name: string | null = null;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (is(argv[i], 'AUTH') && more >= 2) {
      user = argv[i + 1];
      pass = argv[i + 2];
      i += 2;
    } else if (is(argv[i], 'SETNAME') && more >= 1) {
      name = argv[++i];
      if (!validClientAttr(name)) return c.w.error(Err.badClientName);
    } else {
      return c.w.error(Err.helloSyntax(argv[i]));
    }
  }
  if (!c.authenticated && user === null) return c.w.error(Err.helloNoAuth);
  if (user !== null && !c.server.authenticate(c, user, pass, argv[0])) return c.w.error(Err.wrongPass);
  if (name !== null) c.name = name;
  if (proto !== 0) c.w.proto = proto as 2 | 3;
  const w = c.w;
  w.map(7);
  w.bulk('server');
  w.bulk('redis');
  w.bulk('version');
  w.bulk(c.server.redisVersion);
  w.bulk('proto');
  w.integer(w.proto);
  w.bulk('id');
  w.integer(c.id);
  w.bulk('mode');
  w.bulk('standalone');
  w.bulk('role');
  w.bulk('master');
  w.bulk('modules');
  w.array(0);
}

// ---- CLIENT -------------------------------------------------------------------------------------

/** Client names and library attributes: printable ASCII without spaces ('!'..'~'), as Redis checks. */
function validClientAttr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

/** CLIENT KILL/LIST TYPE names; 'slave' is the old name of 'replica'. */
function clientType(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
  }
  return null;
}

function clientId(c: Session): void {
  c.w.integer(c.id);
}

function clientInfo(c: Session): void {
  c.w.verbatim(c.describe() + '\n');
}

function clientGetname(c: Session): void {
  c.w.bulkOrNil(c.name === '' ? null : c.name);
}

function clientSetname(c: Session, argv: string[]): void {
  if (!validClientAttr(argv[2])) return c.w.error(Err.badClientName);
  c.name = argv[2];
  c.w.ok();
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; clients send it at connect and ignore errors). */
function clientSetinfo(c: Session, argv: string[]): void {
  const [, , attr, value] = argv;
  const lib = is(attr, 'LIB-NAME') ? 'libName' : is(attr, 'LIB-VER') ? 'libVer' : null;
  if (lib === null) return c.w.error(Err.unrecognizedOption(attr));
  if (!validClientAttr(value)) return c.w.error(Err.badClientAttr(attr));
  c[lib] = value;
  c.w.ok();
}

/** CLIENT LIST [TYPE type] [ID id ...]: one line per client, a verbatim string in RESP3. */
function clientList(c: Session, argv: string[]): void {
  let out = '';
  if (argv.length === 4 && is(argv[2], 'TYPE')) {
    const type = clientType(argv[3]);
    if (type === null) return c.w.error(Err.unknownClientType(argv[3]));
    for (const cl of c.server.clients()) if (cl.type === type) out += cl.describe() + '\n';
  } else if (argv.length > 3 && is(argv[2], 'ID')) {
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]);
      if (id === null) return c.w.error(Err.invalidClientId);
      ids.push(Number(id));
    }
    for (const id of ids) {
      const cl = c.server.clientById(id);
      if (cl) out += cl.describe() + '\n';
    }
  } else if (argv.length !== 2) {
    return c.w.error(Err.syntax);
  } else {
    for (const cl of c.server.clients()) out += cl.describe() + '\n';
  }
  c.w.verbatim(out);
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: string | null;
  skipme: boolean;
}

/**
 * CLIENT KILL addr:port (old form: +OK or "No such client", may kill itself) or
 * CLIENT KILL [ID id] [ADDR a] [LADDR a] [TYPE t] [USER u] [SKIPME yes|no] (count of killed).
 */
function clientKill(c: Session, argv: string[]): void {
  const f: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipme: true };
  if (argv.length === 3) {
    f.addr = argv[2];
    f.skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i];
      if (i + 1 >= argv.length) return c.w.error(Err.syntax);
      const v = argv[i + 1];
      if (is(opt, 'ID')) {
        const id = parseInt64(v);
        if (id === null || id < 1) return c.w.error(Err.clientIdNotPositive);
        f.id = Number(id);
      } else if (is(opt, 'TYPE')) {
        f.type = clientType(v);
        if (f.type === null) return c.w.error(Err.unknownClientType(v));
      } else if (is(opt, 'ADDR')) f.addr = v;
      else if (is(opt, 'LADDR')) f.laddr = v;
      else if (is(opt, 'USER')) {
        if (!c.server.hasUser(v)) return c.w.error(Err.noSuchUser(v));
        f.user = v;
      } else if (is(opt, 'SKIPME')) {
        if (is(v, 'YES')) f.skipme = true;
        else if (is(v, 'NO')) f.skipme = false;
        else return c.w.error(Err.syntax);
      } else return c.w.error(Err.syntax);
    }
  }
  const victims: ClientView[] = [];
  let killSelf = false;
  for (const cl of c.server.clients()) {
    if (!matchesKill(cl, f)) continue;
    if (cl.id === c.id) {
      if (f.skipme) continue;
      killSelf = true;
    } else victims.push(cl);
  }
  for (const v of victims) v.kill();
  const killed = victims.length + (killSelf ? 1 : 0);
  if (argv.length === 3) {
    if (killed === 0) c.w.error(Err.noSuchClient);
    else c.w.ok();
  } else c.w.integer(killed);
  // Killing itself: the reply goes out first, then the connection closes.
  if (killSelf) c.closeAfterReply = true;
}

function matchesKill(cl: ClientView, f: KillFilter): boolean {
  return (
    (f.addr === null || cl.addr === f.addr) &&
    (f.laddr === null || cl.laddr === f.laddr) &&
    (f.type === null || cl.type === f.type) &&
    (f.id === 0 || cl.id === f.id) &&
    (f.user === null || cl.user === f.user)
  );
}

/** CLIENT REPLY ON|OFF|SKIP; the dispatcher drops replies while OFF and for the command after SKIP. */
function clientReply(c: Session, argv: string[]): void {
  const mode = argv[2];
  if (is(mode, 'ON')) {
    c.replyMode = 'on';
    c.w.ok();
  } else if (is(mode, 'OFF')) c.replyMode = 'off';
  else if (is(mode, 'SKIP')) {
    if (c.replyMode !== 'off') c.replyMode = 'skip';
  } else c.w.error(Err.syntax);
}

function onOff(c: Session, arg: string, set: (on: boolean) => void): void {
  if (is(arg, 'ON')) set(true);
  else if (is(arg, 'OFF')) set(false);
  else return c.w.error(Err.syntax);
  c.w.ok();
}

function clientNoEvict(c: Session, argv: string[]): void {
  onOff(c, argv[2], (on) => (c.noEvict = on));
}

/** CLIENT NO-TOUCH (Redis 7.2): this client's reads do not update keys' access time. */
function clientNoTouch(c: Session, argv: string[]): void {
  onOff(c, argv[2], (on) => (c.noTouch = on));
}

/** CLIENT PAUSE timeout-ms [WRITE|ALL]. */
function clientPause(c: Session, argv: string[]): void {
  if (argv.length > 4) return c.w.error(Err.subcommandSyntax(argv[1], 'CLIENT'));
  let mode: 'all' | 'write' = 'all';
  if (argv.length === 4) {
    if (is(argv[3], 'WRITE')) mode = 'write';
    else if (!is(argv[3], 'ALL')) return c.w.error(Err.pauseMode);
  }
  const ms = parseInt64(argv[2]);
  if (ms === null) return c.w.error(Err.timeout);
  if (ms < 0) return c.w.error(Err.timeoutNegative);
  c.server.pause(Date.now() + Number(ms), mode);
  c.w.ok();
}

function clientUnpause(c: Session): void {
  c.server.unpause();
  c.w.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if a client blocked in a command was released. */
function clientUnblock(c: Session, argv: string[]): void {
  if (argv.length > 4) return c.w.error(Err.subcommandSyntax(argv[1], 'CLIENT'));
  let error = false;
  if (argv.length === 4) {
    if (is(argv[3], 'ERROR')) error = true;
    else if (!is(argv[3], 'TIMEOUT')) return c.w.error(Err.unblockReason);
  }
  const id = parseInt64(argv[2]);
  if (id === null) return c.w.error(Err.notInteger);
  c.w.integer(c.server.unblock(Number(id), error) ? 1 : 0);
}

// ---- client-side caching: CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO (see tracking.ts) --

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP], checked in Redis's order. */
function clientTracking(c: Session, argv: string[]): void {
  let redirect = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    if (is(argv[j], 'REDIRECT') && more) {
      if (redirect !== 0) return c.w.error(Err.trackingOneRedirect);
      const id = parseInt64(argv[++j]);
      if (id === null) return c.w.error(Err.notInteger);
      // The target must exist now, though it may go away later (then the redirect is broken).
      if (id <= 0n || c.server.clientById(Number(id)) === undefined) return c.w.error(Err.trackingNoRedirectTarget);
      redirect = Number(id);
    } else if (is(argv[j], 'BCAST')) opts.bcast = true;
    else if (is(argv[j], 'OPTIN')) opts.optin = true;
    else if (is(argv[j], 'OPTOUT')) opts.optout = true;
    else if (is(argv[j], 'NOLOOP')) opts.noloop = true;
    else if (is(argv[j], 'PREFIX') && more) prefixes.push(argv[++j]);
    else return c.w.error(Err.syntax);
  }
  const table = trackingTable(c.server);
  if (is(argv[2], 'OFF')) {
    table.disable(c);
    return c.w.ok();
  }
  if (!is(argv[2], 'ON')) return c.w.error(Err.syntax);
  const error = trackingOnError(c.tracking, opts, prefixes);
  if (error !== null) return c.w.error(error);
  table.enable(c, redirect, opts, prefixes);
  c.w.ok();
}

/** Why CLIENT TRACKING ON cannot apply these options to the client's current state, or null. */
function trackingOnError(
  t: ClientTracking | null,
  opts: { bcast: boolean; optin: boolean; optout: boolean },
  prefixes: readonly string[],
): string | null {
  if (!opts.bcast && prefixes.length > 0) return Err.trackingPrefixNeedsBcast;
  if (t !== null && t.bcast !== opts.bcast) return Err.trackingBcastSwitch;
  if (opts.bcast && (opts.optin || opts.optout)) return Err.trackingOptBcast;
  if (opts.optin && opts.optout) return Err.trackingOptinOptout;
  if ((opts.optin && t?.optout) || (opts.optout && t?.optin)) return Err.trackingOptSwitch;
  if (!opts.bcast) return null;
  return prefixOverlap(t?.prefixes ?? [], prefixes);
}

/**
 * Two prefixes overlap when one starts the other (a key could match both): the first overlap in
 * Redis's order (each new prefix against the existing ones, then against the later new ones), or
 * null. In byte order an overlap shows between neighbours, so the quadratic search that names the
 * pair runs only when there is one. (Redis 7.0.15 replies to an overlap among new prefixes after
 * the first with this error and then +OK, enabling tracking; Brook gives the error alone.)
 */
function prefixOverlap(existing: readonly string[], added: readonly string[]): string | null {
  const overlap = (a: string, b: string): boolean => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b));
  const sorted = [...existing, ...added].sort();
  if (!sorted.some((p, i) => i > 0 && overlap(sorted[i - 1], p))) return null;
  for (let i = 0; i < added.length; i++) {
    for (const e of existing) if (overlap(e, added[i])) return Err.trackingPrefixOverlapsExisting(added[i], e);
    for (let j = i + 1; j < added.length; j++) if (overlap(added[i], added[j])) return Err.trackingPrefixOverlapsOther(added[i], added[j]);
  }
  return null;
}

/** CLIENT CACHING YES (OPTIN) / NO (OPTOUT): for the next command, or the next MULTI...EXEC. */
function clientCaching(c: Session, argv: string[]): void {
  const t = c.tracking;
  if (t === null) return c.w.error(Err.cachingNotTracking);
  if (is(argv[2], 'YES')) {
    if (!t.optin) return c.w.error(Err.cachingYesNotOptin);
  } else if (is(argv[2], 'NO')) {
    if (!t.optout) return c.w.error(Err.cachingNoNotOptout);
  } else return c.w.error(Err.syntax);
  t.caching = true;
  c.w.ok();
}

/** -1 with tracking off, 0 when invalidations come on this connection, else the target's id. */
function clientGetredir(c: Session): void {
  c.w.integer(c.tracking?.redirect ?? -1);
}

function clientTrackinginfo(c: Session): void {
  const t = c.tracking;
  const flags = [t === null ? 'off' : 'on'];
  if (t !== null) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching) flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching) flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedirect) flags.push('broken_redirect');
  }
  const w = c.w;
  w.map(3);
  w.bulk('flags');
  w.set(flags.length);
  for (const f of flags) w.bulk(f);
  w.bulk('redirect');
  w.integer(t?.redirect ?? -1);
  w.bulk('prefixes');
  const prefixes = t?.prefixes ?? [];
  w.array(prefixes.length);
  for (const p of prefixes) w.bulk(p);
}

const CLIENT_HELP = [
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
];

const clientSub = (
  name: string,
  arity: number,
  handler: CommandSpec['handler'],
  summary: string,
  since: string,
  extra: Partial<CommandSpec> = {},
): CommandSpec => ({
  name,
  arity,
  flags: ['noscript', 'loading', 'stale'],
  group: 'connection',
  summary,
  since,
  complexity: 'O(1)',
  handler,
  ...extra,
});
const ADMIN: CommandSpec['flags'] = ['admin', 'noscript', 'loading', 'stale'];

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    group: 'connection',
    summary: 'Ping the server',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: ping,
  },
  {
    name: 'echo',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    group: 'connection',
    summary: 'Echo the given string',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: echo,
  },
  {
    name: 'quit',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Close the connection',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: quit,
  },
  {
    name: 'reset',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Reset the connection',
    since: '6.2.0',
    complexity: 'O(1)',
    handler: reset,
  },
  {
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    group: 'connection',
    summary: 'Change the selected database for the current connection',
    since: '1.0.0',
    complexity: 'O(1)',
    handler: select,
  },
  {
    name: 'hello',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Handshake with Redis',
    since: '6.0.0',
    complexity: 'O(1)',
    handler: hello,
    redact: helloSecrets,
  },
  {
    name: 'auth',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    group: 'connection',
    summary: 'Authenticate to the server',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of passwords defined for the user',
    handler: auth,
    redact: authSecrets,
  },
  {
    name: 'client',
    arity: -2,
    flags: [],
    group: 'connection',
    summary: 'A container for client connection commands',
    since: '2.4.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      clientSub('info', 2, clientInfo, 'Returns information about the current client connection.', '6.2.0'),
      clientSub('unpause', 2, clientUnpause, 'Resume processing of clients that were paused', '6.2.0', {
        flags: ADMIN,
        complexity: 'O(N) Where N is the number of paused clients',
      }),
      clientSub('getname', 2, clientGetname, 'Get the current connection name', '2.6.9'),
      clientSub('list', -2, clientList, 'Get the list of client connections', '2.4.0', {
        flags: ADMIN,
        complexity: 'O(N) where N is the number of client connections',
      }),
      clientSub('pause', -3, clientPause, 'Stop processing commands from clients for some time', '2.9.50', { flags: ADMIN }),
      clientSub('id', 2, clientId, 'Returns the client ID for the current connection', '5.0.0'),
      clientSub('kill', -3, clientKill, 'Kill the connection of a client', '2.4.0', {
        flags: ADMIN,
        complexity: 'O(N) where N is the number of client connections',
      }),
      clientSub('setname', 3, clientSetname, 'Set the current connection name', '2.6.9'),
      clientSub('setinfo', 4, clientSetinfo, 'Set client or connection specific info', '7.2.0'),
      clientSub(
        'trackinginfo',
        2,
        clientTrackinginfo,
        'Return information about server assisted client side caching for the current connection',
        '6.2.0',
      ),
      clientSub('no-evict', 3, clientNoEvict, 'Set client eviction mode for the current connection', '7.0.0', { flags: ADMIN }),
      clientSub(
        'no-touch',
        3,
        clientNoTouch,
        'Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.',
        '7.2.0',
      ),
      clientSub('reply', 3, clientReply, 'Instruct the server whether to reply to commands', '3.2.0'),
      helpSubcommand('connection', '5.0.0', CLIENT_HELP),
      clientSub('unblock', -3, clientUnblock, 'Unblock a client blocked in a blocking command from a different connection', '5.0.0', {
        flags: ADMIN,
        complexity: 'O(log N) where N is the number of client connections',
      }),
      clientSub('getredir', 2, clientGetredir, 'Get tracking notifications redirection client ID if any', '6.0.0'),
      clientSub('tracking', -3, clientTracking, 'Enable or disable server assisted client side caching support', '6.0.0', {
        complexity: 'O(1). Some options may introduce additional complexity.',
      }),
      clientSub('caching', 3, clientCaching, 'Instruct the server about tracking or not keys in the next request', '6.0.0'),
    ],
  },
];

/** Connection state: PING, AUTH, HELLO, SELECT, CLIENT, RESET... */
export const connectionFamily: CommandFamily = { name: 'connection', commands: connectionCommands, install: installTracking };
