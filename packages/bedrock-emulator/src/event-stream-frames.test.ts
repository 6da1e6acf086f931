import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeCorruptFrame,
  encodeEventFrame,
  encodeEventFrameWithCodec,
  encodeExceptionFrame,
} from './event-stream-frames.js';

describe('event-stream frames', () => {
  it('are byte for byte what EventStreamCodec.encode makes', () => {
    const payloads: [string, unknown][] = [
      ['messageStart', { role: 'assistant', p: 'abc' }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo ✓ "quoted"' }, p: 'abcdef' }],
      ['metadata', { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: { latencyMs: 10 } }],
    ];
    for (const [type, payload] of payloads) {
      expect(Buffer.from(encodeEventFrame(type, payload))).toEqual(
        Buffer.from(encodeEventFrameWithCodec(type, payload)),
      );
      expect(decodeFrame(encodeEventFrame(type, payload))).toEqual({
        headers: { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
        body: JSON.stringify(payload),
      });
    }
  });

  it('encodes exceptions with :exception-type and a JSON message', () => {
    expect(decodeFrame(encodeExceptionFrame('throttlingException', 'slow down'))).toEqual({
      headers: {
        ':exception-type': 'throttlingException',
        ':content-type': 'application/json',
        ':message-type': 'exception',
      },
      body: '{"message":"slow down"}',
    });
  });

  it('a corrupt frame fails the codec checksum', () => {
    expect(() => decodeFrame(encodeCorruptFrame('contentBlockDelta', { delta: { text: 'x' } }))).toThrow(/checksum/);
  });
});
