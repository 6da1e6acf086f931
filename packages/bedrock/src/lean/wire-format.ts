import {
  AccessDeniedException,
  BedrockRuntimeServiceException,
  ConflictException,
  ConverseResponse$,
  ConverseStreamOutput$,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { JsonCodec2 } from '@smithy/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';

/**
 * The Bedrock Runtime REST-JSON wire format for Converse and ConverseStream, as the AWS SDK v3 serializes and
 * deserializes it (`se_`/`de_` schemas of `@aws-sdk/client-bedrock-runtime`): the lean transport produces the
 * same objects and throws the same exception classes, so endpoints work unchanged on either transport.
 */

/** The SDK's `$metadata` of an output or a service error. */
export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  cfId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

/** Request path for a model id and operation, as the SDK builds it (the model id percent-encoded). */
export function requestPath(modelId: string, operation: 'converse' | 'converse-stream'): string {
  return `/model/${encodeURIComponent(modelId)}/${operation}`;
}

// Blobs travel as base64 in REST-JSON (the SDK encodes every `Uint8Array` member of the input).
function blobReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

// Whether a value holds bytes anywhere (a JS walk is much cheaper than a JSON.stringify replacer on every key).
function containsBytes(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (containsBytes(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (containsBytes((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

/** The JSON request body: every input member but `modelId` (a path label); `undefined` members dropped. */
export function requestBody(input: Record<string, unknown>): string {
  const { modelId: _modelId, ...body } = input;
  return containsBytes(body) ? JSON.stringify(body, blobReplacer) : JSON.stringify(body);
}

// The SDK's own schemas and schema-driven JSON deserializer (as its REST-JSON protocol configures it): unknown
// members dropped, blobs decoded, timestamps parsed, exactly as `BedrockRuntimeClient` does.
const deserializer = new JsonCodec2({
  timestampFormat: { useTrait: true, default: 7 },
  jsonName: true,
}).createDeserializer() as unknown as { readObject(schema: unknown, value: unknown): unknown };
let streamMembers: Record<string, unknown> | undefined;

/** A Converse response body as the SDK returns it. */
export function converseOutput(body: Record<string, unknown>, $metadata: ResponseMetadata): Record<string, unknown> {
  const out = deserializer.readObject(ConverseResponse$, body) as Record<string, unknown>;
  return { ...out, $metadata };
}

// The hot path: a text delta with nothing else (most chunks) needs no schema walk.
function isPlainTextDelta(payload: Record<string, unknown>): boolean {
  let n = 0;
  for (const key in payload) {
    n++;
    if (key !== 'contentBlockIndex' && key !== 'delta' && key !== 'p') return false;
  }
  const delta = payload['delta'] as Record<string, unknown> | undefined;
  if (!delta || typeof delta !== 'object' || typeof delta['text'] !== 'string') return false;
  for (const key in delta) if (key !== 'text') return false;
  return n > 0 && typeof payload['contentBlockIndex'] === 'number';
}

/**
 * A stream event as the SDK yields it (`{ contentBlockDelta: {...} }`), or `undefined` for an event type the
 * ConverseStream union does not model (the SDK skips those).
 */
export function streamEvent(eventType: string, payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if (eventType === 'contentBlockDelta' && isPlainTextDelta(payload)) {
    return { contentBlockDelta: { delta: payload['delta'], contentBlockIndex: payload['contentBlockIndex'] } };
  }
  streamMembers ??= NormalizedSchema.of(ConverseStreamOutput$).getMemberSchemas();
  const schema = streamMembers[eventType];
  if (schema === undefined) return undefined;
  return { [eventType]: deserializer.readObject(schema, payload) };
}

type ExceptionClass = new (opts: { message: string; $metadata: ResponseMetadata }) => Error;

/** Modeled errors of the service, by name (the SDK's error registry for Bedrock Runtime). */
const SERVICE_EXCEPTIONS: Record<string, ExceptionClass> = {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} as unknown as Record<string, ExceptionClass>;

/** Exceptions the ConverseStream union models (`:exception-type` header value → class name). */
const STREAM_EXCEPTIONS: Record<string, string> = {
  internalServerException: 'InternalServerException',
  modelStreamErrorException: 'ModelStreamErrorException',
  validationException: 'ValidationException',
  throttlingException: 'ThrottlingException',
  serviceUnavailableException: 'ServiceUnavailableException',
};

// Modeled members beyond `message` on some exceptions.
const EXTRA_ERROR_MEMBERS = ['originalStatusCode', 'originalMessage', 'resourceName'] as const;

function sanitizeErrorCode(raw: string): string {
  let code = raw;
  if (code.includes(',')) code = code.split(',')[0] ?? code;
  if (code.includes(':')) code = code.split(':')[0] ?? code;
  if (code.includes('#')) code = code.split('#')[1] ?? code;
  return code;
}

function parseJsonObject(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function buildException(
  name: string,
  data: Record<string, unknown>,
  $metadata: ResponseMetadata | undefined,
  status?: number,
): Error {
  const message = (data['message'] ?? data['Message'] ?? 'UnknownError') as string;
  const Known = SERVICE_EXCEPTIONS[name];
  if (!Known) {
    return new BedrockRuntimeServiceException({
      name,
      $fault: status !== undefined && status >= 500 ? 'server' : 'client',
      $metadata: $metadata ?? {},
      message,
    });
  }
  const error = new Known({ message, $metadata: $metadata as ResponseMetadata });
  for (const key of EXTRA_ERROR_MEMBERS) {
    if (data[key] !== undefined) (error as unknown as Record<string, unknown>)[key] = data[key];
  }
  return error;
}

/** The error the SDK throws for a non-2xx response (`x-amzn-ErrorType` header, else body `code` / `__type`). */
export function httpError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  $metadata: ResponseMetadata,
): Error {
  const data = parseJsonObject(bodyText);
  const header = headers['x-amzn-errortype'];
  const raw =
    (typeof header === 'string' ? header : undefined) ??
    (typeof data['code'] === 'string' ? data['code'] : undefined) ??
    (typeof data['__type'] === 'string' ? data['__type'] : undefined) ??
    'Unknown';
  return buildException(sanitizeErrorCode(raw), data, $metadata, status);
}

/** The error the SDK's event-stream unmarshaller throws for an `exception` (or `error`) message. */
export function streamException(exceptionType: string, bodyText: string): Error {
  const name = STREAM_EXCEPTIONS[exceptionType];
  if (name) return buildException(name, parseJsonObject(bodyText), undefined);
  const error = new Error(bodyText);
  error.name = exceptionType;
  return error;
}

/** The error the SDK throws for an event-stream `error` message (`:error-code`, `:error-message`). */
export function streamErrorMessage(code: string | undefined, message: string | undefined): Error {
  const error = new Error(message || 'UnknownError');
  error.name = code ?? 'Error';
  return error;
}
