/**
 * @brook/sdk and @brook/transport as an app outside this repo gets them: `npm pack` in each lib (its
 * prepack builds it), the tarballs and the Nest peers at this repo's versions installed into a fresh
 * directory under the OS temp dir, and a plain-JavaScript Nest app run there with node: embedded
 * Brook, a durable @OnMessage handler fed through BrookPublisher, and a BrookClient → BrookServer
 * request. Needs the npm registry (or a warm npm cache) for the peers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './support/servers.js';

const run = promisify(execFile);
const PACKAGES = ['sdk', 'transport'] as const;
const PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/microservices',
  'rxjs',
  'reflect-metadata',
  'class-validator',
  'class-transformer',
];

/** Packing builds with tsc (the transport builds the SDK first), then npm installs: minutes on a busy machine. */
const SETUP_TIMEOUT_MS = 300_000;
const APP_TIMEOUT_MS = 120_000;

interface PackageJson {
  name: string;
  version: string;
  exports: Record<string, { types: string; default: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readPackage = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
const rootPackage = readPackage(join(ROOT, 'package.json'));

/**
 * The app, in plain ESM JavaScript: decorators are applied by calling them, as TypeScript's
 * emitted code would. Each step prints one line the test asserts on.
 */
const APP = String.raw`
import 'reflect-metadata';
import { createServer } from 'node:net';
import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, MessagePattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { BrookConnections, BrookModule, BrookPublisher, OnMessage } from '@brook/sdk';
import { BrookClient, BrookServer } from '@brook/transport';

function decorateMethod(decorator, proto, key) {
  const replaced = decorator(proto, key, Object.getOwnPropertyDescriptor(proto, key));
  if (replaced) Object.defineProperty(proto, key, replaced);
}

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

let orderHandled;
const handled = new Promise((resolve) => (orderHandled = resolve));
class Billing {
  charge(order, context) {
    orderHandled({ order, context });
  }
}
Injectable()(Billing);
decorateMethod(OnMessage('orders', { group: 'billing' }), Billing.prototype, 'charge');

class Greeter {
  greet(name) {
    return 'hello ' + name;
  }
}
Controller()(Greeter);
decorateMethod(MessagePattern('greet'), Greeter.prototype, 'greet');

class AppModule {}
Module({
  imports: [
    BrookModule.forRoot({ embedded: { port } }),
    ClientsModule.register([{ name: 'GREETER', customClass: BrookClient, options: { connection: 'redis://127.0.0.1:' + port } }]),
  ],
  providers: [Billing],
  controllers: [Greeter],
})(AppModule);

const app = await NestFactory.createMicroservice(AppModule, {
  strategy: new BrookServer({ connection: { host: '127.0.0.1', port }, group: 'greeter' }),
  logger: ['error', 'warn'],
});
await app.listen();

const id = await app.get(BrookPublisher).append('orders', { sku: 'A1', qty: 2 });
const { order, context } = await handled;
console.log('durable ' + JSON.stringify(order) + ' group=' + context.group + ' delivery=' + context.deliveryCount + ' same-id=' + (context.id === id));

console.log('send ' + (await lastValueFrom(app.get('GREETER').send('greet', 'brook'))));

const info = await app.get(BrookConnections).commands.info('server');
console.log('embedded ' + /^brook_version:(.*)$/m.exec(info)[1].trim());

await app.close();
console.log('closed');
`;

/**
 * A TypeScript consumer, type-checked against the installed declarations with this repo's tsc
 * (skipLibCheck, as @types/node 20 needs with TypeScript 6): the expected errors prove the
 * declarations are real types, not `any`.
 */
const TYPED_APP = `
import { BrookModule, BrookPublisher, OnMessage, type MessageContext } from '@brook/sdk';
import { BrookClient, BrookContext, BrookServer } from '@brook/transport';

export const root = BrookModule.forRoot({ embedded: { port: 6390 }, prefix: 'shop' });
export const server = new BrookServer({ connection: 'redis://127.0.0.1:6390', group: 'orders' });
export const client = new BrookClient({ connection: { host: '127.0.0.1', port: 6390 }, timeout: 5000 });
export const publish = (p: BrookPublisher): Promise<number> => p.publish('news', { hello: 1 });
export const append = (p: BrookPublisher): Promise<string> => p.append('orders', {}, { maxLen: 1000 });
export const decorator = OnMessage('orders', { group: 'billing', concurrency: 4 });
export const where = (m: MessageContext, c: BrookContext): [string, string | undefined, number] => [m.channel, m.stream, c.getDeliveryCount()];
// @ts-expect-error group must be a string
export const wrongServer = new BrookServer({ group: 1 });
// @ts-expect-error no such module option
export const wrongRoot = BrookModule.forRoot({ prefixes: 'x' });
`;

const TYPED_APP_TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2023',
    lib: ['ES2023'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
  },
  files: ['typed-app.ts'],
};

/** The quoted `@brook/…` module specifiers in a package's installed .js and .d.ts files. */
function brookSpecifiers(packageDir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(packageDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(js|d\.ts)$/.test(entry.name)) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(@brook\/[\w-]+)\1/g)) found.add(m[2]);
  }
  return found;
}

describe('packaging: npm pack and an app outside the repo', () => {
  let work: string;
  const tarballs: Record<string, string> = {};
  const contents: Record<string, string[]> = {};
  const appDir = () => join(work, 'app');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'brook-packaging-'));
    const packs = join(work, 'tarballs');
    mkdirSync(packs);
    for (const name of PACKAGES) {
      const { stdout } = await run('npm', ['pack', '--pack-destination', packs], { cwd: join(ROOT, 'libs', name), maxBuffer: 64 << 20 });
      tarballs[name] = join(packs, stdout.trim().split('\n').at(-1) ?? '');
      contents[name] = (await run('tar', ['-tzf', tarballs[name]], { maxBuffer: 64 << 20 })).stdout.trim().split('\n');
    }
    mkdirSync(appDir());
    writeFileSync(join(appDir(), 'package.json'), JSON.stringify({ name: 'brook-packaging-app', private: true, type: 'module' }));
    writeFileSync(join(appDir(), 'app.mjs'), APP);
    const peers = PEERS.map((p) => `${p}@${rootPackage.dependencies?.[p] ?? 'missing'}`);
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarballs.sdk, tarballs.transport, ...peers], {
      cwd: appDir(),
      maxBuffer: 64 << 20,
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it.each(PACKAGES)('the %s tarball holds compiled JavaScript and declarations only', (name) => {
    const files = contents[name].map((f) => f.replace(/^package\//, ''));
    const code = files.filter((f) => f !== 'package.json');
    expect(code.length).toBeGreaterThan(0);
    expect(code.filter((f) => !/^dist\/.*(\.js|\.d\.ts)$/.test(f))).toEqual([]);
    expect(code.filter((f) => /\.spec\.|(^|\/)test\//.test(f))).toEqual([]);
    const pkg = readPackage(join(appDir(), 'node_modules/@brook', name, 'package.json'));
    expect(files).toContain(pkg.exports['.'].default.replace(/^\.\//, ''));
    expect(files).toContain(pkg.exports['.'].types.replace(/^\.\//, ''));
  });

  it('the SDK carries the server it embeds; the transport uses the SDK package, not a copy', () => {
    expect(contents.sdk).toContain('package/dist/server/src/index.js');
    expect(contents.sdk).toContain('package/dist/storage/src/index.js');
    expect(contents.transport.filter((f) => !f.startsWith('package/dist/transport/') && f !== 'package/package.json')).toEqual([]);
    const transport = readPackage(join(appDir(), 'node_modules/@brook/transport/package.json'));
    expect(transport.dependencies?.['@brook/sdk']).toBe(readPackage(join(ROOT, 'libs/sdk/package.json')).version);
  });

  it('the SDK imports its embedded server by relative paths; the transport imports only @brook/sdk', () => {
    expect([...brookSpecifiers(join(appDir(), 'node_modules/@brook/sdk'))]).toEqual([]);
    expect([...brookSpecifiers(join(appDir(), 'node_modules/@brook/transport'))]).toEqual(['@brook/sdk']);
  });

  it('a TypeScript app type-checks against the declarations', async () => {
    writeFileSync(join(appDir(), 'typed-app.ts'), TYPED_APP);
    writeFileSync(join(appDir(), 'tsconfig.json'), JSON.stringify(TYPED_APP_TSCONFIG));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    // tsc prints its diagnostics on stdout and exits non-zero: compare them, so a failure shows them.
    const diagnostics = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: appDir() }).then(
      (r) => r.stdout,
      (e: unknown) => (e as { stdout?: string }).stdout ?? (e as Error).message,
    );
    expect(diagnostics).toBe('');
  });

  it.each(PACKAGES)('the %s package asks for the Nest peers and depends on ioredis', (name) => {
    const pkg = readPackage(join(appDir(), 'node_modules/@brook', name, 'package.json'));
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual([...PEERS].sort());
    expect(Object.keys(pkg.dependencies ?? {})).toContain('ioredis');
  });

  // Most Nest apps compile to CommonJS; Node ≥ 20.19 loads ESM packages with require() (no top-level await in them).
  it('a CommonJS app can require() both packages', async () => {
    const script =
      "const { BrookModule } = require('@brook/sdk'); const { BrookClient } = require('@brook/transport');" +
      'console.log(typeof BrookModule.forRoot, typeof BrookClient);';
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: appDir() });
    expect(stdout.trim()).toBe('function function');
  });

  it(
    'a plain-JavaScript Nest app runs on the installed packages',
    async () => {
      const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: appDir(), timeout: APP_TIMEOUT_MS });
      expect(stdout.trim().split('\n')).toEqual([
        'durable {"sku":"A1","qty":2} group=billing delivery=1 same-id=true',
        'send hello brook',
        `embedded ${readPackage(join(ROOT, 'package.json')).version}`,
        'closed',
      ]);
    },
    APP_TIMEOUT_MS + 10_000,
  );
});
