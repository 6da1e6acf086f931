import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockEmulator, FaultRule } from '@llmeter/bedrock-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockConverse } from './converse-endpoint.js';
import {
  allRecordings,
  emulatorClient,
  httpAgentOf,
  recordingName,
  socketsInUse,
  startEmulator,
} from './test-support/emulator.js';
import { converseRecording, expectedFromConverse, recordingFiles } from './test-support/recordings.js';

// Every test here goes through the real AWS SDK client (made by createBedrockRuntimeClient) and the emulator.

const MODEL = 'amazon.nova-micro-v1:0';
const PROMPT = 'Count the r in strawberry, please.';
const payload = BedrockConverse.createPayload(PROMPT);

const FAULTS: FaultRule[] = [
  ...([429, 500, 503, 400] as const).map((status) => ({
    modelId: `fault/http-${status}`,
    fault: { kind: 'http' as const, status },
  })),
  { modelId: 'fault/throttling', fault: { kind: 'stream-exception', type: 'throttlingException', afterDeltas: 0 } },
  {
    modelId: 'fault/model-timeout',
    fault: { kind: 'stream-exception', type: 'modelTimeoutException', afterDeltas: 0 },
  },
  { modelId: 'fault/reset', fault: { kind: 'reset', afterDeltas: 0 } },
  { modelId: 'fault/stall', fault: { kind: 'stall' } },
  { modelId: 'fault/corrupt', fault: { kind: 'corrupt-frame', afterDeltas: 0 } },
];

describe('BedrockConverse through the AWS SDK against the emulator', () => {
  let emulator: BedrockEmulator;
  let client: BedrockRuntimeClient;
  const converse = (modelId: string, c: BedrockRuntimeClient = client) => new BedrockConverse({ modelId, client: c });

  beforeAll(async () => {
    emulator = await startEmulator({
      profile: { ttftMs: 30, interTokenDelayMs: 2, outputTokens: 12, cacheReadInputTokens: 5 },
      faults: FAULTS,
      recordings: allRecordings(),
    });
    client = emulatorClient(emulator);
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.close();
  });

  it('fills every field of the record', async () => {
    const r = await converse(MODEL).invoke(payload);
    const truth = emulator.groundTruth(r.id as string);
    expect(truth).toMatchObject({ modelId: MODEL, operation: 'converse' });
    expect(r.error).toBeNull();
    expect(r.errorType).toBeNull();
    expect(r.retries).toBe(0);
    expect(r.responseText?.split(' ')).toHaveLength(12);
    expect(r.numTokensOutput).toBe(12);
    expect(r.numTokensInput).toBeGreaterThan(0);
    expect(r.numTokensInputCached).toBe(5);
    expect(r.numTokensOutputReasoning).toBeNull();
    expect(r.stopReason).toBe('end_turn');
    expect(r.serverLatencyMs).toBe(30 + 11 * 2);
    expect(r.toExtensionJSON()).toMatchObject({ stop_reason: 'end_turn', server_latency_ms: 30 + 11 * 2 });
    expect(r.timeToFirstToken).toBeNull();
    expect(r.chunkTimes).toBeNull();
    // Time to last token: the whole body read, which the server wrote only after its planned latency.
    expect((r.timeToLastToken as number) * 1000).toBeGreaterThanOrEqual(
      (truth?.lastByteAt as number) - (truth?.receivedAt as number),
    );
    expect(r.inputPrompt).toBe(PROMPT);
    expect(r.inputPayload).toEqual({ ...payload, modelId: MODEL });
  });

  it('stops at maxTokens', async () => {
    const r = await converse(MODEL).invoke(BedrockConverse.createPayload(PROMPT, { maxTokens: 4 }));
    expect(r.numTokensOutput).toBe(4);
    expect(r.stopReason).toBe('max_tokens');
  });

  it.each(recordingFiles('converse'))('replays the recording %s with the fields the rules give', async (file) => {
    const want = expectedFromConverse(converseRecording(file));
    const r = await converse(recordingName(file)).invoke(payload);
    expect(r.error).toBeNull();
    expect(emulator.groundTruth(r.id as string)?.modelId).toBe(recordingName(file));
    expect(r.responseText).toBe(want.text);
    expect([r.numTokensInput, r.numTokensInputCached, r.numTokensOutput]).toEqual([
      want.input,
      want.cached,
      want.output,
    ]);
    expect(r.stopReason).toBe(want.stopReason);
    expect(r.serverLatencyMs).toBe(want.latency);
  });

  it.each([
    [429, 'throttled'],
    [500, 'server'],
    [503, 'server'],
    [400, 'client'],
  ] as const)('records HTTP %i as %s with the request id and retries', async (status, type) => {
    const retrying = emulatorClient(emulator, { maxAttempts: 3 });
    const before = emulator.requestCount;
    const r = await converse(`fault/http-${status}`, retrying).invoke(payload);
    retrying.destroy();
    const attempts = status === 400 ? 1 : 3;
    expect(r.errorType).toBe(type);
    expect(r.retries).toBe(attempts - 1);
    expect(emulator.requestCount - before).toBe(attempts);
    expect(emulator.groundTruth(r.id as string)?.fault).toBe('http');
    expect(r.timeToLastToken).toBeNull();
  });

  it('types the HTTP form of stream exceptions (throttling, model timeout)', async () => {
    expect((await converse('fault/throttling').invoke(payload)).errorType).toBe('throttled');
    expect((await converse('fault/model-timeout').invoke(payload)).errorType).toBe('timeout');
  });

  it('records a reset as a network error (not the TimeoutError the SDK renames it to)', async () => {
    const r = await converse('fault/reset').invoke(payload);
    expect(r.errorType).toBe('network');
    expect(r.error).toBeTruthy();
  });

  it('records a truncated body as an unreadable response (stream)', async () => {
    const r = await converse('fault/corrupt').invoke(payload);
    expect(r.error).toMatch(/Deserialization error/);
    expect(r.errorType).toBe('stream');
    expect(r.responseText).toBeNull();
  });

  it('times out a stall and cancels the HTTP request', async () => {
    const own = emulatorClient(emulator);
    const r = await converse('fault/stall', own).invoke(payload, { timeoutMs: 300 });
    expect(r.errorType).toBe('timeout');
    await expect.poll(() => socketsInUse(httpAgentOf(own)), { timeout: 2000 }).toBe(0);
    own.destroy();
  });

  it("aborts through the caller's signal and cancels the HTTP request", async () => {
    const own = emulatorClient(emulator);
    const controller = new AbortController();
    const pending = converse('fault/stall', own).invoke(payload, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const r = await pending;
    expect(r.errorType).toBe('aborted');
    await expect.poll(() => socketsInUse(httpAgentOf(own)), { timeout: 2000 }).toBe(0);
    own.destroy();
  });
});
