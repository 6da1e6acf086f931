import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InternalServerException,
  ModelStreamErrorException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BedrockEmulator,
  type FaultSpec,
  FaultSpecError,
  type StreamExceptionType,
  startBedrockEmulator,
} from './index.js';
import { collect, eventTypes, sdkClient, userMessage } from './test-support/sdk.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROFILE = { ttftMs: 5, interTokenDelayMs: 2, outputTokens: 10 };

async function stream(client: BedrockRuntimeClient, abortSignal?: AbortSignal) {
  const out = await client.send(
    new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hello there') }),
    abortSignal ? { abortSignal } : {},
  );
  return collect(out.stream);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const deltas = (types: string[]) => types.filter((t) => t === 'contentBlockDelta').length;

describe('fault injection through the real SDK', () => {
  let emulator: BedrockEmulator;
  const clients: BedrockRuntimeClient[] = [];
  const client = (faultHeader?: FaultSpec, extra: { requestTimeout?: number; maxAttempts?: number } = {}) => {
    const c = sdkClient(emulator, { ...extra, ...(faultHeader ? { faultHeader } : {}) });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    emulator = await startBedrockEmulator({ seed: 3, profile: PROFILE });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await emulator.close();
  });

  it('429 is a ThrottlingException with httpStatusCode 429, on Converse and ConverseStream', async () => {
    const c = client({ kind: 'http', status: 429 });
    for (const command of [
      new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }),
      new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }),
    ]) {
      // biome-ignore lint/suspicious/noExplicitAny: either command
      const err = await rejection(c.send(command as any));
      expect(err).toBeInstanceOf(ThrottlingException);
      const t = err as ThrottlingException;
      expect(t.$metadata.httpStatusCode).toBe(429);
      expect(t.$metadata.requestId).toBeTruthy();
      expect(t.message).toMatch(/Too many requests/);
      expect(emulator.groundTruth(t.$metadata.requestId!)?.fault).toBe('http');
    }
  });

  it('the SDK retries a throttled call and counts the attempts', async () => {
    const err = (await rejection(
      client({ kind: 'http', status: 429 }, { maxAttempts: 2 }).send(
        new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }),
      ),
    )) as ThrottlingException;
    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err.$metadata.attempts).toBe(2);
  });

  it.each([
    [500, InternalServerException],
    [503, ServiceUnavailableException],
    [400, ValidationException],
  ] as const)('HTTP %i is the SDK typed exception', async (status, type) => {
    const err = await rejection(
      client({ kind: 'http', status }).send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') })),
    );
    expect(err).toBeInstanceOf(type);
    expect((err as InstanceType<typeof type>).$metadata.httpStatusCode).toBe(status);
  });

  it.each([
    ['internalServerException', InternalServerException],
    ['modelStreamErrorException', ModelStreamErrorException],
    ['serviceUnavailableException', ServiceUnavailableException],
    ['throttlingException', ThrottlingException],
    ['validationException', ValidationException],
  ] as const)('%s after 3 deltas is thrown by the stream iterator as its typed exception', async (type, cls) => {
    const { events, error } = await stream(
      client({ kind: 'stream-exception', type, afterDeltas: 3, message: `injected ${type}` }),
    );
    expect(eventTypes(events)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta']);
    expect(error).toBeInstanceOf(cls);
    expect((error as Error).message).toBe(`injected ${type}`);
  });

  it('modelTimeoutException, which the SDK does not model for ConverseStream, is an Error named after it', async () => {
    const type: StreamExceptionType = 'modelTimeoutException';
    const { events, error } = await stream(client({ kind: 'stream-exception', type, afterDeltas: 2 }));
    expect(deltas(eventTypes(events))).toBe(2);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('modelTimeoutException');
    expect(JSON.parse((error as Error).message)).toEqual({ message: 'The model took too long to respond.' });
  });

  it('a stream exception after 0 deltas rejects after messageStart', async () => {
    const { events, error } = await stream(
      client({ kind: 'stream-exception', type: 'throttlingException', afterDeltas: 0 }),
    );
    expect(eventTypes(events)).toEqual(['messageStart']);
    expect(error).toBeInstanceOf(ThrottlingException);
  });

  it('a reset is a network error mid-stream, after the deltas already sent', async () => {
    const started = performance.now();
    const { events, error } = await stream(client({ kind: 'reset', afterDeltas: 4 }));
    // The reset waited its 100 ms grace after the 4th delta, so that the client read what was sent.
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 + 3 * 2 + 100 - 1);
    expect(eventTypes(events)).toEqual(['messageStart', ...Array<string>(4).fill('contentBlockDelta')]);
    expect(error).toBeInstanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('a reset waits graceMs after the last write', async () => {
    const started = performance.now();
    const { events, error } = await stream(client({ kind: 'reset', afterDeltas: 1, graceMs: 300 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 + 300 - 1);
    expect(deltas(eventTypes(events))).toBe(1);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('a reset on Converse is a network error', async () => {
    const err = await rejection(
      client({ kind: 'reset', afterDeltas: 0 }).send(
        new ConverseCommand({ modelId: MODEL, messages: userMessage('x') }),
      ),
    );
    expect((err as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|EPIPE/);
  });

  it('a stall mid-stream ends only when the client aborts', async () => {
    const started = performance.now();
    const { events, error } = await stream(client({ kind: 'stall', afterDeltas: 2 }), AbortSignal.timeout(400));
    const waited = performance.now() - started;
    expect(deltas(eventTypes(events))).toBe(2);
    expect(error).toBeInstanceOf(Error);
    // Nothing but the client's 400 ms timeout ended it (the whole stream would take ~25 ms).
    expect(waited).toBeGreaterThanOrEqual(350);
  });

  it('a stall before the headers ends only when the client times out', async () => {
    const started = performance.now();
    const c = client({ kind: 'stall' });
    const err = await rejection(
      c.send(new ConverseStreamCommand({ modelId: MODEL, messages: userMessage('hi') }), {
        abortSignal: AbortSignal.timeout(300),
      }),
    );
    expect((err as Error).name).toMatch(/AbortError|TimeoutError/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a stall before the headers trips a NodeHttpHandler requestTimeout', async () => {
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const c = client({ kind: 'stall' });
    c.config.requestHandler = new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true });
    const started = performance.now();
    const err = await rejection(c.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') })));
    expect((err as Error).name).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a corrupt frame makes the SDK report a checksum error, after the deltas before it', async () => {
    const { events, error } = await stream(client({ kind: 'corrupt-frame', afterDeltas: 3 }));
    expect(deltas(eventTypes(events))).toBe(3);
    expect((error as Error).message).toMatch(/checksum/i);
  });

  it('a fault header that is not a fault spec is a ValidationException naming what is accepted', async () => {
    const err = await rejection(
      client({ kind: 'boom' } as unknown as FaultSpec).send(
        new ConverseCommand({ modelId: MODEL, messages: userMessage('hi') }),
      ),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toMatch(/fault\.kind must be one of http, stream-exception/);
  });
});

describe('fault rules', () => {
  it('rejects a bad rule at start', async () => {
    await expect(startBedrockEmulator({ faults: [{ fault: { kind: 'http', status: 418 as 429 } }] })).rejects.toThrow(
      /faults\[0\]: fault.status must be one of/,
    );
    await expect(
      startBedrockEmulator({ faults: [{ fault: { kind: 'reset', afterDeltas: 1 }, rate: 2 }] }),
    ).rejects.toThrow(/rate must be between 0 and 1/);
  });

  it.each([
    [
      [{ model: 'x', fault: { kind: 'http', status: 429 } }],
      /^faults\[0\]\.model is not a fault rule field; the fields are fault, rate, modelId, operation$/,
    ],
    [
      [{ fault: { kind: 'stall', afterDelta: 3 } }],
      /^faults\[0\]: fault\.afterDelta is not a field of a stall fault; its fields are kind, afterDeltas, message$/,
    ],
    [
      [{ operation: 'stream', fault: { kind: 'http', status: 429 } }],
      /^faults\[0\]\.operation must be one of converse, converse-stream, got "stream"$/,
    ],
    [
      [{ modelId: 7, fault: { kind: 'http', status: 429 } }],
      /^faults\[0\]\.modelId must be a string or a RegExp, got 7$/,
    ],
    [
      [{ rate: '0.5', fault: { kind: 'http', status: 429 } }],
      /^faults\[0\]\.rate must be between 0 and 1, got "0\.5"$/,
    ],
    [['http'], /^faults\[0\] must be a fault rule/],
    [{ fault: { kind: 'http', status: 429 } }, /^faults must be an array of fault rules/],
  ])('refuses %j at start, naming the field', async (faults, message) => {
    const error = await startBedrockEmulator({ faults: faults as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultSpecError);
    expect((error as Error).message).toMatch(message);
  });

  it('a model-id rule faults only that model, and an operation rule only that operation', async () => {
    const emulator = await startBedrockEmulator({
      profile: PROFILE,
      faults: [
        { modelId: /^throttled\./, fault: { kind: 'http', status: 429 } },
        { modelId: 'flaky', operation: 'converse-stream', fault: { kind: 'http', status: 503 } },
      ],
    });
    const c = sdkClient(emulator);
    try {
      await expect(
        c.send(new ConverseCommand({ modelId: 'throttled.x', messages: userMessage('a') })),
      ).rejects.toBeInstanceOf(ThrottlingException);
      const ok = await c.send(new ConverseCommand({ modelId: 'other', messages: userMessage('a') }));
      expect(ok.$metadata.httpStatusCode).toBe(200);
      const flakyConverse = await c.send(new ConverseCommand({ modelId: 'flaky', messages: userMessage('a') }));
      expect(flakyConverse.$metadata.httpStatusCode).toBe(200);
      await expect(
        c.send(new ConverseStreamCommand({ modelId: 'flaky', messages: userMessage('a') })),
      ).rejects.toBeInstanceOf(ServiceUnavailableException);
    } finally {
      c.destroy();
      await emulator.close();
    }
  });

  it('a rate rule faults about that share of requests, the same ones for the same seed', async () => {
    const N = 160;
    const run = async (seed: number) => {
      const emulator = await startBedrockEmulator({
        seed,
        profile: { ttftMs: 0, interTokenDelayMs: 0, outputTokens: 1 },
        faults: [{ rate: 0.25, fault: { kind: 'http', status: 429 } }],
      });
      const c = sdkClient(emulator);
      const throttled: number[] = [];
      try {
        for (let i = 0; i < N; i++) {
          try {
            await c.send(new ConverseCommand({ modelId: MODEL, messages: userMessage('a') }));
          } catch (err) {
            expect(err).toBeInstanceOf(ThrottlingException);
            throttled.push(i);
          }
        }
      } finally {
        c.destroy();
        await emulator.close();
      }
      return throttled;
    };
    const a = await run(11);
    expect(a.length).toBeGreaterThan(N * 0.25 - 25);
    expect(a.length).toBeLessThan(N * 0.25 + 25);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
  });
});
