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

  /**
   * True for any LLMeter error when called on `LLMeterError`; called on a subclass (`StreamEventError.isInstance(e)`),
   * true only for that subclass (and its own subclasses). Survives duplicate package copies: it checks a global
   * symbol brand, then the class name along the prototype chain, then the error's `name`.
   */
  static isInstance<T extends LLMeterError>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false;
    }
    // `this` is the class `isInstance` was called on: a subclass narrows the check.
    // biome-ignore lint/complexity/noThisInStatic: deliberate, see above
    if ((this as unknown) === LLMeterError) return true;
    // By class name rather than identity, so a subclass from another copy of the package matches too.
    // biome-ignore lint/complexity/noThisInStatic: deliberate, see above
    const wanted = this.name;
    let proto: unknown = Object.getPrototypeOf(value);
    while (proto && proto !== Object.prototype) {
      if ((proto as { constructor?: { name?: string } }).constructor?.name === wanted) return true;
      proto = Object.getPrototypeOf(proto);
    }
    // Last resort: an error whose `name` says it is one (subclasses set `name` to their class name).
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
