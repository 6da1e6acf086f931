import { type InvocationResponse, StreamEventError } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import { stampArrival } from './arrival.js';
import { BEDROCK_STREAM_ERROR_TYPES } from './bedrock-errors.js';
import { BedrockConverseStream } from './converse-stream-endpoint.js';
import { fakeClient } from './test-support/fake-client.js';
import { expectedFromStream, recordingFiles, streamRecording } from './test-support/recordings.js';

const payload = BedrockConverseStream.createPayload('How many r are in strawberry?');

function endpoint(client: ReturnType<typeof fakeClient>, ttftVisibleTokensOnly?: boolean) {
  return new BedrockConverseStream({
    modelId: 'anthropic.claude-test',
    client,
    ...(ttftVisibleTokensOnly === undefined ? {} : { ttftVisibleTokensOnly }),
  });
}

const ev = {
  text: (text: unknown) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text } } }),
  reasoning: (text: string) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text } } } }),
  stop: { contentBlockStop: { contentBlockIndex: 0 } },
  messageStop: { messageStop: { stopReason: 'end_turn' } },
  usage: (usage: Record<string, number>, latencyMs?: number) => ({
    metadata: { usage, ...(latencyMs === undefined ? {} : { metrics: { latencyMs } }) },
  }),
};

/** The record's fields that must not depend on timing. */
function timeless(r: InvocationResponse) {
  const {
    timeToFirstToken: _a,
    timeToLastToken: _b,
    timePerOutputToken: _c,
    timeToError: _e,
    chunkTimes,
    requestTime: _d,
    ...rest
  } = r;
  return { ...rest, chunks: chunkTimes?.length ?? null };
}

describe('BedrockConverseStream over recorded events (fake client)', () => {
  it.each(recordingFiles('stream'))('replays %s with the fields the rules give', async (file) => {
    const events = streamRecording(file);
    const want = expectedFromStream(events);
    const r = await endpoint(fakeClient({ events, requestId: 'req-1', attempts: 2 })).invoke(payload);
    expect(r.error).toBeNull();
    expect(r.errorType).toBeNull();
    expect(r.id).toBe('req-1');
    expect(r.retries).toBe(1);
    expect(r.responseText).toBe(want.text);
    expect(r.numTokensInput).toBe(want.input);
    expect(r.numTokensOutput).toBe(want.output);
    expect(r.numTokensInputCached).toBe(want.cached);
    expect(r.numTokensOutputReasoning).toBeNull();
    expect(r.stopReason).toBe(want.stopReason);
    expect(r.serverLatencyMs).toBe(want.latency);
    if (want.text !== null) {
      expect(r.timeToFirstToken).toBeGreaterThanOrEqual(0);
      expect(r.timeToLastToken).toBeGreaterThanOrEqual(r.timeToFirstToken as number);
    } else {
      expect(r.timeToFirstToken).toBeNull();
    }
    expect(r.inputPrompt).toBe('How many r are in strawberry?');
    expect(r.inputPayload).toMatchObject({ modelId: 'anthropic.claude-test' });
  });

  it('reads the plain-text recording exactly', async () => {
    const r = await endpoint(fakeClient({ events: streamRecording('amazon-bedrock-text.chunks.txt') })).invoke(payload);
    expect(r.responseText).toBe(
      'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."',
    );
    expect([r.numTokensInput, r.numTokensOutput, r.numTokensInputCached]).toEqual([22, 55, null]);
    expect(r.stopReason).toBe('end_turn');
    expect(r.serverLatencyMs).toBe(2040);
    expect(r.chunkTimes).toHaveLength(12);
  });

  it('excludes reasoning from the text; TTFT on the first text delta by default', async () => {
    const events = [
      ev.reasoning('thinking'),
      ev.reasoning('more'),
      ev.stop,
      ev.text('Answer'),
      ev.stop,
      ev.usage({ inputTokens: 1, outputTokens: 2 }),
    ];
    const r = await endpoint(fakeClient({ events, delayMs: 30 })).invoke(payload);
    expect(r.responseText).toBe('Answer');
    // TTFT waited for the text: four events at 30 ms each.
    expect(r.timeToFirstToken).toBeGreaterThanOrEqual(0.09);
    expect(r.chunkTimes).toHaveLength(3);
    expect(r.timeToFirstToken).toBe(r.chunkTimes?.[2]);
  });

  it('sets TTFT on the first reasoning delta when ttftVisibleTokensOnly is false', async () => {
    const events = [ev.reasoning(''), ev.reasoning('thinking'), ev.stop, ev.text('Answer'), ev.stop];
    const r = await endpoint(fakeClient({ events, delayMs: 30 }), false).invoke(payload);
    expect(r.responseText).toBe('Answer');
    // Set by the first (empty) reasoning delta, before the first delta with content.
    expect(r.timeToFirstToken).toBeLessThan(r.chunkTimes?.[0] as number);
  });

  it('replays the reasoning recording with both TTFT settings', async () => {
    const events = streamRecording('amazon-bedrock-reasoning.chunks.txt');
    const visible = await endpoint(fakeClient({ events, delayMs: 5 })).invoke(payload);
    const any = await endpoint(fakeClient({ events, delayMs: 5 }), false).invoke(payload);
    for (const r of [visible, any]) {
      expect(r.responseText).toBe('There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
      expect([r.numTokensInput, r.numTokensOutput]).toEqual([51, 94]);
      expect(r.numTokensOutputReasoning).toBeNull();
    }
    // 11 reasoning deltas with content (10 texts and a signature; one is empty) come before the first text delta.
    expect(visible.chunkTimes).toHaveLength(20);
    expect(visible.timeToFirstToken).toBe(visible.chunkTimes?.[11]);
    expect(any.timeToFirstToken).toBe(any.chunkTimes?.[0]);
  });

  it('skips empty text deltas for text, TTFT and chunk times', async () => {
    const events = [ev.text(''), ev.text(''), ev.text('A'), ev.text(''), ev.text('B'), ev.stop];
    const r = await endpoint(fakeClient({ events, delayMs: 20 })).invoke(payload);
    expect(r.responseText).toBe('AB');
    expect(r.chunkTimes).toHaveLength(2);
    expect(r.timeToFirstToken).toBe(r.chunkTimes?.[0]);
    expect(r.timeToFirstToken).toBeGreaterThanOrEqual(0.05);
  });

  it('moves TTLT with the last text delta and then the content-block stop', async () => {
    const events = [ev.text('A'), ev.text('B'), ev.stop, ev.messageStop, ev.usage({ inputTokens: 1, outputTokens: 2 })];
    const r = await endpoint(fakeClient({ events, delayMs: [0, 0, 50, 400, 400] })).invoke(payload);
    const last = r.chunkTimes?.[1] as number;
    expect(r.timeToLastToken).toBeGreaterThanOrEqual(last + 0.045);
    // … but not with messageStop or metadata that follow.
    expect(r.timeToLastToken).toBeLessThan(last + 0.4);
  });

  it('does not move TTLT with an empty text delta (as LLMeter: only non-empty text and block stops)', async () => {
    // No block stop at the end: the empty delta 300 ms after the text is the last event.
    const events = [ev.text('A'), ev.text('')];
    const r = await endpoint(fakeClient({ events, delayMs: [0, 300] })).invoke(payload);
    expect(r.error).toBeNull();
    expect(r.responseText).toBe('A');
    expect(r.timeToLastToken).toBe(r.chunkTimes?.[0]);
  });

  it('sums usage over several metadata events, cache reads included', async () => {
    const events = [
      ev.text('x'),
      ev.stop,
      ev.usage({ inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 4 }),
      ev.usage({ inputTokens: 5, outputTokens: 0, cacheReadInputTokens: 2 }, 123),
    ];
    const r = await endpoint(fakeClient({ events })).invoke(payload);
    expect([r.numTokensInput, r.numTokensOutput, r.numTokensInputCached]).toEqual([15, 3, 6]);
    expect(r.serverLatencyMs).toBe(123);
  });

  it('fails on a non-string text delta', async () => {
    const r = await endpoint(fakeClient({ events: [ev.text('ok'), ev.text(42)] })).invoke(payload);
    expect(r.error).toMatch(/delta\.text must be a string, got 42/);
    expect(r.errorType).toBe('stream');
    expect(r.responseText).toBe('ok');
  });

  describe.each(BEDROCK_STREAM_ERROR_TYPES)('stream error %s', (type) => {
    const before = [ev.text('partial '), ev.text('text'), ev.usage({ inputTokens: 7, outputTokens: 2 })];
    const sdkName = type[0]?.toUpperCase() + type.slice(1);

    it('as a chunk key fails the record, TTLT set, text and tokens kept', async () => {
      const events = [...before, { [type]: { message: 'it broke' } }, ev.text('never')];
      const r = await endpoint(fakeClient({ events, delayMs: 10 })).invoke(payload);
      expect(r.error).toBe(`Bedrock ${type}: it broke`);
      expect(r.responseText).toBe('partial text');
      expect([r.numTokensInput, r.numTokensOutput]).toEqual([7, 2]);
      expect(r.timeToLastToken).toBeGreaterThan(r.chunkTimes?.[1] as number);
    });

    it('thrown by the SDK iterator gives the same record as the chunk-key form', async () => {
      const keyForm = await endpoint(fakeClient({ events: [...before, { [type]: { message: 'it broke' } }] })).invoke(
        payload,
      );
      // The SDK throws modelled events as typed exceptions and the unmodelled one with its JSON body as message.
      const thrown =
        type === 'modelTimeoutException'
          ? Object.assign(new Error('{"message":"it broke"}'), { name: type })
          : Object.assign(new Error('it broke'), { name: sdkName, $fault: 'client' });
      const sdkForm = await endpoint(fakeClient({ events: before, throwAfterEvents: thrown })).invoke(payload);
      expect(timeless(sdkForm)).toEqual(timeless(keyForm));
      expect(sdkForm.timeToLastToken).toBeGreaterThanOrEqual(sdkForm.chunkTimes?.[1] as number);
      expect(StreamEventError.isInstance(thrown)).toBe(false);
    });

    it('sets TTLT at the error in both forms, not at the last text delta', async () => {
      // The metadata event comes 200 ms after the last text delta; the error right after it.
      const delayMs = [0, 0, 200, 0];
      const keyForm = await endpoint(
        fakeClient({ events: [...before, { [type]: { message: 'it broke' } }], delayMs }),
      ).invoke(payload);
      const thrown = Object.assign(new Error('it broke'), { name: sdkName });
      const sdkForm = await endpoint(fakeClient({ events: before, throwAfterEvents: thrown, delayMs })).invoke(payload);
      for (const r of [keyForm, sdkForm]) {
        expect(r.error).toBe(`Bedrock ${type}: it broke`);
        expect(r.timeToLastToken as number).toBeGreaterThanOrEqual((r.chunkTimes?.[1] as number) + 0.15);
      }
    });
  });

  it('classifies each stream error type', async () => {
    const types: Record<string, string | null> = {};
    for (const type of BEDROCK_STREAM_ERROR_TYPES) {
      const r = await endpoint(fakeClient({ events: [{ [type]: { message: 'm' } }] })).invoke(payload);
      types[type] = r.errorType;
    }
    expect(types).toEqual({
      internalServerException: 'server',
      modelStreamErrorException: 'stream',
      modelTimeoutException: 'timeout',
      serviceUnavailableException: 'server',
      throttlingException: 'throttled',
      validationException: 'client',
    });
  });

  it('keeps the request id and retries of an HTTP failure', async () => {
    const error = Object.assign(new Error('Too many requests'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429, requestId: 'req-429', attempts: 3 },
    });
    const r = await endpoint(fakeClient({ sendError: error })).invoke(payload);
    expect(r).toMatchObject({
      id: 'req-429',
      retries: 2,
      error: 'Too many requests',
      errorType: 'throttled',
      timeToLastToken: null,
    });
  });

  it('passes the invoke signal to send and stops at the timeout', async () => {
    const client = fakeClient({ events: [ev.text('a'), ev.text('b'), ev.text('c')], delayMs: 200 });
    const r = await endpoint(client).invoke(payload, { timeoutMs: 300 });
    expect(client.calls[0]?.abortSignal?.aborted).toBe(true);
    expect(r.errorType).toBe('timeout');
    expect(r.responseText).toBe('a');
  });
});

describe('BedrockConverseStream arrival stamps', () => {
  /** Events stamped `offsetsMs` after the instant `send` is called (far from when they are consumed). */
  function stamped(offsetsMs: number[], error?: { offsetMs: number }) {
    return fakeClient(() => {
      const base = performance.now();
      const events = [
        ev.text('He'),
        ev.text(''),
        ev.text('llo'),
        ev.stop,
        ev.usage({ inputTokens: 3, outputTokens: 2 }),
      ];
      for (const [i, e] of events.entries()) stampArrival(e, base + (offsetsMs[i] as number));
      if (!error) return { events };
      const thrown = Object.assign(new Error('boom'), { name: 'ModelStreamErrorException' });
      stampArrival(thrown, base + error.offsetMs);
      return { events: events.slice(0, 3), throwAfterEvents: thrown };
    });
  }

  it('times TTFT, TTLT and chunkTimes at the stamped arrival, not at consumption', async () => {
    const r = await endpoint(stamped([5000, 6000, 7000, 9000, 9500])).invoke(payload);
    expect(r.error).toBeNull();
    // The stamps are 5-9 s after `send` was called; the events were consumed within milliseconds.
    const ttft = r.timeToFirstToken as number;
    expect(ttft).toBeGreaterThanOrEqual(5);
    expect(ttft).toBeLessThan(5.5);
    expect(r.chunkTimes).toHaveLength(2);
    expect((r.chunkTimes?.[1] as number) - ttft).toBeCloseTo(2, 6);
    expect((r.timeToLastToken as number) - ttft).toBeCloseTo(4, 6);
    expect(r.responseText).toBe('Hello');
  });

  it("times a stream error at the error's stamp", async () => {
    const r = await endpoint(stamped([5000, 6000, 7000], { offsetMs: 8000 })).invoke(payload);
    expect(r.errorType).toBe('stream');
    expect((r.timeToLastToken as number) - (r.timeToFirstToken as number)).toBeCloseTo(3, 6);
  });

  it('without stamps, reads the clock as each event is consumed', async () => {
    const events = [ev.text('He'), ev.text('llo'), ev.stop];
    const r = await endpoint(fakeClient({ events, delayMs: [0, 60, 0] })).invoke(payload);
    const ttft = r.timeToFirstToken as number;
    expect(ttft).toBeGreaterThanOrEqual(0);
    expect(ttft).toBeLessThan(1);
    expect((r.chunkTimes?.[1] as number) - ttft).toBeGreaterThanOrEqual(0.05);
  });
});
