import { Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { OnMessage } from '@brook/sdk';
import { THUMBNAIL_EVENTS, type ThumbnailRendered } from './thumbnail.js';

/** A durable consumer group on the processor's events: every rendered thumbnail is audited once. */
@Injectable()
export class ThumbnailAudit {
  private readonly logger = new Logger(ThumbnailAudit.name);
  private readonly audited =
    (register.getSingleMetric('demo_thumbnails_audited_total') as Counter | undefined) ??
    new Counter({ name: 'demo_thumbnails_audited_total', help: 'Thumbnail events the audit group handled' });

  @OnMessage(THUMBNAIL_EVENTS, { group: 'audit' })
  onRendered(event: ThumbnailRendered): void {
    this.audited.inc();
    this.logger.log(`job ${event.jobId}: ${event.url} → ${event.thumbnail}`);
  }
}
