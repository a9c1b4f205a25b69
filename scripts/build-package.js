#!/usr/bin/env node
/**
 * node scripts/build-package.js <sdk|transport>: compiles libs/<name> into libs/<name>/dist for `npm pack`
 * (the package's prepack script), first building the `@brook/*` packages it depends on.
 *
 * tsc compiles the library and every `@brook/*` library it imports through the tsconfig paths, side
 * by side under dist/ (libs/sdk/tsconfig.build.json sets rootDir to libs/), but leaves the import
 * specifiers alone. This step then rewrites each `@brook/x` whose code was compiled into this package
 * to a relative import of dist/x/src/index.js, in the JavaScript and in the declarations. Why not
 * `nest build` (whose tsc builder rewrites paths too): it rewrites only static import/export
 * declarations, not `import('@brook/server')` nor the `import("…")` types tsc writes into .d.ts
 * files, and it cannot leave `@brook/sdk` a package import in the transport. Any `@brook/x` left
 * that is not a dependency in the package.json fails the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * A quoted `@brook/<lib>` module specifier, in JavaScript or in declarations: after `from`,
 * `import(`, a bare `import` or `require(` — never any other string that names a package
 * (the server's version lookup compares package names).
 */
const BROOK_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])@brook\/([\w-]+)\2/g;

/** Every file under dir, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function tsc(project) {
  const pkg = require.resolve('typescript/package.json');
  const bin = join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin.tsc);
  const run = spawnSync(process.execPath, [bin, '-p', project], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`tsc -p ${project} failed`);
}

/**
 * Rewrites the `@brook/x` specifiers of the compiled files in dist to relative imports when x was
 * compiled into dist; returns the specifiers that were not (they must be package dependencies).
 */
function rewriteBundledImports(dist) {
  const external = new Set();
  for (const file of files(dist).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(BROOK_SPECIFIER, (whole, keyword, quote, lib) => {
      const entry = join(dist, lib, 'src', 'index.js');
      if (!existsSync(entry)) {
        external.add(`@brook/${lib}`);
        return whole;
      }
      const path = relative(dirname(file), entry).split(sep).join('/');
      return `${keyword}${quote}${path.startsWith('.') ? path : `./${path}`}${quote}`;
    });
    if (next !== text) writeFileSync(file, next);
  }
  return external;
}

/** Builds libs/<name> and the `@brook/*` packages it depends on. */
function build(name) {
  const dir = join(ROOT, 'libs', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const dependencies = Object.keys(pkg.dependencies ?? {});
  for (const dep of dependencies.filter((d) => d.startsWith('@brook/'))) build(dep.slice('@brook/'.length));
  const dist = join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  tsc(join(dir, 'tsconfig.build.json'));
  const undeclared = [...rewriteBundledImports(dist)].filter((s) => !dependencies.includes(s));
  if (undeclared.length > 0) throw new Error(`${pkg.name} imports ${undeclared.join(', ')}: neither compiled in nor a dependency`);
  process.stderr.write(`built ${pkg.name} into ${relative(ROOT, dist)}\n`);
}

const name = process.argv[2];
if (!name || !existsSync(join(ROOT, 'libs', name, 'tsconfig.build.json'))) {
  process.stderr.write('usage: node scripts/build-package.js <sdk|transport>\n');
  process.exit(1);
}
build(name);
