import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { type EmulatorOptions, type FaultSpec, startBedrockEmulator } from '@llmeter/bedrock-emulator';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { BEDROCK_STREAM_ERROR_TYPES } from '../bedrock-errors.js';
import { FAKE_CREDENTIALS } from '../test-support/emulator.js';
import { converseRecording, recordingFiles, streamRecording } from '../test-support/recordings.js';
import { LeanBedrockClient } from './lean-bedrock-client.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROFILE = { ttftMs: 5, interTokenDelayMs: 1, outputTokens: 6 };

type Op = 'converse' | 'converse-stream';
type Client = { send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>> };

/** What a call gave: the output (streams drained into events) and the error thrown, reduced to comparable fields. */
interface Outcome {
  output?: Record<string, unknown>;
  events?: unknown[];
  error?: Record<string, unknown>;
}

function errorFields(error: unknown): Record<string, unknown> {
  const e = error as Record<string, unknown> & Error;
  const meta = e.$metadata as Record<string, unknown> | undefined;
  return {
    class: e.constructor?.name,
    name: e.name,
    // Node network errors and aborts carry no service message of their own worth comparing byte for byte.
    message: e.name === 'AbortError' ? 'aborted' : e.message,
    fault: e.$fault,
    code: e['code'],
    status: meta?.httpStatusCode,
    attempts: meta?.attempts,
    extra: [e['originalStatusCode'], e['originalMessage'], e['resourceName']],
  };
}

// Request ids are random per request and retry delays are jittered: everything else must match.
function stripVolatile(output: Record<string, unknown>): Record<string, unknown> {
  const { $metadata, ...rest } = output;
  const { requestId, totalRetryDelay, ...meta } = $metadata as Record<string, unknown>;
  expect(typeof requestId).toBe('string');
  return { ...rest, $metadata: meta };
}

async function call(client: Client, op: Op, input: Record<string, unknown>, abortAfterMs?: number): Promise<Outcome> {
  const controller = new AbortController();
  const timer = abortAfterMs ? setTimeout(() => controller.abort(), abortAfterMs) : undefined;
  const command = op === 'converse' ? new ConverseCommand(input as never) : new ConverseStreamCommand(input as never);
  try {
    const output = await client.send(command, { abortSignal: controller.signal });
    if (op === 'converse') return { output: stripVolatile(output) };
    const { stream, ...rest } = output;
    const events: unknown[] = [];
    try {
      for await (const event of stream as AsyncIterable<unknown>) events.push(event);
    } catch (error) {
      return { output: stripVolatile(rest), events, error: errorFields(error) };
    }
    return { output: stripVolatile(rest), events };
  } catch (error) {
    return { error: errorFields(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the same requests through the SDK and the lean client, each against its own emulator with the same seed. */
async function both(
  options: EmulatorOptions,
  op: Op,
  input: Record<string, unknown> = { modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hello there' }] }] },
  clientOptions: { maxAttempts?: number; abortAfterMs?: number } = {},
): Promise<{ sdk: Outcome; lean: Outcome }> {
  const emulators = await Promise.all([startBedrockEmulator(options), startBedrockEmulator(options)]);
  const [a, b] = emulators;
  const maxAttempts = clientOptions.maxAttempts ?? 1;
  const sdkClient = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: a.url,
    credentials: FAKE_CREDENTIALS,
    maxAttempts,
    requestHandler: new NodeHttpHandler(),
  });
  const leanClient = new LeanBedrockClient({
    region: 'us-east-1',
    endpoint: b.url,
    credentials: FAKE_CREDENTIALS,
    maxAttempts,
  });
  try {
    const sdk = await call(sdkClient as unknown as Client, op, input, clientOptions.abortAfterMs);
    const lean = await call(leanClient as unknown as Client, op, input, clientOptions.abortAfterMs);
    return { sdk, lean };
  } finally {
    sdkClient.destroy();
    leanClient.destroy();
    await Promise.all(emulators.map((e) => e.close()));
  }
}

describe('LeanBedrockClient gives what the SDK client gives', () => {
  for (const op of ['converse', 'converse-stream'] as const) {
    it(`${op}: plain`, async () => {
      const { sdk, lean } = await both({ seed: 3, profile: PROFILE }, op);
      expect(sdk.error).toBeUndefined();
      expect(lean).toEqual(sdk);
    });

    it(`${op}: reasoning, cache reads, split metadata, empty deltas, an ARN model id`, async () => {
      const profile = {
        ...PROFILE,
        reasoningDeltas: 3,
        cacheReadInputTokens: 7,
        splitMetadata: true,
        emptyDeltas: true,
      };
      const input = {
        modelId: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet:0',
        messages: [{ role: 'user', content: [{ text: 'Think first' }] }],
        inferenceConfig: { maxTokens: 4 },
        additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      };
      const { sdk, lean } = await both({ seed: 4, profile }, op, input);
      expect(sdk.error).toBeUndefined();
      expect(lean).toEqual(sdk);
    });

    for (const status of [400, 429, 500, 503] as const) {
      it(`${op}: HTTP ${status}, retried as the SDK's standard mode does`, async () => {
        const faults = [{ fault: { kind: 'http', status } as FaultSpec }];
        const { sdk, lean } = await both({ seed: 5, profile: PROFILE, faults }, op, undefined, { maxAttempts: 2 });
        expect(sdk.error?.['status']).toBe(status);
        expect(lean).toEqual(sdk);
      });
    }
  }

  for (const type of BEDROCK_STREAM_ERROR_TYPES) {
    it(`converse-stream: ${type} after 2 deltas`, async () => {
      const faults = [
        { fault: { kind: 'stream-exception', type, afterDeltas: 2, message: `boom ${type}` } as FaultSpec },
      ];
      const { sdk, lean } = await both({ seed: 6, profile: PROFILE, faults }, 'converse-stream');
      expect(sdk.error).toBeDefined();
      expect(lean).toEqual(sdk);
    });
  }

  for (const kind of ['reset', 'corrupt-frame'] as const) {
    it(`converse-stream: ${kind} after 2 deltas`, async () => {
      const faults = [{ fault: { kind, afterDeltas: 2 } as FaultSpec }];
      // Deltas far enough apart for both clients to read each before the fault: a Node response that fails
      // drops the bytes not yet read, and the SDK reads lazily.
      const profile = { ...PROFILE, ttftMs: 80, interTokenDelayMs: 80 };
      const { sdk, lean } = await both({ seed: 7, profile, faults }, 'converse-stream');
      expect(sdk.error).toBeDefined();
      expect(lean).toEqual(sdk);
    });
  }

  for (const afterDeltas of [0, 2]) {
    it(`converse-stream: stall after ${afterDeltas} deltas, aborted by the caller`, async () => {
      const faults = [{ fault: { kind: 'stall', afterDeltas } as FaultSpec }];
      const { sdk, lean } = await both({ seed: 8, profile: PROFILE, faults }, 'converse-stream', undefined, {
        abortAfterMs: 300,
      });
      expect(sdk.error).toBeDefined();
      expect(lean).toEqual(sdk);
    });
  }

  for (const file of recordingFiles('stream')) {
    it(`converse-stream: recording ${file}`, async () => {
      const recordings = { [MODEL]: { stream: streamRecording(file) } };
      const { sdk, lean } = await both({ seed: 9, profile: PROFILE, recordings }, 'converse-stream');
      expect(sdk.error).toBeUndefined();
      expect(lean).toEqual(sdk);
    });
  }

  for (const file of recordingFiles('converse')) {
    it(`converse: recording ${file}`, async () => {
      const recordings = { [MODEL]: { converse: converseRecording(file) } };
      const { sdk, lean } = await both({ seed: 9, profile: PROFILE, recordings }, 'converse');
      expect(sdk.error).toBeUndefined();
      expect(lean).toEqual(sdk);
    });
  }
});
