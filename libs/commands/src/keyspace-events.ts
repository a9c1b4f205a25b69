import { NotifyClass } from '@brook/storage';
import type { CommandFamily } from './family.js';

const { keyspace, keyevent } = NotifyClass;
/** Redis's NOTIFY_ALL, what `A` stands for: every class but key misses (m) and new keys (n). */
const ALL =
  NotifyClass.generic |
  NotifyClass.string |
  NotifyClass.list |
  NotifyClass.set |
  NotifyClass.hash |
  NotifyClass.zset |
  NotifyClass.expired |
  NotifyClass.evicted |
  NotifyClass.stream |
  NotifyClass.module;

const CLASS_OF: Record<string, number> = {
  A: ALL,
  g: NotifyClass.generic,
  $: NotifyClass.string,
  l: NotifyClass.list,
  s: NotifyClass.set,
  h: NotifyClass.hash,
  z: NotifyClass.zset,
  x: NotifyClass.expired,
  e: NotifyClass.evicted,
  K: keyspace,
  E: keyevent,
  t: NotifyClass.stream,
  m: NotifyClass.keyMiss,
  d: NotifyClass.module,
  n: NotifyClass.new,
};

/** keyspaceEventsStringToFlags of a value the config store already validated. */
export function notifyFlags(value: string): number {
  let flags = 0;
  for (const ch of value) flags |= CLASS_OF[ch] ?? 0;
  return flags;
}

/**
 * Keyspace notifications (notify.c): events leave the data set through Database (the change and
 * expiry paths) into the sink installed here, which publishes `__keyspace@<db>__:<key>` <event>
 * and `__keyevent@<db>__:<event>` <key> as PUBLISH would. The keyspace sees only the classes that
 * are on, and none unless K or E is, so with the default (empty) setting an event costs one AND.
 */
export const keyspaceEventsFamily: CommandFamily = {
  name: 'keyspace-events',
  commands: [],
  install(ctx) {
    const { ks, server } = ctx;
    let flags = 0;
    const apply = (value: string): null => {
      flags = notifyFlags(value);
      ks.notifyClasses = flags & (keyspace | keyevent) ? flags & ~(keyspace | keyevent) : 0;
      return null;
    };
    apply(server.config.value('notify-keyspace-events'));
    ctx.onConfigSet('notify-keyspace-events', apply);
    ks.eventSink = (db, ev, key) => {
      if (flags & keyspace) server.publish(`__keyspace@${db}__:${key}`, ev.name);
      if (flags & keyevent) server.publish(`__keyevent@${db}__:${ev.name}`, key);
    };
  },
};
