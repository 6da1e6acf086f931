import { ConverseCommand, ConverseStreamCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEmulator } from '@llmeter/bedrock-emulator';
import { describe, expect, it } from 'vitest';
import { ARRIVED_AT, arrivalOf } from '../arrival.js';
import { trackRequestTiming } from '../request-timing.js';
import { FAKE_CREDENTIALS } from '../test-support/emulator.js';
import { LeanBedrockClient } from './lean-bedrock-client.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const messages = [{ role: 'user' as const, content: [{ text: 'Hello' }] }];

describe('LeanBedrockClient', () => {
  it('rejects bad options at construction', () => {
    expect(() => new LeanBedrockClient({ region: 'us-east-1', maxAttempts: 0 })).toThrow(
      /maxAttempts must be a positive integer, got 0/,
    );
    expect(() => new LeanBedrockClient({ region: 'us-east-1', endpoint: 'ftp://x' })).toThrow(/http: or https:/);
  });

  it('sends to an endpoint URL with a trailing slash, fills request timing, and refuses other commands', async () => {
    const emulator = await startBedrockEmulator({ profile: { ttftMs: 20, interTokenDelayMs: 1, outputTokens: 3 } });
    const client = new LeanBedrockClient({
      region: 'us-east-1',
      endpoint: `${emulator.url}/`,
      credentials: FAKE_CREDENTIALS,
    });
    try {
      const controller = new AbortController();
      const timing = trackRequestTiming(controller.signal);
      const t0 = performance.now();
      const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages }), {
        abortSignal: controller.signal,
      });
      expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
      expect(timing.requestSentAt).toBeGreaterThanOrEqual(t0);
      expect(timing.responseHeadersAt).toBeGreaterThanOrEqual(timing.requestSentAt as number);
      const events = [];
      const consumedAt: number[] = [];
      for await (const e of out.stream ?? []) {
        consumedAt.push(performance.now());
        events.push(e);
      }
      expect(events.at(-1)).toHaveProperty('metadata');
      // Every event carries its arrival instant (read in the HTTP layer), non-enumerable: the SDK's shape stays.
      events.forEach((e, i) => {
        const at = arrivalOf(e) as number;
        expect(at).toBeGreaterThanOrEqual(timing.responseHeadersAt as number);
        expect(at).toBeLessThanOrEqual(consumedAt[i] as number);
        expect(Object.keys(e)).not.toContain(ARRIVED_AT);
        expect(Object.getOwnPropertyDescriptor(e, ARRIVED_AT)?.enumerable).toBe(false);
        expect(JSON.parse(JSON.stringify(e))).toEqual(e);
      });
      const converse = await client.send(new ConverseCommand({ modelId: MODEL, messages }));
      expect(converse.stopReason).toBe('end_turn');
      await expect(
        client.send(new CountTokensCommand({ modelId: MODEL, input: { converse: { messages } } }) as never),
      ).rejects.toThrow(/ConverseCommand and ConverseStreamCommand only, got CountTokensCommand/);
    } finally {
      client.destroy();
      await emulator.close();
    }
  });
});
