/**
 * What travels in the streams, as JSON in the SDK's `payload` entry field: Nest's packet shapes, so the wire is what
 * Nest's own transports carry. An event entry is `{pattern, data}`; a request adds the packet `id`,
 * the reply stream and the time after which the client no longer waits (`deadline`, epoch ms).
 * A reply entry is `{id, response?, err?, isDisposed?}`.
 */
import type { PacketId, ReadPacket, WritePacket } from '@nestjs/microservices';

export interface EventEntry extends ReadPacket {
  id?: undefined;
}

export interface RequestEntry extends ReadPacket, PacketId {
  replyTo: string;
  deadline: number;
}

export type ReplyPacket = WritePacket & PacketId;

export function isRequest(packet: EventEntry | RequestEntry): packet is RequestEntry {
  return typeof packet.id === 'string';
}

/** True for `{pattern, data}` objects (and requests): anything else in a pattern stream is not ours. */
export function isTransportPacket(value: unknown): value is EventEntry | RequestEntry {
  return typeof value === 'object' && value !== null && 'pattern' in value && 'data' in value;
}

/** JSON drops an Error's own fields (message, name), so errors are flattened before they travel. */
export function encodeReply(packet: ReplyPacket): string {
  const err: unknown = packet.err;
  return JSON.stringify(err instanceof Error ? { ...packet, err: { name: err.name, message: err.message } } : packet);
}

/** Undefined for anything that is not JSON: the caller decides what a foreign entry means. */
export function parseJson(raw: Buffer | string): unknown {
  try {
    return JSON.parse(raw.toString());
  } catch {
    return undefined;
  }
}

export function decodeReply(raw: Buffer | string): ReplyPacket | undefined {
  const value = parseJson(raw);
  return typeof value === 'object' && value !== null && typeof (value as ReplyPacket).id === 'string' ? (value as ReplyPacket) : undefined;
}
