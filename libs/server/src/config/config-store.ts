import { globMatch, type ConfigAccess } from '@brook/commands';
import { splitInline } from '@brook/resp';
import { normalizeParam, PARAMS, type ParamSpec } from './params.js';

/** Thrown at start-up for a bad directive; the message is printed like redis-server's fatal error. */
export class ConfigError extends Error {}

export type ApplyHook = (name: string, value: string) => string | null;

/**
 * Parameter values, keyed by canonical name. Start-up fills it from redis.conf and the command
 * line; CONFIG SET changes it atomically, running each parameter's apply hook.
 */
export class ConfigStore implements ConfigAccess {
  private readonly values = new Map<string, string>();
  private readonly specs = new Map<string, ParamSpec>();
  private readonly hooks: ApplyHook[] = [];
  /** Where CONFIG REWRITE writes; null when started without a file. */
  configFile: string | null = null;

  constructor() {
    for (const p of PARAMS) {
      this.specs.set(p.name, p);
      for (const a of p.aliases ?? []) this.specs.set(a, p);
      this.values.set(p.name, p.default);
    }
  }

  value(name: string): string {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`unknown parameter ${name}`);
    return this.values.get(spec.name)!;
  }

  int(name: string): number {
    return Number(this.value(name));
  }

  bool(name: string): boolean {
    return this.value(name) === 'yes';
  }

  /** Registers a hook run for every changed parameter after validation (CONFIG SET). */
  onApply(hook: ApplyHook): void {
    this.hooks.push(hook);
  }

  get(patterns: readonly string[]): [string, string][] {
    const out: [string, string][] = [];
    for (const p of PARAMS) {
      const names = [p.name, ...(p.aliases ?? [])];
      for (const n of names) {
        if (patterns.some((pat) => globMatch(pat, n, true))) out.push([n, this.values.get(p.name)!]);
      }
    }
    return out;
  }

  set(pairs: readonly [string, string][]): string | null {
    const staged: [ParamSpec, string][] = [];
    const seen = new Set<string>();
    for (const [rawName, raw] of pairs) {
      const spec = this.specs.get(rawName.toLowerCase());
      if (!spec) return `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
      const fail = (why: string) => `ERR CONFIG SET failed (possibly related to argument '${rawName}') - ${why}`;
      if (seen.has(spec.name)) return fail('duplicate parameter');
      seen.add(spec.name);
      if (!spec.mutable) return fail("can't set immutable config");
      const r = normalizeParam(spec, raw);
      if ('error' in r) return fail(r.error);
      staged.push([spec, r.value]);
    }
    const previous = staged.map(([s]) => [s, this.values.get(s.name)!] as const);
    for (const [spec, v] of staged) this.values.set(spec.name, v);
    for (const [spec, v] of staged) {
      for (const hook of this.hooks) {
        const err = hook(spec.name, v);
        if (err) {
          for (const [s, old] of previous) this.values.set(s.name, old);
          for (const [s, old] of previous) for (const h of this.hooks) h(s.name, old);
          return `ERR CONFIG SET failed (possibly related to argument '${spec.name}') - ${err}`;
        }
      }
    }
    return null;
  }

  rewrite(): string | null {
    return this.configFile ? null : 'ERR The server is running without a config file';
  }

  /**
   * Loads redis.conf text and then command-line options, like redis-server: the file first,
   * then each `--name value...` as if it were a line appended to the file.
   */
  load(fileText: string | null, cliArgs: readonly string[]): void {
    const lines: string[][] = [];
    const raw: string[] = [];
    if (fileText !== null) {
      for (const line of fileText.split('\n')) {
        raw.push(line);
        const t = line.trim();
        if (t === '' || t.startsWith('#')) {
          lines.push([]);
          continue;
        }
        const args = splitInline(t);
        if (args === null) throw this.fatal(raw.length, line, 'Unbalanced quotes in configuration line');
        lines.push(args);
      }
    }
    let current: string[] | null = null;
    for (const a of cliArgs) {
      if (a.startsWith('--') && a.length > 2) {
        if (current) lines.push(current);
        current = [a.slice(2)];
        raw.push(a);
      } else if (current) {
        current.push(a);
      } else {
        throw this.fatal(raw.length + 1, a, 'Bad directive or wrong number of arguments');
      }
    }
    if (current) lines.push(current);
    const saveLines: string[] = [];
    lines.forEach((args, i) => {
      if (args.length === 0) return;
      const name = args[0].toLowerCase();
      const spec = this.specs.get(name);
      const lineText = args.join(' ');
      if (!spec || args.length < 2) throw this.fatal(i + 1, lineText, 'Bad directive or wrong number of arguments');
      const value = args.slice(1).join(' ');
      if (spec.name === 'save') {
        // Several `save` lines accumulate; `save ""` clears.
        if (value === '') saveLines.length = 0;
        else saveLines.push(value);
        const r = normalizeParam(spec, saveLines.join(' '));
        if ('error' in r) throw this.fatal(i + 1, lineText, r.error);
        this.values.set('save', r.value);
        return;
      }
      if (args.length > 2 && spec.type !== 'special') throw this.fatal(i + 1, lineText, 'wrong number of arguments');
      const r = normalizeParam(spec, value);
      if ('error' in r) throw this.fatal(i + 1, lineText, r.error);
      this.values.set(spec.name, r.value);
    });
  }

  private fatal(line: number, text: string, why: string): ConfigError {
    return new ConfigError(
      `\n*** FATAL CONFIG FILE ERROR (Brook) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${why}`,
    );
  }
}
