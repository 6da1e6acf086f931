import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { LLMeterValidationError } from '@llmeter/core';
import { AttributedHttpHandler } from './sdk-request-timing.js';

/**
 * What an endpoint needs of a Bedrock Runtime client: its `send`. A `BedrockRuntimeClient` is one; so is a fake
 * in a test. `options.abortSignal` cancels the HTTP request.
 */
export interface BedrockRuntimeSender {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's `send` is generic over every command of the service.
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** AWS credentials (or a provider of them) as the SDK takes them. */
export type BedrockCredentials = BedrockRuntimeClientConfig['credentials'];

/** Default `maxAttempts` (the SDK's retry budget: 3 = one try and up to two retries). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Default socket-pool size. The SDK's own default is 50, which queues the 51st concurrent request inside the
 * client (inflating its TTFT); 1024 is above any concurrency one Node process drives sensibly.
 */
export const DEFAULT_MAX_SOCKETS = 1024;

/** Options of `createBedrockRuntimeClient`. */
export interface BedrockClientOptions {
  /** AWS region, e.g. `us-east-1`. Default: resolved by the SDK (`AWS_REGION`, profile) on the first request. */
  region?: string;
  /** A custom endpoint URL, e.g. the emulator's `http://127.0.0.1:40123`. Default: the regional Bedrock endpoint. */
  endpoint?: string;
  /**
   * Credentials. Default: the SDK's provider chain (env, profile, instance role), read on the first request.
   * Against the emulator any static pair works: `{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' }`.
   */
  credentials?: BedrockCredentials;
  /** Attempts per request, retries included (the SDK's standard retry mode). Default 3. */
  maxAttempts?: number;
  /** Sockets per origin in the HTTP(S) agent's pool (keep-alive). Default 1024. Size it to your concurrency. */
  maxSockets?: number;
  /**
   * Milliseconds until the response headers must have arrived, else the request fails with a `TimeoutError`.
   * Default: none. (For a whole-request deadline, streaming included, pass `timeoutMs` to `invoke`.)
   */
  requestTimeoutMs?: number;
}

/** The settings a client was created with, for endpoints that serialize themselves (`endpoint_url`). */
const createdWith = new WeakMap<object, Readonly<BedrockClientOptions>>();

function positiveInteger(value: unknown, name: string): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
    throw new LLMeterValidationError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** Checks the options shared by `createBedrockRuntimeClient` and the endpoints; throws `LLMeterValidationError`. */
export function validateClientOptions(options: BedrockClientOptions): void {
  if (options.region !== undefined && (typeof options.region !== 'string' || options.region === '')) {
    throw new LLMeterValidationError(`region must be a non-empty string, got ${JSON.stringify(options.region)}`);
  }
  if (options.endpoint !== undefined) {
    let ok = typeof options.endpoint === 'string';
    if (ok) {
      try {
        new URL(options.endpoint as string);
      } catch {
        ok = false;
      }
    }
    if (!ok)
      throw new LLMeterValidationError(`endpoint must be an absolute URL, got ${JSON.stringify(options.endpoint)}`);
  }
  if (options.maxAttempts !== undefined) positiveInteger(options.maxAttempts, 'maxAttempts');
  if (options.maxSockets !== undefined) positiveInteger(options.maxSockets, 'maxSockets');
  if (options.requestTimeoutMs !== undefined) positiveInteger(options.requestTimeoutMs, 'requestTimeoutMs');
}

/**
 * Creates a `BedrockRuntimeClient` over HTTP/1.1 keep-alive sockets with a pool of `maxSockets` (default 1024),
 * `maxAttempts` (default 3) and, optionally, a custom endpoint and credentials. Reads no env and no credentials
 * until the first request.
 *
 * ```ts
 * const client = createBedrockRuntimeClient({
 *   region: 'us-east-1',
 *   endpoint: emulator.url,
 *   credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' },
 * });
 * ```
 */
export function createBedrockRuntimeClient(options: BedrockClientOptions = {}): BedrockRuntimeClient {
  validateClientOptions(options);
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  // A NodeHttpHandler whose keep-alive agents also record when each request was sent and answered (attribution).
  const requestHandler = new AttributedHttpHandler({
    agentOptions: { maxSockets },
    ...(options.requestTimeoutMs !== undefined
      ? { requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true }
      : {}),
  });
  const config: BedrockRuntimeClientConfig = {
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler,
  };
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  const client = new BedrockRuntimeClient(config);
  createdWith.set(client, Object.freeze({ ...options, maxSockets }));
  return client;
}

/** The options a client was made with by `createBedrockRuntimeClient`; undefined for any other client. */
export function bedrockClientSettings(client: object): Readonly<BedrockClientOptions> | undefined {
  return createdWith.get(client);
}
