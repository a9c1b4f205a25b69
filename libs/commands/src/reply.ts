import type { ReplyWriter } from '@brook/resp';
import { MutableString, type StringValue } from '@brook/storage';

/** Writes a string value as a bulk reply, whatever its encoding. */
export function replyString(w: ReplyWriter, v: StringValue): void {
  if (typeof v === 'string') w.bulk(v);
  else if (typeof v === 'number' || typeof v === 'bigint') w.bulk(String(v));
  else w.bulkBuffer((v as MutableString).view());
}
