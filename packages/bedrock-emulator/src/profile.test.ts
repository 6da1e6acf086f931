import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { type EmulatorOptions, type LatencyProfile, startBedrockEmulator } from './index.js';
import { SeededRandom } from './seeded-random.js';
import { collect, eventTypes, plain, sdkClient, streamedText, userMessage } from './test-support/sdk.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const FAST: Partial<LatencyProfile> = { ttftMs: 3, interTokenDelayMs: 1 };

/** Runs `fn` with an emulator and an SDK client, then stops both. */
async function withEmulator<T>(
  options: EmulatorOptions,
  fn: (c: ReturnType<typeof sdkClient>, e: Awaited<ReturnType<typeof startBedrockEmulator>>) => Promise<T>,
): Promise<T> {
  const emulator = await startBedrockEmulator(options);
  const client = sdkClient(emulator);
  try {
    return await fn(client, emulator);
  } finally {
    client.destroy();
    await emulator.close();
  }
}

describe('latency profile and generated content', () => {
  it('takes a URL-encoded ARN model id', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0';
    await withEmulator(
      { profile: FAST, faults: [{ modelId: 'other', fault: { kind: 'http', status: 500 } }] },
      async (c, e) => {
        const out = await c.send(new ConverseStreamCommand({ modelId: arn, messages: userMessage('hi') }));
        await collect(out.stream);
        expect(e.groundTruth(out.$metadata.requestId!)?.modelId).toBe(arn);
        const res = await fetch(`${e.url}/model/${encodeURIComponent(arn)}/converse`, { method: 'POST', body: '{}' });
        expect(res.status).toBe(200);
      },
    );
  });

  it('bounds the output by maxTokens and says max_tokens', async () => {
    await withEmulator({ profile: { ...FAST, outputTokens: 50, tokensPerDelta: 3 } }, async (c) => {
      const conv = await c.send(
        new ConverseCommand({ modelId: MODEL, messages: userMessage('hi'), inferenceConfig: { maxTokens: 7 } }),
      );
      expect(conv.stopReason).toBe('max_tokens');
      expect(conv.usage?.outputTokens).toBe(7);
      expect(conv.output?.message?.content?.[0]?.text?.split(' ')).toHaveLength(7);

      const out = await c.send(
        new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi'), inferenceConfig: { maxTokens: 7 } }),
      );
      const { events } = await collect(out.stream);
      // 7 tokens, 3 a delta: 3 deltas.
      expect(eventTypes(events).filter((t) => t === 'contentBlockDelta')).toHaveLength(3);
      expect(streamedText(events).split(' ')).toHaveLength(7);
      expect(events.at(-2)?.messageStop?.stopReason).toBe('max_tokens');
      expect(events.at(-1)?.metadata?.usage?.outputTokens).toBe(7);

      const unbounded = await c.send(
        new ConverseCommand({ modelId: MODEL, messages: userMessage('hi'), inferenceConfig: { maxTokens: 500 } }),
      );
      expect(unbounded.stopReason).toBe('end_turn');
      expect(unbounded.usage?.outputTokens).toBe(50);
    });
  });

  it('counts input tokens from the request text (about 4 characters a token)', async () => {
    await withEmulator({ profile: FAST }, async (c) => {
      const out = await c.send(
        new ConverseCommand({
          modelId: MODEL,
          system: [{ text: 'x'.repeat(40) }],
          messages: [
            { role: 'user', content: [{ text: 'y'.repeat(400) }] },
            { role: 'assistant', content: [{ text: 'z'.repeat(39) }] },
          ],
        }),
      );
      expect(out.usage?.inputTokens).toBe(120);
      expect(out.usage?.totalTokens).toBe(120 + out.usage!.outputTokens!);
    });
  });

  it('is deterministic for a seed: same lengths and latencies, different for another seed', async () => {
    const profile: Partial<LatencyProfile> = {
      ttftMs: { distribution: 'uniform', min: 2, max: 30 },
      interTokenDelayMs: 1,
      outputTokens: { min: 3, max: 40 },
    };
    const run = (seed: number) =>
      withEmulator({ seed, profile }, async (c) => {
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) {
          const conv = await c.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }));
          seen.push(
            `${conv.usage?.outputTokens}/${conv.metrics?.latencyMs}/${conv.output?.message?.content?.[0]?.text}`,
          );
          const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }));
          const { events } = await collect(out.stream);
          seen.push(`${events.at(-1)?.metadata?.usage?.outputTokens}/${events.at(-1)?.metadata?.metrics?.latencyMs}`);
        }
        return seen;
      });
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('sends reasoning deltas and a signature before the text', async () => {
    await withEmulator({ profile: { ...FAST, reasoningDeltas: 3, outputTokens: 4 } }, async (c, e) => {
      const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }));
      const { events } = await collect(out.stream);
      const ev = plain(events);
      expect(eventTypes(events)).toEqual([
        'messageStart',
        ...Array<string>(4).fill('contentBlockDelta'),
        'contentBlockStop',
        ...Array<string>(4).fill('contentBlockDelta'),
        'contentBlockStop',
        'messageStop',
        'metadata',
      ]);
      expect(ev[1]).toMatchObject({
        contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: expect.any(String) } } },
      });
      expect(ev[4]).toMatchObject({
        contentBlockDelta: { delta: { reasoningContent: { signature: expect.any(String) } } },
      });
      expect(ev[5]).toEqual({ contentBlockStop: { contentBlockIndex: 0 } });
      expect(ev[6]).toMatchObject({ contentBlockDelta: { contentBlockIndex: 1, delta: { text: expect.any(String) } } });
      expect(events.at(-1)?.metadata?.usage?.outputTokens).toBe(3 + 4);
      const truth = e.groundTruth(out.$metadata.requestId!)!;
      expect(truth.firstDeltaAt).toBeLessThan(truth.firstTextDeltaAt!);
      expect(truth.deltas).toBe(8);

      const conv = await c.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }));
      const [reasoning, text] = conv.output?.message?.content ?? [];
      expect(reasoning?.reasoningContent?.reasoningText?.text?.split(' ')).toHaveLength(3);
      expect(reasoning?.reasoningContent?.reasoningText?.signature).toBeTruthy();
      expect(text?.text?.split(' ')).toHaveLength(4);
    });
  });

  it('reports cache-read and cache-write tokens', async () => {
    await withEmulator(
      { profile: { ...FAST, outputTokens: 5, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 } },
      async (c) => {
        const conv = await c.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('abcdefgh') }));
        expect(conv.usage).toMatchObject({
          inputTokens: 2,
          outputTokens: 5,
          cacheReadInputTokens: 100,
          cacheWriteInputTokens: 20,
          totalTokens: 127,
        });
        const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('abcdefgh') }));
        const { events } = await collect(out.stream);
        expect(events.at(-1)?.metadata?.usage).toMatchObject({
          cacheReadInputTokens: 100,
          cacheWriteInputTokens: 20,
          totalTokens: 127,
        });
      },
    );
  });

  it('splits usage across two metadata events that sum to the totals', async () => {
    await withEmulator(
      { profile: { ...FAST, outputTokens: 6, splitMetadata: true, cacheReadInputTokens: 10 } },
      async (c) => {
        const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('abcdefgh') }));
        const { events } = await collect(out.stream);
        const metas = events.filter((e) => e.metadata).map((e) => e.metadata!);
        expect(metas).toHaveLength(2);
        const sum = (k: 'inputTokens' | 'outputTokens' | 'totalTokens' | 'cacheReadInputTokens') =>
          metas.reduce((s, m) => s + (m.usage?.[k] ?? 0), 0);
        expect([sum('inputTokens'), sum('outputTokens'), sum('cacheReadInputTokens'), sum('totalTokens')]).toEqual([
          2, 6, 10, 18,
        ]);
        expect(metas.filter((m) => m.metrics?.latencyMs !== undefined)).toHaveLength(1);
      },
    );
  });

  it('opens and closes the text block with empty deltas when asked', async () => {
    await withEmulator({ profile: { ...FAST, outputTokens: 3, emptyDeltas: true } }, async (c) => {
      const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }));
      const { events } = await collect(out.stream);
      const texts = events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta?.delta?.text);
      expect(texts).toHaveLength(5);
      expect(texts[0]).toBe('');
      expect(texts[4]).toBe('');
      expect(texts.slice(1, 4).every((t) => t && t.length > 0)).toBe(true);
    });
  });

  it('answers unknown routes and bad bodies as the service does', async () => {
    await withEmulator({ profile: FAST }, async (_c, e) => {
      const notFound = await fetch(`${e.url}/model/x/invoke`, { method: 'POST', body: '{}' });
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException:/);
      const bad = await fetch(`${e.url}/model/x/converse`, { method: 'POST', body: 'not json' });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
      expect(await bad.json()).toEqual({ message: 'The request body is not a JSON object.' });
      const zero = await fetch(`${e.url}/model/x/converse-stream`, {
        method: 'POST',
        body: JSON.stringify({ messages: [], inferenceConfig: { maxTokens: 0 } }),
      });
      expect(zero.status).toBe(400);
      expect(((await zero.json()) as { message: string }).message).toMatch(
        /maxTokens must be an integer of at least 1/,
      );
      const notArray = await fetch(`${e.url}/model/x/converse`, { method: 'POST', body: '{"messages":"hi"}' });
      expect(notArray.status).toBe(400);
    });
  });

  it('rejects a profile that cannot work', async () => {
    await expect(startBedrockEmulator({ profile: { tokensPerDelta: 0 } })).rejects.toThrow(
      'profile.tokensPerDelta must be a positive integer, got 0',
    );
    await expect(startBedrockEmulator({ profile: { outputTokens: { min: 5, max: 2 } } })).rejects.toThrow(
      /outputTokens/,
    );
  });

  it.each([
    [{ ttft: 50 }, /^profile\.ttft is not a LatencyProfile field; the fields are ttftMs, interTokenDelayMs, /],
    [{ splitMetadata: 'yes' }, /^profile\.splitMetadata must be true or false, got "yes"$/],
    [
      { ttftMs: null },
      /^profile\.ttftMs must be a number of ms or \{ distribution, mean, stddev, min, max \}, got null$/,
    ],
    [
      { ttftMs: { distribution: 'normal', mean: 'x' } },
      /^profile\.ttftMs\.mean must be a non-negative number, got "x"$/,
    ],
    [{ outputTokens: null }, /^profile\.outputTokens must be \{ min, max \}/],
    ['fast', /^profile must be an object of LatencyProfile fields, got "fast"$/],
  ])('refuses %j naming the field', async (profile, message) => {
    const error = await startBedrockEmulator({ profile: profile as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('SeededRandom latency distributions', () => {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const draw = (d: Parameters<SeededRandom['latency']>[0], n = 4000) => {
    const r = new SeededRandom(42);
    return Array.from({ length: n }, () => r.latency(d));
  };
  it('has the asked mean and bounds', () => {
    expect(draw(25)).toEqual(Array(4000).fill(25));
    const u = draw({ distribution: 'uniform', min: 10, max: 20 });
    expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...u)).toBeLessThanOrEqual(20);
    expect(mean(u)).toBeCloseTo(15, 0);
    expect(mean(draw({ distribution: 'normal', mean: 100, stddev: 10 }))).toBeGreaterThan(98);
    expect(mean(draw({ distribution: 'normal', mean: 100, stddev: 10 }))).toBeLessThan(102);
    const ln = draw({ distribution: 'lognormal', mean: 300, stddev: 100 });
    expect(mean(ln)).toBeGreaterThan(290);
    expect(mean(ln)).toBeLessThan(310);
    expect(Math.min(...ln)).toBeGreaterThan(0);
    const clamped = draw({ distribution: 'normal', mean: 10, stddev: 50, min: 5, max: 20 });
    expect(Math.min(...clamped)).toBe(5);
    expect(Math.max(...clamped)).toBe(20);
  });
});
