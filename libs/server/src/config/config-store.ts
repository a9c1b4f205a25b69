import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { builtinFamilies, globMatch, type ConfigAccess } from '@brook/commands';
import { splitInline } from '@brook/resp';
import { normalizeParam, PARAMS, type ParamSpec } from './params.js';
import { BROOK_VERSION } from '../version.js';
import { checkUserLine } from '../acl/config-users.js';

/** Thrown at start-up for a bad directive; the message is printed like redis-server's fatal error. */
export class ConfigError extends Error {}

/**
 * Runs when CONFIG SET changes a parameter (after all values validated). Returns an error text
 * to undo the whole CONFIG SET; a Promise when the effect is asynchronous (rebinding a port).
 */
export type ApplyHook = (name: string, value: string, previous: string) => string | null | Promise<string | null>;

type SetResult = string | null | Promise<string | null>;

/** One parameter of a CONFIG SET: its new value and the one it replaces. */
interface Staged {
  spec: ParamSpec;
  /** The name as typed, in lower case: how Redis names a parameter once its value is looked at. */
  argName: string;
  value: string;
  previous: string;
}

function setFailed(rawName: string, why: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${rawName}') - ${why}`;
}

/**
 * Parameter values, keyed by canonical name. Start-up fills it from redis.conf and the command
 * line; CONFIG SET changes several atomically, running each parameter's apply hook.
 */
export class ConfigStore implements ConfigAccess {
  private readonly values = new Map<string, string>();
  /** int()'s parses, by the name asked for; emptied whenever a value changes. */
  private readonly ints = new Map<string, number>();
  private readonly specs = new Map<string, ParamSpec>();
  private readonly hooks: ApplyHook[] = [];
  /** The CONFIG SET whose asynchronous effects are still in flight, if any. */
  private applying: Promise<unknown> | null = null;
  /** Where CONFIG REWRITE writes; null when started without a file. */
  configFile: string | null = null;
  /** `user` lines of redis.conf (each the whole line's words), loaded into the ACL at start-up. */
  readonly userLines: string[][] = [];
  /**
   * The ACL users as `user` lines for CONFIG REWRITE (set by the server); null while an aclfile
   * holds them, and then the file's old `user` lines are dropped, as Redis does.
   */
  userDirectives: () => string[] | null = () => null;
  /** rename-command lines, with the fatal error naming each line. */
  private readonly renames: { from: string; to: string; error: (why: string) => ConfigError }[] = [];

  /** Every parameter, the core's first, then those the families declare (CONFIG REWRITE's order). */
  private readonly all: readonly ParamSpec[];

  constructor(familyParams: readonly ParamSpec[] = builtinFamilies.flatMap((f) => f.params ?? [])) {
    this.all = [...PARAMS, ...familyParams];
    for (const p of this.all) {
      if (this.specs.has(p.name)) throw new Error(`parameter '${p.name}' is declared twice`);
      this.specs.set(p.name, p);
      for (const a of p.aliases ?? []) this.specs.set(a, p);
      this.put(p.name, p.default);
    }
    this.put('dir', resolve(this.values.get('dir')!));
  }

  /** True when `spec` is one of this store's parameters (a family's must be known before the config is loaded). */
  declares(spec: ParamSpec): boolean {
    return this.specs.get(spec.name) === spec;
  }

  value(name: string): string {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`unknown parameter ${name}`);
    return this.values.get(spec.name)!;
  }

  /**
   * A numeric parameter, parsed once per value: the families read their encoding limits at every
   * write, as Redis does, so this is on the command path.
   */
  int(name: string): number {
    let n = this.ints.get(name);
    if (n === undefined) {
      n = Number(this.value(name));
      this.ints.set(name, n);
    }
    return n;
  }

  /** Every change of a value goes through here, so int() never answers from a stale parse. */
  private put(name: string, value: string): void {
    this.values.set(name, value);
    this.ints.clear();
  }

  bool(name: string): boolean {
    return this.value(name) === 'yes';
  }

  /** Registers a hook run for every parameter CONFIG SET changes. */
  onApply(hook: ApplyHook): void {
    this.hooks.push(hook);
  }

  /**
   * CONFIG GET: exact names match case-insensitively and are echoed as typed; patterns match
   * every name and alias (Redis 7.0 lists both) but no hidden parameter. Each parameter appears once, under the first
   * spelling that matched it (Redis collects the matches in a case-insensitive dict).
   */
  get(patterns: readonly string[]): [string, string][] {
    const out = new Map<string, [string, string]>();
    for (const pat of patterns) {
      if (!/[[*?]/.test(pat)) {
        const name = pat.toLowerCase();
        const spec = this.specs.get(name);
        if (spec && !out.has(name)) out.set(name, [pat, this.values.get(spec.name)!]);
        continue;
      }
      for (const [name, spec] of this.specs) {
        if (!spec.hidden && !out.has(name) && globMatch(pat, name, true)) out.set(name, [name, this.values.get(spec.name)!]);
      }
    }
    return [...out.values()];
  }

  /**
   * CONFIG SET of several pairs, all or nothing: everything is validated first; if an apply hook
   * then fails, every value (and its effect) is restored. `local`: the caller is on loopback or
   * a unix socket (enable-protected-configs local). While one CONFIG SET has effects in flight (a
   * rebind), the next one waits for it, so it neither sees nor undoes a half-applied change.
   */
  set(pairs: readonly [string, string][], local = true): SetResult {
    if (this.applying !== null) return this.applying.then(() => this.set(pairs, local));
    // Redis checks every name first (unknown, repeated, immutable, protected), then the values.
    const specs: ParamSpec[] = [];
    const seen = new Set<string>();
    for (const [rawName] of pairs) {
      const spec = this.specs.get(rawName.toLowerCase());
      if (!spec) return `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
      if (seen.has(rawName.toLowerCase())) return setFailed(rawName, 'duplicate parameter');
      seen.add(rawName.toLowerCase());
      if (!spec.mutable) return setFailed(rawName, "can't set immutable config");
      if (spec.protected && !this.allowsProtected(local)) return setFailed(rawName, "can't set protected config");
      specs.push(spec);
    }
    const staged: Staged[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const [rawName, raw] = pairs[i];
      const spec = specs[i];
      const r = normalizeParam(spec, spec.name === 'dir' ? resolve(raw) : raw, this.values.get(spec.name));
      const argName = rawName.toLowerCase();
      if ('error' in r) return setFailed(argName, r.error);
      staged.push({ spec, argName, value: r.value, previous: this.values.get(spec.name)! });
    }
    for (const s of staged) this.put(s.spec.name, s.value);
    const result = this.applyStaged(staged);
    if (!(result instanceof Promise)) return result;
    const applying: Promise<unknown> = result.finally(() => {
      if (this.applying === applying) this.applying = null;
    });
    this.applying = applying;
    return result;
  }

  /**
   * Runs the apply hooks of the changed parameters in order. A hook that fails at once stops the
   * rest and restores every value before any asynchronous effect already started reads them
   * (a rebind reads port and bind when its turn comes, so it then has nothing to do); an
   * asynchronous failure restores them once every effect in flight has settled. The reply is
   * the first failure in argument order, like Redis's. Parameters of one apply group are applied
   * once, under the first of them that changed, which a failure then names.
   */
  private applyStaged(staged: readonly Staged[]): SetResult {
    const pending: Promise<string | null>[] = [];
    const groups = new Set<string>();
    let failed: string | null = null;
    apply: for (const { spec, argName, value, previous } of staged) {
      if (value === previous) continue;
      if (spec.applyGroup !== undefined) {
        if (groups.has(spec.applyGroup)) continue;
        groups.add(spec.applyGroup);
      }
      for (const hook of this.hooks) {
        const r = hook(spec.name, value, previous);
        if (typeof r === 'string') {
          failed = setFailed(argName, r);
          break apply;
        }
        if (r instanceof Promise) {
          pending.push(
            r.then(
              (e) => (e === null ? null : setFailed(argName, e)),
              (e: unknown) => setFailed(argName, (e as Error).message),
            ),
          );
        }
      }
    }
    if (failed !== null) {
      const restored = this.restore(staged);
      if (pending.length === 0 && restored === null) return failed;
      const error = failed;
      return Promise.all([...pending, restored]).then(() => error);
    }
    if (pending.length === 0) return null;
    return Promise.all(pending).then(async (errors) => {
      const error = errors.find((e) => e !== null) ?? null;
      if (error !== null) await this.restore(staged);
      return error;
    });
  }

  /** Puts back the values CONFIG SET replaced and re-applies them; a Promise while effects are undone. */
  private restore(staged: readonly Staged[]): Promise<unknown> | null {
    for (const { spec, previous } of staged) this.put(spec.name, previous);
    const pending: Promise<unknown>[] = [];
    for (const { spec, value, previous } of staged) {
      if (value === previous) continue;
      for (const hook of this.hooks) {
        const r = hook(spec.name, previous, value);
        if (r instanceof Promise) pending.push(r);
      }
    }
    return pending.length === 0 ? null : Promise.allSettled(pending);
  }

  private allowsProtected(local: boolean): boolean {
    const v = this.values.get('enable-protected-configs');
    return v === 'yes' || (v === 'local' && local);
  }

  /**
   * CONFIG REWRITE: keeps the file's comments and layout, puts the current value on each known
   * directive's first line, drops its repeats, and appends changed parameters the file lacks.
   */
  rewrite(): string | null {
    const file = this.configFile;
    if (!file) return 'ERR The server is running without a config file';
    let lines: string[];
    try {
      lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    } catch (e) {
      return `ERR Rewriting config file: ${errnoText(e)}`;
    }
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const written = new Set<string>();
    const out: string[] = [];
    const users = this.userDirectives();
    let usersWritten = false;
    for (const line of lines) {
      const args = /^\s*(#|$)/.test(line) ? null : splitInline(line.trim());
      if (args?.[0]?.toLowerCase() === 'user') {
        // Every user goes where the first `user` line was; the other old lines go.
        if (!usersWritten && users) out.push(...users);
        usersWritten = true;
        continue;
      }
      const spec = args && args.length > 0 ? this.specs.get(args[0].toLowerCase()) : undefined;
      if (!spec) {
        out.push(line);
        continue;
      }
      if (written.has(spec.name)) continue;
      written.add(spec.name);
      out.push(this.directive(spec));
    }
    const added = this.all.filter((p) => !written.has(p.name) && this.values.get(p.name) !== this.defaultOf(p));
    const addedUsers = !usersWritten && users ? users : [];
    if (added.length > 0 || addedUsers.length > 0) {
      out.push('# Generated by CONFIG REWRITE');
      for (const p of added) out.push(this.directive(p));
      out.push(...addedUsers);
    }
    try {
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, out.join('\n') + '\n');
      renameSync(tmp, file);
    } catch (e) {
      return `ERR Rewriting config file: ${errnoText(e)}`;
    }
    return null;
  }

  private defaultOf(p: ParamSpec): string {
    return p.name === 'dir' ? resolve(p.default) : p.default;
  }

  private directive(p: ParamSpec): string {
    const v = this.values.get(p.name)!;
    if (p.multiArg && v !== '') return `${p.name} ${v}`;
    return `${p.name} ${/^[^\s"'\\]+$/.test(v) ? v : JSON.stringify(v)}`;
  }

  /**
   * Loads redis.conf text and then command-line options, like redis-server: each `--name value...`
   * becomes a line appended to the file (after one blank line), so errors name a line number.
   */
  load(fileText: string | null, cliArgs: readonly string[]): void {
    const fileLines = (fileText ?? '').split('\n');
    const lines = configLines(fileLines);
    let n = fileLines.length + 1;
    let current: string[] | null = null;
    const flush = (): void => {
      if (current) lines.push({ n: n++, text: current.map((a, i) => (i === 0 ? a : JSON.stringify(a))).join(' '), args: current });
    };
    for (const a of cliArgs) {
      if (a.startsWith('--') && a.length > 2) {
        flush();
        current = [a.slice(2)];
      } else if (current) {
        current.push(a);
      } else {
        throw this.fatal(n, a, 'Bad directive or wrong number of arguments');
      }
    }
    flush();
    this.loadLines(lines, new Set<string>(), 0);
    const dir = this.values.get('dir')!;
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw this.fatal(0, `dir ${dir}`, `Can't chdir to '${dir}': Not a directory`);
  }

  /** Applies config lines in order; `include` loads its files there (nested up to MAX_INCLUDE_DEPTH). */
  private loadLines(lines: readonly ConfigLine[], accumulated: Set<string>, depth: number): void {
    for (const { n: lineNo, text, args } of lines) {
      if (args === null) throw this.fatal(lineNo, text, 'Unbalanced quotes in configuration line');
      const directive = args[0].toLowerCase();
      if (directive === 'user' && args.length >= 2) {
        const error = checkUserLine(args, new Set(this.userLines.map((u) => u[1])));
        if (error !== null) throw this.fatal(lineNo, text, error);
        this.userLines.push(args);
        continue;
      }
      const spec = this.specs.get(directive);
      if (!spec && directive === 'include' && args.length === 2) {
        if (depth >= MAX_INCLUDE_DEPTH) throw this.fatal(lineNo, text, 'include nested too deeply');
        for (const file of includedFiles(args[1])) this.loadLines(readConfigLines(file), accumulated, depth + 1);
        continue;
      }
      if (!spec && directive === 'rename-command' && args.length === 3) {
        // The command table does not exist yet: the server applies these in order (renameCommands).
        this.renames.push({ from: args[1], to: args[2], error: (why) => this.fatal(lineNo, text, why) });
        continue;
      }
      if (!spec) throw this.fatal(lineNo, text, 'Bad directive or wrong number of arguments');
      if (args.length < 2 || (args.length > 2 && !spec.multiArg)) throw this.fatal(lineNo, text, 'wrong number of arguments');
      let value = args.slice(1).join(' ');
      // Repeated `save` lines add up (the first one replaces the default); `save ""` clears.
      if (spec.accumulate && accumulated.has(spec.name) && value !== '') value = `${this.values.get(spec.name)} ${value}`;
      accumulated.add(spec.name);
      const r = normalizeParam(spec, spec.name === 'dir' ? resolve(value) : value, this.values.get(spec.name));
      if ('error' in r) throw this.fatal(lineNo, text, r.error);
      this.put(spec.name, r.value);
    }
  }

  /**
   * rename-command lines, in order: `rename(from, to)` renames in the command table (to "" takes
   * the command away) and returns null or Redis's error text, which becomes the fatal error of
   * that line.
   */
  renameCommands(rename: (from: string, to: string) => string | null): void {
    for (const { from, to, error } of this.renames) {
      const why = rename(from, to);
      if (why !== null) throw error(why);
    }
  }

  private fatal(line: number, text: string, why: string): ConfigError {
    return new ConfigError(
      `\n*** FATAL CONFIG FILE ERROR (Brook ${BROOK_VERSION}) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${why}`,
    );
  }
}

/** How deep `include` may nest (Redis recurses without a bound; a file including itself would crash it). */
const MAX_INCLUDE_DEPTH = 64;

/** One line of a config file (or the command line): its number, its text, its words (null: unbalanced quotes). */
interface ConfigLine {
  n: number;
  text: string;
  args: string[] | null;
}

function configLines(fileLines: readonly string[]): ConfigLine[] {
  const lines: ConfigLine[] = [];
  fileLines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const args = splitInline(t);
    if (args === null || args.length > 0) lines.push({ n: i + 1, text: t, args });
  });
  return lines;
}

/** An included file's lines; one that cannot be read stops start-up as Redis's does. */
function readConfigLines(file: string): ConfigLine[] {
  try {
    return configLines(readFileSync(file, 'utf8').split('\n'));
  } catch (e) {
    throw new ConfigError(`Fatal error, can't open config file '${file}': ${errnoText(e)}`);
  }
}

/**
 * The files `include path` names, relative to the working directory like Redis: the path itself,
 * or with wildcards in its last part the matching files in name order (none is fine, so an empty
 * conf.d directory can be included).
 */
function includedFiles(path: string): string[] {
  if (!/[*?[]/.test(path)) return [path];
  const dir = dirname(path);
  const pattern = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.') && globMatch(pattern, n, false))
    .sort()
    .map((n) => join(dir, n));
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}
