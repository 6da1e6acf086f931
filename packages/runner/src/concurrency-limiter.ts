import { LLMeterValidationError } from '@llmeter/core';

/**
 * Bounds how many tasks run at once (a counting semaphore, FIFO). `Infinity` means no bound.
 * `acquire()` waits for a slot; `release()` frees one; `run(fn)` does both around `fn`.
 */
export class ConcurrencyLimiter {
  /** The most tasks allowed at once. */
  readonly limit: number;
  private active = 0;
  private readonly queue: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(limit: number = Number.POSITIVE_INFINITY) {
    if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit > 0))) {
      throw new LLMeterValidationError(
        `concurrency limit must be a positive integer or Infinity, got ${JSON.stringify(limit)}`,
      );
    }
    this.limit = limit;
  }

  /** Tasks holding a slot. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Takes a slot now if one is free. */
  tryAcquire(): boolean {
    if (this.active < this.limit) {
      this.active++;
      return true;
    }
    return false;
  }

  /** Resolves once a slot is held. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.queue.push(resolve));
  }

  /** Frees a slot (hands it to the next waiter, if any). */
  release(): void {
    const next = this.queue.shift();
    if (next) {
      next();
      return;
    }
    if (this.active === 0) throw new LLMeterValidationError('release() called more times than acquire()');
    this.active--;
    if (this.active === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Runs `fn` holding a slot. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Resolves when no task holds a slot. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
