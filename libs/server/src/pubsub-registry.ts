import { globMatch, type PubSubKind, type PubSubRegistry, type Session } from '@brook/commands';

/** One subscriber's own subscriptions, by kind (UNSUBSCRIBE with no argument, RESET, close). */
type OwnSubscriptions = Record<PubSubKind, Set<string>>;

/**
 * Channel → subscribers, pattern → subscribers and shard channel → subscribers, each a separate
 * namespace as in Redis. A PUBLISH goes to the channel's subscribers, then checks every pattern
 * once (Redis's pubsub_patterns dict) and goes to the subscribers of those that match.
 */
export class ChannelRegistry implements PubSubRegistry {
  private readonly byKind: Record<PubSubKind, Map<string, Set<Session>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  private readonly own = new Map<Session, OwnSubscriptions>();
  /**
   * Receivers with messages not yet sent. They are flushed once the current work is done (a
   * whole input chunk of PUBLISHes, not each one): one socket write per receiver and pipeline, as
   * Redis writes each client's buffer once per event-loop turn.
   */
  private readonly unflushed = new Set<Session>();
  private flushQueued = false;
  private readonly flushAll = (): void => {
    this.flushQueued = false;
    // A receiver over its output limit is closed by its flush, which unsubscribes it (not from this set).
    for (const c of this.unflushed) c.flush();
    this.unflushed.clear();
  };

  subscribe(c: Session, kind: PubSubKind, name: string): boolean {
    let mine = this.own.get(c);
    if (mine === undefined) {
      mine = { channel: new Set(), pattern: new Set(), shard: new Set() };
      this.own.set(c, mine);
    }
    if (mine[kind].has(name)) return false;
    mine[kind].add(name);
    const map = this.byKind[kind];
    let subs = map.get(name);
    if (subs === undefined) map.set(name, (subs = new Set()));
    subs.add(c);
    this.track(c, kind, 1);
    return true;
  }

  unsubscribe(c: Session, kind: PubSubKind, name: string): boolean {
    const mine = this.own.get(c);
    if (mine?.[kind].delete(name) !== true) return false;
    const map = this.byKind[kind];
    const subs = map.get(name)!;
    subs.delete(c);
    if (subs.size === 0) map.delete(name);
    if (mine.channel.size + mine.pattern.size + mine.shard.size === 0) this.own.delete(c);
    this.track(c, kind, -1);
    return true;
  }

  /** Keeps the connection's CLIENT LIST counts, and its type: 'pubsub' while it has any subscription (Redis's CLIENT_PUBSUB). */
  private track(c: Session, kind: PubSubKind, delta: number): void {
    if (kind === 'channel') c.sub += delta;
    else if (kind === 'pattern') c.psub += delta;
    else c.ssub += delta;
    const subscribed = c.sub + c.psub + c.ssub > 0;
    if (subscribed && c.type === 'normal') c.type = 'pubsub';
    else if (!subscribed && c.type === 'pubsub') c.type = 'normal';
  }

  subscriptions(c: Session, kind: PubSubKind): string[] {
    const mine = this.own.get(c);
    return mine === undefined ? [] : [...mine[kind]];
  }

  channels(kind: 'channel' | 'shard', pattern: string | null): string[] {
    const names = [...this.byKind[kind].keys()];
    return pattern === null ? names : names.filter((n) => globMatch(pattern, n));
  }

  subscribers(kind: 'channel' | 'shard', name: string): number {
    return this.byKind[kind].get(name)?.size ?? 0;
  }

  count(kind: PubSubKind): number {
    return this.byKind[kind].size;
  }

  publish(channel: string, message: string): number {
    let receivers = 0;
    const subs = this.byKind.channel.get(channel);
    if (subs !== undefined) receivers += this.deliver(subs, new Message(['message', channel, message]));
    for (const [pattern, psubs] of this.byKind.pattern) {
      if (globMatch(pattern, channel)) receivers += this.deliver(psubs, new Message(['pmessage', pattern, channel, message]));
    }
    return receivers;
  }

  publishShard(channel: string, message: string): number {
    const subs = this.byKind.shard.get(channel);
    return subs === undefined ? 0 : this.deliver(subs, new Message(['smessage', channel, message]));
  }

  /**
   * Appends one message to each subscriber's output and counts them; the output goes out in
   * flushAll. (A writer with over a MB pending hands it to its socket at once, where the output
   * limits apply: a receiver closed then still counts, as in Redis, which frees it asynchronously.)
   */
  private deliver(subs: Set<Session>, m: Message): number {
    const unflushed = this.unflushed;
    const receivers = subs.size;
    for (const c of subs) {
      c.w.bytes(m.encoded(c.w.proto));
      unflushed.add(c);
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushAll);
    }
    return receivers;
  }
}

/**
 * A push message in each protocol's framing (`>n` in RESP3, an array in RESP2), encoded on first
 * use: a PUBLISH to thousands of subscribers encodes it at most twice and copies the same bytes
 * to each.
 */
class Message {
  private resp2: Buffer | null = null;
  private resp3: Buffer | null = null;

  constructor(private readonly parts: readonly string[]) {}

  encoded(proto: 2 | 3): Buffer {
    if (proto === 3) return (this.resp3 ??= encode('>', this.parts));
    return (this.resp2 ??= encode('*', this.parts));
  }
}

/** `type` + count, then each part as a bulk string, into one buffer (parts are latin1: one byte per char). */
function encode(type: string, parts: readonly string[]): Buffer {
  let head = `${type}${parts.length}\r\n`;
  let size = head.length;
  for (const p of parts) size += `$${p.length}\r\n`.length + p.length + 2;
  const b = Buffer.allocUnsafe(size);
  let pos = put(b, 0, head);
  for (const p of parts) {
    head = `$${p.length}\r\n`;
    pos = put(b, pos, head);
    pos = put(b, pos, p);
    b[pos++] = 13;
    b[pos++] = 10;
  }
  return b;
}

/** Strings shorter than this are copied byte by byte: a call into Buffer's C++ writer costs more (most parts here are short). */
const SHORT = 32;

/** Writes latin1 `s` at `pos`; returns the position after it. */
function put(b: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n >= SHORT) return pos + b.write(s, pos, n, 'latin1');
  for (let i = 0; i < n; i++) b[pos++] = s.charCodeAt(i);
  return pos;
}
