// The Brook demo: `npm run demo` (see README "Demo").
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { errorText } from '@brook/sdk';
import { demoConfig } from './demo-config.js';
import { DemoModule } from './demo.module.js';

const logger = new Logger('Demo');
const config = demoConfig();
const app = await NestFactory.createApplicationContext(DemoModule.forConfig(config));
logger.log(`running on ${config.brook.embedded ? 'embedded Brook' : (process.env.BROOK_URL ?? '')}`);

// SIGTERM (docker stop) and SIGINT (Ctrl-C): stop taking requests, let running jobs finish, close
// the connections; the process then ends on its own, with code 0 (Nest's enableShutdownHooks would
// re-raise the signal instead, which reads as a crash to a supervisor).
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.log(`${signal}: shutting down`);
    app.close().then(
      () => logger.log('closed'),
      (e: unknown) => {
        logger.error(`Shutting down: ${errorText(e)}`);
        process.exitCode = 1;
      },
    );
  });
}
