import { setTimeout as sleep } from 'node:timers/promises';
import { BrookPublisher, Job, OnJob, Processor } from '@brook/sdk';
import { RenderThumbnail, THUMBNAIL_EVENTS, THUMBNAILS_QUEUE, type RenderResult, type ThumbnailRendered } from './thumbnail.js';

/** Renders thumbnails (pretends to: the work is a short sleep) and announces each one on a stream. */
@Processor(THUMBNAILS_QUEUE, { concurrency: 4 })
export class ThumbnailProcessor {
  constructor(private readonly publisher: BrookPublisher) {}

  @OnJob('render', { data: RenderThumbnail })
  async render(data: RenderThumbnail, job: Job<RenderThumbnail>): Promise<RenderResult> {
    await sleep(20);
    const thumbnail = `${data.url}#w=${data.width}`;
    const event: ThumbnailRendered = { jobId: job.id, url: data.url, thumbnail };
    await this.publisher.append(THUMBNAIL_EVENTS, event, { maxLen: 10000 });
    return { thumbnail };
  }
}
