import { describe, expect, it } from '@jest/globals';
import { globMatch } from './glob.js';

describe('globMatch', () => {
  it('anchors a star-free tail at the end of the string', () => {
    expect(globMatch('user:*:profile', 'user:42:profile')).toBe(true);
    expect(globMatch('user:*:profile', 'user:42:profile:x')).toBe(false);
    expect(globMatch('*a?c', 'zzabcabc')).toBe(true);
    expect(globMatch('*a?c', 'zzabcab')).toBe(false);
    expect(globMatch('a*B', 'axxb', true)).toBe(true);
    expect(globMatch('a*b', 'ab')).toBe(true);
    expect(globMatch('ab*cd', 'abc')).toBe(false);
  });

  it('still tries every position when the tail has a class or an escape', () => {
    expect(globMatch('*[xy]z', 'axzbyz')).toBe(true);
    expect(globMatch('*\\*z', 'a*z')).toBe(true);
    expect(globMatch('*[xy]z', 'axzbyq')).toBe(false);
  });

  it('fails a backtracking pattern quickly instead of trying every split', () => {
    const channel = 'a'.repeat(200) + '7';
    expect(globMatch(`${'a*'.repeat(12)}b1`, channel)).toBe(false);
    expect(globMatch(`${'a*'.repeat(12)}a7`, channel)).toBe(true);
    expect(globMatch(`${'a*'.repeat(12)}a6`, channel)).toBe(false);
  });
});
