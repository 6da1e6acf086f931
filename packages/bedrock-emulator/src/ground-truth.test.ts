import { Agent } from 'node:http';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { startBedrockEmulator } from './index.js';
import { collect, sdkClient, userMessage } from './test-support/sdk.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const epochNow = () => performance.timeOrigin + performance.now();

describe('ground truth', () => {
  it('reports ordered instants for a stream that bracket what the client saw', async () => {
    const emulator = await startBedrockEmulator({ profile: { ttftMs: 60, interTokenDelayMs: 10, outputTokens: 5 } });
    const client = sdkClient(emulator);
    try {
      const sentAt = epochNow();
      const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }));
      let clientFirstText: number | undefined;
      for await (const e of out.stream!)
        if (e.contentBlockDelta?.delta?.text && !clientFirstText) clientFirstText = epochNow();
      const doneAt = epochNow();
      const t = emulator.groundTruth(out.$metadata.requestId!)!;
      expect(t).toMatchObject({
        requestId: out.$metadata.requestId,
        modelId: MODEL,
        operation: 'converse-stream',
        deltas: 5,
      });
      expect(t.fault).toBeUndefined();
      expect(t.receivedAt).toBeGreaterThanOrEqual(sentAt);
      expect(t.headersSentAt!).toBeGreaterThanOrEqual(t.receivedAt);
      expect(t.firstDeltaAt).toBe(t.firstTextDeltaAt);
      // The first text delta is written no earlier than the TTFT (less the scheduler's 1 ms batching).
      expect(t.firstTextDeltaAt! - t.receivedAt).toBeGreaterThanOrEqual(59);
      expect(t.firstTextDeltaAt!).toBeLessThanOrEqual(clientFirstText!);
      expect(t.lastByteAt! - t.receivedAt).toBeGreaterThanOrEqual(60 + 4 * 10 - 1);
      expect(t.lastByteAt!).toBeLessThanOrEqual(doneAt);
    } finally {
      client.destroy();
      await emulator.close();
    }
  });

  it('reports Converse, HTTP faults and resets, and keeps a bounded number of entries', async () => {
    const emulator = await startBedrockEmulator({
      groundTruthLimit: 3,
      profile: { ttftMs: 20, interTokenDelayMs: 5, outputTokens: 3 },
    });
    const ok = sdkClient(emulator);
    const throttled = sdkClient(emulator, { faultHeader: { kind: 'http', status: 429 } });
    const reset = sdkClient(emulator, { faultHeader: { kind: 'reset', afterDeltas: 2 } });
    try {
      const conv = await ok.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }));
      const c = emulator.groundTruth(conv.$metadata.requestId!)!;
      expect(c.operation).toBe('converse');
      expect(c.lastByteAt! - c.receivedAt).toBeGreaterThanOrEqual(20 + 2 * 5 - 1);
      expect(c.headersSentAt).toBe(c.lastByteAt);

      const err = (await throttled
        .send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }))
        .catch((e: unknown) => e)) as { $metadata: { requestId: string } };
      const h = emulator.groundTruth(err.$metadata.requestId)!;
      expect(h.fault).toBe('http');
      expect(h.lastByteAt!).toBeGreaterThanOrEqual(h.receivedAt);

      // On a loaded machine the reset can come before the SDK has even decoded messageStart: then send() rejects.
      await reset
        .send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }))
        .then((out) => collect(out.stream))
        .catch(() => undefined);
      const r = emulator.groundTruths().find((t) => t.fault === 'reset')!;
      expect(r.deltas).toBe(2);
      expect(r.lastByteAt!).toBeGreaterThanOrEqual(r.firstTextDeltaAt!);

      await ok.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }));
      expect(emulator.requestCount).toBe(4);
      expect(emulator.groundTruths().map((t) => t.fault)).toEqual(['http', 'reset', undefined]);
      expect(emulator.groundTruth(conv.$metadata.requestId!)).toBeUndefined();
    } finally {
      for (const c of [ok, throttled, reset]) c.destroy();
      await emulator.close();
    }
  });

  it('serves hundreds of concurrent streams from one timer', async () => {
    const emulator = await startBedrockEmulator({ profile: { ttftMs: 50, interTokenDelayMs: 5, outputTokens: 20 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 500 });
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    try {
      const N = 300;
      const results = await Promise.all(
        Array.from({ length: N }, async () => {
          const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }));
          const { events, error } = await collect(out.stream);
          return { error, deltas: events.filter((e) => e.contentBlockDelta).length, id: out.$metadata.requestId! };
        }),
      );
      expect(results.filter((r) => r.error)).toEqual([]);
      expect(results.every((r) => r.deltas === 20)).toBe(true);
      for (const r of results) {
        const t = emulator.groundTruth(r.id)!;
        expect(t.firstTextDeltaAt! - t.receivedAt).toBeGreaterThanOrEqual(49);
        // Writes are due at fixed offsets from arrival (a late write does not delay the next), 1 ms batching aside.
        expect(t.lastByteAt! - t.receivedAt).toBeGreaterThanOrEqual(50 + 19 * 5 - 1);
      }
    } finally {
      client.destroy();
      agent.destroy();
      await emulator.close();
    }
  });

  it('close() ends stalled connections too', async () => {
    const emulator = await startBedrockEmulator({ profile: { ttftMs: 1 } });
    const client = sdkClient(emulator, { faultHeader: { kind: 'stall' } });
    const pending = client.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') })).then(
      () => 'answered',
      (e: Error) => e,
    );
    while (emulator.requestCount === 0) await new Promise((r) => setTimeout(r, 5));
    await emulator.close();
    expect(await pending).toBeInstanceOf(Error);
    client.destroy();
  });
});
