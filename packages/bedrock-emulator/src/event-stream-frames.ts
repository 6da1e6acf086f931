import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { StreamExceptionType } from './types.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const JSON_CONTENT_TYPE = { type: 'string', value: 'application/json' } as const;
const EVENT_MESSAGE_TYPE = { type: 'string', value: 'event' } as const;
const EXCEPTION_MESSAGE_TYPE = { type: 'string', value: 'exception' } as const;

/** The characters of the real service's `p` padding field. */
const PAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A `p` padding value of a length that varies with `n` (the real service pads to blur payload sizes). */
export function padding(n: number): string {
  return PAD.slice(0, 1 + ((n * 17) % (PAD.length - 1)));
}

/** An `:message-type: event` frame whose payload is `payload` as JSON. */
export function encodeEventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': JSON_CONTENT_TYPE,
      ':message-type': EVENT_MESSAGE_TYPE,
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** An `:message-type: exception` frame, as the service sends an in-stream error. */
export function encodeExceptionFrame(type: StreamExceptionType, message: string): Uint8Array {
  const body: Record<string, unknown> = { message };
  if (type === 'modelStreamErrorException') {
    body['originalStatusCode'] = 500;
    body['originalMessage'] = message;
  }
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': JSON_CONTENT_TYPE,
      ':message-type': EXCEPTION_MESSAGE_TYPE,
    },
    body: fromUtf8(JSON.stringify(body)),
  });
}

/** A well-formed event frame whose trailing message CRC is wrong. */
export function encodeCorruptFrame(eventType: string, payload: unknown): Uint8Array {
  const frame = encodeEventFrame(eventType, payload);
  const last = frame.length - 1;
  frame[last] = (frame[last]! ^ 0xff) & 0xff;
  return frame;
}

/** Decodes one frame (tests and tools). */
export function decodeFrame(frame: Uint8Array): { headers: Record<string, unknown>; body: string } {
  const message = codec.decode(frame);
  const headers: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(message.headers)) headers[name] = h.value;
  return { headers, body: toUtf8(message.body) };
}
