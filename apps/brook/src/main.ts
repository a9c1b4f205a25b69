import 'reflect-metadata';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BROOK_VERSION,
  BrookServer,
  ConfigError,
  FatalStartupError,
  REDIS_COMPAT_VERSION,
  RespServer,
  ServerLog,
  brookRootModule,
  loadConfig,
} from '@brook/server';
import { AppModule } from './app.module.js';

const USAGE =
  'Usage: brook-server [/path/to/redis.conf] [options]\n' +
  '       brook-server -v or --version\n' +
  '       brook-server -h or --help\n\n' +
  'Examples:\n' +
  '       brook-server (run with defaults: 127.0.0.1:6379, data in ./data)\n' +
  '       brook-server --port 7777\n' +
  '       brook-server /etc/redis/6379.conf\n' +
  '       brook-server /etc/myredis.conf --loglevel verbose --requirepass secret\n';

/** brook-server [path/to/redis.conf] [--option value ...], with redis-server's conventions. */
async function main(args: string[]): Promise<void> {
  if (args[0] === '--version' || args[0] === '-v') {
    process.stdout.write(`Brook server v=${BROOK_VERSION} redis_compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
    return;
  }
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  let config;
  try {
    config = loadConfig(args);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      process.stderr.write(`Fatal error, can't open config file '${err.path ?? args[0]}': ${err.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  // Every Nest Logger of the process writes through the server's log (loglevel, logfile, log-format).
  const log = new ServerLog(config);
  Logger.overrideLogger(log);
  const logger = new Logger('brook');
  let server: BrookServer;
  try {
    server = new BrookServer(config);
  } catch (e) {
    // rename-command lines are checked against the command table, which the server builds.
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  if (config.int('port') === 0 && config.int('tls-port') === 0 && !config.value('unixsocket')) {
    logger.error('Configured to not listen anywhere, exiting.');
    process.exit(1);
  }
  const app = await NestFactory.createMicroservice(brookRootModule(server, [AppModule]), {
    strategy: new RespServer(server),
    logger: log,
  });
  const pidfile = config.value('pidfile') ? resolve(config.value('pidfile')) : '';
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${why}, shutting down`);
    await app.close();
    if (pidfile) rmSync(pidfile, { force: true });
    logger.log('Brook is now ready to exit, bye bye...');
    process.exit(0);
  };
  // A signal shuts down as SHUTDOWN would, with the flags of shutdown-on-sigint/-sigterm, as Redis does.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    const flags = config.value(signal === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm').split(' ');
    const save = flags.includes('nosave') ? 'nosave' : flags.includes('save') ? 'save' : 'default';
    if (server.shutdown({ save, now: flags.includes('now'), force: flags.includes('force') }, signal) !== null) {
      logger.warn(`${signal} received but the shutdown failed: still running`);
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  server.on(
    'shutdown',
    (_mode: unknown, origin: string) => void stop(origin === 'SHUTDOWN' ? 'User requested shutdown' : `Received ${origin}`),
  );
  onLauncherExit(() => void stop('The brook-server launcher exited'));
  try {
    await app.listen();
  } catch (e) {
    if (e instanceof FatalStartupError) {
      logger.error(e.message);
      process.exit(1);
    }
    const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
    const where = err.address !== undefined ? `${err.address}:${err.port ?? ''}` : config.value('unixsocket');
    logger.error(`Could not create server listening socket ${where}: ${err.message}`);
    process.exit(1);
  }
  if (pidfile) writePidfile(pidfile, logger);
  const tlsPort = config.int('tls-port');
  const where = [server.boundPort ? `port ${server.boundPort}` : '', tlsPort ? `tls-port ${tlsPort}` : '', config.value('unixsocket')]
    .filter(Boolean)
    .join(', ');
  logger.log(`Brook ${BROOK_VERSION} (Redis ${REDIS_COMPAT_VERSION} compatible) ready to accept connections on ${where}`);
}

/** Best effort, like Redis: the file names this process, the one that holds the data. */
function writePidfile(path: string, logger: Logger): void {
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (e) {
    logger.warn(`Could not write the pid file ${path}: ${(e as Error).message}`);
  }
}

/**
 * bin/brook-server.js runs this process as its child with an IPC channel and its own PID in
 * BROOK_LAUNCHER_PID. The channel closes when the launcher dies, even by SIGKILL, and then
 * this process must not live on as an orphan holding the port and the data.
 */
function onLauncherExit(exit: () => void): void {
  if (!process.channel || process.env.BROOK_LAUNCHER_PID !== String(process.ppid)) return;
  process.channel.unref();
  if (!process.connected) return exit();
  process.once('disconnect', exit);
}

void main(process.argv.slice(2));
