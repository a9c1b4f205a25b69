import { describe, expect, it } from '@jest/globals';
import { AofFormatError, AofReader, AofTruncatedError } from './aof-reader.js';

function all(text: string): { commands: string[][]; offset: number } {
  const r = new AofReader(Buffer.from(text, 'latin1'));
  const commands: string[][] = [];
  for (let c = r.next(); c !== null; c = r.next()) commands.push(c);
  return { commands, offset: r.offset };
}

describe('AofReader', () => {
  const SET = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\x00\xff\r\n';

  it('reads RESP commands binary-safe and skips # annotations', () => {
    expect(all(`#TS:1700000000\r\n${SET}*1\r\n$4\r\nPING\r\n`)).toEqual({
      commands: [['SET', 'k', 'v\x00\xff'], ['PING']],
      offset: SET.length + 16 + 14,
    });
  });

  it('a file ending inside a command is a short read, and offset stays after the last whole command', () => {
    for (let cut = 1; cut < SET.length; cut++) {
      const r = new AofReader(Buffer.from(SET + SET.slice(0, cut), 'latin1'));
      expect(r.next()).toEqual(['SET', 'k', 'v\x00\xff']);
      expect(() => r.next()).toThrow(AofTruncatedError);
      expect(r.offset).toBe(SET.length);
    }
  });

  it.each(['+OK\r\n', '*0\r\n', '*1\r\n:1\r\n', '*1\r\n$x\r\n'])('%j is a format error', (bad) => {
    expect(() => all(bad)).toThrow(AofFormatError);
  });
});
