import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockEmulator, FaultRule, StreamExceptionType } from '@llmeter/bedrock-emulator';
import { InvocationResponse } from '@llmeter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_STREAM_ERROR_TYPES } from './bedrock-errors.js';
import { BedrockConverse } from './converse-endpoint.js';
import { BedrockConverseStream } from './converse-stream-endpoint.js';
import {
  allRecordings,
  emulatorClient,
  httpAgentOf,
  recordingName,
  socketsInUse,
  startEmulator,
} from './test-support/emulator.js';
import { fakeClient } from './test-support/fake-client.js';
import { expectedFromStream, recordingFiles, streamRecording } from './test-support/recordings.js';

// Every test here goes through the real AWS SDK client (made by createBedrockRuntimeClient) and the emulator.

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROMPT = 'Count the r in strawberry, please.';
const payload = BedrockConverseStream.createPayload(PROMPT);
const PROFILE = { ttftMs: 40, interTokenDelayMs: 5, outputTokens: 12 };

const FAULTS: FaultRule[] = [
  ...BEDROCK_STREAM_ERROR_TYPES.map((type) => ({
    modelId: `fault/${type}`,
    fault: {
      kind: 'stream-exception' as const,
      type: type as StreamExceptionType,
      afterDeltas: 3,
      message: 'injected failure',
    },
  })),
  ...([429, 500, 503, 400] as const).map((status) => ({
    modelId: `fault/http-${status}`,
    fault: { kind: 'http' as const, status },
  })),
  { modelId: 'fault/reset', fault: { kind: 'reset', afterDeltas: 3 } },
  { modelId: 'fault/stall-headers', fault: { kind: 'stall' } },
  { modelId: 'fault/stall-mid', fault: { kind: 'stall', afterDeltas: 3 } },
  { modelId: 'fault/corrupt', fault: { kind: 'corrupt-frame', afterDeltas: 3 } },
];

const HTTP_ERROR_TYPES = { 429: 'throttled', 500: 'server', 503: 'server', 400: 'client' } as const;

const STREAM_ERROR_TYPES = {
  internalServerException: 'server',
  modelStreamErrorException: 'stream',
  modelTimeoutException: 'timeout',
  serviceUnavailableException: 'server',
  throttlingException: 'throttled',
  validationException: 'client',
} as const;

describe('BedrockConverseStream through the AWS SDK against the emulator', () => {
  let emulator: BedrockEmulator;
  let client: BedrockRuntimeClient;
  const stream = (modelId: string, options: { ttftVisibleTokensOnly?: boolean; client?: BedrockRuntimeClient } = {}) =>
    new BedrockConverseStream({ modelId, client: options.client ?? client, ...options });

  beforeAll(async () => {
    emulator = await startEmulator({
      profile: PROFILE,
      faults: FAULTS,
      recordings: {
        ...allRecordings(),
        'recording/non-string-text': {
          stream: [
            { messageStart: { role: 'assistant' } },
            { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'fine ' } } },
            { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 42 } } },
            { contentBlockStop: { contentBlockIndex: 0 } },
          ],
        },
      },
    });
    client = emulatorClient(emulator);
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.close();
  });

  it('fills every field of the record for a plain text stream', async () => {
    const before = Date.now();
    const r = await stream(MODEL).invoke(payload);
    const truth = emulator.groundTruth(r.id as string);
    expect(truth).toMatchObject({ modelId: MODEL, operation: 'converse-stream' });
    expect(r.error).toBeNull();
    expect(r.errorType).toBeNull();
    expect(r.retries).toBe(0);
    expect(r.responseText?.split(' ')).toHaveLength(12);
    expect(r.numTokensOutput).toBe(12);
    expect(r.numTokensInput).toBeGreaterThan(0);
    // The emulator, like some models, leaves cacheReadInputTokens out when there were none.
    expect([0, null]).toContain(r.numTokensInputCached);
    expect(r.numTokensOutputReasoning).toBeNull();
    expect(r.stopReason).toBe('end_turn');
    expect(r.serverLatencyMs).toBe(40 + 11 * 5);
    expect(r.inputPrompt).toBe(PROMPT);
    expect(r.inputPayload).toEqual({ ...payload, modelId: MODEL });
    expect(r.requestTime?.getTime()).toBeGreaterThanOrEqual(before);
    // The client cannot have seen the first text before the server wrote it.
    const ttft = r.timeToFirstToken as number;
    expect(ttft * 1000).toBeGreaterThanOrEqual((truth?.firstTextDeltaAt as number) - (truth?.receivedAt as number));
    expect(ttft).toBeGreaterThanOrEqual(0.04);
    expect(r.chunkTimes).toHaveLength(12);
    expect(r.chunkTimes?.[0]).toBe(ttft);
    expect([...(r.chunkTimes ?? [])].sort((a, b) => a - b)).toEqual(r.chunkTimes);
    expect(r.timeToLastToken).toBeGreaterThanOrEqual(r.chunkTimes?.[11] as number);
    expect(r.toJSON().time_per_output_token).toBeCloseTo(((r.timeToLastToken as number) - ttft) / 11, 9);
    // The fields beyond LLMeter's serialize (in the extension form) and read back.
    expect(r.toExtensionJSON()).toMatchObject({ stop_reason: 'end_turn', server_latency_ms: 95 });
    const back = InvocationResponse.fromJSON(JSON.parse(JSON.stringify(r.toFullJSON())));
    expect([back.stopReason, back.serverLatencyMs, back.chunkTimes]).toEqual(['end_turn', 95, r.chunkTimes]);
    // Input tokens agree with Converse on the same payload.
    const converse = await new BedrockConverse({ modelId: MODEL, client }).invoke(payload);
    expect(converse.numTokensInput).toBe(r.numTokensInput);
  });

  it.each(recordingFiles('stream'))('replays the recording %s with the fields the rules give', async (file) => {
    const want = expectedFromStream(streamRecording(file));
    const r = await stream(recordingName(file)).invoke(payload);
    expect(r.error).toBeNull();
    expect(emulator.groundTruth(r.id as string)?.modelId).toBe(recordingName(file));
    expect(r.retries).toBe(0);
    expect(r.responseText).toBe(want.text);
    expect([r.numTokensInput, r.numTokensOutput, r.numTokensInputCached]).toEqual([
      want.input,
      want.output,
      want.cached,
    ]);
    expect(r.stopReason).toBe(want.stopReason);
    expect(r.serverLatencyMs).toBe(want.latency);
    expect(r.numTokensOutputReasoning).toBeNull();
    if (want.text === null) expect(r.timeToFirstToken).toBeNull();
    else expect(r.timeToLastToken).toBeGreaterThanOrEqual(r.timeToFirstToken as number);
  });

  it('replays the reasoning recording with both TTFT settings', async () => {
    const visible = await stream('amazon-bedrock-reasoning').invoke(payload);
    const any = await stream('amazon-bedrock-reasoning', { ttftVisibleTokensOnly: false }).invoke(payload);
    for (const r of [visible, any])
      expect(r.responseText).toBe('There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
    // 11 reasoning deltas with content come first: the visible TTFT is the 12th content chunk, the other the 1st.
    expect(visible.timeToFirstToken).toBe(visible.chunkTimes?.[11]);
    expect(any.timeToFirstToken).toBe(any.chunkTimes?.[0]);
  });

  it('fails on a text delta that is not a string, keeping the text before it', async () => {
    const r = await stream('recording/non-string-text').invoke(payload);
    expect(r.error).toMatch(/delta\.text must be a string, got 42/);
    expect(r.errorType).toBe('stream');
    expect(r.responseText).toBe('fine ');
  });

  describe.each(BEDROCK_STREAM_ERROR_TYPES)('a %s mid-stream', (type) => {
    it('fails the record with its message, TTLT set, partial text kept, typed', async () => {
      const r = await stream(`fault/${type}`).invoke(payload);
      expect(r.error).toBe(`Bedrock ${type}: injected failure`);
      expect(r.errorType).toBe(STREAM_ERROR_TYPES[type]);
      expect(r.toExtensionJSON().error_type).toBe(STREAM_ERROR_TYPES[type]);
      expect(r.responseText?.split(' ')).toHaveLength(3);
      expect(r.chunkTimes).toHaveLength(3);
      expect(r.timeToFirstToken).toBe(r.chunkTimes?.[0]);
      // Set when the error arrived (after the third delta), by the SDK's thrown form as by the chunk-key form.
      expect(r.timeToLastToken).toBeGreaterThan(r.chunkTimes?.[2] as number);
      expect(emulator.groundTruth(r.id as string)?.fault).toBe('stream-exception');
    });

    it('gives the same record as the chunk-key form of the event', async () => {
      const r = await stream(`fault/${type}`).invoke(payload);
      const events = [
        ...(r.responseText as string)
          .split(/(?<= )/)
          .map((text) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text } } })),
        { [type]: { message: 'injected failure' } },
      ];
      const keyForm = await new BedrockConverseStream({
        modelId: `fault/${type}`,
        client: fakeClient({ events, requestId: r.id as string }),
      }).invoke(payload);
      for (const key of [
        'id',
        'error',
        'errorType',
        'responseText',
        'numTokensInput',
        'numTokensOutput',
        'retries',
      ] as const) {
        expect(r[key], key).toEqual(keyForm[key]);
      }
      expect(keyForm.timeToLastToken).not.toBeNull();
    });
  });

  it.each([429, 500, 503, 400] as const)('records HTTP %i with its type, request id and retries', async (status) => {
    const retrying = emulatorClient(emulator, { maxAttempts: 2 });
    const countBefore = emulator.requestCount;
    const r = await stream(`fault/http-${status}`, { client: retrying }).invoke(payload);
    retrying.destroy();
    expect(r.errorType).toBe(HTTP_ERROR_TYPES[status]);
    expect(r.error).toBeTruthy();
    expect(emulator.groundTruth(r.id as string)?.fault).toBe('http');
    // 400 is not retried by the SDK; the others are.
    const attempts = status === 400 ? 1 : 2;
    expect(r.retries).toBe(attempts - 1);
    expect(emulator.requestCount - countBefore).toBe(attempts);
    expect(r.timeToFirstToken).toBeNull();
    expect(r.timeToLastToken).toBeNull();
    expect(r.responseText).toBeNull();
  });

  it('records a connection reset mid-stream as a network error, partial text kept', async () => {
    const r = await stream('fault/reset').invoke(payload);
    expect(r.errorType).toBe('network');
    expect(r.responseText?.split(' ')).toHaveLength(3);
    // TTLT moved with each text delta (as in LLMeter); the failure itself does not set it.
    expect(r.timeToLastToken).toBe(r.chunkTimes?.[2]);
  });

  it('records a corrupt frame as a stream error, partial text kept', async () => {
    const r = await stream('fault/corrupt').invoke(payload);
    expect(r.errorType).toBe('stream');
    expect(r.error).toMatch(/checksum/i);
    expect(r.responseText?.split(' ')).toHaveLength(3);
  });

  it('times out a stall before the headers and cancels the HTTP request', async () => {
    const own = emulatorClient(emulator);
    const t0 = performance.now();
    const r = await stream('fault/stall-headers', { client: own }).invoke(payload, { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.errorType).toBe('timeout');
    expect(r.error).toMatch(/timed out after 300 ms/);
    expect(r.responseText).toBeNull();
    await expect.poll(() => socketsInUse(httpAgentOf(own)), { timeout: 2000 }).toBe(0);
    own.destroy();
  });

  it('times out a stall mid-stream, keeping the text received, and cancels the HTTP request', async () => {
    const own = emulatorClient(emulator);
    const r = await stream('fault/stall-mid', { client: own }).invoke(payload, { timeoutMs: 500 });
    expect(r.errorType).toBe('timeout');
    expect(r.responseText?.split(' ')).toHaveLength(3);
    expect(r.timeToFirstToken).not.toBeNull();
    await expect.poll(() => socketsInUse(httpAgentOf(own)), { timeout: 2000 }).toBe(0);
    own.destroy();
  });

  it("aborts through the caller's signal and cancels the HTTP request", async () => {
    const own = emulatorClient(emulator);
    const controller = new AbortController();
    const pending = stream('fault/stall-mid', { client: own }).invoke(payload, { signal: controller.signal });
    // Abort once the three deltas before the stall have had ample time to arrive.
    setTimeout(() => controller.abort(), 400);
    const r = await pending;
    expect(r.errorType).toBe('aborted');
    expect(r.responseText?.split(' ')).toHaveLength(3);
    await expect.poll(() => socketsInUse(httpAgentOf(own)), { timeout: 2000 }).toBe(0);
    own.destroy();
  });

  it('a helper requestTimeoutMs fails a request whose headers never come', async () => {
    const own = emulatorClient(emulator, { requestTimeoutMs: 200 });
    const r = await stream('fault/stall-headers', { client: own }).invoke(payload);
    expect(r.errorType).toBe('timeout');
    own.destroy();
  });
});

describe('BedrockConverseStream against emulator profiles', () => {
  const emulators: BedrockEmulator[] = [];
  const clients: BedrockRuntimeClient[] = [];
  async function endpointFor(profile: Record<string, unknown>, options: { ttftVisibleTokensOnly?: boolean } = {}) {
    const emulator = await startEmulator({ profile: { ...PROFILE, ...profile } });
    const client = emulatorClient(emulator);
    emulators.push(emulator);
    clients.push(client);
    return new BedrockConverseStream({ modelId: MODEL, client, ...options });
  }
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(emulators.map((e) => e.close()));
  });

  it('excludes reasoning from the text; TTFT on the first text delta, or the first reasoning delta', async () => {
    const profile = { reasoningDeltas: 4, interTokenDelayMs: 10 };
    const visible = await (await endpointFor(profile)).invoke(payload);
    const any = await (await endpointFor(profile, { ttftVisibleTokensOnly: false })).invoke(payload);
    for (const r of [visible, any]) {
      expect(r.error).toBeNull();
      expect(r.responseText?.split(' ')).toHaveLength(12);
      // 4 reasoning deltas and a signature delta, then 12 text deltas.
      expect(r.chunkTimes).toHaveLength(17);
    }
    expect(visible.timeToFirstToken).toBe(visible.chunkTimes?.[5]);
    expect(any.timeToFirstToken).toBe(any.chunkTimes?.[0]);
    expect(visible.timeToFirstToken as number).toBeGreaterThanOrEqual((visible.chunkTimes?.[0] as number) + 0.04);
  });

  it('ignores empty deltas for text, TTFT and chunk times', async () => {
    const r = await (await endpointFor({ emptyDeltas: true, interTokenDelayMs: 10 })).invoke(payload);
    expect(r.error).toBeNull();
    expect(r.responseText?.split(' ')).toHaveLength(12);
    expect(r.responseText).not.toMatch(/ {2}/);
    expect(r.chunkTimes).toHaveLength(12);
    // The leading empty delta has its own slot: TTFT is the first delta with text, not it.
    expect(r.timeToFirstToken).toBe(r.chunkTimes?.[0]);
    expect(r.timeToLastToken).toBeGreaterThan(r.chunkTimes?.[11] as number);
  });

  it('sums usage over several metadata events, cache reads included', async () => {
    const split = await (await endpointFor({ splitMetadata: true, cacheReadInputTokens: 12 })).invoke(payload);
    const whole = await (await endpointFor({ cacheReadInputTokens: 12 })).invoke(payload);
    expect(split.error).toBeNull();
    expect(split.numTokensOutput).toBe(12);
    expect(split.numTokensInputCached).toBe(12);
    expect([split.numTokensInput, split.numTokensOutput, split.numTokensInputCached]).toEqual([
      whole.numTokensInput,
      whole.numTokensOutput,
      whole.numTokensInputCached,
    ]);
  });
});
