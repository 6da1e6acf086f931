import { describe, expect, it } from 'vitest';
import { Endpoint, type InvokeContext } from './endpoint.js';
import { InvocationResponse } from './invocation-response.js';

type Raw = { text: string; fail?: Error; hang?: boolean };

class FakeEndpoint extends Endpoint<{ prompt: string }, Raw> {
  constructor(private readonly behaviour: (payload: { prompt: string }, ctx: InvokeContext) => Promise<Raw>) {
    super({ modelId: 'fake-model', endpointName: 'fake', provider: 'fake' });
  }
  get endpointType() {
    return 'fake';
  }
  protected callApi(payload: { prompt: string }, ctx: InvokeContext) {
    return this.behaviour(payload, ctx);
  }
  protected processRawResponse(raw: Raw, _start: number, response: InvocationResponse) {
    response.responseText = raw.text;
    response.numTokensOutput = 3;
    if (raw.fail) throw raw.fail;
  }
  protected override extractPrompt(payload: { prompt: string }) {
    return payload.prompt;
  }
}

describe('Endpoint.invoke', () => {
  it('fills the record, back-fills TTLT, payload and prompt', async () => {
    const ep = new FakeEndpoint(async () => ({ text: 'hello' }));
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r).toBeInstanceOf(InvocationResponse);
    expect(r.responseText).toBe('hello');
    expect(r.error).toBeNull();
    expect(r.errorType).toBeNull();
    expect(r.timeToLastToken).toBeGreaterThanOrEqual(0);
    expect(r.inputPrompt).toBe('hi');
    expect(r.inputPayload).toEqual({ prompt: 'hi' });
    expect(r.id).toMatch(/^[0-9a-f]{32}$/);
    expect(r.requestTime).toBeInstanceOf(Date);
  });

  it('captures a thrown error with partial fields kept and no TTLT', async () => {
    const ep = new FakeEndpoint(async () => ({
      text: 'part',
      fail: Object.assign(new Error('boom'), { name: 'ThrottlingException' }),
    }));
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r.error).toBe('boom');
    expect(r.errorType).toBe('throttled');
    expect(r.responseText).toBe('part');
    expect(r.timeToLastToken).toBeNull();
  });

  it('times out a call that ignores its signal', async () => {
    const ep = new FakeEndpoint(() => new Promise(() => {}));
    const t0 = performance.now();
    const r = await ep.invoke({ prompt: 'hi' }, { timeoutMs: 50 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.errorType).toBe('timeout');
    expect(r.error).toMatch(/timed out after 50 ms/);
  });

  it('passes an aborting signal to the call and records an abort', async () => {
    let seen: AbortSignal | undefined;
    const ep = new FakeEndpoint(
      (_p, ctx) =>
        new Promise((_, reject) => {
          seen = ctx.signal;
          ctx.signal.addEventListener('abort', () => reject(new Error('cancelled by client')));
        }),
    );
    const controller = new AbortController();
    const pending = ep.invoke({ prompt: 'hi' }, { signal: controller.signal });
    controller.abort();
    const r = await pending;
    expect(seen?.aborted).toBe(true);
    expect(r.errorType).toBe('aborted');
  });
});
