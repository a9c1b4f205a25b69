/**
 * TLS on tls-port: certificates made here with openssl (a CA, a server and a client certificate,
 * plus a self-signed client and a second server certificate), then redis-cli --tls and ioredis
 * over TLS against brook-server, and CONFIG SET tls-* compared with a real redis-server
 * running TLS too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  BROOK_BIN,
  freePort,
  hasTool,
  listening,
  requireTool,
  startBrookProcess,
  startRedis,
  type RunningServer,
} from '../support/servers.js';
import { tempDirs } from '../support/temp-dirs.js';
import { waitUntil } from '../support/wait.js';

if (!hasTool('openssl'))
  throw new Error('openssl is not installed: the TLS suite makes its certificates with it (apt-get install -y openssl)');
requireTool('redis-cli');

const newDir = tempDirs('brook-tls-');
let dir = '';
const file = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** `name`.key and `name`.crt for `cn`, signed by the test CA (or self-signed without one). */
function certificate(name: string, cn: string, signed = true): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  const sign = signed ? ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'] : ['-signkey', `${name}.key`];
  openssl('x509', '-req', '-in', `${name}.csr`, ...sign, '-out', `${name}.crt`, '-days', '2', '-extfile', 'san.ext');
}

beforeAll(() => {
  dir = newDir();
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Brook Test CA',
  );
  execFileSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost,IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  certificate('server', 'brook-server');
  certificate('server2', 'brook-server-renewed');
  certificate('client', 'brook-client');
  certificate('stranger', 'stranger', false);
});

function serverTlsArgs(tlsPort: number): string[] {
  return ['--tls-port', String(tlsPort), '--tls-cert-file', file('server.crt'), '--tls-key-file', file('server.key')].concat([
    '--tls-ca-cert-file',
    file('ca.crt'),
  ]);
}

/** redis-cli --tls with the CA, and the client certificate `cert` (none: no client certificate). */
function cliTls(port: number, cert: string | null, ...args: string[]): { status: number | null; out: string } {
  const certArgs = cert === null ? [] : ['--cert', file(`${cert}.crt`), '--key', file(`${cert}.key`)];
  const r = spawnSync('redis-cli', ['-p', String(port), '--tls', '--cacert', file('ca.crt'), ...certArgs, ...args], {
    encoding: 'utf8',
    timeout: 20000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** An ioredis client over TLS that gives up at once (no reconnects, no retried commands). */
function tlsClient(port: number, cert: string | null): Redis {
  const certs = cert === null ? {} : { cert: readFileSync(file(`${cert}.crt`)), key: readFileSync(file(`${cert}.key`)) };
  return new Redis({
    port,
    host: '127.0.0.1',
    tls: { ca: readFileSync(file('ca.crt')), servername: 'localhost', ...certs },
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
}

/** The CN of the certificate a new TLS connection to `port` is shown. */
function servedCn(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', ca: readFileSync(file('ca.crt')), servername: 'localhost' }, () => {
      resolve(String(s.getPeerCertificate().subject.CN));
      s.destroy();
    });
    s.once('error', reject);
  });
}

/** A Brook with TCP on `port` and TLS on a port of its own; TLS listens just after TCP. */
async function startTlsBrook(extra: string[] = []): Promise<{ server: RunningServer; tlsPort: number }> {
  const tlsPort = await freePort();
  const server = await startBrookProcess([...serverTlsArgs(tlsPort), ...extra]);
  await waitUntil(() => listening(tlsPort), `TLS on ${String(tlsPort)}`);
  return { server, tlsPort };
}

describe('TLS on tls-port', () => {
  it('port 0 with tls-port: redis-cli --tls runs PING, SET and GET through the same client code', async () => {
    const tlsPort = await freePort();
    const server = await startBrookProcess(['--port', '0', ...serverTlsArgs(tlsPort)], undefined, tlsPort);
    try {
      expect(cliTls(tlsPort, 'client', 'PING').out.trim()).toBe('PONG');
      expect(cliTls(tlsPort, 'client', 'SET', 'greeting', 'hello over tls').out.trim()).toBe('OK');
      expect(cliTls(tlsPort, 'client', 'GET', 'greeting').out.trim()).toBe('hello over tls');
      expect(cliTls(tlsPort, 'client', 'CONFIG', 'GET', 'port').out.trim().split('\n')).toEqual(['port', '0']);
    } finally {
      await server.stop();
    }
  });

  it('ioredis over TLS: commands, pipelines and pub/sub', async () => {
    const { server, tlsPort } = await startTlsBrook();
    const a = tlsClient(tlsPort, 'client');
    const b = tlsClient(tlsPort, 'client');
    try {
      await Promise.all([a.connect(), b.connect()]);
      await a.rpush('list', 'x', 'y', 'z');
      expect(await a.lrange('list', 0, -1)).toEqual(['x', 'y', 'z']);
      const big = 'v'.repeat(300_000);
      const results = await a.pipeline().set('big', big).strlen('big').get('big').exec();
      expect(results?.map(([, r]) => r)).toEqual(['OK', 300_000, big]);
      const got = new Promise<string>((resolve) => b.on('message', (_ch: string, m: string) => resolve(m)));
      await b.subscribe('news');
      await a.publish('news', 'tls message');
      expect(await got).toBe('tls message');
      // The plain TCP port serves the same data set.
      const plain = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      expect(await plain.get('big')).toHaveLength(300_000);
      plain.disconnect();
    } finally {
      a.disconnect();
      b.disconnect();
      await server.stop();
    }
  });

  it('tls-auth-clients yes refuses a client without a certificate; optional takes it but not a bad one; no takes any', async () => {
    const { server, tlsPort } = await startTlsBrook();
    try {
      expect(cliTls(tlsPort, null, 'PING').out).not.toContain('PONG');
      const anonymous = tlsClient(tlsPort, null);
      await expect(anonymous.connect()).rejects.toThrow();
      anonymous.disconnect();
      expect(cliTls(tlsPort, 'client', 'CONFIG', 'SET', 'tls-auth-clients', 'optional').out.trim()).toBe('OK');
      expect(cliTls(tlsPort, null, 'PING').out.trim()).toBe('PONG');
      expect(cliTls(tlsPort, 'stranger', 'PING').out).not.toContain('PONG');
      expect(cliTls(tlsPort, 'client', 'CONFIG', 'SET', 'tls-auth-clients', 'no').out.trim()).toBe('OK');
      expect(cliTls(tlsPort, 'stranger', 'PING').out.trim()).toBe('PONG');
    } finally {
      await server.stop();
    }
  });

  it('plaintext to the TLS port is dropped and the server keeps serving', async () => {
    const { server, tlsPort } = await startTlsBrook();
    try {
      const closed = await new Promise<string>((resolve) => {
        const s = new Socket();
        let got = '';
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('error', () => undefined);
        s.on('close', () => resolve(got));
        s.connect(tlsPort, '127.0.0.1', () => s.write('*1\r\n$4\r\nPING\r\n'));
      });
      expect(closed).not.toContain('PONG');
      expect(cliTls(tlsPort, 'client', 'PING').out.trim()).toBe('PONG');
      expect(spawnSync('redis-cli', ['-p', String(server.port), 'PING'], { encoding: 'utf8' }).stdout.trim()).toBe('PONG');
    } finally {
      await server.stop();
    }
  });

  it('CONFIG SET tls-cert-file reloads the certificate for new connections; a bad one is refused as by Redis', async () => {
    const { server, tlsPort } = await startTlsBrook();
    const redisTlsPort = await freePort();
    const redis = await startRedis(serverTlsArgs(redisTlsPort));
    const clients = [server, redis].map((s) => new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 }));
    try {
      expect(await servedCn(tlsPort)).toBe('brook-server');
      const [brook, real] = clients;
      expect(await brook.config('SET', 'tls-cert-file', file('server2.crt'), 'tls-key-file', file('server2.key'))).toBe('OK');
      expect(await servedCn(tlsPort)).toBe('brook-server-renewed');
      expect(cliTls(tlsPort, 'client', 'PING').out.trim()).toBe('PONG');
      const bad = async (c: Redis): Promise<string> =>
        c.config('SET', 'tls-session-caching', 'no', 'TLS-CERT-FILE', file('missing.crt')).then(
          () => 'OK',
          (e: unknown) => (e as Error).message,
        );
      const expected = await bad(real);
      expect(expected).toContain("argument 'tls-session-caching'");
      expect(await bad(brook)).toBe(expected);
      for (const c of clients) expect(await c.config('GET', 'tls-session-caching')).toEqual(['tls-session-caching', 'yes']);
      expect(await servedCn(tlsPort)).toBe('brook-server-renewed');
    } finally {
      for (const c of clients) c.disconnect();
      await Promise.all([server.stop(), redis.stop()]);
    }
  });

  it('a tls-port without usable certificates stops start-up', () => {
    const r = spawnSync(process.execPath, [BROOK_BIN, '--port', '0', '--tls-port', '1'], {
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('Failed to configure TLS');
  });
});
