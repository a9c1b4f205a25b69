import { describe, expect, it } from '@jest/globals';
import {
  AddIdError,
  MAX_ID,
  MIN_ID,
  MissingSeq,
  compareIds,
  decrId,
  explicitAddId,
  formatId,
  idMs,
  idSeq,
  incrId,
  nextAutoId,
  parseAddId,
  parseIntervalId,
  parseStreamId,
  parseU64,
  streamId,
  type StreamId,
} from './stream-id.js';

const U64_MAX = 18446744073709551615n;

function id(text: string): StreamId {
  const parsed = parseStreamId(text);
  if (parsed === null) throw new Error(`bad id ${text}`);
  return parsed;
}

describe('stream IDs', () => {
  it('formats and parses round trip over the full u64 range, exact above 2^53', () => {
    for (const text of [
      '0-0',
      '0-1',
      '1700000000000-0',
      '1700000000000-42',
      '9007199254740991-9007199254740993',
      '9007199254740993-1',
      '4294967296-4294967295',
      '18446744073709551615-18446744073709551615',
      '18446744073709551614-18446744073709551615',
    ]) {
      expect(formatId(id(text))).toBe(text);
    }
    expect(idMs(id('9007199254740993-1'))).toBe(9007199254740993n);
    expect(idSeq(id('5-18446744073709551615'))).toBe(U64_MAX);
    expect(idMs(id('1700000000000-3'))).toBe(1700000000000);
    expect(formatId(MAX_ID)).toBe('18446744073709551615-18446744073709551615');
    expect(formatId(MIN_ID)).toBe('0-0');
  });

  it('orders by (ms, seq) with the string comparison', () => {
    const sorted = ['0-0', '0-1', '0-4294967296', '1-0', '9007199254740992-0', '9007199254740993-0', '18446744073709551615-0'].map(id);
    for (let i = 0; i + 1 < sorted.length; i++) {
      expect(sorted[i] < sorted[i + 1]).toBe(true);
      expect(compareIds(sorted[i], sorted[i + 1])).toBe(-1);
      expect(compareIds(sorted[i + 1], sorted[i])).toBe(1);
    }
    expect(compareIds(id('7-7'), streamId(7, 7))).toBe(0);
    expect(id('7-7') === streamId(7n, 7n)).toBe(true);
  });

  it('increments and decrements with carry, failing at the ends as Redis', () => {
    expect(formatId(incrId(id('5-18446744073709551615')) as StreamId)).toBe('6-0');
    expect(formatId(incrId(id('5-4294967295')) as StreamId)).toBe('5-4294967296');
    expect(incrId(MAX_ID)).toBeNull();
    expect(formatId(decrId(id('6-0')) as StreamId)).toBe('5-18446744073709551615');
    expect(formatId(decrId(id('1-4294967296')) as StreamId)).toBe('1-4294967295');
    expect(decrId(MIN_ID)).toBeNull();
  });

  it('generates * IDs that never go backwards with the clock', () => {
    expect(formatId(nextAutoId(MIN_ID, 1700000000000))).toBe('1700000000000-0');
    expect(formatId(nextAutoId(id('1700000000000-0'), 1700000000000))).toBe('1700000000000-1');
    expect(formatId(nextAutoId(id('1700000000005-3'), 1700000000000))).toBe('1700000000005-4');
    expect(formatId(nextAutoId(id('1700000000005-18446744073709551615'), 1700000000000))).toBe('1700000000006-0');
    expect(formatId(nextAutoId(id('18446744073709551615-3'), 1700000000000))).toBe('18446744073709551615-4');
    expect(nextAutoId(MAX_ID, 1700000000000)).toBe(MIN_ID);
  });

  it('resolves explicit XADD IDs and ms-* as streamAppendItem', () => {
    expect(formatId(explicitAddId(id('5-3'), id('5-0'), false) as StreamId)).toBe('5-4');
    expect(formatId(explicitAddId(id('5-3'), id('6-0'), false) as StreamId)).toBe('6-0');
    expect(explicitAddId(id('5-3'), id('4-0'), false)).toBe(AddIdError.NotGreater);
    expect(explicitAddId(id('5-3'), id('5-3'), true)).toBe(AddIdError.NotGreater);
    expect(explicitAddId(id('5-18446744073709551615'), id('5-0'), false)).toBe(AddIdError.SeqExhausted);
    expect(formatId(explicitAddId(MIN_ID, id('0-0'), false) as StreamId)).toBe('0-1');
  });

  it("parses like Redis's string2ull and streamGenericParseIDOrReply", () => {
    expect(parseU64('0')).toBe(0);
    expect(parseU64('007')).toBe(7);
    expect(parseU64(' +7')).toBe(7);
    expect(parseU64('18446744073709551615')).toBe(U64_MAX);
    expect(parseU64('18446744073709551616')).toBeNull();
    expect(parseU64('-1')).toBeNull();
    expect(parseU64('-01')).toBe(U64_MAX);
    expect(parseU64('-0')).toBe(0);
    expect(parseU64('')).toBeNull();
    expect(parseU64('+')).toBeNull();
    expect(parseU64('1x')).toBeNull();
    expect(parseU64('0x10')).toBeNull();
    expect(parseU64('1 ')).toBeNull();

    expect(formatId(id('5'))).toBe('5-0');
    expect(formatId(parseStreamId('5', MissingSeq.Max) as StreamId)).toBe('5-18446744073709551615');
    expect(parseStreamId('-')).toBe(MIN_ID);
    expect(parseStreamId('+')).toBe(MAX_ID);
    expect(parseStreamId('-', MissingSeq.Min, true)).toBeNull();
    expect(parseStreamId('+', MissingSeq.Min, true)).toBeNull();
    expect(formatId(id('6--01'))).toBe('6-18446744073709551615');
    expect(parseStreamId('6--1')).toBeNull();
    expect(parseStreamId('1-2-3')).toBeNull();
    expect(parseStreamId('5-*')).toBeNull();
    expect(parseStreamId('*')).toBeNull();
    expect(parseStreamId('a')).toBeNull();
    expect(parseStreamId('1'.repeat(128))).toBeNull();
    // The C string ends at the first NUL.
    expect(formatId(id('5-1\0junk'))).toBe('5-1');

    expect(parseAddId('5-*')).toEqual({ id: id('5-0'), seqGiven: false });
    expect(parseAddId('5-2')).toEqual({ id: id('5-2'), seqGiven: true });
    expect(parseAddId('5')).toEqual({ id: id('5-0'), seqGiven: true });
    expect(parseAddId('-')).toBeNull();
    expect(parseAddId('*-1')).toBeNull();

    expect(parseIntervalId('(5-1', MissingSeq.Min)).toEqual({ id: id('5-1'), exclusive: true });
    expect(parseIntervalId('(5', MissingSeq.Max)).toEqual({ id: parseStreamId('5', MissingSeq.Max), exclusive: true });
    expect(parseIntervalId('(-', MissingSeq.Min)).toBeNull();
    expect(parseIntervalId('(', MissingSeq.Min)).toBeNull();
    expect(parseIntervalId('-', MissingSeq.Min)).toEqual({ id: MIN_ID, exclusive: false });
  });
});
