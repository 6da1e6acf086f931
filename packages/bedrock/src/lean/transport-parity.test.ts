import type { EmulatorOptions, FaultSpec, Recording } from '@llmeter/bedrock-emulator';
import { endpointFromJSON, type InvocationResponse } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import type { BedrockTransport } from '../bedrock-endpoint.js';
import { BEDROCK_STREAM_ERROR_TYPES } from '../bedrock-errors.js';
import { BedrockConverse } from '../converse-endpoint.js';
import { BedrockConverseStream } from '../converse-stream-endpoint.js';
import { registerBedrockEndpoints } from '../register-endpoints.js';
import { allRecordings, FAKE_CREDENTIALS, startEmulator } from '../test-support/emulator.js';
import { LeanBedrockClient } from './lean-bedrock-client.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROFILE = { ttftMs: 5, interTokenDelayMs: 1, outputTokens: 6 };
const payload = BedrockConverseStream.createPayload('How many r are in strawberry?');
const RECORDINGS = allRecordings();

type Kind = 'converse' | 'converse-stream';

// Everything but timings: the clocks of two runs differ; ids are the emulator's random request ids.
const TIMING_KEYS = [
  'id',
  'time_to_first_token',
  'time_to_last_token',
  'time_per_output_token',
  'request_time',
  'chunk_times',
  'time_to_request_sent',
  'time_to_response_headers',
  'time_to_error',
] as const;

function comparable(record: InvocationResponse): Record<string, unknown> {
  const json = record.toFullJSON() as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...json };
  for (const key of TIMING_KEYS) delete out[key];
  // Which timings are present (and how many chunks) is part of the record's meaning; their values are not.
  out['present'] = TIMING_KEYS.filter((k) => json[k] !== undefined && json[k] !== null);
  out['chunks'] = record.chunkTimes?.length ?? null;
  return out;
}

/** One invocation through each transport, each against its own emulator with the same seed and options. */
async function both(
  kind: Kind,
  options: EmulatorOptions,
  { modelId = MODEL, maxAttempts = 1, timeoutMs }: { modelId?: string; maxAttempts?: number; timeoutMs?: number } = {},
): Promise<Record<BedrockTransport, InvocationResponse>> {
  const out = {} as Record<BedrockTransport, InvocationResponse>;
  for (const transport of ['sdk', 'lean'] as const) {
    const emulator = await startEmulator({ seed: 11, profile: PROFILE, ...options });
    const common = {
      modelId,
      region: 'us-east-1',
      endpointUrl: emulator.url,
      credentials: FAKE_CREDENTIALS,
      maxAttempts,
      transport,
    };
    const endpoint = kind === 'converse' ? new BedrockConverse(common) : new BedrockConverseStream(common);
    try {
      out[transport] = await endpoint.invoke(payload, timeoutMs ? { timeoutMs } : {});
    } finally {
      (endpoint.client as { destroy?: () => void }).destroy?.();
      await emulator.close();
    }
  }
  return out;
}

async function expectSameRecords(kind: Kind, options: EmulatorOptions, extra?: Parameters<typeof both>[2]) {
  const { sdk, lean } = await both(kind, options, extra);
  expect(sdk.id).toBeTruthy();
  expect(lean.id).toBeTruthy();
  expect(comparable(lean)).toEqual(comparable(sdk));
  return { sdk, lean };
}

describe('the lean transport gives the records the SDK transport gives (every field but timings)', () => {
  for (const kind of ['converse', 'converse-stream'] as const) {
    it(`${kind}: plain, with attribution on both transports`, async () => {
      const { sdk, lean } = await expectSameRecords(kind, {});
      expect(sdk.error).toBeNull();
      for (const r of [sdk, lean]) {
        expect(r.timeToRequestSent).not.toBeNull();
        expect(r.timeToResponseHeaders).not.toBeNull();
        expect(r.timeToRequestSent!).toBeGreaterThanOrEqual(0);
        expect(r.timeToResponseHeaders!).toBeGreaterThanOrEqual(r.timeToRequestSent!);
        expect(r.timeToLastToken!).toBeGreaterThanOrEqual(r.timeToResponseHeaders!);
        if (kind === 'converse-stream') expect(r.timeToFirstToken!).toBeGreaterThanOrEqual(r.timeToResponseHeaders!);
      }
    });

    it(`${kind}: reasoning, cache reads, split metadata, empty deltas`, async () => {
      const profile = {
        ...PROFILE,
        reasoningDeltas: 3,
        cacheReadInputTokens: 7,
        splitMetadata: true,
        emptyDeltas: true,
      };
      const { sdk } = await expectSameRecords(kind, { profile });
      expect(sdk.error).toBeNull();
    });

    for (const status of [400, 429, 500, 503] as const) {
      it(`${kind}: HTTP ${status} (retried where the SDK retries)`, async () => {
        const faults = [{ fault: { kind: 'http', status } as FaultSpec }];
        const { sdk } = await expectSameRecords(kind, { faults }, { maxAttempts: 2 });
        expect(sdk.error).not.toBeNull();
        expect(sdk.retries).toBe(status === 400 ? 0 : 1);
      });
    }
  }

  for (const type of BEDROCK_STREAM_ERROR_TYPES) {
    it(`converse-stream: ${type} after 2 deltas`, async () => {
      const faults = [{ fault: { kind: 'stream-exception', type, afterDeltas: 2 } as FaultSpec }];
      const { sdk } = await expectSameRecords('converse-stream', { faults });
      expect(sdk.errorType).not.toBeNull();
      expect(sdk.responseText).not.toBeNull();
    });
  }

  for (const kind of ['reset', 'corrupt-frame'] as const) {
    it(`converse-stream: ${kind} after 2 deltas`, async () => {
      const faults = [{ fault: { kind, afterDeltas: 2 } as FaultSpec }];
      // Deltas far enough apart for both clients to have read each before the fault (Node drops unread bytes
      // of a response that fails, and the SDK reads lazily).
      const profile = { ...PROFILE, ttftMs: 80, interTokenDelayMs: 80 };
      const { sdk } = await expectSameRecords('converse-stream', { faults, profile });
      expect(sdk.error).not.toBeNull();
    });
  }

  for (const afterDeltas of [0, 2]) {
    it(`converse-stream: stall after ${afterDeltas} deltas ends in the invoke timeout`, async () => {
      const faults = [{ fault: { kind: 'stall', afterDeltas } as FaultSpec }];
      const { sdk } = await expectSameRecords('converse-stream', { faults }, { timeoutMs: 300 });
      expect(sdk.errorType).toBe('timeout');
    });
  }

  const recordings = Object.entries(RECORDINGS) as [string, Recording][];
  for (const [name, recording] of recordings) {
    for (const kind of ['converse', 'converse-stream'] as const) {
      if ((kind === 'converse' && !recording.converse) || (kind === 'converse-stream' && !recording.stream)) continue;
      it(`${kind}: recording ${name}`, async () => {
        const { sdk } = await expectSameRecords(kind, { recordings: RECORDINGS }, { modelId: name });
        expect(sdk.error).toBeNull();
      });
    }
  }
});

describe('the transport option', () => {
  it('defaults to sdk, creates a LeanBedrockClient for lean, and survives the JSON form', () => {
    const sdk = new BedrockConverseStream({ modelId: MODEL, region: 'us-east-1' });
    expect(sdk.transport).toBe('sdk');
    expect(sdk.toJSON()).not.toHaveProperty('transport');
    const lean = new BedrockConverseStream({ modelId: MODEL, region: 'us-east-1', transport: 'lean' });
    expect(lean.client).toBeInstanceOf(LeanBedrockClient);
    expect(lean.toJSON()).toMatchObject({ transport: 'lean' });
    registerBedrockEndpoints({ credentials: FAKE_CREDENTIALS });
    const rebuilt = endpointFromJSON(lean.toJSON()) as BedrockConverseStream;
    expect(rebuilt.transport).toBe('lean');
    expect(rebuilt.client).toBeInstanceOf(LeanBedrockClient);
    (lean.client as LeanBedrockClient).destroy();
    (rebuilt.client as LeanBedrockClient).destroy();
  });

  it('rejects an unknown transport at construction', () => {
    expect(() => new BedrockConverse({ modelId: MODEL, transport: 'fast' as never })).toThrow(
      /transport must be 'sdk' or 'lean', got "fast"/,
    );
  });
});
