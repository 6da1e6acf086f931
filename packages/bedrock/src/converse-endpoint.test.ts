import { describe, expect, it } from 'vitest';
import { BedrockConverse } from './converse-endpoint.js';
import { fakeClient } from './test-support/fake-client.js';
import { converseRecording, expectedFromConverse, recordingFiles } from './test-support/recordings.js';

const payload = BedrockConverse.createPayload('Count the r in strawberry');

describe('BedrockConverse over recorded bodies (fake client)', () => {
  it.each(recordingFiles('converse'))('replays %s with the fields the rules give', async (file) => {
    const body = converseRecording(file);
    const want = expectedFromConverse(body);
    const client = fakeClient({ body, requestId: 'req-c', attempts: 3 });
    const r = await new BedrockConverse({ modelId: 'm', client }).invoke(payload);
    expect(r.error).toBeNull();
    expect(r.id).toBe('req-c');
    expect(r.retries).toBe(2);
    expect(r.responseText).toBe(want.text);
    expect([r.numTokensInput, r.numTokensInputCached, r.numTokensOutput]).toEqual([
      want.input,
      want.cached,
      want.output,
    ]);
    expect(r.numTokensOutputReasoning).toBeNull();
    expect(r.stopReason).toBe(want.stopReason);
    expect(r.serverLatencyMs).toBe(want.latency);
    expect(r.timeToFirstToken).toBeNull();
    expect(r.timeToLastToken).toBeGreaterThanOrEqual(0);
    expect(r.chunkTimes).toBeNull();
  });

  it('joins text parts and skips reasoning (reasoning recording)', async () => {
    const client = fakeClient({ body: converseRecording('amazon-bedrock-reasoning.json') });
    const r = await new BedrockConverse({ modelId: 'm', client }).invoke(payload);
    expect(r.responseText).toBe('There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
    expect([r.numTokensInput, r.numTokensInputCached, r.numTokensOutput]).toEqual([51, 0, 78]);
    expect(r.serverLatencyMs).toBe(2202);
  });

  it('joins several text blocks without separator', async () => {
    const client = fakeClient({ body: converseRecording('amazon-bedrock-json-tool.3.json') });
    const r = await new BedrockConverse({ modelId: 'm', client }).invoke(payload);
    expect(r.responseText).toBe('First text block.Second text block.Third text block before JSON.');
    expect(r.stopReason).toBe('tool_use');
  });

  it('sends the prepared payload with the endpoint model id and the invoke signal', async () => {
    const client = fakeClient({ body: converseRecording('amazon-bedrock-text.json') });
    await new BedrockConverse({ modelId: 'my-model', client }).invoke({ ...payload, modelId: 'other' });
    expect(client.calls[0]?.input).toEqual({ ...payload, modelId: 'my-model' });
    expect(client.calls[0]?.abortSignal).toBeInstanceOf(AbortSignal);
  });
});
