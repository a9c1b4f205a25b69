import { createHash } from 'node:crypto';

/**
 * A user as Redis's ACL knows it. Only the 'default' user exists until ACL SETUSER arrives;
 * requirepass is its password, as in Redis 6+ (`requirepass x` = `ACL SETUSER default resetpass >x`).
 */
export class User {
  enabled = true;
  /** No password needed: any password (or none) authenticates. */
  nopass = true;
  /** SHA-256 hex of each accepted password, as ACL stores them. */
  readonly passwords = new Set<string>();

  constructor(readonly name: string) {}

  /** Replaces every password with `password`, or makes the user passwordless when it is empty. */
  setPassword(password: string): void {
    this.passwords.clear();
    this.nopass = password === '';
    if (!this.nopass) this.passwords.add(hashPassword(password));
  }

  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    return this.nopass || this.passwords.has(hashPassword(password));
  }
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

/** The users table (ACL users), with the always-present 'default' user. */
export class UserStore {
  private readonly users = new Map<string, User>();
  readonly defaultUser = new User('default');

  constructor() {
    this.users.set('default', this.defaultUser);
  }

  get(name: string): User | undefined {
    return this.users.get(name);
  }

  authenticate(name: string, password: string): boolean {
    return this.users.get(name)?.checkPassword(password) ?? false;
  }
}
