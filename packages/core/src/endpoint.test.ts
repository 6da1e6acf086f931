import { describe, expect, it } from 'vitest';
import {
  Endpoint,
  endpointFromJSON,
  type InvokeContext,
  registerEndpointType,
  registeredEndpointTypes,
  secondsSince,
} from './endpoint.js';
import { LLMeterValidationError } from './errors.js';
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

/** An endpoint whose every step is given by the test. */
type Steps = {
  prepare?: (payload: { prompt: string; maxTokens?: number }) => { prompt: string; maxTokens?: number };
  call?: (payload: { prompt: string; maxTokens?: number }, ctx: InvokeContext) => Promise<unknown> | unknown;
  process?: (raw: unknown, start: number, response: InvocationResponse, ctx: InvokeContext) => void | Promise<void>;
  config?: Record<string, unknown>;
};

class ScriptedEndpoint extends Endpoint<{ prompt: string; maxTokens?: number }, unknown> {
  constructor(
    readonly steps: Steps = {},
    modelId = 'scripted-model',
  ) {
    super({ modelId, endpointName: 'scripted', provider: 'test' });
  }
  get endpointType() {
    return 'scripted';
  }
  override preparePayload(payload: { prompt: string; maxTokens?: number }) {
    return this.steps.prepare ? this.steps.prepare(payload) : super.preparePayload(payload);
  }
  protected callApi(payload: { prompt: string; maxTokens?: number }, ctx: InvokeContext) {
    return (this.steps.call ?? (async () => ({})))(payload, ctx) as Promise<unknown>;
  }
  protected processRawResponse(raw: unknown, start: number, response: InvocationResponse, ctx: InvokeContext) {
    return this.steps.process?.(raw, start, response, ctx);
  }
  protected override extractPrompt(payload: { prompt: string }) {
    return payload.prompt;
  }
  protected override configJSON() {
    return this.steps.config ?? {};
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Endpoint construction', () => {
  it('keeps its options', () => {
    const ep = new ScriptedEndpoint();
    expect(ep.modelId).toBe('scripted-model');
    expect(ep.endpointName).toBe('scripted');
    expect(ep.provider).toBe('test');
  });

  it('rejects a missing or empty modelId at construction, naming it', () => {
    expect(() => new ScriptedEndpoint({}, '')).toThrow(LLMeterValidationError);
    expect(() => new ScriptedEndpoint({}, '')).toThrow(/modelId must be a non-empty string, got ""/);
    // null, not undefined: undefined would take ScriptedEndpoint's default model id.
    expect(() => new ScriptedEndpoint({}, null as unknown as string)).toThrow(
      /modelId must be a non-empty string, got null/,
    );
  });
});

describe('Endpoint.invoke template', () => {
  it('prepares the payload outside the timer and without mutating the input', async () => {
    let preparedAt = Number.NaN;
    let startSeen = Number.NaN;
    let sent: unknown;
    const ep = new ScriptedEndpoint({
      prepare: (p) => {
        const out = { ...p, maxTokens: p.maxTokens ?? 64 };
        preparedAt = performance.now();
        return out;
      },
      call: async (payload, ctx) => {
        sent = payload;
        startSeen = ctx.start;
        return {};
      },
    });
    const input = { prompt: 'hi' };
    const r = await ep.invoke(input);
    expect(startSeen).toBeGreaterThanOrEqual(preparedAt);
    expect(input).toEqual({ prompt: 'hi' });
    expect(sent).toEqual({ prompt: 'hi', maxTokens: 64 });
    expect(r.inputPayload).toBe(sent);
    expect(r.inputPrompt).toBe('hi');
  });

  it('the default preparePayload sends a copy, so the API call cannot change the caller payload', async () => {
    const ep = new ScriptedEndpoint({
      call: async (payload) => {
        (payload as Record<string, unknown>)['injected'] = true;
        return {};
      },
    });
    const input = { prompt: 'hi' };
    const r = await ep.invoke(input);
    expect(input).toEqual({ prompt: 'hi' });
    expect(r.inputPayload).not.toBe(input);
  });

  it('creates the record with an id and requestTime before the call, and passes start to processRawResponse', async () => {
    let during: InvocationResponse | undefined;
    let startArg = Number.NaN;
    let ctxStart = Number.NaN;
    const before = Date.now();
    const ep = new ScriptedEndpoint({
      process: (_raw, start, response, ctx) => {
        during = response;
        startArg = start;
        ctxStart = ctx.start;
        expect(response.id).toMatch(/^[0-9a-f]{32}$/);
        expect(response.requestTime).toBeInstanceOf(Date);
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r).toBe(during);
    expect(startArg).toBe(ctxStart);
    expect(r.requestTime!.getTime()).toBeGreaterThanOrEqual(before);
    expect(r.requestTime!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('back-fills TTLT from the start instant when processRawResponse did not set it', async () => {
    let start = Number.NaN;
    const ep = new ScriptedEndpoint({
      call: async (_p, ctx) => {
        start = ctx.start;
        await sleep(20);
        return {};
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    const upperBound = (performance.now() - start) / 1000;
    expect(r.timeToLastToken).toBeGreaterThanOrEqual(0.015);
    expect(r.timeToLastToken).toBeLessThanOrEqual(upperBound);
  });

  it("measures a failure's total duration into timeToError (and sets none on success)", async () => {
    let start = Number.NaN;
    const ep = new ScriptedEndpoint({
      call: async (_p, ctx) => {
        start = ctx.start;
        await sleep(20);
        throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    const upperBound = (performance.now() - start) / 1000;
    expect(r.errorType).toBe('throttled');
    expect(r.timeToLastToken).toBeNull();
    expect(r.timeToError).toBeGreaterThanOrEqual(0.015);
    expect(r.timeToError).toBeLessThanOrEqual(upperBound);
    expect(r.toExtensionJSON().time_to_error).toBe(r.timeToError);
    const ok = await new ScriptedEndpoint({}).invoke({ prompt: 'hi' });
    expect(ok.timeToError).toBeNull();
  });

  it('sets timeToError for an error the endpoint recorded without throwing, and keeps one it set itself', async () => {
    const recorded = await new ScriptedEndpoint({
      process: (_raw, _start, response) => {
        response.error = 'stream error event';
        response.errorType = 'stream';
      },
    }).invoke({ prompt: 'hi' });
    expect(recorded.timeToError).toBeGreaterThanOrEqual(0);
    const own = await new ScriptedEndpoint({
      process: (_raw, _start, response) => {
        response.timeToError = 0.5;
        throw new Error('late failure');
      },
    }).invoke({ prompt: 'hi' });
    expect(own.error).toBe('late failure');
    expect(own.timeToError).toBe(0.5);
  });

  it('measures timeToError up to the timeout, not to when a call that ignores its signal settles', async () => {
    const ep = new ScriptedEndpoint({ call: () => sleep(1500).then(() => ({})) });
    const r = await ep.invoke({ prompt: 'hi' }, { timeoutMs: 30 });
    expect(r.errorType).toBe('timeout');
    expect(r.timeToError).toBeGreaterThanOrEqual(0.025);
    expect(r.timeToError).toBeLessThan(1.2);
  });

  it('keeps a TTLT set by processRawResponse (streams measure it themselves)', async () => {
    const ep = new ScriptedEndpoint({
      process: (_raw, _start, response) => {
        response.timeToFirstToken = 0.1;
        response.timeToLastToken = 0.2;
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r.timeToFirstToken).toBe(0.1);
    expect(r.timeToLastToken).toBe(0.2);
  });

  it('keeps an id set from the API, and back-fills one when processRawResponse cleared it', async () => {
    const fromApi = await new ScriptedEndpoint({
      process: (_raw, _start, response) => {
        response.id = 'aws-request-id-1';
      },
    }).invoke({ prompt: 'hi' });
    expect(fromApi.id).toBe('aws-request-id-1');
    const cleared = await new ScriptedEndpoint({
      process: (_raw, _start, response) => {
        response.id = null;
      },
    }).invoke({ prompt: 'hi' });
    expect(cleared.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('records an API rejection: error, errorType, no TTLT, payload and prompt still back-filled', async () => {
    const ep = new ScriptedEndpoint({
      call: async () => {
        throw Object.assign(new Error('Service unavailable'), {
          name: 'ServiceUnavailableException',
          $metadata: { httpStatusCode: 503 },
        });
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r.error).toBe('Service unavailable');
    expect(r.errorType).toBe('server');
    expect(r.timeToLastToken).toBeNull();
    expect(r.responseText).toBeNull();
    expect(r.inputPayload).toEqual({ prompt: 'hi' });
    expect(r.inputPrompt).toBe('hi');
    expect(r.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('records a synchronous throw from callApi without rejecting', async () => {
    const ep = new ScriptedEndpoint({
      call: () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r.errorType).toBe('network');
    expect(r.error).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });

  it('records a processRawResponse rejection, keeping the fields it filled before failing', async () => {
    const ep = new ScriptedEndpoint({
      process: async (_raw, _start, response) => {
        response.timeToFirstToken = 0.05;
        response.responseText = 'partial';
        response.numTokensInput = 12;
        await sleep(1);
        throw Object.assign(new Error('Bedrock modelStreamErrorException: broke'), {
          name: 'ModelStreamErrorException',
        });
      },
    });
    const r = await ep.invoke({ prompt: 'hi' });
    expect(r.error).toBe('Bedrock modelStreamErrorException: broke');
    expect(r.timeToFirstToken).toBe(0.05);
    expect(r.responseText).toBe('partial');
    expect(r.numTokensInput).toBe(12);
    expect(r.timeToLastToken).toBeNull();
  });

  it('turns thrown non-errors and nameless errors into a message', async () => {
    const str = await new ScriptedEndpoint({
      call: async () => {
        throw 'plain string';
      },
    }).invoke({ prompt: 'hi' });
    expect(str.error).toBe('plain string');
    expect(str.errorType).toBe('unknown');
    const empty = await new ScriptedEndpoint({
      call: async () => {
        throw Object.assign(new Error(''), { name: 'ThrottlingException' });
      },
    }).invoke({ prompt: 'hi' });
    expect(empty.error).toBe('ThrottlingException');
    expect(empty.errorType).toBe('throttled');
  });

  it('never mutates the record after invoke resolved on a timeout', async () => {
    const ep = new ScriptedEndpoint({
      process: async (_raw, _start, response) => {
        response.timeToFirstToken = 0.001;
        await sleep(120); // ignores the signal
        response.responseText = 'too late';
        response.timeToLastToken = 9;
      },
    });
    const r = await ep.invoke({ prompt: 'hi' }, { timeoutMs: 30 });
    expect(r.errorType).toBe('timeout');
    expect(r.error).toBe('invocation timed out after 30 ms');
    expect(r.timeToFirstToken).toBe(0.001);
    const snapshot = JSON.stringify(r.toFullJSON());
    await sleep(200);
    expect(JSON.stringify(r.toFullJSON())).toBe(snapshot);
    expect(r.responseText).toBeNull();
    expect(r.timeToLastToken).toBeNull();
  });

  it('passes a signal that aborts on timeout to the API call', async () => {
    let seen: AbortSignal | undefined;
    const ep = new ScriptedEndpoint({
      call: (_p, ctx) =>
        new Promise((_, reject) => {
          seen = ctx.signal;
          ctx.signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    });
    const r = await ep.invoke({ prompt: 'hi' }, { timeoutMs: 20 });
    expect(seen?.aborted).toBe(true);
    // The timeout wins over the AbortError the client raised.
    expect(r.errorType).toBe('timeout');
  });

  it('does not time out a call that finishes in time', async () => {
    const r = await new ScriptedEndpoint().invoke({ prompt: 'hi' }, { timeoutMs: 10_000 });
    expect(r.error).toBeNull();
    expect(r.errorType).toBeNull();
  });

  it('records an abort without calling the API when the signal is already aborted', async () => {
    let called = false;
    const ep = new ScriptedEndpoint({
      call: async () => {
        called = true;
        return {};
      },
    });
    const r = await ep.invoke({ prompt: 'hi' }, { signal: AbortSignal.abort(new Error('shutting down')) });
    expect(called).toBe(false);
    expect(r.errorType).toBe('aborted');
    expect(r.error).toBe('invocation aborted: shutting down');
    expect(r.timeToLastToken).toBeNull();
    expect(r.inputPrompt).toBe('hi');
  });

  it.each([0, -5, Number.NaN, '100'])(
    'rejects timeoutMs %j as a programming error, before any call',
    async (timeoutMs) => {
      let prepared = false;
      const ep = new ScriptedEndpoint({
        prepare: (p) => {
          prepared = true;
          return p;
        },
      });
      await expect(ep.invoke({ prompt: 'hi' }, { timeoutMs: timeoutMs as number })).rejects.toThrow(
        /timeoutMs must be a positive number/,
      );
      expect(prepared).toBe(false);
    },
  );
});

describe('Endpoint JSON and the endpoint-type registry', () => {
  it('serializes endpoint_type, its options in snake_case and its own config', () => {
    const ep = new ScriptedEndpoint({ config: { region: 'us-east-1', max_attempts: 3 } });
    expect(ep.toJSON()).toEqual({
      endpoint_type: 'scripted',
      model_id: 'scripted-model',
      endpoint_name: 'scripted',
      provider: 'test',
      region: 'us-east-1',
      max_attempts: 3,
    });
    expect(JSON.parse(JSON.stringify(ep))).toEqual(ep.toJSON());
  });

  it('rebuilds a registered endpoint type from its JSON', () => {
    registerEndpointType(
      'scripted',
      (json) => new ScriptedEndpoint({ config: { region: json['region'] } }, json.model_id),
    );
    expect(registeredEndpointTypes()).toContain('scripted');
    const original = new ScriptedEndpoint({ config: { region: 'eu-west-1' } }, 'model-b');
    const rebuilt = endpointFromJSON(JSON.parse(JSON.stringify(original)));
    expect(rebuilt).toBeInstanceOf(ScriptedEndpoint);
    expect(rebuilt.modelId).toBe('model-b');
    expect(rebuilt.toJSON()).toEqual(original.toJSON());
  });

  it('names the unknown endpoint_type and the registered ones', () => {
    registerEndpointType('scripted', (json) => new ScriptedEndpoint({}, json.model_id));
    expect(() => endpointFromJSON({ endpoint_type: 'Nope', model_id: 'm' })).toThrow(LLMeterValidationError);
    expect(() => endpointFromJSON({ endpoint_type: 'Nope', model_id: 'm' })).toThrow(
      /unknown endpoint_type "Nope"; registered: .*scripted/,
    );
  });

  it('rejects JSON that is not an endpoint', () => {
    for (const bad of [null, 'scripted', 3, {}, { endpoint_type: 7 }]) {
      expect(() => endpointFromJSON(bad)).toThrow(/endpoint JSON must be an object with a string endpoint_type/);
    }
  });
});

describe('secondsSince', () => {
  it('converts a performance.now() difference to seconds', () => {
    expect(secondsSince(1000, 3500)).toBe(2.5);
    const t0 = performance.now();
    expect(secondsSince(t0)).toBeGreaterThanOrEqual(0);
  });
});
