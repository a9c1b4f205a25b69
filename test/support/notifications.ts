/**
 * Differential tests of keyspace notifications: the same script against Brook and a real
 * redis-server, each with a second connection psubscribed to every keyspace and keyevent channel,
 * and the (channel, message) sequences compared. A sentinel PUBLISH on a matching channel after
 * the script marks its end: messages reach a subscriber in order, so once the sentinel is in,
 * every notification the script caused is too.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { Differential, type Mismatch, type Step } from './differential.js';
import { RawClient } from './raw-client.js';
import { decodeReply } from './resp-value.js';
import { startBrookProcess, startRedis, type RunningServer } from './servers.js';

const PATTERN = '__key*__:*';
const SENTINEL_CHANNEL = '__keyspace@0__:__sentinel__';

/** A connection psubscribed to every keyspace/keyevent channel, recording "channel message" lines. */
export class NotificationCapture {
  private sentinels = 0;

  private constructor(readonly sub: RawClient) {}

  static async attach(port: number): Promise<NotificationCapture> {
    const sub = await RawClient.connect(port);
    await sub.call('PSUBSCRIBE', PATTERN);
    return new NotificationCapture(sub);
  }

  /** Marks the end of what `cmd` did so far; `drain` reads up to the mark. */
  async mark(cmd: RawClient): Promise<string> {
    const token = `end-${++this.sentinels}`;
    await cmd.call('PUBLISH', SENTINEL_CHANNEL, token);
    return token;
  }

  /** The notifications received before the sentinel `token`, as "channel message" lines. */
  async drain(token: string, ms = 10000): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const [kind, , channel, message] = decodeReply((await this.sub.read(ms)).toString('latin1')) as string[];
      if (kind !== 'pmessage') throw new Error(`unexpected push ${kind}`);
      if (channel === SENTINEL_CHANNEL && message === token) return out;
      out.push(`${channel} ${message}`);
    }
  }

  /** Waits for the next notification (active expiry, which no command of the test causes). */
  async next(ms = 10000): Promise<string> {
    const [, , channel, message] = decodeReply((await this.sub.read(ms)).toString('latin1')) as string[];
    return `${channel} ${message}`;
  }

  close(): void {
    this.sub.close();
  }
}

export interface NotificationRun {
  brook: string[];
  redis: string[];
  /** Replies that differed: a script that behaves differently proves nothing about its events. */
  replies: Mismatch[];
}

export class NotificationDiff {
  private constructor(
    readonly diff: Differential,
    readonly brook: NotificationCapture,
    readonly redis: NotificationCapture,
  ) {}

  static async connect(brookPort: number, redisPort: number): Promise<NotificationDiff> {
    return new NotificationDiff(
      await Differential.connect(brookPort, redisPort),
      await NotificationCapture.attach(brookPort),
      await NotificationCapture.attach(redisPort),
    );
  }

  /** Sets notify-keyspace-events on both servers. */
  async configure(classes: string): Promise<void> {
    await this.diff.brook.call('CONFIG', 'SET', 'notify-keyspace-events', classes);
    await this.diff.redis.call('CONFIG', 'SET', 'notify-keyspace-events', classes);
  }

  /** Runs the steps on both servers (after FLUSHALL, which emits nothing) and collects what each published. */
  async run(steps: readonly Step[]): Promise<NotificationRun> {
    const replies = await this.diff.run(steps);
    const [b, r] = await Promise.all([this.brook.mark(this.diff.brook), this.redis.mark(this.diff.redis)]);
    const [brook, redis] = await Promise.all([this.brook.drain(b), this.redis.drain(r)]);
    return { brook, redis, replies };
  }

  close(): void {
    this.diff.close();
    this.brook.close();
    this.redis.close();
  }
}

export interface NotificationSuite {
  brook: RunningServer;
  redis: RunningServer;
  n: NotificationDiff;
}

/** Starts Brook and redis-server around the enclosing describe block, with notify-keyspace-events `classes` set on both. */
export function notificationSuite(classes = 'KEA'): NotificationSuite {
  const suite = {} as NotificationSuite;
  beforeAll(async () => {
    [suite.brook, suite.redis] = await Promise.all([startBrookProcess(), startRedis(['--enable-debug-command', 'local'])]);
    suite.n = await NotificationDiff.connect(suite.brook.port, suite.redis.port);
    await suite.n.configure(classes);
  });
  afterAll(async () => {
    suite.n?.close();
    await Promise.all([suite.brook?.stop(), suite.redis?.stop()]);
  });
  return suite;
}
