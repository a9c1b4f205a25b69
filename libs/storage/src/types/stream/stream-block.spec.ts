import { describe, expect, it } from '@jest/globals';
import { lpStringSize } from './listpack-size.js';
import { ENTRY_DELETED, StreamBlock } from './stream-block.js';
import { formatId, parseStreamId, type StreamId } from './stream-id.js';

function id(text: string): StreamId {
  return parseStreamId(text) as StreamId;
}

/** Every entry of a block as "id flags f=v ...", read with the block's own reader. */
function entries(block: StreamBlock): string[] {
  const out: string[] = [];
  const reader = block.reader();
  const master: number[] = [];
  block.masterFieldOffsets(master);
  const pos: number[] = [];
  while (reader.pos < block.size) {
    const flags = block.readHeader(reader);
    const entryId = formatId(reader.id());
    const n = block.readPairs(reader, flags, pos, master);
    const pairs: string[] = [];
    for (let i = 0; i < n; i++) {
      pairs.push(`${block.data.latin1Slice(pos[4 * i], pos[4 * i + 1])}=${block.data.latin1Slice(pos[4 * i + 2], pos[4 * i + 3])}`);
    }
    out.push(`${entryId} ${flags & ENTRY_DELETED ? 'deleted' : 'live'} ${pairs.join(' ')}`);
  }
  return out;
}

describe('StreamBlock', () => {
  it('packs IDs as deltas across 32-bit and 53-bit boundaries and shares the master fields', () => {
    const first = id('4294967295-7');
    const block = new StreamBlock(first, ['f', 'v', 'g', 'w'], 0);
    const added = [
      ['4294967295-7', 'f', 'v', 'g', 'w'],
      ['4294967301-0', 'f', '1', 'g', '2'],
      ['9007199254740993-18446744073709551615', 'other', 'x'],
      ['18446744073709551615-3', 'f', '', 'g', '\0\xff'],
    ];
    for (const [text, ...pairs] of added) block.append(id(text), pairs, 0);
    block.seal();
    expect(block.data.length).toBe(block.size);
    expect(entries(block)).toEqual([
      '4294967295-7 live f=v g=w',
      '4294967301-0 live f=1 g=2',
      '9007199254740993-18446744073709551615 live other=x',
      '18446744073709551615-3 live f= g=\0\xff',
    ]);
    expect(formatId(block.last)).toBe('18446744073709551615-3');
  });

  it('flags deletions in place, grows past its first capacity, reopens after sealing and clones', () => {
    const block = new StreamBlock(id('1-1'), ['f', 'v'], 0);
    const big = 'x'.repeat(1000);
    for (let i = 1; i <= 10; i++) block.append(id(`${i}-1`), ['f', i === 5 ? big : String(i)], 0);
    block.seal();
    block.append(id('11-1'), ['f', 'last'], 0);
    const reader = block.reader();
    block.skipPairs(reader, block.readHeader(reader));
    block.markDeleted(reader.pos);
    expect([block.live, block.deleted]).toEqual([10, 1]);
    const copy = block.clone();
    block.markDeleted(block.entriesStart);
    const list = entries(copy);
    expect(list[0]).toBe('1-1 live f=1');
    expect(list[1]).toBe('2-1 deleted f=2');
    expect(list[4]).toBe(`5-1 live f=${big}`);
    expect(list[10]).toBe('11-1 live f=last');
    expect(entries(block)[0]).toBe('1-1 deleted f=1');
  });

  it("tracks the bytes of Redis's listpack elements", () => {
    const sizes: [string, number][] = [
      ['0', 2],
      ['127', 2],
      ['128', 3],
      ['-1', 3],
      ['-4096', 3],
      ['4096', 4],
      ['32767', 4],
      ['-32769', 5],
      ['8388607', 5],
      ['2147483647', 6],
      ['2147483648', 10],
      ['9223372036854775807', 10],
      ['9223372036854775808', 21],
      ['-0', 4],
      ['01', 4],
      ['', 2],
      ['x'.repeat(63), 65],
      ['x'.repeat(64), 67],
      ['x'.repeat(125), 128],
      ['x'.repeat(126), 130],
      ['x'.repeat(4096), 4103],
    ];
    expect(sizes.map(([s]) => [s.length > 20 ? `${s.length} chars` : s, lpStringSize(s)])).toEqual(
      sizes.map(([s, n]) => [s.length > 20 ? `${s.length} chars` : s, n]),
    );
  });
});
