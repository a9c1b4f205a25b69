import type { ReplyWriter } from '@brook/resp';
import { REDIS_COMMANDS } from './reference/redis-commands.js';
import type { CommandReference, RefValue } from './reference/types.js';
import type { Command, CommandSpec } from './table.js';

/**
 * COMMAND INFO and COMMAND DOCS entries, in Redis 7.0's reply shapes. The dispatcher's truth
 * (arity, flags, key range, summary) comes from each CommandSpec; what Redis declares beyond that
 * (key specs, tips, documentation arguments, history) comes from the spec when it sets it, else
 * from Redis 7.0's own metadata (reference/redis-commands.ts), else is derived from the key range.
 */

/** Redis's metadata for a built-in command by full name ('get', 'client|kill'); modules have none. */
export function redisReference(spec: CommandSpec, fullName: string): CommandReference | undefined {
  if (spec.group === 'module' || !Object.hasOwn(REDIS_COMMANDS, fullName)) return undefined;
  return REDIS_COMMANDS[fullName];
}

function referenceOf(cmd: Command): CommandReference | undefined {
  return redisReference(cmd.spec, cmd.fullName);
}

/** Flags in the order COMMAND INFO lists them; may_replicate is hidden there, as in Redis. */
const FLAG_ORDER = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

/** ACL categories in Redis's category order (COMMAND INFO, ACL CAT). */
export const ACL_CATEGORY_ORDER = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

export function sortAclCategories(cats: readonly string[]): string[] {
  const rank = (c: string): number => {
    const i = ACL_CATEGORY_ORDER.indexOf(c);
    return i < 0 ? ACL_CATEGORY_ORDER.length : i;
  };
  return [...new Set(cats)].sort((a, b) => rank(a) - rank(b));
}

/** Key specs: declared, Redis's, or one range spec derived from [first, last, step]. */
export function keySpecsOf(cmd: Command): readonly RefValue[] {
  const spec = cmd.spec;
  if (spec.keySpecs) return spec.keySpecs;
  const ref = referenceOf(cmd);
  if (ref) return ref.keySpecs ?? [];
  const [first, last, step] = spec.keys ?? [0, 0, 0];
  if (first === 0) return [];
  const write = spec.flags.includes('write');
  return [
    {
      flags: { '~': write ? ['RW', 'update'] : ['RO', 'access'] },
      begin_search: { type: 'index', spec: { index: first } },
      find_keys: { type: 'range', spec: { lastkey: last < 0 ? last : last - first, keystep: step, limit: 0 } },
    },
  ];
}

/** Redis marks a command movablekeys when its keys cannot be found from fixed positions. */
export function hasMovableKeys(cmd: Command): boolean {
  if (cmd.spec.getKeys) return true;
  return keySpecsOf(cmd).some((ks) => {
    const m = ks as { begin_search: { type: string }; find_keys: { type: string } };
    return m.begin_search.type !== 'index' || m.find_keys.type !== 'range';
  });
}

export function commandFlags(cmd: Command): string[] {
  const flags = new Set<string>(cmd.spec.flags);
  if (cmd.spec.group === 'module') flags.add('module');
  if (hasMovableKeys(cmd)) flags.add('movablekeys');
  return FLAG_ORDER.filter((f) => flags.has(f));
}

/** Subcommands in declaration order (Redis lists them in its hash order, which varies by process). */
export function subcommandsOf(cmd: Command): Command[] {
  return cmd.subcommands ? [...cmd.subcommands.values()] : [];
}

/** Writes generic metadata; strings directly inside a set are simple strings, as Redis sends them. */
export function writeRef(w: ReplyWriter, v: RefValue, inSet = false): void {
  if (typeof v === 'string') {
    if (inSet) w.simple(v);
    else w.bulk(v);
  } else if (typeof v === 'number') {
    w.integer(v);
  } else if (Array.isArray(v)) {
    w.array(v.length);
    for (const x of v) writeRef(w, x);
  } else if ('~' in v) {
    const items = v['~'] as RefValue[];
    w.set(items.length);
    for (const x of items) writeRef(w, x, true);
  } else {
    const keys = Object.keys(v);
    w.map(keys.length);
    for (const k of keys) {
      w.bulk(k);
      writeRef(w, v[k]);
    }
  }
}

/** One COMMAND INFO entry: name, arity, flags, first, last, step, ACL categories, tips, key specs, subcommands. */
export function writeCommandInfo(w: ReplyWriter, cmd: Command): void {
  const spec = cmd.spec;
  const [first, last, step] = spec.keys ?? [0, 0, 0];
  w.array(10);
  w.bulk(cmd.fullName);
  w.integer(spec.arity);
  const flags = commandFlags(cmd);
  w.set(flags.length);
  for (const f of flags) w.simple(f);
  w.integer(first);
  w.integer(last);
  w.integer(step);
  w.set(cmd.aclCategories.length);
  for (const c of cmd.aclCategories) w.simple('@' + c);
  const tips = spec.tips ?? referenceOf(cmd)?.tips ?? [];
  w.set(tips.length);
  for (const t of tips) w.bulk(t);
  const keySpecs = keySpecsOf(cmd);
  w.set(keySpecs.length);
  for (const ks of keySpecs) writeRef(w, ks);
  // No subcommands is an empty set, subcommands an array (Redis 7.0's addReplyCommandSubCommands).
  const subs = subcommandsOf(cmd);
  if (subs.length === 0) w.set(0);
  else {
    w.array(subs.length);
    for (const s of subs) writeCommandInfo(w, s);
  }
}

/** One COMMAND DOCS value (the map after the name). */
export function writeCommandDocs(w: ReplyWriter, cmd: Command): void {
  const spec: CommandSpec = cmd.spec;
  const extra = spec.docs ?? referenceOf(cmd)?.docs ?? {};
  const extraKeys = Object.keys(extra);
  const isModule = spec.group === 'module';
  const subs = subcommandsOf(cmd);
  const fields =
    1 +
    (spec.summary ? 1 : 0) +
    (spec.since ? 1 : 0) +
    (spec.complexity ? 1 : 0) +
    (isModule ? 1 : 0) +
    extraKeys.length +
    (subs.length ? 1 : 0);
  w.map(fields);
  if (spec.summary) {
    w.bulk('summary');
    w.bulk(spec.summary);
  }
  if (spec.since) {
    w.bulk('since');
    w.bulk(spec.since);
  }
  w.bulk('group');
  w.bulk(spec.group);
  if (spec.complexity) {
    w.bulk('complexity');
    w.bulk(spec.complexity);
  }
  if (isModule) {
    w.bulk('module');
    w.bulk(spec.module ?? '');
  }
  for (const k of extraKeys) {
    w.bulk(k);
    writeRef(w, extra[k]);
  }
  if (subs.length) {
    w.bulk('subcommands');
    w.map(subs.length);
    for (const s of subs) {
      w.bulk(s.fullName);
      writeCommandDocs(w, s);
    }
  }
}

/** One key found in a command line: its argv position and its key-spec flags (RW, access...). */
export interface FoundKey {
  pos: number;
  flags: readonly string[];
}

interface KeySpecShape {
  flags: { '~': string[] };
  begin_search: { type: string; spec: { index?: number; keyword?: string; startfrom?: number } };
  find_keys: { type: string; spec: { lastkey?: number; keystep?: number; limit?: number; keynumidx?: number; firstkey?: number } };
}

/**
 * The keys of a full command line, as COMMAND GETKEYS finds them (Redis's
 * getKeysFromCommandWithSpecs): key specs first when their flags are fixed; a spec's getKeys
 * extractor when specs cannot say; null when the arguments do not fit the specs.
 */
export function commandKeys(cmd: Command, argv: readonly string[]): FoundKey[] | null {
  const specs = (keySpecsOf(cmd) as unknown as KeySpecShape[]).filter((s) => !s.flags['~'].includes('not_key'));
  const variable = specs.some((s) => s.flags['~'].includes('variable_flags'));
  if (variable && cmd.spec.keyFlags) {
    const flags = cmd.spec.keyFlags(argv);
    return keysFromSpecs(specs, argv)?.map((k) => ({ pos: k.pos, flags })) ?? null;
  }
  if (specs.length > 0 && !(variable && cmd.spec.getKeys)) {
    const found = keysFromSpecs(specs, argv);
    if (found !== null || !cmd.spec.getKeys) return found;
  }
  if (cmd.spec.getKeys) {
    const specAt = cmd.spec.keySpecAt ?? (() => 0);
    return cmd.spec.getKeys(argv).map((pos) => ({ pos, flags: specs[specAt(pos)]?.flags['~'] ?? [] }));
  }
  return [];
}

function keysFromSpecs(specs: readonly KeySpecShape[], argv: readonly string[]): FoundKey[] | null {
  const argc = argv.length;
  const out: FoundKey[] = [];
  for (const spec of specs) {
    let first = 0;
    const bs = spec.begin_search;
    if (bs.type === 'index') first = bs.spec.index!;
    else if (bs.type === 'keyword') {
      const from = bs.spec.startfrom!;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 0;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === bs.spec.keyword!.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else return null;
    const fk = spec.find_keys;
    let last: number;
    let step: number;
    if (fk.type === 'range') {
      const lastkey = fk.spec.lastkey!;
      const limit = fk.spec.limit ?? 0;
      step = fk.spec.keystep!;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else if (fk.type === 'keynum') {
      const idx = first + fk.spec.keynumidx!;
      if (idx >= argc) return null;
      const n = Number(argv[idx]);
      if (!/^(0|-?[1-9]\d*)$/.test(argv[idx]) || n < 0) return null;
      step = fk.spec.keystep!;
      first += fk.spec.firstkey!;
      last = first + n - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: spec.flags['~'] });
  }
  return out;
}
