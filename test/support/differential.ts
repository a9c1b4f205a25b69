/**
 * Differential testing: the same command sequence against Brook and a real redis-server, with
 * byte-identical replies expected. One pair of connections per sequence, database flushed first.
 */
import { afterAll, beforeAll, expect } from '@jest/globals';
import { RawClient } from './raw-client.js';
import { serverPair, type RunningServer, type ServerPair } from './servers.js';

export type Step = (string | Buffer)[];

export interface Mismatch {
  step: number;
  command: string;
  brook: string;
  redis: string;
}

export class Differential {
  private constructor(
    readonly brook: RawClient,
    readonly redis: RawClient,
  ) {}

  static async connect(brookPort: number, redisPort: number): Promise<Differential> {
    return new Differential(await RawClient.connect(brookPort), await RawClient.connect(redisPort));
  }

  /** Runs the steps on both servers (after FLUSHALL) and returns every reply that differs. */
  async run(steps: readonly Step[], opts: { flush?: boolean } = {}): Promise<Mismatch[]> {
    if (opts.flush !== false) {
      await this.brook.call('FLUSHALL');
      await this.redis.call('FLUSHALL');
    }
    const out: Mismatch[] = [];
    for (let i = 0; i < steps.length; i++) {
      const [b, r] = await Promise.all([this.brook.call(...steps[i]), this.redis.call(...steps[i])]);
      if (b !== r) out.push({ step: i, command: steps[i].map(String).join(' '), brook: b, redis: r });
    }
    return out;
  }

  /**
   * Runs the steps in RESP2 and again in RESP3 (HELLO on both connections, back to RESP2 after):
   * every reply that differs, with the protocol it differed in.
   */
  async runInBothProtocols(steps: readonly Step[]): Promise<(Mismatch & { proto: string })[]> {
    const out: (Mismatch & { proto: string })[] = [];
    for (const proto of ['2', '3']) {
      await this.brook.call('HELLO', proto);
      await this.redis.call('HELLO', proto);
      for (const m of await this.run(steps)) out.push({ proto, ...m });
    }
    await this.brook.call('HELLO', '2');
    await this.redis.call('HELLO', '2');
    return out;
  }

  close(): void {
    this.brook.close();
    this.redis.close();
  }
}

/** Splits a script like "SET k v\nGET k" into steps (whitespace-separated, no quoting). */
export function script(text: string): Step[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
}

export interface DifferentialSuite {
  brook: RunningServer;
  redis: RunningServer;
  diff: Differential;
}

/**
 * Starts Brook and a real redis-server around the enclosing describe block and connects a
 * Differential to them; the fields are filled in by beforeAll and released by afterAll.
 */
export function differentialSuite(brookArgs: string[] = [], redisArgs: string[] = []): DifferentialSuite {
  const suite = serverPair(brookArgs, redisArgs) as DifferentialSuite;
  beforeAll(async () => {
    suite.diff = await Differential.connect(suite.brook.port, suite.redis.port);
  });
  afterAll(() => suite.diff?.close());
  return suite;
}

/** One raw connection to each server of a pair, and the same command sent to both. */
export interface PairClients {
  brook: RawClient;
  redis: RawClient;
  /** Both raw replies, Brook's first. */
  both(...args: string[]): Promise<[string, string]>;
  /** Brook's raw reply, after checking it is byte for byte Redis's. */
  same(...args: string[]): Promise<string>;
}

/** Connects to both servers of `pair` in the enclosing block's beforeAll; closed in its afterAll. */
export function pairClients(pair: ServerPair): PairClients {
  const clients = {
    both: (...args: string[]) => Promise.all([clients.brook.call(...args), clients.redis.call(...args)]),
    same: async (...args: string[]) => {
      const [b, r] = await clients.both(...args);
      expect(b).toBe(r);
      return b;
    },
  } as PairClients;
  beforeAll(async () => {
    [clients.brook, clients.redis] = await Promise.all([RawClient.connect(pair.brook.port), RawClient.connect(pair.redis.port)]);
  });
  afterAll(() => {
    clients.brook?.socket.destroy();
    clients.redis?.socket.destroy();
  });
  return clients;
}
