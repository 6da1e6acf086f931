import {
  type ContentItem,
  Endpoint,
  type ErrorType,
  type InvocationResponse,
  type InvokeContext,
  LLMeterValidationError,
  type Payload,
  secondsSince,
} from '@llmeter/core';
import {
  type BedrockCredentials,
  type BedrockRuntimeSender,
  bedrockClientSettings,
  createBedrockRuntimeClient,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_SOCKETS,
  validateClientOptions,
} from './bedrock-client.js';
import { classifyBedrockError } from './bedrock-errors.js';
import { type CreatePayloadOptions, createConversePayload, extractConversePrompt } from './converse-payload.js';
import { LeanBedrockClient, type LeanBedrockClientOptions } from './lean/lean-bedrock-client.js';
import { trackRequestTiming } from './request-timing.js';

/** Default display name of a Bedrock endpoint. */
export const DEFAULT_ENDPOINT_NAME = 'amazon bedrock';

/** Options of `BedrockConverse` (and, with one more, `BedrockConverseStream`). */
export interface BedrockEndpointOptions {
  /** The Bedrock model id, inference profile id or ARN. Required. */
  modelId: string;
  /** Display name. Default `amazon bedrock`. */
  endpointName?: string;
  /** AWS region of the client this endpoint creates. Default: resolved by the SDK on the first request. */
  region?: string;
  /** `inferenceConfig` applied to payloads that have none (`maxTokens`, `temperature`, …). Default none. */
  inferenceConfig?: Record<string, unknown>;
  /**
   * A pre-configured client (a `BedrockRuntimeClient`, or anything with its `send`). Default: one created on the
   * first invoke by `createBedrockRuntimeClient` from `region`, `endpointUrl`, `credentials`, `maxAttempts` and
   * `maxConcurrency`.
   */
  client?: BedrockRuntimeSender;
  /** Attempts per request, retries included, of the client this endpoint creates. Default 3. */
  maxAttempts?: number;
  /** Socket-pool size of the client this endpoint creates: concurrent requests it never queues. Default 1024. */
  maxConcurrency?: number;
  /** A custom endpoint URL (e.g. the emulator's) for the client this endpoint creates. Default: the regional one. */
  endpointUrl?: string;
  /** Credentials for the client this endpoint creates. Default: the SDK's provider chain. Never serialized. */
  credentials?: BedrockCredentials;
  /**
   * The client this endpoint creates: `sdk` (default), the AWS SDK's `BedrockRuntimeClient`; `lean`, a
   * `LeanBedrockClient` (same records, a fraction of the CPU per request and chunk). Ignored when `client` is given.
   */
  transport?: BedrockTransport;
}

/** Which client an endpoint creates: the AWS SDK's, or the lean one. */
export type BedrockTransport = 'sdk' | 'lean';

/**
 * What `callApi` hands to `processRawResponse`: the SDK output, or the error it threw (to read its `$metadata`),
 * and the attribution seconds the transport measured (null when it did not).
 */
export type BedrockCallResult<TOutput> = ({ output: TOutput } | { error: unknown }) & {
  timeToRequestSent?: number | null;
  timeToResponseHeaders?: number | null;
};

/** The `$metadata` every SDK output and service exception carries. */
interface ResponseMetadata {
  requestId?: string;
  attempts?: number;
}

/**
 * The base of the Bedrock Converse endpoints: options, the lazily created client, payload building and
 * preparation, error classification and serialization. `provider` is `bedrock`.
 */
export abstract class BedrockBase<TOutput extends { $metadata?: ResponseMetadata }> extends Endpoint<
  Payload,
  BedrockCallResult<TOutput>
> {
  /** The region given (or the one of a client made by `createBedrockRuntimeClient`); null when the SDK decides. */
  readonly region: string | null;
  /** The `inferenceConfig` applied to payloads without one. */
  readonly inferenceConfig: Record<string, unknown> | null;
  readonly maxAttempts: number;
  readonly maxConcurrency: number;
  /** The custom endpoint URL, when one was given (directly or through a client made by our helper). */
  readonly endpointUrl: string | null;
  /** The transport of the client this endpoint creates (`sdk` or `lean`). */
  readonly transport: BedrockTransport;
  #client: BedrockRuntimeSender | undefined;
  readonly #credentials: BedrockCredentials | undefined;

  constructor(options: BedrockEndpointOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new LLMeterValidationError(`Bedrock endpoint options must be an object, got ${JSON.stringify(options)}`);
    }
    super({
      modelId: options.modelId,
      endpointName: options.endpointName || DEFAULT_ENDPOINT_NAME,
      provider: 'bedrock',
    });
    validateClientOptions({
      region: options.region,
      endpoint: options.endpointUrl,
      maxAttempts: options.maxAttempts,
      maxSockets: options.maxConcurrency,
    });
    if (
      options.inferenceConfig != null &&
      (typeof options.inferenceConfig !== 'object' || Array.isArray(options.inferenceConfig))
    ) {
      throw new LLMeterValidationError(
        `inferenceConfig must be an object, got ${JSON.stringify(options.inferenceConfig)}`,
      );
    }
    if (options.client !== undefined && typeof options.client?.send !== 'function') {
      throw new LLMeterValidationError('client must be a BedrockRuntimeClient (an object with a send method)');
    }
    if (options.transport !== undefined && options.transport !== 'sdk' && options.transport !== 'lean') {
      throw new LLMeterValidationError(`transport must be 'sdk' or 'lean', got ${JSON.stringify(options.transport)}`);
    }
    const made = options.client ? bedrockClientSettings(options.client) : undefined;
    this.#client = options.client;
    this.#credentials = options.credentials;
    this.region = options.region ?? made?.region ?? null;
    this.inferenceConfig = options.inferenceConfig ?? null;
    this.maxAttempts = options.maxAttempts ?? made?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.maxConcurrency = options.maxConcurrency ?? made?.maxSockets ?? DEFAULT_MAX_SOCKETS;
    this.endpointUrl = options.endpointUrl ?? made?.endpoint ?? null;
    this.transport = options.transport ?? (options.client instanceof LeanBedrockClient ? 'lean' : 'sdk');
  }

  /** Builds a Converse payload; see `createConversePayload`. */
  static createPayload(userMessage: string | readonly ContentItem[], options: CreatePayloadOptions = {}): Payload {
    return createConversePayload(userMessage, options);
  }

  /** The client: the one given, or one created now (on first use, so construction reads no env or credentials). */
  get client(): BedrockRuntimeSender {
    if (this.#client === undefined && this.transport === 'lean') {
      this.#client = new LeanBedrockClient({
        ...(this.region !== null ? { region: this.region } : {}),
        ...(this.endpointUrl !== null ? { endpoint: this.endpointUrl } : {}),
        ...(this.#credentials !== undefined
          ? { credentials: this.#credentials as LeanBedrockClientOptions['credentials'] }
          : {}),
        maxAttempts: this.maxAttempts,
        maxSockets: this.maxConcurrency,
      });
    }
    this.#client ??= createBedrockRuntimeClient({
      ...(this.region !== null ? { region: this.region } : {}),
      ...(this.endpointUrl !== null ? { endpoint: this.endpointUrl } : {}),
      ...(this.#credentials !== undefined ? { credentials: this.#credentials } : {}),
      maxAttempts: this.maxAttempts,
      maxSockets: this.maxConcurrency,
    });
    return this.#client;
  }

  /**
   * A copy of the payload with `modelId` set to this endpoint's and, when the payload has no `inferenceConfig`,
   * the endpoint's (or `{}`).
   */
  override preparePayload(payload: Payload): Payload {
    const prepared: Payload = { ...payload };
    if (prepared['inferenceConfig'] == null) prepared['inferenceConfig'] = { ...(this.inferenceConfig ?? {}) };
    prepared['modelId'] = this.modelId;
    return prepared;
  }

  /** The SDK command for a prepared payload. */
  protected abstract command(payload: Payload): unknown;

  protected override async callApi(payload: Payload, ctx: InvokeContext): Promise<BedrockCallResult<TOutput>> {
    // Both transports fill these instants for the request sent with this signal (the SDK's through the HTTP
    // handler of `createBedrockRuntimeClient`); they stay null for a client that does not.
    const timing = trackRequestTiming(ctx.signal);
    let result: BedrockCallResult<TOutput>;
    try {
      result = { output: (await this.client.send(this.command(payload), { abortSignal: ctx.signal })) as TOutput };
    } catch (error) {
      result = { error };
    }
    result.timeToRequestSent = timing.requestSentAt === null ? null : secondsSince(ctx.start, timing.requestSentAt);
    result.timeToResponseHeaders =
      timing.responseHeadersAt === null ? null : secondsSince(ctx.start, timing.responseHeadersAt);
    return result;
  }

  /**
   * Sets the record's id (the request id) and `retries` (attempts − 1) from the SDK's `$metadata`, of the output
   * or of the exception; returns the output, or throws the exception for the template to record.
   */
  protected readOutput(raw: BedrockCallResult<TOutput>, response: InvocationResponse): TOutput {
    const metadata =
      ('output' in raw ? raw.output?.$metadata : (raw.error as { $metadata?: ResponseMetadata } | null)?.$metadata) ??
      {};
    if (typeof metadata.requestId === 'string' && metadata.requestId !== '') response.id = metadata.requestId;
    if ('output' in raw || typeof metadata.attempts === 'number') response.retries = (metadata.attempts ?? 1) - 1;
    response.timeToRequestSent = raw.timeToRequestSent ?? null;
    response.timeToResponseHeaders = raw.timeToResponseHeaders ?? null;
    if ('error' in raw) throw raw.error;
    return raw.output;
  }

  protected override classifyError(error: unknown): ErrorType {
    return classifyBedrockError(error);
  }

  protected override extractPrompt(payload: Payload): string | null {
    return extractConversePrompt(payload);
  }

  protected override configJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      region: this.region,
      inference_config: this.inferenceConfig,
      max_attempts: this.maxAttempts,
      max_concurrency: this.maxConcurrency,
    };
    if (this.endpointUrl !== null) json['endpoint_url'] = this.endpointUrl;
    // Only when not the default, so that the JSON of an SDK-transport endpoint is what it always was.
    if (this.transport !== 'sdk') json['transport'] = this.transport;
    return json;
  }
}
