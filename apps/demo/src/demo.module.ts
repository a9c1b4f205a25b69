import { Module, type DynamicModule } from '@nestjs/common';
import { BrookModule } from '@brook/sdk';
import { DEMO_CONFIG, type DemoConfig } from './demo-config.js';
import { HttpEndpoint } from './http-endpoint.js';
import { JobTimer } from './job-timer.js';
import { THUMBNAILS_QUEUE } from './thumbnail.js';
import { ThumbnailAudit } from './thumbnail-audit.js';
import { ThumbnailProcessor } from './thumbnail.processor.js';

@Module({})
export class DemoModule {
  static forConfig(config: DemoConfig): DynamicModule {
    return {
      module: DemoModule,
      imports: [
        BrookModule.forRoot(config.brook),
        // Completed jobs stay a minute for GET /jobs/<id>; the latest 1000 at most.
        BrookModule.registerQueue({ name: THUMBNAILS_QUEUE, defaultJobOptions: { removeOnComplete: { count: 1000, age: 60 } } }),
      ],
      providers: [{ provide: DEMO_CONFIG, useValue: config }, ThumbnailProcessor, ThumbnailAudit, JobTimer, HttpEndpoint],
    };
  }
}
