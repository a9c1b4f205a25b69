import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { register } from 'prom-client';
import { InjectQueue, Queue, errorText } from '@brook/sdk';
import { DEMO_CONFIG, type DemoConfig } from './demo-config.js';
import { THUMBNAILS_QUEUE, type RenderResult, type RenderThumbnail } from './thumbnail.js';

const MAX_BODY = 64 * 1024;

/**
 * The demo's HTTP API on node:http (three routes do not justify @nestjs/platform-express and its
 * dependency tree):
 *   POST /jobs  {"url": "...", "width": 128}  → 201 {"id": "..."}  (400 when the data is invalid)
 *   GET  /jobs/<id>                           → the job's state, result or failure
 *   GET  /metrics                             → Prometheus text: job counts, outcomes, durations
 */
@Injectable()
export class HttpEndpoint implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HttpEndpoint.name);
  private server: Server | null = null;

  constructor(
    @InjectQueue(THUMBNAILS_QUEUE) private readonly queue: Queue<RenderThumbnail, RenderResult>,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    // The e2e test and scripts read this line to find the port when DEMO_PORT=0.
    this.logger.log(`listening on http://${address}:${port}`);
  }

  /** Stops taking requests before the queue's workers stop. */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://demo').pathname;
      const job = /^\/jobs\/([^/]+)$/.exec(path);
      if (req.method === 'POST' && path === '/jobs') await this.enqueue(req, res);
      else if (req.method === 'GET' && job) await this.describe(decodeURIComponent(job[1]), res);
      else if (req.method === 'GET' && path === '/metrics')
        res.writeHead(200, { 'content-type': register.contentType }).end(await register.metrics());
      else reply(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
    } catch (e) {
      this.logger.error(`${req.method ?? ''} ${req.url ?? ''}: ${errorText(e)}`);
      if (!res.headersSent) reply(res, 500, { error: errorText(e) });
    }
  }

  private async enqueue(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let data: RenderThumbnail;
    try {
      data = JSON.parse(await readBody(req)) as RenderThumbnail;
    } catch (e) {
      reply(res, 400, { error: errorText(e) });
      return;
    }
    try {
      const job = await this.queue.add('render', data, { validate: true, attempts: 3, backoff: { type: 'exponential', delay: 200 } });
      reply(res, 201, { id: job.id });
    } catch (e) {
      // validate: true rejects data the processor's class refuses, before it is queued.
      reply(res, 400, { error: errorText(e) });
    }
  }

  private async describe(id: string, res: ServerResponse): Promise<void> {
    const found = await this.queue.getJob(id);
    const state = await found?.getState();
    // The job may have finished between the two reads: a finished job is read again, so that the
    // state and the result shown agree (finished is final; removeOnComplete may have deleted it).
    const job = state === 'completed' || state === 'failed' ? await this.queue.getJob(id) : found;
    if (!job || state === undefined) {
      reply(res, 404, { error: `no job ${id}` });
      return;
    }
    reply(res, 200, {
      id: job.id,
      name: job.name,
      state,
      data: job.data,
      attemptsMade: job.attemptsMade,
      returnvalue: job.returnvalue,
      failedReason: job.failedReason,
    });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error(`the body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
