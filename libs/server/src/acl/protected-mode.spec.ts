import { describe, expect, it } from '@jest/globals';
import { isLoopback } from '../client.js';
import { PROTECTED_MODE_DENIED, protectedModeRefuses } from './protected-mode.js';

/**
 * The decision itself; the e2e suites can only connect over loopback (this machine's other
 * addresses are not test targets), so the refusal of a remote client is checked here.
 */
describe('protected mode', () => {
  it('refuses only non-loopback clients, while on and the default user has no password', () => {
    expect(protectedModeRefuses(true, true, false)).toBe(true);
    expect(protectedModeRefuses(true, true, true)).toBe(false);
    expect(protectedModeRefuses(true, false, false)).toBe(false);
    expect(protectedModeRefuses(false, true, false)).toBe(false);
  });

  it('counts 127.0.0.0/8, ::1 and their IPv4-mapped forms as loopback, as Redis does', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1', '::ffff:127.0.0.2']) expect(isLoopback(a)).toBe(true);
    for (const a of ['192.0.2.2', '10.0.0.1', 'fd00::2', '::ffff:10.0.0.1', undefined]) expect(isLoopback(a)).toBe(false);
  });

  it('is one RESP error line with Redis 7.0.15 text', () => {
    expect(PROTECTED_MODE_DENIED.startsWith('-DENIED Redis is running in protected mode')).toBe(true);
    expect(PROTECTED_MODE_DENIED.indexOf('\r\n')).toBe(PROTECTED_MODE_DENIED.length - 2);
  });
});
