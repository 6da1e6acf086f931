/**
 * The AWS SDK v3 "standard" retry mode, minimally (as in `@smithy/core/retry` `StandardRetryStrategy`):
 * retry throttling and transient errors up to `maxAttempts` tries, with full-jitter exponential backoff
 * (base 50 ms, 1 s for throttling, capped at 20 s) and a shared retry-token bucket (500 tokens, a retry costs 14,
 * 5 for throttling; a success returns what its retry cost, or 1). Errors are classified by the SDK's own
 * `isThrottlingError` / `isTransientError` (`@smithy/core/retry`).
 */
import { isThrottlingError, isTransientError } from '@smithy/core/retry';

const MAX_CAPACITY = 500;
const RETRY_COST = 14;
const THROTTLING_RETRY_COST = 5;
const BASE_DELAY_MS = 50;
const THROTTLING_BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 20_000;

/** How the SDK classifies an error for retries. */
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

/** Classifies an error as the SDK's standard retry strategy does. */
export function retryErrorType(error: unknown): RetryErrorType {
  const e = (error ?? {}) as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'THROTTLING';
  if (isTransientError(e)) return 'TRANSIENT';
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
