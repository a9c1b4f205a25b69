import { Redis } from 'ioredis';

/**
 * What a key holds, read through commands every server answers the same way whatever its internal
 * encoding: the value per type (binary-exact), the exact expiry time, and for streams the groups,
 * consumers and pending entries. Two servers hold the same key when these are equal.
 */
export async function keyImage(c: Redis, key: string): Promise<unknown> {
  const type = await c.type(key);
  const expireAt = await c.call('pexpiretime', key);
  return { type, expireAt, value: await valueOf(c, key, type) };
}

async function valueOf(c: Redis, key: string, type: string): Promise<unknown> {
  switch (type) {
    case 'none':
      return null;
    case 'string':
      return (await c.getBuffer(key))?.toString('hex');
    case 'list':
      return c.lrange(key, 0, -1);
    case 'hash':
      return Object.entries(await c.hgetall(key)).sort();
    case 'set':
      return (await c.smembers(key)).sort();
    case 'zset':
      return c.call('zrange', key, '0', '-1', 'WITHSCORES');
    case 'stream':
      return streamImage(c, key);
    default:
      throw new Error(`unexpected type ${type}`);
  }
}

async function streamImage(c: Redis, key: string): Promise<unknown> {
  const info = (await c.call('xinfo', 'stream', key)) as unknown[];
  const fields = new Map<string, unknown>();
  for (let i = 0; i < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
  const groups = (await c.call('xinfo', 'groups', key)) as unknown[][];
  const groupImages = [];
  for (const g of groups) {
    const name = String(g[1]);
    const consumers = ((await c.call('xinfo', 'consumers', key, name)) as unknown[][]).map((x) => [x[1], x[3]]);
    // Pending entries: id, owner and delivery count (idle times differ between servers and runs).
    const pending = ((await c.call('xpending', key, name, '-', '+', '1000')) as unknown[][]).map((p) => [p[0], p[1], p[3]]);
    groupImages.push({ group: g, consumers, pending });
  }
  return {
    entries: await c.xrange(key, '-', '+'),
    length: fields.get('length'),
    lastId: fields.get('last-generated-id'),
    maxDeleted: fields.get('max-deleted-entry-id'),
    added: fields.get('entries-added'),
    groups: groupImages,
  };
}

/** keyImage of each key, by key. */
export async function keysImage(c: Redis, keys: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = await keyImage(c, k);
  return out;
}

/** Polls INFO persistence until no BGSAVE runs; returns the section. */
export async function bgsaveFinished(c: Redis, timeoutMs = 30000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await c.info('persistence');
    if (info.includes('rdb_bgsave_in_progress:0')) return info;
    if (Date.now() > deadline) throw new Error(`BGSAVE still running after ${timeoutMs} ms:\n${info}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
