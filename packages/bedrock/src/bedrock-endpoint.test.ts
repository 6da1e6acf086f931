import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { endpointFromJSON, LLMeterValidationError } from '@llmeter/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBedrockRuntimeClient } from './bedrock-client.js';
import { BedrockConverse } from './converse-endpoint.js';
import { BedrockConverseStream } from './converse-stream-endpoint.js';
import { registerBedrockEndpoints } from './register-endpoints.js';
import { fakeClient } from './test-support/fake-client.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Bedrock endpoint options', () => {
  it('has Python defaults: provider bedrock, name amazon bedrock, 3 attempts, visible-token TTFT', () => {
    const e = new BedrockConverseStream({ modelId: 'm' });
    expect(e.provider).toBe('bedrock');
    expect(e.endpointName).toBe('amazon bedrock');
    expect(e.maxAttempts).toBe(3);
    expect(e.maxConcurrency).toBe(1024);
    expect(e.ttftVisibleTokensOnly).toBe(true);
    expect(e.region).toBeNull();
    expect(new BedrockConverse({ modelId: 'm', endpointName: 'mine' }).endpointName).toBe('mine');
  });

  it('constructs without a client and without env, and creates the client on first use only', () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    const e = new BedrockConverse({ modelId: 'm', region: 'eu-west-1', maxAttempts: 5 });
    const client = e.client;
    expect(client).toBeInstanceOf(BedrockRuntimeClient);
    expect(e.client).toBe(client);
  });

  it('gives a configured client the region, attempts and socket pool asked for', async () => {
    const e = new BedrockConverse({ modelId: 'm', region: 'eu-west-1', maxAttempts: 5, maxConcurrency: 77 });
    const client = e.client as BedrockRuntimeClient;
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.maxAttempts()).toBe(5);
    const handler = client.config.requestHandler as unknown as { handle: unknown; httpHandlerConfigs(): unknown };
    // The handler resolves its config on first use; force it with a request that is aborted at once.
    await (handler.handle as (r: unknown, o: unknown) => Promise<unknown>)(
      { protocol: 'http:', headers: {} },
      { abortSignal: AbortSignal.abort() },
    ).catch(() => {});
    const cfg = handler.httpHandlerConfigs() as { httpAgent?: { maxSockets: number; keepAlive: boolean } };
    expect(cfg.httpAgent?.maxSockets).toBe(77);
    expect(cfg.httpAgent?.keepAlive).toBe(true);
  });

  it.each([
    [{ maxAttempts: 0 }, /maxAttempts must be a positive integer, got 0/],
    [{ maxConcurrency: -1 }, /maxSockets must be a positive integer, got -1/],
    [{ region: '' }, /region must be a non-empty string/],
    [{ endpointUrl: 'not a url' }, /endpoint must be an absolute URL/],
    [{ inferenceConfig: [] }, /inferenceConfig must be an object/],
    [{ client: {} }, /client must be a BedrockRuntimeClient/],
    [{ modelId: '' }, /modelId must be a non-empty string/],
    [{ ttftVisibleTokensOnly: 'yes' }, /ttftVisibleTokensOnly must be a boolean/],
  ])('rejects bad options at construction: %o', (bad, message) => {
    expect(() => new BedrockConverseStream({ modelId: 'm', ...(bad as object) })).toThrow(message);
    try {
      new BedrockConverseStream({ modelId: 'm', ...(bad as object) });
    } catch (error) {
      expect(LLMeterValidationError.isInstance(error)).toBe(true);
    }
  });
});

describe('preparePayload', () => {
  const e = new BedrockConverse({
    modelId: 'mine',
    client: fakeClient({}),
    inferenceConfig: { maxTokens: 10, temperature: 0 },
  });

  it('copies, sets modelId, applies the endpoint inferenceConfig only when the payload has none', () => {
    const payload = { messages: [], modelId: 'theirs' };
    const prepared = e.preparePayload(payload);
    expect(prepared).toEqual({ messages: [], modelId: 'mine', inferenceConfig: { maxTokens: 10, temperature: 0 } });
    expect(payload).toEqual({ messages: [], modelId: 'theirs' });
    expect(e.preparePayload({ inferenceConfig: { topP: 0.5 } })['inferenceConfig']).toEqual({ topP: 0.5 });
    expect(e.preparePayload({ inferenceConfig: null })['inferenceConfig']).toEqual({ maxTokens: 10, temperature: 0 });
  });

  it('gives {} without an endpoint inferenceConfig', () => {
    expect(new BedrockConverse({ modelId: 'm', client: fakeClient({}) }).preparePayload({})).toEqual({
      modelId: 'm',
      inferenceConfig: {},
    });
  });
});

describe('endpoint JSON', () => {
  it('serializes both types and rebuilds them once registered', () => {
    const stream = new BedrockConverseStream({
      modelId: 'm',
      region: 'us-west-2',
      inferenceConfig: { maxTokens: 5 },
      maxAttempts: 2,
      ttftVisibleTokensOnly: false,
      endpointUrl: 'http://127.0.0.1:9999',
    });
    const json = stream.toJSON();
    expect(json).toEqual({
      endpoint_type: 'BedrockConverseStream',
      model_id: 'm',
      endpoint_name: 'amazon bedrock',
      provider: 'bedrock',
      region: 'us-west-2',
      inference_config: { maxTokens: 5 },
      max_attempts: 2,
      max_concurrency: 1024,
      endpoint_url: 'http://127.0.0.1:9999',
      ttft_visible_tokens_only: false,
    });
    const converse = new BedrockConverse({ modelId: 'x' }).toJSON();
    expect(converse).toEqual({
      endpoint_type: 'BedrockConverse',
      model_id: 'x',
      endpoint_name: 'amazon bedrock',
      provider: 'bedrock',
      region: null,
      inference_config: null,
      max_attempts: 3,
      max_concurrency: 1024,
    });
    registerBedrockEndpoints();
    const rebuilt = endpointFromJSON(JSON.parse(JSON.stringify(json)));
    expect(rebuilt).toBeInstanceOf(BedrockConverseStream);
    expect(rebuilt.toJSON()).toEqual(json);
    expect(endpointFromJSON(converse).toJSON()).toEqual(converse);
  });

  it('records the endpoint URL of a client made by createBedrockRuntimeClient', () => {
    const client = createBedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1234',
      maxAttempts: 1,
    });
    const json = new BedrockConverseStream({ modelId: 'm', client }).toJSON();
    expect(json).toMatchObject({ region: 'us-east-1', endpoint_url: 'http://127.0.0.1:1234', max_attempts: 1 });
  });

  it('hands credentials or a client to rebuilt endpoints', () => {
    const client = fakeClient({});
    registerBedrockEndpoints({ client });
    const rebuilt = endpointFromJSON(new BedrockConverse({ modelId: 'm' }).toJSON()) as BedrockConverse;
    expect(rebuilt.client).toBe(client);
    registerBedrockEndpoints();
  });

  it('rejects a field of the wrong type when rebuilding', () => {
    registerBedrockEndpoints();
    expect(() => endpointFromJSON({ ...new BedrockConverse({ modelId: 'm' }).toJSON(), max_attempts: '3' })).toThrow(
      /BedrockConverse JSON: max_attempts must be a number, got "3"/,
    );
  });
});
