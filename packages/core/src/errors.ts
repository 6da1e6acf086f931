const BRAND = Symbol.for('@llmeter/error');

/** Options shared by every LLMeter error. */
export interface LLMeterErrorOptions {
  /** The underlying error, kept for diagnosis. */
  cause?: unknown;
}

/**
 * The base class of every error thrown by `@llmeter/*` packages.
 *
 * `LLMeterError.isInstance(err)` works even when two copies of the package are installed
 * (it checks a global symbol brand instead of the prototype chain).
 */
export class LLMeterError extends Error {
  override name = 'LLMeterError';

  constructor(message: string, options: LLMeterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** True for any LLMeter error (or subclass, when called on the subclass with a matching `name`). */
  static isInstance(value: unknown): value is LLMeterError {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false;
    }
    if (this === LLMeterError) return true;
    // Subclass check by name so it survives duplicate package copies.
    const wanted = (this as unknown as { prototype: { name?: string } }).prototype.name ?? this.name;
    let proto: unknown = Object.getPrototypeOf(value);
    while (proto && proto !== Object.prototype) {
      if ((proto as { constructor?: { name?: string } }).constructor?.name === this.name) return true;
      proto = Object.getPrototypeOf(proto);
    }
    return (value as Error).name === wanted;
  }
}

/** Bad input given by the caller: options, payloads, files. The message names the field, file or line. */
export class LLMeterValidationError extends LLMeterError {
  override name = 'LLMeterValidationError';
}

/** An invocation that ran past its `timeoutMs`. */
export class InvocationTimeoutError extends LLMeterError {
  override name = 'InvocationTimeoutError';
  constructor(
    /** The timeout that elapsed, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`invocation timed out after ${timeoutMs} ms`);
  }
}

/** An invocation cancelled through its `AbortSignal`. */
export class InvocationAbortedError extends LLMeterError {
  override name = 'InvocationAbortedError';
  constructor(reason?: unknown) {
    super(`invocation aborted${reason instanceof Error && reason.message ? `: ${reason.message}` : ''}`, {
      cause: reason,
    });
  }
}

/** An error event received inside a response stream (for Bedrock: one of the six stream exception types). */
export class StreamEventError extends LLMeterError {
  override name = 'StreamEventError';
  constructor(
    message: string,
    /** The event type, e.g. `throttlingException`. */
    readonly eventType: string,
    options: LLMeterErrorOptions = {},
  ) {
    super(message, options);
  }
}
