import { Injectable } from '@nestjs/common';
import { BrookConnections } from './brook-connections.js';
import { streamKey } from './keys.js';
import { PAYLOAD_FIELD } from './stream-consumer.js';

/** Sends messages: to pub/sub subscribers now, or durably into a stream for consumer groups. */
@Injectable()
export class BrookPublisher {
  constructor(private readonly brook: BrookConnections) {}

  /** PUBLISH on the channel (not prefixed); resolves to the number of subscribers that received it. */
  publish(channel: string, payload: unknown): Promise<number> {
    return this.brook.commands.publish(channel, this.brook.serializer.serialize(payload));
  }

  /**
   * XADD to `<prefix>:<stream>` as field `payload`; resolves to the entry ID. `maxLen` caps the
   * stream approximately (MAXLEN ~), so old entries are trimmed in whole nodes, cheaply.
   */
  async append(stream: string, payload: unknown, opts: { maxLen?: number } = {}): Promise<string> {
    const key = streamKey(this.brook.prefix, stream);
    const bytes = this.brook.serializer.serialize(payload);
    const id =
      opts.maxLen === undefined
        ? await this.brook.commands.xadd(key, '*', PAYLOAD_FIELD, bytes)
        : await this.brook.commands.xadd(key, 'MAXLEN', '~', opts.maxLen, '*', PAYLOAD_FIELD, bytes);
    // XADD replies nil only with NOMKSTREAM, which is never sent here.
    return id!;
  }
}
