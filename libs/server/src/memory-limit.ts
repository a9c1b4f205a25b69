import { Evictor, type EvictionResult, type Keyspace } from '@brook/storage';
import type { Command, Session, TransactionHooks } from '@brook/commands';
import type { ConfigStore } from './config/config-store.js';

/** The parameters this module follows. */
export const MEMORY_LIMIT_PARAMS: ReadonlySet<string> = new Set([
  'maxmemory',
  'maxmemory-policy',
  'maxmemory-samples',
  'maxmemory-eviction-tenacity',
  'lfu-log-factor',
  'lfu-decay-time',
]);

/** Commands that still run in MULTI while out of memory (processCommand's exceptions). */
const RUN_WHEN_OOM_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);

/**
 * maxmemory: before each top-level command (one comparison while no limit is set) evicts per
 * maxmemory-policy, and tells the dispatcher to refuse a command with Redis's OOM error when
 * nothing more can be evicted. Eviction that runs out of its time budget carries on in the next
 * event-loop turns, one budget each, so the server keeps answering (Redis's evictionTimeProc).
 */
export class MemoryLimit {
  /** maxmemory in bytes; 0: no limit. */
  maxmemory = 0;
  readonly evictor: Evictor;
  private continuing = false;

  constructor(
    private readonly ks: Keyspace,
    private readonly config: ConfigStore,
    /** True while clients are paused (CLIENT PAUSE): the data set holds still, so nothing is evicted. */
    private readonly held: () => boolean,
  ) {
    this.evictor = new Evictor(ks);
    this.apply();
  }

  /** Re-reads the parameters (at start and after CONFIG SET of one of MEMORY_LIMIT_PARAMS). */
  apply(): void {
    const { ks, evictor, config } = this;
    const policy = config.value('maxmemory-policy');
    if (policy !== evictor.policy) evictor.setPolicy(policy);
    ks.setAccessPolicy(policy);
    ks.lfuLogFactor = config.int('lfu-log-factor');
    ks.lfuDecayTime = config.int('lfu-decay-time');
    evictor.samples = config.int('maxmemory-samples');
    evictor.tenacity = config.int('maxmemory-eviction-tenacity');
    this.maxmemory = evictor.maxmemory = config.int('maxmemory');
    ks.setAccounting(this.maxmemory !== 0);
    // A lower limit takes effect at once, as Redis's CONFIG SET maxmemory evicts right away.
    if (this.maxmemory !== 0) this.evict();
  }

  /**
   * Evicts as needed before `cmd` runs; true when it must be refused with Err.oom: nothing can be
   * evicted and it is a denyoom command, an EXEC of one, or anything queued in MULTI.
   */
  refuses(c: Session, cmd: Command, transactions: TransactionHooks | null): boolean {
    if (this.evict() !== 'fail') return false;
    if (cmd.denyOom) return true;
    if (cmd.fullName === 'exec') return transactions?.queuedDenyOom(c) === true;
    return c.multi >= 0 && !RUN_WHEN_OOM_IN_MULTI.has(cmd.fullName);
  }

  private evict(): EvictionResult {
    // Redis's isSafeToPerformEvictions: no eviction while paused; commands then run as if under the limit.
    if (this.held()) return 'ok';
    const result = this.evictor.evict();
    if (result === 'running' && !this.continuing) {
      this.continuing = true;
      setImmediate(this.continueEviction);
    }
    return result;
  }

  private readonly continueEviction = (): void => {
    this.continuing = false;
    this.ks.tick();
    if (this.maxmemory !== 0) this.evict();
  };
}
