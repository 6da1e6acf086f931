import type { ErrorType, InvokeContext, Payload } from '@llmeter/core';
import { Endpoint, InvocationResponse } from '@llmeter/core';

/** What a fake request does, read from the payload's `fake` key. */
export interface FakeBehaviour {
  /** Milliseconds to the first chunk; default 5. */
  ttftMs?: number;
  /** Chunks after the first, each `gapMs` apart; default 3 chunks, 2 ms. */
  chunks?: number;
  gapMs?: number;
  /** Output tokens reported; default chunks + 1. */
  outputTokens?: number;
  inputTokens?: number;
  /** Fail with an error of this name/status after `ttftMs`. */
  fail?: 'ThrottlingException' | 'InternalServerException' | 'ValidationException';
  /** Never answer (only a timeout or abort ends it). */
  stall?: boolean;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

const STATUS: Record<string, number> = {
  ThrottlingException: 429,
  InternalServerException: 500,
  ValidationException: 400,
};

/** An in-process endpoint with deterministic delays driven by the payload (tests only). */
export class FakeEndpoint extends Endpoint<Payload, FakeBehaviour> {
  invocations = 0;
  maxInFlight = 0;
  private inFlight = 0;
  readonly defaults: FakeBehaviour;

  constructor(defaults: FakeBehaviour = {}) {
    super({ modelId: 'fake-model', endpointName: 'fake', provider: 'fake' });
    this.defaults = defaults;
  }

  get endpointType(): string {
    return 'FakeEndpoint';
  }

  protected override extractPrompt(payload: Payload): string | null {
    return typeof payload['prompt'] === 'string' ? payload['prompt'] : null;
  }

  protected async callApi(payload: Payload, ctx: InvokeContext): Promise<FakeBehaviour> {
    this.invocations++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const b: FakeBehaviour = { ...this.defaults, ...((payload['fake'] as FakeBehaviour | undefined) ?? {}) };
    try {
      if (b.stall) await sleep(3_600_000, ctx.signal);
      if (b.fail) {
        await sleep(b.ttftMs ?? 5, ctx.signal);
        throw Object.assign(new Error(`fake ${b.fail}`), {
          name: b.fail,
          $metadata: { httpStatusCode: STATUS[b.fail] },
        });
      }
      return b;
    } finally {
      if (!b.stall && !b.fail) {
        // in flight until processRawResponse ends; counted down there
      } else this.inFlight--;
    }
  }

  protected async processRawResponse(
    b: FakeBehaviour,
    start: number,
    r: InvocationResponse,
    ctx: InvokeContext,
  ): Promise<void> {
    try {
      const chunks = b.chunks ?? 3;
      await sleep(b.ttftMs ?? 5, ctx.signal);
      const times = [(performance.now() - start) / 1000];
      r.timeToFirstToken = times[0] as number;
      for (let i = 0; i < chunks; i++) {
        await sleep(b.gapMs ?? 2, ctx.signal);
        times.push((performance.now() - start) / 1000);
      }
      r.chunkTimes = times;
      r.timeToLastToken = times[times.length - 1] as number;
      r.responseText = 'x'.repeat(chunks + 1);
      r.numTokensOutput = b.outputTokens ?? chunks + 1;
      r.numTokensInput = b.inputTokens ?? 10;
    } finally {
      this.inFlight--;
    }
  }
}

/** A record with exactly the given values (for statistics tests). */
export function record(init: ConstructorParameters<typeof InvocationResponse>[0]): InvocationResponse {
  return new InvocationResponse(init);
}

export type { ErrorType };
