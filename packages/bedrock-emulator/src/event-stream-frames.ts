import * as zlib from 'node:zlib';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { StreamExceptionType } from './types.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Native CRC32 where Node has it (20.15+), else the codec's own encoder. */
const crc32: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (zlib as unknown as { crc32: (data: Uint8Array, value?: number) => number }).crc32
    : undefined;

const JSON_CONTENT_TYPE = { type: 'string', value: 'application/json' } as const;
const EVENT_MESSAGE_TYPE = { type: 'string', value: 'event' } as const;
const EXCEPTION_MESSAGE_TYPE = { type: 'string', value: 'exception' } as const;

function eventHeaders(eventType: string): MessageHeaders {
  return {
    ':event-type': { type: 'string', value: eventType },
    ':content-type': JSON_CONTENT_TYPE,
    ':message-type': EVENT_MESSAGE_TYPE,
  };
}

function exceptionHeaders(type: StreamExceptionType): MessageHeaders {
  return {
    ':exception-type': { type: 'string', value: type },
    ':content-type': JSON_CONTENT_TYPE,
    ':message-type': EXCEPTION_MESSAGE_TYPE,
  };
}

/** Header blocks formatted once per event type by the codec: a stream has only a handful of distinct ones. */
const headerCache = new Map<string, Uint8Array>();

function cachedHeaders(key: string, make: () => MessageHeaders): Uint8Array {
  let bytes = headerCache.get(key);
  if (!bytes) {
    bytes = codec.formatHeaders(make());
    headerCache.set(key, bytes);
  }
  return bytes;
}

/**
 * One event-stream message: prelude (total length, headers length, prelude CRC), headers, payload, message CRC. The
 * same bytes as `EventStreamCodec.encode`, with the header block formatted by the codec once per type and native CRCs.
 */
function frame(headers: Uint8Array, headersMake: () => MessageHeaders, payload: string): Uint8Array {
  const body = Buffer.from(payload, 'utf8');
  if (!crc32) return codec.encode({ headers: headersMake(), body });
  const length = 12 + headers.length + body.length + 4;
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(headers.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  out.set(headers, 12);
  out.set(body, 12 + headers.length);
  out.writeUInt32BE(crc32(out.subarray(0, length - 4)), length - 4);
  return out;
}

/** The characters of the real service's `p` padding field. */
const PAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A `p` padding value of a length that varies with `n` (the real service pads to blur payload sizes). */
export function padding(n: number): string {
  return PAD.slice(0, 1 + ((n * 17) % (PAD.length - 1)));
}

/** An `:message-type: event` frame whose payload is `payload` as JSON. */
export function encodeEventFrame(eventType: string, payload: unknown): Uint8Array {
  const make = () => eventHeaders(eventType);
  return frame(cachedHeaders(`e:${eventType}`, make), make, JSON.stringify(payload));
}

/** An `:message-type: exception` frame, as the service sends an in-stream error. */
export function encodeExceptionFrame(type: StreamExceptionType, message: string): Uint8Array {
  const body: Record<string, unknown> = { message };
  if (type === 'modelStreamErrorException') {
    body['originalStatusCode'] = 500;
    body['originalMessage'] = message;
  }
  const make = () => exceptionHeaders(type);
  return frame(cachedHeaders(`x:${type}`, make), make, JSON.stringify(body));
}

/** A well-formed event frame whose trailing message CRC is wrong. */
export function encodeCorruptFrame(eventType: string, payload: unknown): Uint8Array {
  const out = encodeEventFrame(eventType, payload);
  const last = out.length - 1;
  out[last] = (out[last]! ^ 0xff) & 0xff;
  return out;
}

/** The codec's own encoding of an event frame (tests compare the fast path against it). */
export function encodeEventFrameWithCodec(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({ headers: eventHeaders(eventType), body: fromUtf8(JSON.stringify(payload)) });
}

/** Decodes one frame (tests and tools). */
export function decodeFrame(bytes: Uint8Array): { headers: Record<string, unknown>; body: string } {
  const message = codec.decode(bytes);
  const headers: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(message.headers)) headers[name] = h.value;
  return { headers, body: toUtf8(message.body) };
}
