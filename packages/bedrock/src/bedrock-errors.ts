import { classifyError, type ErrorType, errorTypeFromName, LLMeterError, StreamEventError } from '@llmeter/core';

/** The six error event types a Bedrock response stream can carry (as event names: lower camel case). */
export const BEDROCK_STREAM_ERROR_TYPES = [
  'internalServerException',
  'modelStreamErrorException',
  'modelTimeoutException',
  'serviceUnavailableException',
  'throttlingException',
  'validationException',
] as const;

/** One of the six Bedrock stream error event types. */
export type BedrockStreamErrorType = (typeof BEDROCK_STREAM_ERROR_TYPES)[number];

const STREAM_ERROR_BY_LOWER_NAME: ReadonlyMap<string, BedrockStreamErrorType> = new Map(
  BEDROCK_STREAM_ERROR_TYPES.map((t) => [t.toLowerCase(), t]),
);

/** A Bedrock response the endpoint cannot read (e.g. a text delta that is not a string). */
export class BedrockResponseError extends LLMeterError {
  override name = 'BedrockResponseError';
}

/** The failure of a stream error event: message `Bedrock {type}: {message}`, as LLMeter (Python) words it. */
export function bedrockStreamError(type: BedrockStreamErrorType, message: unknown, cause?: unknown): StreamEventError {
  return new StreamEventError(`Bedrock ${type}: ${String(message)}`, type, cause === undefined ? {} : { cause });
}

/** The stream error event in a chunk of the chunk-key form (`{ throttlingException: { message } }`), if any. */
export function streamErrorInChunk(chunk: Record<string, unknown>): StreamEventError | undefined {
  for (const type of BEDROCK_STREAM_ERROR_TYPES) {
    const event = chunk[type];
    if (event !== undefined && event !== null) {
      return bedrockStreamError(type, (event as { message?: unknown }).message);
    }
  }
  return undefined;
}

/**
 * The stream error event that the JS SDK threw from a stream's iterator, if `error` is one. The SDK throws the
 * five event types it models as typed exceptions (`ThrottlingException`, …, `message` set); an event type it does
 * not model (`modelTimeoutException`) as an `Error` named after the event whose message is the raw JSON body.
 */
export function streamErrorFromThrown(error: unknown): StreamEventError | undefined {
  if (StreamEventError.isInstance(error)) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  if (typeof name !== 'string') return undefined;
  const type = STREAM_ERROR_BY_LOWER_NAME.get(name.toLowerCase());
  if (type === undefined) return undefined;
  let message: unknown = (error as { message?: unknown }).message;
  if (typeof message === 'string' && message.startsWith('{')) {
    try {
      const body = JSON.parse(message) as { message?: unknown; Message?: unknown };
      message = body.message ?? body.Message ?? message;
    } catch {
      // Not JSON after all: keep the text as it is.
    }
  }
  return bedrockStreamError(type, message ?? '', error);
}

/** The SDK's errors for missing or unusable credentials or region: the caller's configuration, so `client`. */
const CONFIGURATION_ERRORS = new Set(['CredentialsProviderError', 'ProviderError']);
const MISSING_REGION = /^Region is missing/;

/** Socket errors that the SDK's Node HTTP handler renames `TimeoutError` (to retry them) although nothing timed out. */
const RENAMED_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The event-stream decoder's words for a frame that fails its CRC or ends mid-frame, and the SDK's for a response
 * body it cannot parse (e.g. a Converse JSON body cut short).
 */
const CORRUPT_STREAM = /checksum|truncated event message|unrecognizable event type|deserialization error/i;

/**
 * Classifies a failed Bedrock call. Stream error events by their type (`throttlingException` → `throttled`,
 * `modelTimeoutException` → `timeout`, `internalServerException`/`serviceUnavailableException` → `server`,
 * `validationException` → `client`, `modelStreamErrorException` → `stream`); an unreadable response (bad frame CRC,
 * truncated frame, malformed delta, a body the SDK cannot parse) → `stream`; no usable credentials or region →
 * `client`; a reset or broken pipe → `network` (the SDK names those `TimeoutError`); everything else (HTTP status,
 * SDK exception names, network codes, timeout, abort) as core's `classifyError`.
 */
export function classifyBedrockError(error: unknown): ErrorType {
  const streamError = streamErrorFromThrown(error);
  if (streamError) return errorTypeFromName(streamError.eventType) ?? 'stream';
  if (BedrockResponseError.isInstance(error)) return 'stream';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RENAMED_SOCKET_ERRORS.has(code)) return 'network';
  const { name, message: text } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (typeof name === 'string' && CONFIGURATION_ERRORS.has(name)) return 'client';
  if (typeof text === 'string' && MISSING_REGION.test(text)) return 'client';
  const general = classifyError(error);
  if (general !== 'unknown') return general;
  if (typeof text === 'string' && CORRUPT_STREAM.test(text)) return 'stream';
  return general;
}
