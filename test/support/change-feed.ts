/**
 * An in-process Brook (startBrook, the embedded path) whose change feed is recorded, for tests of
 * what writes propagate as. Each entry is `[db, ...argv]`.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { loadConfig, startBrook, type BrookServer } from '@brook/server';
import { RawClient } from './raw-client.js';
import { freePort } from './servers.js';
import { tempDirs } from './temp-dirs.js';

export interface ChangeFeedSuite {
  server: BrookServer;
  client: RawClient;
  /** Everything fed so far, as [db, ...argv]. */
  readonly feed: string[][];
  /** Runs one command and returns what it fed, as [db, ...argv]. */
  fed(...argv: string[]): Promise<string[][]>;
  /** Like fed, without the db number. */
  fedArgv(...argv: string[]): Promise<string[][]>;
}

export function changeFeedSuite(): ChangeFeedSuite {
  let app: { close(): Promise<void> } | undefined;
  // Its own dir, so a dump.rdb in the checkout's ./data is never loaded into it.
  const dir = tempDirs('brook-feed-');
  const suite = { feed: [] as string[][] } as ChangeFeedSuite;
  suite.fed = async (...argv) => {
    suite.feed.length = 0;
    await suite.client.call(...argv);
    return [...suite.feed];
  };
  suite.fedArgv = async (...argv) => (await suite.fed(...argv)).map(([, ...rest]) => rest);
  beforeAll(async () => {
    const port = await freePort();
    const started = await startBrook(loadConfig(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir()]));
    app = started.app;
    suite.server = started.server;
    suite.server.ks.feed.subscribe((db, argv) => suite.feed.push([String(db), ...argv]));
    suite.client = await RawClient.connect(port);
  });
  afterAll(async () => {
    suite.client?.close();
    await app?.close();
  });
  return suite;
}
