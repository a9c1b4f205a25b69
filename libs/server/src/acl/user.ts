import { createHash, timingSafeEqual } from 'node:crypto';
import type { Command } from '@brook/commands';
import { splitInline } from '@brook/resp';
import { Denied, RuleFailure, Selector, type CheckResult, type CommandCatalog } from './selector.js';

/** SHA-256 hex of a password, as ACL stores it (#hash rules, ACL GETUSER's passwords). */
export function hashPassword(password: string): string {
  return createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

/** Redis's ACLCheckPasswordHash: 64 lower-case hex characters. */
function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

/**
 * An ACL user (Redis's `user`): flags, password hashes and selectors, the first being the root.
 * `unrestricted` caches "every command, key and channel" so the dispatcher checks one flag for
 * the common case (the default user as it starts).
 */
export class AclUser {
  enabled = false;
  nopass = false;
  /** null until SETUSER says; `reset` sets sanitize-payload. */
  sanitize: 'sanitize-payload' | 'skip-sanitize-payload' | null = null;
  /** SHA-256 hex digests, in the order added. */
  readonly passwords = new Set<string>();
  /** ACL LIST's line, kept until the rules or the command table change (Redis's acl_string). */
  private described: { catalog: CommandCatalog; text: string } | null = null;
  selectors: Selector[];
  unrestricted = false;

  constructor(
    readonly name: string,
    allChannelsByDefault: boolean,
  ) {
    this.selectors = [new Selector(true, allChannelsByDefault)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** ACLCopyUser: the rules of `src` on this user (names stay). */
  copyFrom(src: AclUser): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.passwords.clear();
    for (const p of src.passwords) this.passwords.add(p);
    this.selectors = src.selectors.map((s) => s.copy());
    this.refresh();
  }

  refresh(): void {
    this.described = null;
    this.unrestricted = this.selectors.some((s) => s.unrestricted);
  }

  /** Redis's ACLSetUser: one rule (selectors already merged into one "(...)" argument). */
  apply(op: string, catalog: CommandCatalog, allChannelsByDefault: boolean): void {
    try {
      this.applyRule(op, catalog, allChannelsByDefault);
    } finally {
      this.refresh();
    }
  }

  private applyRule(op: string, catalog: CommandCatalog, allChannelsByDefault: boolean): void {
    if (op === '') return;
    const lower = op.toLowerCase();
    if (lower === 'on') this.enabled = true;
    else if (lower === 'off') this.enabled = false;
    else if (lower === 'skip-sanitize-payload' || lower === 'sanitize-payload') this.sanitize = lower;
    else if (lower === 'nopass') {
      this.nopass = true;
      this.passwords.clear();
    } else if (lower === 'resetpass') {
      this.nopass = false;
      this.passwords.clear();
    } else if (op[0] === '>' || op[0] === '#') {
      const hash = op[0] === '>' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '#' && !validHash(hash)) throw new RuleFailure('EBADMSG');
      this.passwords.add(hash);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      const hash = op[0] === '<' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '!' && !validHash(hash)) throw new RuleFailure('EBADMSG');
      if (!this.passwords.delete(hash)) throw new RuleFailure('ENODEV');
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(false, allChannelsByDefault);
      for (const rule of splitArgs(op.slice(1, -1))) s.apply(rule, catalog);
      this.selectors.push(s);
    } else if (lower === 'clearselectors') {
      this.selectors.length = 1;
    } else if (lower === 'reset') {
      this.nopass = false;
      this.passwords.clear();
      this.root.apply('resetkeys', catalog);
      this.root.apply(allChannelsByDefault ? 'allchannels' : 'resetchannels', catalog);
      this.enabled = false;
      this.sanitize = 'sanitize-payload';
      this.selectors.length = 1;
      this.root.apply('-@all', catalog);
    } else this.root.apply(op, catalog);
  }

  /** Password check in constant time per stored hash (the SHA-256 digests are compared, never the passwords). */
  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    const given = Buffer.from(hashPassword(password), 'latin1');
    let ok = false;
    for (const h of this.passwords) if (timingSafeEqual(given, Buffer.from(h, 'latin1'))) ok = true;
    return ok;
  }

  /** ACLCheckAllUserCommandPerm: allowed by any selector, else the most relevant denial. */
  check(cmd: Command, argv: readonly string[]): CheckResult {
    let worst: CheckResult = { denied: Denied.Command, pos: 0 };
    for (const s of this.selectors) {
      const r = s.check(cmd, argv);
      if (r.denied === Denied.None) return r;
      if (r.denied > worst.denied || (r.denied === worst.denied && r.pos > worst.pos)) worst = r;
    }
    return worst;
  }

  /** Whether any selector allows publishing/subscribing to `channel` (pub/sub clients kept after a change). */
  channelAllowed(channel: string, isPattern: boolean): boolean {
    return this.selectors.some((s) => s.channelAllowed(channel, isPattern));
  }

  /** ACL GETUSER's flags, in Redis's order. */
  flags(): string[] {
    const out = [this.enabled ? 'on' : 'off'];
    if (this.nopass) out.push('nopass');
    if (this.sanitize) out.push(this.sanitize);
    return out;
  }

  /** ACLDescribeUser: the rules that recreate this user (ACL LIST, ACL SAVE). */
  describe(catalog: CommandCatalog): string {
    if (this.described?.catalog === catalog) return this.described.text;
    let out = this.flags().join(' ') + ' ';
    for (const p of this.passwords) out += '#' + p + ' ';
    out += this.root.describe(catalog);
    for (const s of this.selectors.slice(1)) out += ` (${s.describe(catalog)})`;
    this.described = { catalog, text: out };
    return out;
  }
}

/** A selector's rules, split as Redis's sdssplitargs; unbalanced quotes give no rules (an empty selector), as in Redis. */
function splitArgs(text: string): string[] {
  return splitInline(text) ?? [];
}
