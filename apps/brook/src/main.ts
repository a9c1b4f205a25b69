import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BROOK_VERSION, BrookServer, ConfigError, REDIS_COMPAT_VERSION, RespServer, brookRootModule, loadConfig } from '@brook/server';
import { AppModule } from './app.module.js';

/** brook-server [path/to/redis.conf] [--option value ...], with redis-server's conventions. */
async function main(args: string[]): Promise<void> {
  if (args[0] === '--version' || args[0] === '-v') {
    process.stdout.write(`Brook server v=${BROOK_VERSION} redis_compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
    return;
  }
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(
      'Usage: brook-server [/path/to/redis.conf] [options]\n' +
        '       brook-server -v or --version\n\n' +
        'Examples:\n  brook-server (run with defaults: 127.0.0.1:6379, data in ./data)\n' +
        '  brook-server --port 7777\n  brook-server /etc/redis/6379.conf --loglevel verbose\n',
    );
    return;
  }
  let config;
  try {
    config = loadConfig(args);
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = new Logger('brook');
  const server = new BrookServer(config);
  const app = await NestFactory.createMicroservice(brookRootModule(server, [AppModule]), {
    strategy: new RespServer(server),
    logger: config.value('loglevel') === 'nothing' ? false : ['log', 'warn', 'error'],
  });
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${why}: shutting down`);
    await app.close();
    logger.log('Brook is now ready to exit, bye bye...');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Received SIGINT'));
  process.on('SIGTERM', () => void stop('Received SIGTERM'));
  server.on('shutdown', () => void stop('User requested shutdown'));
  try {
    await app.listen();
  } catch (e) {
    logger.error(`Could not start: ${(e as Error).message}`);
    process.exit(1);
  }
  const where = [server.boundPort ? `port ${server.boundPort}` : '', config.value('unixsocket')].filter(Boolean).join(', ');
  logger.log(`Brook ${BROOK_VERSION} (Redis ${REDIS_COMPAT_VERSION} compatible) ready to accept connections on ${where}`);
}

void main(process.argv.slice(2));
