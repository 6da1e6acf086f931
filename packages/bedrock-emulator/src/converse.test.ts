import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BedrockEmulator, startBedrockEmulator } from './index.js';
import { collect, eventTypes, sdkClient, streamedText, userMessage } from './test-support/sdk.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('Converse and ConverseStream through the real SDK', () => {
  let emulator: BedrockEmulator;
  beforeAll(async () => {
    emulator = await startBedrockEmulator({ seed: 7, profile: { ttftMs: 20, interTokenDelayMs: 2, outputTokens: 12 } });
  });
  afterAll(() => emulator.close());

  it('answers Converse with the JSON shape, usage and metrics', async () => {
    const client = sdkClient(emulator);
    const out = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: userMessage('Count the r in strawberry, please.') }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.stopReason).toBe('end_turn');
    expect(out.output?.message?.role).toBe('assistant');
    const text = out.output?.message?.content?.[0]?.text ?? '';
    expect(text.split(' ')).toHaveLength(12);
    // 34 characters of input, about 4 a token.
    expect(out.usage).toMatchObject({ inputTokens: 9, outputTokens: 12, totalTokens: 21 });
    expect(out.metrics?.latencyMs).toBe(20 + 11 * 2);
    client.destroy();
  });

  it('streams messageStart, deltas, contentBlockStop, messageStop, metadata as the SDK decodes them', async () => {
    const client = sdkClient(emulator);
    const out = await client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('Count the r in strawberry, please.') }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    const { events, error } = await collect(out.stream);
    expect(error).toBeUndefined();
    expect(eventTypes(events)).toEqual([
      'messageStart',
      ...Array<string>(12).fill('contentBlockDelta'),
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(events[0]?.messageStart).toEqual({ role: 'assistant' });
    expect(streamedText(events).split(' ')).toHaveLength(12);
    expect(events.at(-2)?.messageStop?.stopReason).toBe('end_turn');
    const metadata = events.at(-1)?.metadata;
    expect(metadata?.usage).toMatchObject({ inputTokens: 9, outputTokens: 12, totalTokens: 21 });
    expect(metadata?.metrics?.latencyMs).toBe(42);
    client.destroy();
  });
});
