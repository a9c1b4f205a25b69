import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectQueue, Queue, errorText } from '@brook/sdk';
import { DEMO_CONFIG, type DemoConfig } from './demo-config.js';
import { THUMBNAILS_QUEUE, type RenderThumbnail } from './thumbnail.js';

/** Enqueues a render job every DEMO_EVERY_MS, so the demo shows traffic without any request. */
@Injectable()
export class JobTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobTimer.name);
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;

  constructor(
    @InjectQueue(THUMBNAILS_QUEUE) private readonly queue: Queue<RenderThumbnail>,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.everyMs === 0) return;
    this.timer = setInterval(() => void this.enqueue(), this.config.everyMs);
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async enqueue(): Promise<void> {
    this.ticks++;
    try {
      await this.queue.add('render', { url: `https://example.com/timer/${this.ticks}.png`, width: 128 });
    } catch (e) {
      this.logger.error(`Enqueueing the timer's job: ${errorText(e)}`);
    }
  }
}
