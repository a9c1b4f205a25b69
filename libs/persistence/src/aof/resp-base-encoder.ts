import {
  formatId,
  formatScore,
  HashObject,
  ListValue,
  MAX_ID,
  MIN_ID,
  MutableString,
  SetValue,
  StreamValue,
  ZSetValue,
  type Value,
} from '@brook/storage';
import type { RdbEncoder } from '../snapshot/snapshot.js';
import { respCommand } from './resp-command.js';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD: a collection is rebuilt by commands of at most this many items. */
const ITEMS_PER_CMD = 64;
/** Chunks handed to the sink are about this size. */
const FLUSH_AT = 1 << 16;

/**
 * The base of a rewritten AOF as RESP commands (`aof-use-rdb-preamble no`), one key after another
 * as Redis's rewriteAppendOnlyFileRio writes them: SELECT per database; SET for strings; RPUSH,
 * SADD, ZADD, HMSET in batches of 64 items; a stream's entries as XADD, then XSETID, XGROUP CREATE
 * per group and XCLAIM … JUSTID FORCE per pending entry (XGROUP CREATECONSUMER for a consumer with
 * none); PEXPIREAT for a TTL. It is the snapshot engine's encoder, like RdbWriter, so the base is
 * the same point-in-time image an RDB base would be.
 */
export class RespBaseEncoder implements RdbEncoder {
  private buf = '';

  constructor(private readonly sink: (chunk: Buffer) => void) {}

  /** A RESP base has no header (AUX fields are RDB's). */
  header(): void {
    // nothing to write
  }

  selectDb(db: number): void {
    this.command(['SELECT', String(db)]);
  }

  entry(key: string, value: Value, expireAtMs: number | bigint | undefined): void {
    if (typeof value !== 'object' || value instanceof MutableString) this.command(['SET', key, String(value)]);
    else if (value instanceof ListValue) this.batched('RPUSH', key, (add) => value.range(0, value.length - 1, false, (v) => add(v)));
    else if (value instanceof SetValue) this.batched('SADD', key, (add) => value.members().forEach((m) => add(m)));
    else if (value instanceof ZSetValue) this.batched('ZADD', key, (add) => value.forEach((m, score) => add(formatScore(score), m)));
    else if (value instanceof HashObject) this.batched('HMSET', key, (add) => value.forEach((f, v) => add(f, v)));
    else if (value instanceof StreamValue) this.stream(key, value);
    if (expireAtMs !== undefined) this.command(['PEXPIREAT', key, String(expireAtMs)]);
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const chunk = Buffer.from(this.buf, 'latin1');
    this.buf = '';
    this.sink(chunk);
  }

  /** A RESP base just ends. */
  end(): void {
    this.flush();
  }

  private command(argv: readonly string[]): void {
    this.buf += respCommand(argv);
  }

  /** `cmd key item…` with at most ITEMS_PER_CMD items (an item is one element, or a score/field and its member/value). */
  private batched(cmd: string, key: string, each: (add: (a: string, b?: string) => void) => void): void {
    let argv = [cmd, key];
    let items = 0;
    each((a, b) => {
      argv.push(a);
      if (b !== undefined) argv.push(b);
      if (++items < ITEMS_PER_CMD) return;
      this.command(argv);
      argv = [cmd, key];
      items = 0;
    });
    if (items > 0) this.command(argv);
  }

  /** rewriteStreamObject's commands. */
  private stream(key: string, s: StreamValue): void {
    if (s.length > 0) {
      const it = s.iterate(MIN_ID, MAX_ID);
      while (it.next()) {
        const argv = ['XADD', key, formatId(it.id)];
        for (let i = 0; i < it.pairs; i++) argv.push(it.field(i), it.value(i));
        this.command(argv);
      }
    } else {
      // Redis's trick for an empty stream: add an entry and trim it at once.
      this.command(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
    }
    // After the entries: the last ID may be past them (XDEL), and the counters are the stream's own.
    this.command(['XSETID', key, formatId(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId)]);
    for (const [name, g] of s.groups?.inOrder() ?? []) {
      this.command(['XGROUP', 'CREATE', key, name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
      for (const c of g.consumersInOrder()) {
        if (c.pel.size === 0) {
          this.command(['XGROUP', 'CREATECONSUMER', key, name, c.name]);
          continue;
        }
        c.pel.forEachId((id) => {
          const e = g.pel.get(id)!;
          const time = String(e.deliveryTime);
          this.command([
            'XCLAIM',
            key,
            name,
            c.name,
            '0',
            formatId(id),
            'TIME',
            time,
            'RETRYCOUNT',
            String(e.deliveryCount),
            'JUSTID',
            'FORCE',
          ]);
        });
      }
    }
  }
}
