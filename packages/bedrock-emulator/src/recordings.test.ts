import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from './event-stream-frames.js';
import { type BedrockEmulator, loadRecordings, type Recording, startBedrockEmulator } from './index.js';
import { collect, plain, sdkClient, userMessage } from './test-support/sdk.js';

/** Real Bedrock recordings (copies of the shared fixtures in `src/__fixtures__/bedrock`). */
const FIXTURES = fileURLToPath(new URL('./__fixtures__/bedrock/', import.meta.url));
const recordings = loadRecordings(FIXTURES);
const converseIds = Object.keys(recordings).filter((id) => recordings[id]!.converse);
const streamIds = Object.keys(recordings).filter((id) => recordings[id]!.stream);

/**
 * The recording as the SDK (3.1164) decodes it: fields the SDK's model does not have are dropped by its deserializer
 * (`serverToolUsage`, the legacy `cache*InputTokenCount` twins, and `type` on content blocks).
 */
function asSdkDecodes(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => {
      const out = asSdkDecodes(v) as Record<string, unknown>;
      if (key === 'content' && out && typeof out === 'object') delete out['type'];
      return out;
    });
  }
  if (value && typeof value === 'object' && key !== 'input' && key !== 'additionalModelResponseFields') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'serverToolUsage' || k === 'cacheReadInputTokenCount' || k === 'cacheWriteInputTokenCount') continue;
      out[k] = asSdkDecodes(v, k);
    }
    return out;
  }
  return value;
}

/** Splits an event-stream body into frames by their prelude lengths. */
function frames(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let o = 0; o < body.length; ) {
    const len = view.getUint32(o);
    out.push(body.subarray(o, o + len));
    o += len;
  }
  return out;
}

describe('every recording in shared/fixtures/bedrock replays through the emulator', () => {
  let emulator: BedrockEmulator;
  beforeAll(async () => {
    emulator = await startBedrockEmulator({ recordings, profile: { ttftMs: 2, interTokenDelayMs: 1 } });
  });
  afterAll(() => emulator.close());

  it('finds the recordings', () => {
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).length).toBe(converseIds.length);
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.chunks.txt')).length).toBe(streamIds.length);
    expect(converseIds.length).toBeGreaterThanOrEqual(10);
    expect(streamIds.length).toBeGreaterThanOrEqual(10);
  });

  it.each(converseIds)('Converse %s: the wire JSON is the recording, and the SDK decodes it', async (id) => {
    const recording = recordings[id] as Required<Pick<Recording, 'converse'>>;
    const res = await fetch(`${emulator.url}/model/${encodeURIComponent(id)}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: userMessage('hi') }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(recording.converse);

    const client = sdkClient(emulator);
    const { $metadata, ...out } = await client.send(new ConverseCommand({ modelId: id, messages: userMessage('hi') }));
    client.destroy();
    expect($metadata.httpStatusCode).toBe(200);
    expect(JSON.parse(JSON.stringify(out))).toEqual(asSdkDecodes(recording.converse));
  });

  it.each(streamIds)(
    'ConverseStream %s: frames carry the recorded events in order, and the SDK decodes them',
    async (id) => {
      const lines = recordings[id]!.stream!;
      const res = await fetch(`${emulator.url}/model/${encodeURIComponent(id)}/converse-stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: userMessage('hi') }),
      });
      expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
      const wire = frames(new Uint8Array(await res.arrayBuffer())).map((f) => {
        const { headers, body } = decodeFrame(f);
        expect(headers[':message-type']).toBe('event');
        expect(headers[':content-type']).toBe('application/json');
        const { p, ...payload } = JSON.parse(body) as Record<string, unknown>;
        expect(typeof p).toBe('string');
        return { [headers[':event-type'] as string]: payload };
      });
      expect(wire).toEqual(lines);

      const client = sdkClient(emulator);
      const out = await client.send(new ConverseStreamCommand({ modelId: id, messages: userMessage('hi') }));
      const { events, error } = await collect(out.stream);
      client.destroy();
      expect(error).toBeUndefined();
      expect(plain(events)).toEqual(lines.map((l) => asSdkDecodes(l)));
    },
  );

  it('a model without a recording still gets a generated response', async () => {
    const client = sdkClient(emulator);
    const out = await client.send(new ConverseCommand({ modelId: 'not-recorded', messages: userMessage('hi') }));
    client.destroy();
    expect(out.output?.message?.content?.[0]?.text).toBeTruthy();
  });
});
