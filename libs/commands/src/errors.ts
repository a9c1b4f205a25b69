/**
 * Redis's error texts, in one place: clients and tests match on them, so a wording fix is one edit.
 * Each is the full reply text after the leading '-'.
 */
/** An argument as addReplyErrorFormat's %s shows it: a C string (it ends at a NUL), newlines made spaces. */
function formatArg(arg: string): string {
  return arg.split('\0', 1)[0].replace(/[\r\n]/g, ' ');
}

export const Err = {
  syntax: 'ERR syntax error',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrFloatNaN: 'ERR increment would produce NaN or Infinity',
  noSuchKey: 'ERR no such key',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  noAuth: 'NOAUTH Authentication required.',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNoPassword:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  timeout: 'ERR timeout is not an integer or out of range',
  latencyNoSamples: (event: string) => `ERR No samples available for event '${formatArg(event)}'`,
  wrongArgs: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownSubcommand: (sub: string, cmd: string) => `ERR unknown subcommand '${truncate(sub)}'. Try ${cmd.toUpperCase()} HELP.`,
  protoUnsupported: 'NOPROTO unsupported protocol version',
  // connection and server
  protoNotInteger: 'ERR Protocol version is not an integer or out of range',
  helloSyntax: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  helloNoAuth:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  badClientName: 'ERR Client names cannot contain spaces, newlines or special characters.',
  badClientAttr: (attr: string) => `ERR ${attr} cannot contain spaces, newlines or special characters.`,
  unrecognizedOption: (opt: string) => `ERR Unrecognized option '${opt}'`,
  unknownClientType: (type: string) => `ERR Unknown client type '${type}'`,
  invalidClientId: 'ERR Invalid client ID',
  clientIdNotPositive: 'ERR client-id should be greater than 0',
  noSuchUser: (user: string) => `ERR No such user '${user}'`,
  noSuchClient: 'ERR No such client',
  pauseMode: 'ERR CLIENT PAUSE mode must be WRITE or ALL',
  timeoutNegative: 'ERR timeout is negative',
  // CONFIG SET apply failures (after "CONFIG SET failed (possibly related to argument '…') - ")
  listenPortFailed: 'Unable to listen on this port. Check server logs.',
  bindFailed: 'Failed to bind to specified addresses.',
  tlsConfigFailed: 'Unable to update TLS configuration. Check server logs.',
  unblockReason: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR',
  /** CLIENT UNBLOCK id ERROR: the reply the blocked client gets. */
  unblocked: 'UNBLOCKED client unblocked via CLIENT UNBLOCK',
  /** Commands whose handler parses the subcommand itself (DEBUG) or checks its argument count. */
  subcommandSyntax: (sub: string, cmd: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${truncate(sub)}'. Try ${cmd.toUpperCase()} HELP.`,
  getkeysInvalidCommand: 'ERR Invalid command specified',
  // observability
  slowlogCount: 'ERR count should be greater than or equal to -1',
  /** MONITOR where the client must get one reply per command (inside MULTI/EXEC), Redis's CLIENT_DENY_BLOCKING. */
  monitorDenied: "ERR MONITOR isn't allowed for DENY BLOCKING client",
  getkeysNoKeys: 'ERR The command has no key arguments',
  getkeysBadArity: 'ERR Invalid number of arguments specified for command',
  debugNotAllowed:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  // hyperloglog
  hllWrongType: 'WRONGTYPE Key is not a valid HyperLogLog string value.',
  hllCorrupt: 'INVALIDOBJ Corrupted HLL object detected',
  pfdebugNoKey: 'ERR The specified key does not exist',
  pfdebugNotSparse: 'ERR HLL encoding is not sparse',
  pfdebugUnknown: (sub: string) => `ERR Unknown PFDEBUG subcommand '${sub}'`,
  // sort
  sortScores: "ERR One or more scores can't be converted into double",
  notPositive: 'ERR value is out of range, must be positive',
  getkeysInvalidArgs: 'ERR Invalid arguments specified for command',
  noShutdownInProgress: 'ERR No shutdown in progress.',
  /** SHUTDOWN that could not save (Brook: SHUTDOWN SAVE without FORCE, as it cannot save yet). */
  shutdownFailed: 'ERR Errors trying to SHUTDOWN. Check logs.',
  // keyspace and expire
  invalidCursor: 'ERR invalid cursor',
  /** getRangeLongFromObjectOrReply without a custom message (getIntFromObjectOrReply: a C int). */
  valueOutOfRange: (min: number, max: number) => `ERR value is out of range, value must between ${min} and ${max}`,
  invalidFirstDbIndex: 'ERR invalid first DB index',
  invalidSecondDbIndex: 'ERR invalid second DB index',
  expireNxConflict: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtLtConflict: 'ERR GT and LT options at the same time are not compatible',
  unsupportedOption: (opt: string) => `ERR Unsupported option ${formatArg(opt)}`,
  lfuNotSelected:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  lfuSelected:
    'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  // strings and bitmaps
  decrementOverflow: 'ERR decrement would overflow',
  offsetOutOfRange: 'ERR offset is out of range',
  lcsWrongType: 'ERR The specified keys must contain string values',
  lcsIdxAndLen: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooLong: 'ERR String too long for LCS',
  lcsTableTooBig: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  lcsNoMemory: 'ERR Insufficient memory, failed allocating transient memory for LCS',
  bitposBit: 'ERR The bit argument must be 1 or 0.',
  bitopNotArity: 'ERR BITOP NOT must be called with a single source key.',
  bitfieldType: 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
  bitfieldOverflow: 'ERR Invalid OVERFLOW type specified',
  // hashes
  hashNotInteger: 'ERR hash value is not an integer',
  hashNotFloat: 'ERR hash value is not a float',
  nanOrInfinity: 'ERR value is NaN or Infinity',
  outOfRange: 'ERR value is out of range',
  /** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) without a custom message (HRANDFIELD, SRANDMEMBER counts). */
  longOutOfRange: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  bitfieldReadOnly: 'ERR BITFIELD_RO only supports the GET subcommand',
  // sets
  numkeysNotPositive: 'ERR numkeys should be greater than 0',
  numkeysTooMany: "ERR Number of keys can't be greater than number of args",
  limitNegative: "ERR LIMIT can't be negative",
  // sorted sets
  zaddXxNx: 'ERR XX and NX options at the same time are not compatible',
  zaddGtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  zaddIncrPair: 'ERR INCR option supports a single increment-element pair',
  zaddNaN: 'ERR resulting score is not a number (NaN)',
  minMaxNotFloat: 'ERR min or max is not a float',
  minMaxNotLex: 'ERR min or max not valid string range item',
  zrangeLimitByRank: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  zrangeWithScoresByLex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  weightNotFloat: 'ERR weight value is not a float',
  countNotPositive: 'ERR count should be greater than 0',
  atLeastOneKey: (cmd: string) => `ERR at least 1 input key is needed for '${cmd}' command`,
  // pub/sub
  subscribedContext: (cmd: string) =>
    `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  // geo
  geoUnit: 'ERR unsupported unit provided. please use M, KM, FT, MI',
  geoInvalidPair: (lon: string, lat: string) => `ERR invalid longitude,latitude pair ${lon},${lat}`,
  geoRadius: 'ERR need numeric radius',
  geoRadiusNegative: 'ERR radius cannot be negative',
  geoWidth: 'ERR need numeric width',
  geoHeight: 'ERR need numeric height',
  geoBoxNegative: 'ERR height or width cannot be negative',
  geoMemberUnknown: 'ERR could not decode requested zset member',
  geoCountNotPositive: 'ERR COUNT must be > 0',
  geoStoreWith: (what: string) => `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
  geoFrom: (cmd: string) => `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cmd}`,
  geoBy: (cmd: string) => `ERR exactly one of BYRADIUS and BYBOX can be specified for ${cmd}`,
  geoAnyWithoutCount: 'ERR the ANY argument requires COUNT argument',
  // blocking commands
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  // lists
  indexOutOfRange: 'ERR index out of range',
  lposCountNegative: "ERR COUNT can't be negative",
  lposMaxlenNegative: "ERR MAXLEN can't be negative",
  // streams
  invalidStreamId: 'ERR Invalid stream ID specified as stream command argument',
  xaddIdZero: 'ERR The ID specified in XADD must be greater than 0-0',
  xaddIdExhausted: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  xaddIdNotGreater: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  xaddTooLarge: 'ERR Elements are too large to be stored',
  streamIntervalStart: 'ERR invalid start ID for the interval',
  streamIntervalEnd: 'ERR invalid end ID for the interval',
  trimMaxlenMinid: 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
  trimMaxlenNegative: 'ERR The MAXLEN argument must be >= 0.',
  trimLimitNegative: 'ERR The LIMIT argument must be >= 0.',
  trimLimitWithoutStrategy: 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  trimLimitWithoutApprox: 'ERR syntax error, LIMIT cannot be used without the special ~ option',
  xtrimNoStrategy: 'ERR syntax error, XTRIM must be called with a trimming strategy',
  xreadUnbalanced: "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
  xreadGroupOption: 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
  xreadNoackOption: 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
  xreadGtId: 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
  timeoutNotInteger: 'ERR timeout is not an integer or out of range',
  xsetidEntriesAddedNegative: 'ERR entries_added must be positive',
  xsetidBelowMaxDeleted: 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
  xsetidBelowTop: 'ERR The ID specified in XSETID is smaller than the target stream top item',
  xsetidEntriesAddedBelowLength: 'ERR The entries_added specified in XSETID is smaller than the target stream length',
  // stream groups
  entriesReadNegative: 'ERR value for ENTRIESREAD must be positive or -1',
  xgroupNoKey:
    'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  busyGroup: 'BUSYGROUP Consumer Group name already exists',
  noGroupForKey: (group: string, key: string) => `NOGROUP No such consumer group '${group}' for key name '${key}'`,
  noGroup: (key: string, group: string) => `NOGROUP No such key '${key}' or consumer group '${group}'`,
  noGroupReadGroup: (key: string, group: string) =>
    `NOGROUP No such key '${key}' or consumer group '${group}' in XREADGROUP with GROUP option`,
  xreadgroupNoGroup: 'ERR Missing GROUP option for XREADGROUP',
  xreadgroupDollar:
    'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
  xreadgroupKeyDeleted: 'UNBLOCKED the stream key no longer exists',
  xreadgroupGroupDestroyed: 'NOGROUP the consumer group this client was blocked on no longer exists',
  xclaimMinIdle: (cmd: string) => `ERR Invalid min-idle-time argument for ${cmd}`,
  xclaimOption: (opt: string) => `ERR Invalid ${opt} option argument for XCLAIM`,
  xclaimUnknownOption: (opt: string) => `ERR Unrecognized XCLAIM option '${formatArg(opt)}'`,
  autoclaimCount: 'ERR COUNT must be > 0',
  autoclaimNoMemory: 'ERR Insufficient memory, failed allocating transient memory, COUNT too high.',
  // DUMP / RESTORE
  busyKey: 'BUSYKEY Target key name already exists.',
  invalidTtl: 'ERR Invalid TTL value, must be >= 0',
  invalidIdletime: 'ERR Invalid IDLETIME value, must be >= 0',
  invalidFreq: 'ERR Invalid FREQ value, must be >= 0 and <= 255',
  dumpPayload: 'ERR DUMP payload version or checksum are wrong',
  badDataFormat: 'ERR Bad data format',
  // transactions
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  notAllowedInMulti: 'ERR Command not allowed inside a transaction',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  /** EXEC itself refused (arity, auth): the reason without its ERR code, as execCommandAbort words it. */
  execAbortBecause: (error: string) => `EXECABORT Transaction discarded because of: ${error.startsWith('ERR ') ? error.slice(4) : error}`,
  // client-side caching (CLIENT TRACKING / CACHING)
  trackingOneRedirect: 'ERR A client can only redirect to a single other client',
  trackingNoRedirectTarget: 'ERR The client ID you want redirect to does not exist',
  trackingPrefixNeedsBcast: 'ERR PREFIX option requires BCAST mode to be enabled',
  trackingBcastSwitch:
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  trackingOptBcast: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  trackingOptinOptout: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  trackingOptSwitch:
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  trackingPrefixOverlapsExisting: (p: string, existing: string) =>
    `ERR Prefix '${formatArg(p)}' overlaps with an existing prefix '${formatArg(existing)}'. Prefixes for a single client must not overlap.`,
  trackingPrefixOverlapsOther: (p: string, other: string) =>
    `ERR Prefix '${formatArg(p)}' overlaps with another provided prefix '${formatArg(other)}'. Prefixes for a single client must not overlap.`,
  cachingNotTracking: 'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  cachingYesNotOptin: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  cachingNoNotOptout: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
} as const;

/** The unknown-command text: quotes up to 128 bytes of the name and of each argument, like Redis. */
export function unknownCommand(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${truncate(argv[i])}' `;
  return `ERR unknown command '${truncate(argv[0])}', with args beginning with: ${args}`;
}

function truncate(s: string): string {
  return s.length > 128 ? s.slice(0, 128) : s;
}
