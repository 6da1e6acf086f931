/**
 * The AWS SDK v3 "standard" retry mode, minimally (as in `@smithy/core/retry` `StandardRetryStrategy`):
 * retry throttling and transient errors up to `maxAttempts` tries, with full-jitter exponential backoff
 * (base 50 ms, 1 s for throttling, capped at 20 s) and a shared retry-token bucket (500 tokens, a retry costs 14,
 * 5 for throttling; a success returns what its retry cost, or 1).
 */

const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NODE_TRANSIENT_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const MAX_CAPACITY = 500;
const RETRY_COST = 14;
const THROTTLING_RETRY_COST = 5;
const BASE_DELAY_MS = 50;
const THROTTLING_BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 20_000;

type ErrorLike = {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
};

/** How the SDK classifies an error for retries. */
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

function isThrottling(e: ErrorLike): boolean {
  return e.$metadata?.httpStatusCode === 429 || THROTTLING_CODES.has(e.name ?? '') || e.$retryable?.throttling === true;
}

function isTransient(e: ErrorLike | undefined, depth = 0): boolean {
  if (!e || typeof e !== 'object' || e.name === 'AbortError') return false;
  return (
    e.$retryable !== undefined ||
    TRANSIENT_CODES.has(e.name ?? '') ||
    NODE_TRANSIENT_ERROR_CODES.has(e.code ?? '') ||
    TRANSIENT_STATUS.has(e.$metadata?.httpStatusCode ?? 0) ||
    (e.cause !== undefined && depth <= 10 && isTransient(e.cause as ErrorLike, depth + 1))
  );
}

/** Classifies an error as the SDK's standard retry strategy does. */
export function retryErrorType(error: unknown): RetryErrorType {
  const e = (error ?? {}) as ErrorLike;
  if (isThrottling(e)) return 'THROTTLING';
  if (isTransient(e)) return 'TRANSIENT';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500 && status <= 599) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** One client's retry state (the token bucket is shared by all its requests, as in the SDK). */
export class StandardRetryStrategy {
  private capacity = MAX_CAPACITY;

  constructor(readonly maxAttempts: number) {}

  /**
   * The delay in ms before the next try after `error` on try number `attempt` (1-based), with the retry cost
   * taken from the bucket; `undefined` when the error must not be retried.
   */
  retryDelay(error: unknown, attempt: number): { delayMs: number; cost: number } | undefined {
    const type = retryErrorType(error);
    if (type !== 'THROTTLING' && type !== 'TRANSIENT') return undefined;
    if (attempt >= this.maxAttempts) return undefined;
    const cost = type === 'THROTTLING' ? THROTTLING_RETRY_COST : RETRY_COST;
    if (this.capacity < cost) return undefined;
    this.capacity -= cost;
    const base = type === 'THROTTLING' ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
    const delayMs = Math.floor(Math.random() * Math.min(base * 2 ** (attempt - 1), MAX_DELAY_MS));
    return { delayMs, cost };
  }

  /** Returns the cost of the last retry of a request that succeeded (1 when it did not retry). */
  recordSuccess(lastRetryCost: number | undefined): void {
    this.capacity = Math.min(MAX_CAPACITY, this.capacity + (lastRetryCost ?? 1));
  }
}
