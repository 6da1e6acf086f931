import { timePerOutputToken } from './derived-metrics.js';
import type { ErrorType } from './error-type.js';
import { ERROR_TYPES } from './error-type.js';
import { LLMeterValidationError } from './errors.js';
import { fromJSONValue, parseJSON, toJSONValue } from './json-codec.js';

/** The LLMeter (Python) keys of a `responses.jsonl` line, exactly: its loader rejects any other key. */
export const LLMETER_RESPONSE_KEYS = [
  'response_text',
  'input_payload',
  'id',
  'input_prompt',
  'time_to_first_token',
  'time_to_last_token',
  'num_tokens_input',
  'num_tokens_output',
  'num_tokens_input_cached',
  'num_tokens_output_reasoning',
  'time_per_output_token',
  'error',
  'retries',
  'request_time',
] as const;

/** LLMeter's JSON form of a record (snake_case, 14 keys). */
export interface InvocationResponseJSON {
  response_text: string | null;
  input_payload: unknown;
  id: string | null;
  input_prompt: string | null;
  time_to_first_token: number | null;
  time_to_last_token: number | null;
  num_tokens_input: number | null;
  num_tokens_output: number | null;
  num_tokens_input_cached: number | null;
  num_tokens_output_reasoning: number | null;
  time_per_output_token: number | null;
  error: string | null;
  retries: number | null;
  request_time: string | null;
}

/**
 * Our fields beyond LLMeter's, in JSON form. They are written apart from the 14 LLMeter keys
 * (see `toExtensionJSON`) so that LLMeter's strict loader still reads our `responses.jsonl`.
 */
export interface InvocationResponseExtensionJSON {
  id: string | null;
  error_type?: ErrorType;
  stop_reason?: string;
  server_latency_ms?: number;
  chunk_times?: number[];
  time_to_request_sent?: number;
  time_to_response_headers?: number;
  time_to_error?: number;
  schedule_lag?: number;
  extra?: Record<string, unknown>;
}

/** Every field of a record; absent values are `null`. */
export interface InvocationResponseInit {
  id?: string | null;
  responseText?: string | null;
  inputPayload?: unknown;
  inputPrompt?: string | null;
  timeToFirstToken?: number | null;
  timeToLastToken?: number | null;
  timePerOutputToken?: number | null;
  numTokensInput?: number | null;
  numTokensInputCached?: number | null;
  numTokensOutput?: number | null;
  numTokensOutputReasoning?: number | null;
  error?: string | null;
  errorType?: ErrorType | null;
  retries?: number | null;
  requestTime?: Date | null;
  stopReason?: string | null;
  serverLatencyMs?: number | null;
  chunkTimes?: number[] | null;
  timeToRequestSent?: number | null;
  timeToResponseHeaders?: number | null;
  timeToError?: number | null;
  scheduleLag?: number | null;
  extra?: Record<string, unknown> | null;
}

const EXTENSION_KEYS = new Set([
  'error_type',
  'stop_reason',
  'server_latency_ms',
  'chunk_times',
  'time_to_request_sent',
  'time_to_response_headers',
  'time_to_error',
  'schedule_lag',
  'extra',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function num(value: unknown, key: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new LLMeterValidationError(`${key} must be a number or null, got ${JSON.stringify(value)}`);
  }
  return value;
}

function str(value: unknown, key: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string')
    throw new LLMeterValidationError(`${key} must be a string or null, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses an ISO-8601 instant; a string without a zone (as Python's `isoformat()` writes) is read as UTC. */
function parseInstant(value: unknown, key: string): Date | null {
  const s = str(value, key);
  if (s === null) return null;
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(s);
  const d = new Date(hasZone ? s : `${s}Z`);
  if (Number.isNaN(d.getTime())) throw new LLMeterValidationError(`${key} is not an ISO-8601 instant: ${s}`);
  return d;
}

/**
 * One request's measurements: the record every consumer (files, statistics, metrics, reports) reads.
 * Times are seconds from the instant just before the request was sent (monotonic clock);
 * `requestTime` is the wall-clock instant it was sent. Absent values are `null`.
 */
export class InvocationResponse {
  /** The API's request id; a random hex id when the API gives none. */
  id: string | null = null;
  /** The visible text received (reasoning excluded). */
  responseText: string | null = null;
  /** The payload as sent (after `preparePayload`). */
  inputPayload: unknown = null;
  /** The prompt text extracted from the payload. */
  inputPrompt: string | null = null;
  /** Seconds to the first visible token. */
  timeToFirstToken: number | null = null;
  /** Seconds to the last token (only set for a request that did not fail, except stream error events). */
  timeToLastToken: number | null = null;
  /** Seconds per output token after the first; see `timePerOutputToken` in derived metrics. Derived when not set. */
  timePerOutputToken: number | null = null;
  numTokensInput: number | null = null;
  numTokensInputCached: number | null = null;
  /** Output tokens, reasoning included. */
  numTokensOutput: number | null = null;
  numTokensOutputReasoning: number | null = null;
  /** The failure message, or null for a request that succeeded. */
  error: string | null = null;
  /** How the request failed; null when it did not. */
  errorType: ErrorType | null = null;
  /** Retries the client made (attempts − 1). */
  retries: number | null = null;
  /** Wall-clock instant the request was sent. */
  requestTime: Date | null = null;
  /** Why generation stopped, as the API reports it (`end_turn`, `max_tokens`, …). */
  stopReason: string | null = null;
  /** The server's own latency measurement in milliseconds (Bedrock `metrics.latencyMs`). */
  serverLatencyMs: number | null = null;
  /** Seconds from start at which each content chunk arrived (streaming); inter-chunk latency comes from these. */
  chunkTimes: number[] | null = null;
  /** Seconds from start until the request was handed to the socket. */
  timeToRequestSent: number | null = null;
  /** Seconds from start until the response headers arrived (server time to first byte, queueing included). */
  timeToResponseHeaders: number | null = null;
  /**
   * Seconds from start until the request failed: a failed request's total duration (`timeToLastToken` is only
   * set for a request that did not fail). Set by `Endpoint.invoke` on every failure; null when it did not fail.
   */
  timeToError: number | null = null;
  /** Seconds between the intended and the actual send instant (open-loop runs). */
  scheduleLag: number | null = null;
  /** Other provider-specific values; serialized as they are. */
  extra: Record<string, unknown> | null = null;

  constructor(init: InvocationResponseInit = {}) {
    for (const [key, value] of Object.entries(init)) {
      if (value !== undefined) (this as unknown as Record<string, unknown>)[key] = value;
    }
  }

  /** A new failed record (helper for endpoints and runners). */
  static failed(message: string, errorType: ErrorType, init: InvocationResponseInit = {}): InvocationResponse {
    return new InvocationResponse({ ...init, error: message, errorType });
  }

  /** TPOT as recorded, or derived from TTFT, TTLT and output tokens. */
  get effectiveTimePerOutputToken(): number | null {
    return (
      this.timePerOutputToken ?? timePerOutputToken(this.timeToFirstToken, this.timeToLastToken, this.numTokensOutput)
    );
  }

  /** LLMeter's JSON form: exactly its 14 snake_case keys, bytes as `{"__llmeter_bytes__": base64}`. */
  toJSON(): InvocationResponseJSON {
    return {
      response_text: this.responseText,
      input_payload: toJSONValue(this.inputPayload),
      id: this.id,
      input_prompt: this.inputPrompt,
      time_to_first_token: this.timeToFirstToken,
      time_to_last_token: this.timeToLastToken,
      num_tokens_input: this.numTokensInput,
      num_tokens_output: this.numTokensOutput,
      num_tokens_input_cached: this.numTokensInputCached,
      num_tokens_output_reasoning: this.numTokensOutputReasoning,
      time_per_output_token: this.effectiveTimePerOutputToken,
      error: this.error,
      retries: this.retries,
      request_time: this.requestTime ? this.requestTime.toISOString() : null,
    };
  }

  /** Our fields beyond LLMeter's, keyed by `id`; only the ones that are set. */
  toExtensionJSON(): InvocationResponseExtensionJSON {
    const out: InvocationResponseExtensionJSON = { id: this.id };
    if (this.errorType !== null) out.error_type = this.errorType;
    if (this.stopReason !== null) out.stop_reason = this.stopReason;
    if (this.serverLatencyMs !== null) out.server_latency_ms = this.serverLatencyMs;
    if (this.chunkTimes !== null) out.chunk_times = this.chunkTimes;
    if (this.timeToRequestSent !== null) out.time_to_request_sent = this.timeToRequestSent;
    if (this.timeToResponseHeaders !== null) out.time_to_response_headers = this.timeToResponseHeaders;
    if (this.timeToError !== null) out.time_to_error = this.timeToError;
    if (this.scheduleLag !== null) out.schedule_lag = this.scheduleLag;
    if (this.extra !== null) out.extra = toJSONValue(this.extra) as Record<string, unknown>;
    return out;
  }

  /** Both forms in one object (LLMeter's keys plus ours), for our own files and tools. */
  toFullJSON(): InvocationResponseJSON & Omit<InvocationResponseExtensionJSON, 'id'> {
    const { id: _id, ...ext } = this.toExtensionJSON();
    return { ...this.toJSON(), ...ext };
  }

  /**
   * Reads a record from LLMeter's JSON form (a parsed object or a JSON line), optionally merged with our
   * extension fields (given apart, or already in the same object). Unknown keys are an error naming the key.
   */
  static fromJSON(json: unknown, extension?: unknown): InvocationResponse {
    const obj = (typeof json === 'string' ? parseJSON(json, 'InvocationResponse') : json) as Record<string, unknown>;
    if (!isPlainObject(obj)) throw new LLMeterValidationError('an InvocationResponse must be a JSON object');
    const ext = (
      typeof extension === 'string' ? parseJSON(extension, 'InvocationResponse extension') : (extension ?? {})
    ) as Record<string, unknown>;
    if (!isPlainObject(ext)) throw new LLMeterValidationError('an InvocationResponse extension must be a JSON object');
    if (obj['id'] != null && ext['id'] != null && obj['id'] !== ext['id']) {
      throw new LLMeterValidationError(
        `extension id ${JSON.stringify(ext['id'])} does not match the record id ${JSON.stringify(obj['id'])}`,
      );
    }
    const all: Record<string, unknown> = { ...obj, ...ext, id: obj['id'] ?? ext['id'] ?? null };
    const known = new Set<string>([...LLMETER_RESPONSE_KEYS, ...EXTENSION_KEYS]);
    for (const key of Object.keys(all)) {
      if (!known.has(key)) throw new LLMeterValidationError(`unknown InvocationResponse key: ${key}`);
    }
    const errorType = all['error_type'];
    if (errorType !== undefined && errorType !== null && !ERROR_TYPES.includes(errorType as ErrorType)) {
      throw new LLMeterValidationError(
        `error_type must be one of ${ERROR_TYPES.join(', ')}, got ${JSON.stringify(errorType)}`,
      );
    }
    const extra = all['extra'];
    if (extra !== undefined && extra !== null && !isPlainObject(extra)) {
      throw new LLMeterValidationError(`extra must be an object or null, got ${JSON.stringify(extra)}`);
    }
    const chunkTimes = all['chunk_times'];
    if (
      chunkTimes !== undefined &&
      chunkTimes !== null &&
      !(Array.isArray(chunkTimes) && chunkTimes.every((t) => typeof t === 'number'))
    ) {
      throw new LLMeterValidationError('chunk_times must be an array of numbers');
    }
    return new InvocationResponse({
      id: str(all['id'], 'id'),
      responseText: str(all['response_text'], 'response_text'),
      inputPayload: fromJSONValue(all['input_payload'] ?? null),
      inputPrompt: str(all['input_prompt'], 'input_prompt'),
      timeToFirstToken: num(all['time_to_first_token'], 'time_to_first_token'),
      timeToLastToken: num(all['time_to_last_token'], 'time_to_last_token'),
      timePerOutputToken: num(all['time_per_output_token'], 'time_per_output_token'),
      numTokensInput: num(all['num_tokens_input'], 'num_tokens_input'),
      numTokensInputCached: num(all['num_tokens_input_cached'], 'num_tokens_input_cached'),
      numTokensOutput: num(all['num_tokens_output'], 'num_tokens_output'),
      numTokensOutputReasoning: num(all['num_tokens_output_reasoning'], 'num_tokens_output_reasoning'),
      error: str(all['error'], 'error'),
      errorType: (errorType as ErrorType | undefined) ?? null,
      retries: num(all['retries'], 'retries'),
      requestTime: parseInstant(all['request_time'], 'request_time'),
      stopReason: str(all['stop_reason'], 'stop_reason'),
      serverLatencyMs: num(all['server_latency_ms'], 'server_latency_ms'),
      chunkTimes: (chunkTimes as number[] | undefined) ?? null,
      timeToRequestSent: num(all['time_to_request_sent'], 'time_to_request_sent'),
      timeToResponseHeaders: num(all['time_to_response_headers'], 'time_to_response_headers'),
      timeToError: num(all['time_to_error'], 'time_to_error'),
      scheduleLag: num(all['schedule_lag'], 'schedule_lag'),
      extra: (fromJSONValue(all['extra'] ?? null) as Record<string, unknown> | null) ?? null,
    });
  }
}
