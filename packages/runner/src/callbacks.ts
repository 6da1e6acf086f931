import type { InvocationResponse, Payload } from '@llmeter/core';
import type { Result } from './result.js';

/** What callbacks learn about the request at hand. */
export interface InvokeInfo {
  /** True for warm-up requests (sent, kept out of files and statistics). */
  warmup: boolean;
  /** Closed loop: the index of the client sending it (0-based); open loop: null. */
  client: number | null;
}

/**
 * Hooks into a run (LLMeter's callbacks). Each may be async. A hook that throws is reported (see the Runner's
 * `onCallbackError`) and the run goes on; the record is kept.
 */
export interface RunCallbacks {
  /** Called once before the first request with the run's configuration (as written to `run_config.json`). */
  beforeRun?(config: Record<string, unknown>): void | Promise<void>;
  /** Called before each request with the payload about to be sent (a shallow copy it may modify). */
  beforeInvoke?(payload: Payload, info: InvokeInfo): void | Promise<void>;
  /** Called after each request with its record, before the record reaches files and statistics. */
  afterInvoke?(record: InvocationResponse, info: InvokeInfo): void | Promise<void>;
  /** Called once after the run; may add keys to `result.stats` (they are saved in `stats.json`). */
  afterRun?(result: Result): void | Promise<void>;
}
