import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script } from './support/differential.js';

describe('differential smoke: GET/SET against real Redis', () => {
  const suite = differentialSuite();

  it('replies byte for byte like Redis', async () => {
    const steps = script(`
      SET k v
      GET k
      GET missing
      SET k v NX
      SET k v2 XX GET
      SET k v EX 0
      SET k v EX notanumber
      SET k v FOO
      PING
      PING hello
      ECHO x
      GET
      NOSUCHCOMMAND a b
    `);
    steps.push(['SET', 'bin\r\n\0key', '\x00\xff\r\n']);
    steps.push(['GET', 'bin\r\n\0key']);
    expect(await suite.diff.run(steps)).toEqual([]);
  });
});
