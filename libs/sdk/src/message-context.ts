/**
 * The second argument of an @OnMessage handler. Pub/sub: `channel` (and `pattern` when the
 * handler subscribed with one). Durable (group): `channel` is the stream name as written in the
 * decorator, `stream` its key under the prefix, plus the entry's id, the group, this instance's
 * consumer name and the delivery count (1 on first delivery).
 */
export interface MessageContext {
  channel: string;
  pattern?: string;
  stream?: string;
  id?: string;
  group?: string;
  consumer?: string;
  deliveryCount?: number;
}
