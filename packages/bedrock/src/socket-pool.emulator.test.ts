import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockEmulator, GroundTruth } from '@llmeter/bedrock-emulator';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockConverseStream } from './converse-stream-endpoint.js';
import { FAKE_CREDENTIALS, startEmulator } from './test-support/emulator.js';

// 64 concurrent streams: more than the 50 sockets of the SDK's default pool. Each stream lasts about 1.7 s from its
// arrival at the emulator, far longer than it takes to send 64 requests, so a request queued behind the pool
// arrives only after some stream has finished.
const CONCURRENCY = 64;
const PROFILE = { ttftMs: 1500, interTokenDelayMs: 20, outputTokens: 10 };
const payload = BedrockConverseStream.createPayload('Hello there', { maxTokens: 10 });

/** Runs `CONCURRENCY` streams at once; returns the emulator's view of each. */
async function runConcurrently(emulator: BedrockEmulator, endpoint: BedrockConverseStream): Promise<GroundTruth[]> {
  const records = await Promise.all(Array.from({ length: CONCURRENCY }, () => endpoint.invoke(payload)));
  for (const r of records) expect(r.error).toBeNull();
  return records.map((r) => emulator.groundTruth(r.id as string) as GroundTruth);
}

/** Requests that reached the emulator only after another stream had already ended. */
function queuedBehindAnother(truths: GroundTruth[]): number {
  const firstEnd = Math.min(...truths.map((t) => t.lastByteAt as number));
  return truths.filter((t) => t.receivedAt > firstEnd).length;
}

describe(`${CONCURRENCY} concurrent streams against the emulator`, () => {
  let emulator: BedrockEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ profile: PROFILE });
  });
  afterAll(() => emulator?.close());

  it('are all requested before any finishes with the client an endpoint creates', async () => {
    const endpoint = new BedrockConverseStream({
      modelId: 'pool-test',
      region: 'us-east-1',
      endpointUrl: emulator.url,
      credentials: FAKE_CREDENTIALS,
    });
    const truths = await runConcurrently(emulator, endpoint);
    expect(truths.every((t) => t !== undefined)).toBe(true);
    expect(queuedBehindAnother(truths)).toBe(0);
    (endpoint.client as BedrockRuntimeClient).destroy();
  });

  it('queue behind the SDK default pool of 50 (the control: this test can fail)', async () => {
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    const truths = await runConcurrently(emulator, new BedrockConverseStream({ modelId: 'pool-test', client }));
    expect(queuedBehindAnother(truths)).toBe(CONCURRENCY - 50);
    client.destroy();
  });
});
