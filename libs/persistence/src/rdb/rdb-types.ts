/** RDB value type bytes (Redis 7.0's rdb.h). 7.0 writes 0, 2, 4, 5, 11, 16, 17, 18, 19 and reads 0-7 and 9-19. */
export const RdbType = {
  String: 0,
  List: 1,
  Set: 2,
  ZSet: 3,
  Hash: 4,
  ZSet2: 5,
  HashZipmap: 9,
  ListZiplist: 10,
  SetIntset: 11,
  ZSetZiplist: 12,
  HashZiplist: 13,
  ListQuicklist: 14,
  StreamListpacks: 15,
  HashListpack: 16,
  ZSetListpack: 17,
  ListQuicklist2: 18,
  StreamListpacks2: 19,
} as const;

/** RDB opcodes (file level, never in a DUMP payload). */
export const RdbOpcode = {
  Function2: 0xf5,
  Function: 0xf6,
  ModuleAux: 0xf7,
  Idle: 0xf8,
  Freq: 0xf9,
  Aux: 0xfa,
  ResizeDb: 0xfb,
  ExpireTimeMs: 0xfc,
  ExpireTime: 0xfd,
  SelectDb: 0xfe,
  Eof: 0xff,
} as const;

/** The RDB version Brook writes and the highest it reads (Redis 7.0's). */
export const RDB_VERSION = 10;

/**
 * The encoding limits a decoded value is built under, as the commands read them from CONFIG
 * (hash-max-listpack-*, zset-max-listpack-*, set-max-intset-entries, list-max-listpack-size,
 * stream-node-max-*): a loaded value takes the encoding the same writes would have given it.
 */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  listMaxListpackSize: number;
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

/** Redis 7.0's defaults. */
export const DEFAULT_LIMITS: Readonly<EncodingLimits> = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listMaxListpackSize: -2,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};

/** The limits in a config that answers Redis parameter names (CONFIG GET's values). */
export function limitsFromConfig(value: (name: string) => unknown): EncodingLimits {
  const n = (name: string): number => Number(value(name));
  return {
    hashMaxListpackEntries: n('hash-max-listpack-entries'),
    hashMaxListpackValue: n('hash-max-listpack-value'),
    zsetMaxListpackEntries: n('zset-max-listpack-entries'),
    zsetMaxListpackValue: n('zset-max-listpack-value'),
    setMaxIntsetEntries: n('set-max-intset-entries'),
    listMaxListpackSize: n('list-max-listpack-size'),
    streamNodeMaxBytes: n('stream-node-max-bytes'),
    streamNodeMaxEntries: n('stream-node-max-entries'),
  };
}
