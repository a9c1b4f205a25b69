/** Why an ACL LOG entry was made (Redis's ACL_DENIED_*). */
export type AclLogReason = 'command' | 'key' | 'channel' | 'auth';

export interface AclLogEntry {
  count: number;
  readonly reason: AclLogReason;
  readonly context: 'toplevel' | 'multi';
  readonly object: string;
  readonly username: string;
  /** ms of the latest occurrence. */
  time: number;
  /** CLIENT INFO line of the client of the latest occurrence. */
  clientInfo: string;
}

/** Entries alike within this many ms are counted in one entry (ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_MS = 60000;
/** How many of the newest entries are searched for one to group with (bounded work, as Redis). */
const GROUPING_SCAN = 10;

/** The security log (ACL LOG): newest first, at most acllog-max-len entries. */
export class AclLog {
  readonly entries: AclLogEntry[] = [];

  constructor(private readonly maxLen: () => number) {}

  add(e: Omit<AclLogEntry, 'count'>): void {
    const scan = Math.min(GROUPING_SCAN, this.entries.length);
    for (let i = 0; i < scan; i++) {
      const old = this.entries[i];
      if (
        old.reason === e.reason &&
        old.context === e.context &&
        Math.abs(old.time - e.time) <= GROUPING_MS &&
        old.object === e.object &&
        old.username === e.username
      ) {
        old.count++;
        old.time = e.time;
        old.clientInfo = e.clientInfo;
        this.entries.splice(i, 1);
        this.entries.unshift(old);
        return;
      }
    }
    this.entries.unshift({ ...e, count: 1 });
    const max = this.maxLen();
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries.length = 0;
  }
}
