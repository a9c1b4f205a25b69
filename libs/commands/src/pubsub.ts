import type { PubSubKind, Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { helpSubcommand } from './reply.js';
import { specMaker, type Command, type CommandSpec, type Handler } from './table.js';

// ---- SUBSCRIBE / UNSUBSCRIBE and their pattern and shard forms ---------------------------------

/** The confirmation words of each kind, as Redis names them in its replies. */
const VERBS: Record<PubSubKind, { subscribe: string; unsubscribe: string }> = {
  channel: { subscribe: 'subscribe', unsubscribe: 'unsubscribe' },
  pattern: { subscribe: 'psubscribe', unsubscribe: 'punsubscribe' },
  shard: { subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe' },
};

/**
 * The count a confirmation carries: channels and patterns together, shard channels on their own
 * (Redis's clientSubscriptionsCount and clientShardSubscriptionsCount).
 */
function subscriptionCount(c: Session, kind: PubSubKind): number {
  return kind === 'shard' ? c.ssub : c.sub + c.psub;
}

/** A confirmation: a push frame in RESP3, an array in RESP2; `name` null when there was nothing to unsubscribe. */
function confirm(c: Session, verb: string, name: string | null, count: number): void {
  c.w.push(3);
  c.w.bulk(verb);
  c.w.bulkOrNil(name);
  c.w.integer(count);
}

function subscribe(kind: PubSubKind): Handler {
  const verb = VERBS[kind].subscribe;
  return (c, argv) => {
    const registry = c.server.pubsub;
    for (let i = 1; i < argv.length; i++) {
      registry.subscribe(c, kind, argv[i]);
      confirm(c, verb, argv[i], subscriptionCount(c, kind));
    }
  };
}

/** With no argument: every subscription of the kind, or one confirmation with a nil name when there is none. */
function unsubscribe(kind: PubSubKind): Handler {
  const verb = VERBS[kind].unsubscribe;
  return (c, argv) => {
    const registry = c.server.pubsub;
    const names = argv.length > 1 ? argv.slice(1) : registry.subscriptions(c, kind);
    if (names.length === 0) return confirm(c, verb, null, subscriptionCount(c, kind));
    for (const name of names) {
      registry.unsubscribe(c, kind, name);
      confirm(c, verb, name, subscriptionCount(c, kind));
    }
  };
}

/** Drops every subscription without a reply (RESET, a closed connection). */
function unsubscribeAll(c: Session): void {
  if (c.sub + c.psub + c.ssub === 0) return;
  const registry = c.server.pubsub;
  for (const kind of ['channel', 'pattern', 'shard'] as const) {
    for (const name of registry.subscriptions(c, kind)) registry.unsubscribe(c, kind, name);
  }
}

function publish(c: Session, argv: string[]): void {
  c.w.integer(c.server.publish(argv[1], argv[2]));
}

/** SPUBLISH: without cluster mode, shard channels are simply a namespace of their own. */
function spublish(c: Session, argv: string[]): void {
  c.w.integer(c.server.pubsub.publishShard(argv[1], argv[2]));
}

// ---- PUBSUB ----------------------------------------------------------------------------------

/** Arity -2 with at most one pattern: Redis refuses more in the handler, with the unknown-subcommand text. */
function pubsubChannels(kind: 'channel' | 'shard'): Handler {
  return (c, argv) => {
    if (argv.length > 3) return c.w.error(Err.subcommandSyntax(argv[1], 'pubsub'));
    c.w.bulkArray(c.server.pubsub.channels(kind, argv.length > 2 ? argv[2] : null));
  };
}

/** Channel, count pairs: a flat array in both protocols, as in Redis 7.0. */
function pubsubNumsub(kind: 'channel' | 'shard'): Handler {
  return (c, argv) => {
    const registry = c.server.pubsub;
    c.w.array((argv.length - 2) * 2);
    for (let i = 2; i < argv.length; i++) {
      c.w.bulk(argv[i]);
      c.w.integer(registry.subscribers(kind, argv[i]));
    }
  };
}

function pubsubNumpat(c: Session): void {
  c.w.integer(c.server.pubsub.count('pattern'));
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

// ---- the subscribed mode -----------------------------------------------------------------------

/** What a RESP2 connection with subscriptions may still run (Redis's processCommand check). */
const SUBSCRIBED_MODE_COMMANDS = new Set([
  'subscribe',
  'ssubscribe',
  'psubscribe',
  'unsubscribe',
  'sunsubscribe',
  'punsubscribe',
  'ping',
  'quit',
  'reset',
]);

/**
 * The dispatcher's check for a connection of type 'pubsub': in RESP2 it can only read pushes (and
 * PING's subscribed shape), so any other command is refused; RESP3 connections run anything.
 */
export function refusedWhileSubscribed(c: Session, cmd: Command): boolean {
  return c.w.proto === 2 && !SUBSCRIBED_MODE_COMMANDS.has(cmd.fullName);
}

// ---- the table -------------------------------------------------------------------------------

const SUBSCRIBE_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const PUBLISH_FLAGS = ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'] as const;
const PUBSUB_FLAGS = ['pubsub', 'loading', 'stale'] as const;

const spec = specMaker('pubsub');

const NO_KEYS = [0, 0, 0] as const;

export const pubsubCommands: readonly CommandSpec[] = [
  spec(
    'subscribe',
    -2,
    SUBSCRIBE_FLAGS,
    NO_KEYS,
    'Listen for messages published to the given channels',
    '2.0.0',
    'O(N) where N is the number of channels to subscribe to.',
    subscribe('channel'),
  ),
  spec(
    'unsubscribe',
    -1,
    SUBSCRIBE_FLAGS,
    NO_KEYS,
    'Stop listening for messages posted to the given channels',
    '2.0.0',
    'O(N) where N is the number of clients already subscribed to a channel.',
    unsubscribe('channel'),
  ),
  spec(
    'psubscribe',
    -2,
    SUBSCRIBE_FLAGS,
    NO_KEYS,
    'Listen for messages published to channels matching the given patterns',
    '2.0.0',
    'O(N) where N is the number of patterns the client is already subscribed to.',
    subscribe('pattern'),
  ),
  spec(
    'punsubscribe',
    -1,
    SUBSCRIBE_FLAGS,
    NO_KEYS,
    'Stop listening for messages posted to channels matching the given patterns',
    '2.0.0',
    'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
    unsubscribe('pattern'),
  ),
  spec(
    'publish',
    3,
    PUBLISH_FLAGS,
    NO_KEYS,
    'Post a message to a channel',
    '2.0.0',
    'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    publish,
  ),
  spec(
    'ssubscribe',
    -2,
    SUBSCRIBE_FLAGS,
    [1, -1, 1],
    'Listen for messages published to the given shard channels',
    '7.0.0',
    'O(N) where N is the number of shard channels to subscribe to.',
    subscribe('shard'),
  ),
  spec(
    'sunsubscribe',
    -1,
    SUBSCRIBE_FLAGS,
    [1, -1, 1],
    'Stop listening for messages posted to the given shard channels',
    '7.0.0',
    'O(N) where N is the number of clients already subscribed to a shard channel.',
    unsubscribe('shard'),
  ),
  spec(
    'spublish',
    3,
    PUBLISH_FLAGS,
    [1, 1, 1],
    'Post a message to a shard channel',
    '7.0.0',
    'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    spublish,
  ),
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    group: 'pubsub',
    summary: 'A container for Pub/Sub commands',
    since: '2.8.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      helpSubcommand('pubsub', '6.2.0', PUBSUB_HELP),
      spec(
        'channels',
        -2,
        PUBSUB_FLAGS,
        NO_KEYS,
        'List active channels',
        '2.8.0',
        'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
        pubsubChannels('channel'),
      ),
      spec('numpat', 2, PUBSUB_FLAGS, NO_KEYS, 'Get the count of unique patterns pattern subscriptions', '2.8.0', 'O(1)', pubsubNumpat),
      spec(
        'numsub',
        -2,
        PUBSUB_FLAGS,
        NO_KEYS,
        'Get the count of subscribers for channels',
        '2.8.0',
        'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
        pubsubNumsub('channel'),
      ),
      spec(
        'shardchannels',
        -2,
        PUBSUB_FLAGS,
        NO_KEYS,
        'List active shard channels',
        '7.0.0',
        'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
        pubsubChannels('shard'),
      ),
      spec(
        'shardnumsub',
        -2,
        PUBSUB_FLAGS,
        NO_KEYS,
        'Get the count of subscribers for shard channels',
        '7.0.0',
        'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
        pubsubNumsub('shard'),
      ),
    ],
  },
];

/** Pub/Sub (Redis's pubsub.c): subscriptions live in the server's registry; RESET and closing drop them. */
export const pubsubFamily: CommandFamily = {
  name: 'pubsub',
  commands: pubsubCommands,
  install(ctx) {
    ctx.onReset(unsubscribeAll);
    ctx.onClose(unsubscribeAll);
    ctx.addInfo('stats', () => [
      ['pubsub_channels', ctx.server.pubsub.count('channel')],
      ['pubsub_patterns', ctx.server.pubsub.count('pattern')],
      ['pubsubshard_channels', ctx.server.pubsub.count('shard')],
    ]);
  },
};
