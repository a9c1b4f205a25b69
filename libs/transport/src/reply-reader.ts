/**
 * The client's end of its reply stream: XREAD BLOCK on a dedicated connection (a blocked
 * connection can send nothing else), from the last ID seen, so no reply is missed between
 * two reads or across a reconnect. The stream is the client's own (its ID is random), so
 * reading starts at 0.
 */
import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PAYLOAD_FIELD } from '@brook/sdk';
import { decodeReply, type ReplyPacket } from './packets.js';

/** Long enough to be idle, short enough that a silently dead connection is noticed. */
const BLOCK_MS = 10_000;
const RETRY_MS = 500;

export class ReplyReader {
  private lastId = '0-0';
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly deliver: (packet: ReplyPacket) => void,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop; the blocked XREAD is cut by closing its connection. */
  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const reply = await this.redis.xread('BLOCK', BLOCK_MS, 'STREAMS', this.key, this.lastId);
        for (const [, entries] of reply ?? []) for (const [id, fields] of entries) this.take(id, fields);
      } catch (err) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() ran while XREAD was blocked
        if (!this.running) return;
        this.logger.error(`Reading replies from ${this.key} failed: ${(err as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private take(id: string, fields: string[]): void {
    this.lastId = id;
    const at = fields.indexOf(PAYLOAD_FIELD);
    const packet = at >= 0 && at % 2 === 0 ? decodeReply(fields[at + 1]) : undefined;
    if (packet) this.deliver(packet);
    else this.logger.warn(`Entry ${id} of ${this.key} is not a reply packet; skipped`);
  }
}
