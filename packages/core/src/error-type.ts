import { InvocationAbortedError, InvocationTimeoutError, StreamEventError } from './errors.js';

/**
 * How a failed invocation failed.
 * - `throttled`: HTTP 429 or a throttling exception
 * - `timeout`: the per-request timeout elapsed (or the service reported a timeout)
 * - `client`: a 4xx / validation / access error
 * - `server`: a 5xx / internal / unavailable error
 * - `stream`: an error event inside a response stream (not otherwise classified)
 * - `network`: connection refused, reset, DNS, socket errors
 * - `aborted`: cancelled by the caller's `AbortSignal`
 * - `unknown`: anything else
 */
export type ErrorType = 'throttled' | 'timeout' | 'client' | 'server' | 'stream' | 'network' | 'aborted' | 'unknown';

/** Every error type, in a stable order (for tables and metric attributes). */
export const ERROR_TYPES: readonly ErrorType[] = [
  'throttled',
  'timeout',
  'client',
  'server',
  'stream',
  'network',
  'aborted',
  'unknown',
];

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_STREAM_ERROR',
]);

function httpStatusOf(err: Record<string, unknown>): number | undefined {
  const meta = err['$metadata'] as { httpStatusCode?: unknown } | undefined;
  const candidates = [
    meta?.httpStatusCode,
    err['statusCode'],
    err['status'],
    err['$response'] && (err['$response'] as { statusCode?: unknown }).statusCode,
  ];
  for (const c of candidates) if (typeof c === 'number' && c >= 100 && c < 600) return c;
  return undefined;
}

/** Classifies by HTTP status code alone; `undefined` for a status that is not an error. */
export function errorTypeFromStatus(status: number): ErrorType | undefined {
  if (status === 429) return 'throttled';
  if (status === 408) return 'timeout';
  if (status >= 400 && status < 500) return 'client';
  if (status >= 500) return 'server';
  return undefined;
}

/** Classifies by an exception or error-event name, e.g. `ThrottlingException`; `undefined` when not recognised. */
export function errorTypeFromName(name: string): ErrorType | undefined {
  const n = name.toLowerCase();
  if (n.includes('throttl') || n.includes('toomanyrequests') || n.includes('ratelimit')) return 'throttled';
  if (n.includes('timeout')) return 'timeout';
  if (
    n.includes('validation') ||
    n.includes('accessdenied') ||
    n.includes('notfound') ||
    n.includes('unauthorized') ||
    n.includes('badrequest') ||
    n.includes('conflict')
  ) {
    return 'client';
  }
  if (n.includes('internalserver') || n.includes('serviceunavailable') || n.includes('serviceexception'))
    return 'server';
  return undefined;
}

/**
 * The default failure classification used by the `Endpoint` template.
 * Order: our own timeout/abort errors, HTTP status, stream events, exception names, network error codes.
 */
export function classifyError(error: unknown): ErrorType {
  return classify(error, 0);
}

/** How deep `classifyError` follows `cause` chains (they can be cyclic). */
const MAX_CAUSE_DEPTH = 8;

function classify(error: unknown, depth: number): ErrorType {
  if (InvocationTimeoutError.isInstance(error)) return 'timeout';
  if (InvocationAbortedError.isInstance(error)) return 'aborted';
  if (typeof error !== 'object' || error === null) return 'unknown';
  const err = error as Record<string, unknown>;
  const status = httpStatusOf(err);
  if (status !== undefined) {
    const byStatus = errorTypeFromStatus(status);
    if (byStatus) return byStatus;
  }
  if (StreamEventError.isInstance(error)) {
    return errorTypeFromName((error as StreamEventError).eventType) === 'throttled' ? 'throttled' : 'stream';
  }
  const name = typeof err['name'] === 'string' ? err['name'] : '';
  const byName = errorTypeFromName(name);
  if (byName) return byName;
  const code = typeof err['code'] === 'string' ? err['code'] : '';
  if (NETWORK_CODES.has(code)) return 'network';
  const message = typeof err['message'] === 'string' ? err['message'] : '';
  if (/socket hang up|ECONNRESET|ECONNREFUSED|network|premature close/i.test(message)) return 'network';
  if (err['cause'] !== undefined && err['cause'] !== error && depth < MAX_CAUSE_DEPTH) {
    const inner = classify(err['cause'], depth + 1);
    if (inner !== 'unknown') return inner;
  }
  if (name === 'AbortError') return 'aborted';
  return 'unknown';
}
