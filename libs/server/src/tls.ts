import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:crypto';
import * as tls from 'node:tls';
import { FatalStartupError } from './aof-load.js';

/**
 * The server side of the tls-* parameters, read with node:tls: Redis's tlsConfigure, producing
 * the options of one secure context. Everything is read from the files each time, so a CONFIG
 * SET of any tls-* parameter (or of the same path after the file changed) reloads certificates,
 * as Redis's does.
 */

/** A tls-* setting that cannot make a secure context: fatal at start-up, as in Redis. */
export class TlsConfigError extends FatalStartupError {
  constructor(why: string) {
    super(`Failed to configure TLS: ${why}`);
  }
}

/** What Redis accepts in tls-protocols, in order (an empty value means TLSv1.2 and TLSv1.3). */
const PROTOCOLS: readonly tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Reads one tls-* path; the error names the parameter, as Redis's log does. */
function readFor(param: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(`Failed to load ${param} '${path}': ${(e as Error).message}`);
  }
}

/** tls-protocols: the lowest and highest version listed (Node takes a range, not a set). */
function versionRange(value: string): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
  const listed = value.split(' ').filter(Boolean);
  if (listed.length === 0) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' };
  const idx = listed.map((p) => PROTOCOLS.findIndex((v) => v.toLowerCase() === p.toLowerCase()));
  if (idx.includes(-1)) {
    throw new TlsConfigError("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
  }
  return { minVersion: PROTOCOLS[Math.min(...idx)], maxVersion: PROTOCOLS[Math.max(...idx)] };
}

/**
 * tls-ciphers (TLSv1.2 and below) and tls-ciphersuites (TLSv1.3) as Node's one list: Node tells
 * them apart by the TLS_ prefix, and a side left unset keeps Node's default.
 */
function cipherList(ciphers: string, suites: string): string | undefined {
  if (ciphers === '' && suites === '') return undefined;
  const defaults = tls.DEFAULT_CIPHERS.split(':');
  const v13 = suites !== '' ? suites : defaults.filter((c) => c.startsWith('TLS_')).join(':');
  const v12 = ciphers !== '' ? ciphers : defaults.filter((c) => !c.startsWith('TLS_')).join(':');
  return `${v13}:${v12}`;
}

/** tls-ca-cert-dir: every certificate file in the directory (OpenSSL's hashed names or not). */
function caDir(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new TlsConfigError(`Failed to read tls-ca-cert-dir '${dir}': ${(e as Error).message}`);
  }
  const certs: Buffer[] = [];
  for (const n of names) {
    const path = join(dir, n);
    if (!statSync(path).isFile()) continue;
    const pem = readFileSync(path);
    if (pem.includes('-----BEGIN CERTIFICATE-----')) certs.push(pem);
  }
  return certs;
}

/**
 * The secure context options the tls-* values describe; throws with the reason when a file is
 * missing or unreadable, a key does not match, or a setting is invalid (tls.createSecureContext
 * is run here so every such error shows now, not at the first handshake).
 */
export function tlsContextOptions(value: (name: string) => string): tls.SecureContextOptions {
  const certFile = value('tls-cert-file');
  const keyFile = value('tls-key-file');
  if (certFile === '') throw new TlsConfigError('No tls-cert-file configured!');
  if (keyFile === '') throw new TlsConfigError('No tls-key-file configured!');
  const caFile = value('tls-ca-cert-file');
  const caPath = value('tls-ca-cert-dir');
  if (caFile === '' && caPath === '') throw new TlsConfigError('Either tls-ca-cert-file or tls-ca-cert-dir must be specified');
  const ca = [...(caFile !== '' ? [readFor('tls-ca-cert-file', caFile)] : []), ...(caPath !== '' ? caDir(caPath) : [])];
  const dhFile = value('tls-dh-params-file');
  const passphrase = value('tls-key-file-pass');
  const options: tls.SecureContextOptions = {
    cert: readFor('tls-cert-file', certFile),
    key: readFor('tls-key-file', keyFile),
    ...(passphrase !== '' ? { passphrase } : {}),
    ca,
    ...(dhFile !== '' ? { dhparam: readFor('tls-dh-params-file', dhFile) } : {}),
    ...versionRange(value('tls-protocols')),
    ciphers: cipherList(value('tls-ciphers'), value('tls-ciphersuites')),
    honorCipherOrder: value('tls-prefer-server-ciphers') === 'yes',
    sessionTimeout: Number(value('tls-session-cache-timeout')),
    // tls-session-caching no: no resumption at all (Node's server resumes with tickets only).
    ...(value('tls-session-caching') === 'no' ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
  };
  try {
    tls.createSecureContext(options);
  } catch (e) {
    throw new TlsConfigError((e as Error).message);
  }
  return options;
}

/**
 * tls-auth-clients for a finished handshake: `yes` needs a verified certificate, `optional`
 * refuses only one that failed verification, `no` takes any client. Read per connection, so a
 * CONFIG SET applies to the next client, as in Redis.
 */
export function tlsClientRefused(mode: string, socket: tls.TLSSocket): boolean {
  if (mode === 'no' || socket.authorized) return false;
  if (mode === 'yes') return true;
  return Object.keys(socket.getPeerCertificate()).length > 0;
}
