/**
 * How a server parameter is declared: the core's in @brook/server's config/params.ts, a family's
 * next to its commands (CommandFamily.params). The command line, redis.conf, CONFIG GET/SET/REWRITE
 * read these declarations; values are kept as their canonical CONFIG GET text.
 */
export type ParamType = 'string' | 'int' | 'bool' | 'enum' | 'memory' | 'special';

export type Normalized = { value: string } | { error: string };

export interface ParamSpec {
  name: string;
  /** Old names still accepted (slaveof for replicaof...); CONFIG GET lists them too, as Redis 7.0 does. */
  aliases?: string[];
  type: ParamType;
  default: string;
  /** False: CONFIG SET refuses it ("can't set immutable config"). */
  mutable: boolean;
  /** Refused by CONFIG SET unless enable-protected-configs allows it (dir, dbfilename). */
  protected?: boolean;
  /** int/memory range. */
  min?: number;
  max?: number;
  /** Values above `max` are accepted and clamped (Redis caps hz at 500). */
  clampTo?: number;
  /** enum choices (lower-case). */
  choices?: string[];
  /** Several enum choices separated by spaces are allowed (shutdown-on-sigint "save now"). */
  multi?: boolean;
  /** Validation and canonical form for 'special' and 'string' types, given the current value. */
  normalize?: (value: string, current: string) => Normalized;
  /** Takes several words on a config line (save 3600 1, client-output-buffer-limit ...). */
  multiArg?: boolean;
  /** Config file semantics of a repeated directive: accumulate (save) instead of replace. */
  accumulate?: boolean;
  /** A test/debug knob Redis keeps out of CONFIG GET patterns: only its exact name answers. */
  hidden?: boolean;
  /**
   * Parameters that share one apply step in Redis (all tls-* reload one TLS context): CONFIG SET
   * runs it once, for the first of them that changed, and a failure names that one.
   */
  applyGroup?: string;
}

/** Declarations by type; every parameter is mutable unless `opts` says otherwise. */
export const param = {
  int: (name: string, def: number, lo: number, hi: number, opts: Partial<ParamSpec> = {}): ParamSpec => ({
    name,
    type: 'int',
    default: String(def),
    mutable: true,
    min: lo,
    max: hi,
    ...opts,
  }),
  memory: (name: string, def: number, lo: number, hi: number, opts: Partial<ParamSpec> = {}): ParamSpec => ({
    name,
    type: 'memory',
    default: String(def),
    mutable: true,
    min: lo,
    max: hi,
    ...opts,
  }),
  bool: (name: string, def: 'yes' | 'no', opts: Partial<ParamSpec> = {}): ParamSpec => ({
    name,
    type: 'bool',
    default: def,
    mutable: true,
    ...opts,
  }),
  enum: (name: string, def: string, choices: string[], opts: Partial<ParamSpec> = {}): ParamSpec => ({
    name,
    type: 'enum',
    default: def,
    mutable: true,
    choices,
    ...opts,
  }),
  string: (name: string, def = '', opts: Partial<ParamSpec> = {}): ParamSpec => ({
    name,
    type: 'string',
    default: def,
    mutable: true,
    ...opts,
  }),
  special: (name: string, def: string, normalize: ParamSpec['normalize'], opts: Partial<ParamSpec> = {}): ParamSpec => ({
    name,
    type: 'special',
    default: def,
    mutable: true,
    normalize,
    multiArg: true,
    ...opts,
  }),
};
