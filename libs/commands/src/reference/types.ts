/**
 * A value of Redis's command metadata as it appears in a RESP3 reply: strings, integers, arrays,
 * maps (plain objects, key order kept) and sets (`{'~': [...]}`; their strings are simple strings).
 */
export type RefValue = string | number | RefValue[] | RefSet | RefMap;
export interface RefSet {
  '~': RefValue[];
}
export interface RefMap {
  [key: string]: RefValue;
}

/** What Redis 7.0 declares for one command beyond Brook's CommandSpec (see redis-commands.ts). */
export interface CommandReference {
  /** ACL categories without '@'. */
  acl: string[];
  /** Flags as COMMAND INFO lists them (Redis 7.0's names; may_replicate etc. are hidden there). */
  flags: string[];
  tips?: string[];
  /** Key specifications, each a map as COMMAND INFO replies it. */
  keySpecs?: RefValue[];
  /** COMMAND DOCS fields other than summary/since/group/complexity: doc_flags, history, arguments, ... */
  docs?: RefMap;
}
