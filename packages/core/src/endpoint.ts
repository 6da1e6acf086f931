import { randomUUID } from 'node:crypto';
import type { ErrorType } from './error-type.js';
import { classifyError } from './error-type.js';
import { InvocationAbortedError, InvocationTimeoutError, LLMeterValidationError } from './errors.js';
import { InvocationResponse } from './invocation-response.js';

/** A request body for an endpoint (provider-specific; for Bedrock, a Converse request). */
export type Payload = Record<string, unknown>;

/** Options every endpoint takes. */
export interface EndpointOptions {
  /** The model to invoke. Required. */
  modelId: string;
  /** A display name for the endpoint (e.g. `amazon bedrock`). */
  endpointName: string;
  /** The provider (e.g. `bedrock`). */
  provider: string;
}

/** Per-invocation options. */
export interface InvokeOptions {
  /** Cancels the request; the record fails with `errorType: 'aborted'`. */
  signal?: AbortSignal;
  /** Fails the record with `errorType: 'timeout'` after this many milliseconds (HTTP request cancelled). */
  timeoutMs?: number;
}

/** What `callApi` and `processRawResponse` receive beside the payload. */
export interface InvokeContext {
  /** Aborts on timeout or on the caller's signal: pass it to the HTTP client. */
  signal: AbortSignal;
  /** `performance.now()` (milliseconds) just before the API call. */
  start: number;
}

/** The JSON form of an endpoint: `endpoint_type` plus its options in snake_case. */
export interface EndpointJSON {
  endpoint_type: string;
  model_id: string;
  endpoint_name: string;
  provider: string;
  [key: string]: unknown;
}

/** Seconds elapsed since a `performance.now()` reading. */
export function secondsSince(start: number, now: number = performance.now()): number {
  return (now - start) / 1000;
}

/**
 * The base of every endpoint: `invoke(payload)` is the measuring template.
 *
 * 1. `preparePayload` (outside the timer). 2. A record with an id and `requestTime`. 3. `start = performance.now()`.
 * 4. `callApi`, then `processRawResponse(raw, start, response)` fills the record in place.
 * 5. Any thrown error is captured into `error`/`errorType` (the promise never rejects for an API failure,
 * and partial fields are kept; a failure's total duration goes to `timeToError`). 6. Back-fill: id,
 * `timeToLastToken` (only without error), `inputPayload`, `inputPrompt`.
 */
export abstract class Endpoint<TPayload extends Payload = Payload, TRaw = unknown> {
  readonly modelId: string;
  readonly endpointName: string;
  readonly provider: string;

  constructor(options: EndpointOptions) {
    if (typeof options?.modelId !== 'string' || options.modelId.length === 0) {
      throw new LLMeterValidationError(`modelId must be a non-empty string, got ${JSON.stringify(options?.modelId)}`);
    }
    this.modelId = options.modelId;
    this.endpointName = options.endpointName;
    this.provider = options.provider;
  }

  /** The name under which this endpoint type is registered for `endpointFromJSON`. */
  abstract get endpointType(): string;

  /** Returns the payload to send (a copy; never mutates the input). Runs outside the timer. */
  preparePayload(payload: TPayload): TPayload {
    return { ...payload };
  }

  /** The raw API call. Must honour `ctx.signal`. */
  protected abstract callApi(payload: TPayload, ctx: InvokeContext): Promise<TRaw>;

  /** Fills `response` from the raw result (text, tokens, TTFT/TTLT for streams). May throw: the template records it. */
  protected abstract processRawResponse(
    raw: TRaw,
    start: number,
    response: InvocationResponse,
    ctx: InvokeContext,
  ): void | Promise<void>;

  /** Maps a thrown error to its `ErrorType`. Endpoints override for provider-specific errors. */
  protected classifyError(error: unknown): ErrorType {
    return classifyError(error);
  }

  /** Turns a thrown error into the record's `error` message. */
  protected errorMessage(error: unknown): string {
    if (error instanceof Error) return error.message || error.name;
    return String(error);
  }

  /** Extracts the prompt text from a payload (null when there is none). */
  protected extractPrompt(_payload: TPayload): string | null {
    return null;
  }

  /** Endpoint-specific options for `toJSON` (snake_case keys). */
  protected configJSON(): Record<string, unknown> {
    return {};
  }

  /** Serializes the endpoint so that `endpointFromJSON` can rebuild it (clients and credentials are not included). */
  toJSON(): EndpointJSON {
    return {
      endpoint_type: this.endpointType,
      model_id: this.modelId,
      endpoint_name: this.endpointName,
      provider: this.provider,
      ...this.configJSON(),
    };
  }

  /** Invokes the endpoint once and measures it. Resolves with a record; never rejects for an API failure. */
  async invoke(payload: TPayload, options: InvokeOptions = {}): Promise<InvocationResponse> {
    const { signal, timeoutMs } = options;
    // A bad option is a programming error: reject before anything is prepared, listened to or sent.
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0)) {
      throw new LLMeterValidationError(`timeoutMs must be a positive number, got ${JSON.stringify(timeoutMs)}`);
    }
    const prepared = this.preparePayload(payload);
    const response = new InvocationResponse({ id: randomUUID().replaceAll('-', ''), requestTime: new Date() });
    const controller = new AbortController();
    let stop: ((reason: unknown) => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      stop = reject;
    });
    stopped.catch(() => {});
    const cancel = (reason: unknown) => {
      if (controller.signal.aborted) return;
      controller.abort(reason);
      stop?.(reason);
    };
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => cancel(new InvocationAbortedError(signal?.reason));
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => cancel(new InvocationTimeoutError(timeoutMs)), timeoutMs);
    }
    const ctx: InvokeContext = { signal: controller.signal, start: 0 };
    let failed = false;
    let result = response;
    const start = performance.now();
    ctx.start = start;
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      // Racing against `stopped` ends the measurement at the timeout even if a client ignores the signal.
      const raw = await Promise.race([this.callApi(prepared, ctx), stopped]);
      await Promise.race([this.processRawResponse(raw, start, response, ctx), stopped]);
    } catch (error) {
      failed = true;
      // A timeout or abort wins over whatever error the cancelled client raised.
      const cause = controller.signal.aborted ? controller.signal.reason : error;
      // The cancelled call may still be settling: freeze what was measured so far.
      if (controller.signal.aborted) result = cloneRecord(response);
      result.error = this.errorMessage(cause);
      result.errorType = this.classifyError(cause);
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const elapsed = secondsSince(start);
    if (!failed && result.timeToLastToken === null) result.timeToLastToken = elapsed;
    // A failure's total duration (thrown, or an error the endpoint recorded itself, e.g. a stream error event):
    // what latency metrics record for failed operations.
    if (result.error !== null || result.errorType !== null) result.timeToError ??= elapsed;
    result.id ??= randomUUID().replaceAll('-', '');
    result.inputPayload = prepared;
    result.inputPrompt ??= this.extractPrompt(prepared);
    return result;
  }
}

function cloneRecord(record: InvocationResponse): InvocationResponse {
  const copy = new InvocationResponse({ ...record });
  if (record.chunkTimes) copy.chunkTimes = [...record.chunkTimes];
  return copy;
}

/** Rebuilds an endpoint from its JSON form. */
export type EndpointFactory = (json: EndpointJSON) => Endpoint;

const registry = new Map<string, EndpointFactory>();

/** Registers an endpoint type for `endpointFromJSON` (endpoint packages call this for their own types). */
export function registerEndpointType(endpointType: string, factory: EndpointFactory): void {
  registry.set(endpointType, factory);
}

/** The endpoint types registered so far. */
export function registeredEndpointTypes(): string[] {
  return [...registry.keys()];
}

/**
 * Rebuilds an endpoint from `toJSON()` output. The endpoint's package must have registered its type
 * (importing `@llmeter/bedrock` and calling its `registerBedrockEndpoints()` does).
 */
export function endpointFromJSON(json: unknown): Endpoint {
  const obj = json as Partial<EndpointJSON> | null;
  if (!obj || typeof obj !== 'object' || typeof obj.endpoint_type !== 'string') {
    throw new LLMeterValidationError('endpoint JSON must be an object with a string endpoint_type');
  }
  const factory = registry.get(obj.endpoint_type);
  if (!factory) {
    throw new LLMeterValidationError(
      `unknown endpoint_type ${JSON.stringify(obj.endpoint_type)}; registered: ${registeredEndpointTypes().join(', ') || 'none'}`,
    );
  }
  return factory(obj as EndpointJSON);
}
