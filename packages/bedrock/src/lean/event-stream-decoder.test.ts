import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, type EventStreamMessage } from './event-stream-decoder.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function frame(headers: Parameters<typeof codec.encode>[0]['headers'], body: string): Buffer {
  return Buffer.from(codec.encode({ headers, body: fromUtf8(body) }));
}

const textDelta = frame(
  {
    ':event-type': { type: 'string', value: 'contentBlockDelta' },
    ':content-type': { type: 'string', value: 'application/json' },
    ':message-type': { type: 'string', value: 'event' },
  },
  JSON.stringify({ contentBlockIndex: 0, delta: { text: 'Hé ☃' }, p: 'abcdef' }),
);
// Header types the fast path does not read: decoded by the codec instead, to the same values.
const oddHeaders = frame(
  {
    ':event-type': { type: 'string', value: 'metadata' },
    ':message-type': { type: 'string', value: 'event' },
    flag: { type: 'boolean', value: true },
    n: { type: 'integer', value: 42 },
  },
  '{}',
);

function decodeAll(chunks: Buffer[]): EventStreamMessage[] {
  const decoder = new EventStreamDecoder();
  const out: EventStreamMessage[] = [];
  for (const chunk of chunks) decoder.push(chunk, (m) => out.push(m));
  expect(decoder.hasPartialMessage).toBe(false);
  return out;
}

function viaCodec(bytes: Buffer) {
  const m = codec.decode(bytes);
  return {
    headers: Object.fromEntries(Object.entries(m.headers).map(([k, h]) => [k, h.value])),
    body: Buffer.from(m.body).toString('utf8'),
  };
}

describe('EventStreamDecoder', () => {
  it('decodes what the codec decodes, string headers or not', () => {
    for (const bytes of [textDelta, oddHeaders]) {
      const [m] = decodeAll([bytes]);
      expect({ headers: m!.headers, body: m!.body.toString('utf8') }).toEqual(viaCodec(bytes));
    }
  });

  it('reassembles messages split at every byte and several messages in one chunk', () => {
    const stream = Buffer.concat([textDelta, oddHeaders, textDelta]);
    for (let cut = 1; cut < stream.length; cut++) {
      const messages = decodeAll([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(messages.map((m) => m.headers[':event-type'])).toEqual([
        'contentBlockDelta',
        'metadata',
        'contentBlockDelta',
      ]);
    }
  });

  it('reports a buffered partial message', () => {
    const decoder = new EventStreamDecoder();
    decoder.push(textDelta.subarray(0, 20), () => {});
    expect(decoder.hasPartialMessage).toBe(true);
  });

  it('rejects a corrupt message with the error message of the codec', () => {
    for (const at of [9, textDelta.length - 10, textDelta.length - 1]) {
      const bad = Buffer.from(textDelta);
      bad[at] = (bad[at] ?? 0) ^ 0xff;
      let expected = '';
      try {
        codec.decode(bad);
      } catch (error) {
        expected = (error as Error).message;
      }
      expect(expected).not.toBe('');
      expect(() => decodeAll([bad])).toThrow(expected);
    }
  });

  it('reuses the decoded headers of a repeated header block only while the bytes are the same', () => {
    const stop = frame(
      {
        ':event-type': { type: 'string', value: 'contentBlockStop' },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      '{"contentBlockIndex":0}',
    );
    const otherDelta = frame(
      {
        ':event-type': { type: 'string', value: 'contentBlockDelta' },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      '{"contentBlockIndex":0,"delta":{"text":"second"}}',
    );
    const messages = decodeAll([Buffer.concat([textDelta, otherDelta, stop, textDelta])]);
    expect(messages.map((m) => [m.headers[':event-type'], JSON.parse(m.body.toString('utf8')).delta?.text])).toEqual([
      ['contentBlockDelta', 'Hé ☃'],
      ['contentBlockDelta', 'second'],
      ['contentBlockStop', undefined],
      ['contentBlockDelta', 'Hé ☃'],
    ]);
    expect(messages[1]!.headers).toBe(messages[0]!.headers);
    expect(messages[2]!.headers).not.toBe(messages[1]!.headers);
    expect(Object.isFrozen(messages[0]!.headers)).toBe(true);
    // A corrupt message with the same header bytes still fails its CRC.
    const bad = Buffer.from(otherDelta);
    bad[bad.length - 8] = (bad[bad.length - 8] ?? 0) ^ 0xff;
    expect(() => decodeAll([textDelta, bad])).toThrow(/checksum/);
  });
});
