import { describe, expect, it } from 'vitest';
import { LLMeterValidationError } from './errors.js';
import { InvocationResponse, type InvocationResponseInit, LLMETER_RESPONSE_KEYS } from './invocation-response.js';
import { parseJSON } from './json-codec.js';

/** Every field of the record, camelCase, with its snake_case JSON key and whether it is one of LLMeter's 14. */
const FIELDS: ReadonlyArray<[keyof InvocationResponseInit, string, 'llmeter' | 'extension']> = [
  ['id', 'id', 'llmeter'],
  ['responseText', 'response_text', 'llmeter'],
  ['inputPayload', 'input_payload', 'llmeter'],
  ['inputPrompt', 'input_prompt', 'llmeter'],
  ['timeToFirstToken', 'time_to_first_token', 'llmeter'],
  ['timeToLastToken', 'time_to_last_token', 'llmeter'],
  ['timePerOutputToken', 'time_per_output_token', 'llmeter'],
  ['numTokensInput', 'num_tokens_input', 'llmeter'],
  ['numTokensInputCached', 'num_tokens_input_cached', 'llmeter'],
  ['numTokensOutput', 'num_tokens_output', 'llmeter'],
  ['numTokensOutputReasoning', 'num_tokens_output_reasoning', 'llmeter'],
  ['error', 'error', 'llmeter'],
  ['retries', 'retries', 'llmeter'],
  ['requestTime', 'request_time', 'llmeter'],
  ['errorType', 'error_type', 'extension'],
  ['stopReason', 'stop_reason', 'extension'],
  ['serverLatencyMs', 'server_latency_ms', 'extension'],
  ['chunkTimes', 'chunk_times', 'extension'],
  ['timeToRequestSent', 'time_to_request_sent', 'extension'],
  ['timeToResponseHeaders', 'time_to_response_headers', 'extension'],
  ['timeToError', 'time_to_error', 'extension'],
  ['scheduleLag', 'schedule_lag', 'extension'],
  ['extra', 'extra', 'extension'],
];

const IMAGE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 128]);

/** A record with every field set to a distinct, non-default value (bytes in the payload and in `extra`). */
function fullRecord(): InvocationResponse {
  return new InvocationResponse({
    id: 'req-0001',
    responseText: 'Hello there',
    inputPayload: {
      modelId: 'm',
      messages: [
        { role: 'user', content: [{ text: 'describe' }, { image: { format: 'png', source: { bytes: IMAGE } } }] },
      ],
    },
    inputPrompt: 'describe',
    timeToFirstToken: 0.25,
    timeToLastToken: 1.75,
    timePerOutputToken: 0.05,
    numTokensInput: 120,
    numTokensInputCached: 100,
    numTokensOutput: 31,
    numTokensOutputReasoning: 7,
    error: 'Bedrock throttlingException: slow down',
    errorType: 'throttled',
    retries: 2,
    requestTime: new Date(Date.UTC(2025, 5, 30, 23, 59, 58, 123)),
    stopReason: 'end_turn',
    serverLatencyMs: 1650,
    chunkTimes: [0.25, 0.5, 1.75],
    timeToRequestSent: 0.001,
    timeToResponseHeaders: 0.2,
    timeToError: 1.5,
    scheduleLag: 0.003,
    extra: { region: 'us-east-1', blob: new Uint8Array([1, 2, 3]) },
  });
}

describe('InvocationResponse fields', () => {
  it('defaults every field to null (never undefined, NaN or 0)', () => {
    const r = new InvocationResponse();
    for (const [field] of FIELDS) expect(r[field], field).toBeNull();
    // Any field added later must default to null too.
    for (const [key, value] of Object.entries(r)) expect(value, key).toBeNull();
    expect(Object.keys(r).sort()).toEqual(FIELDS.map(([f]) => f).sort());
  });

  it('takes every field from its init object and ignores undefined', () => {
    const r = fullRecord();
    for (const [field] of FIELDS) expect(r[field], field).not.toBeNull();
    expect(r.requestTime).toBeInstanceOf(Date);
    const partial = new InvocationResponse({ responseText: undefined, numTokensOutput: 0 });
    expect(partial.responseText).toBeNull();
    // An explicit zero is a value, not an absence.
    expect(partial.numTokensOutput).toBe(0);
  });

  it('failed() builds a failed record keeping the other fields given', () => {
    const r = InvocationResponse.failed('connection reset', 'network', { id: 'x', timeToFirstToken: 0.1 });
    expect(r.error).toBe('connection reset');
    expect(r.errorType).toBe('network');
    expect(r.id).toBe('x');
    expect(r.timeToFirstToken).toBe(0.1);
    expect(r.timeToLastToken).toBeNull();
  });

  it('effectiveTimePerOutputToken prefers the recorded value, else derives it', () => {
    expect(new InvocationResponse({ timePerOutputToken: 0.5 }).effectiveTimePerOutputToken).toBe(0.5);
    // (2.0 − 0.5) / (4 − 1) = 0.5
    const derived = new InvocationResponse({ timeToFirstToken: 0.5, timeToLastToken: 2, numTokensOutput: 4 });
    expect(derived.effectiveTimePerOutputToken).toBeCloseTo(0.5, 12);
    expect(
      new InvocationResponse({ timeToFirstToken: 0.5, timeToLastToken: 2, numTokensOutput: 1 })
        .effectiveTimePerOutputToken,
    ).toBeNull();
    expect(new InvocationResponse({ timeToLastToken: 2, numTokensOutput: 4 }).effectiveTimePerOutputToken).toBeNull();
  });
});

describe('InvocationResponse.toJSON (LLMeter form)', () => {
  it('writes exactly the 14 LLMeter keys, nothing of ours', () => {
    expect(LLMETER_RESPONSE_KEYS).toHaveLength(14);
    expect(Object.keys(fullRecord().toJSON()).sort()).toEqual([...LLMETER_RESPONSE_KEYS].sort());
    expect(Object.keys(new InvocationResponse().toJSON()).sort()).toEqual([...LLMETER_RESPONSE_KEYS].sort());
    expect(
      FIELDS.filter(([, , where]) => where === 'llmeter')
        .map(([, key]) => key)
        .sort(),
    ).toEqual([...LLMETER_RESPONSE_KEYS].sort());
  });

  it('maps every camelCase field to its snake_case key', () => {
    const json = fullRecord().toJSON() as unknown as Record<string, unknown>;
    expect(json).toMatchObject({
      id: 'req-0001',
      response_text: 'Hello there',
      input_prompt: 'describe',
      time_to_first_token: 0.25,
      time_to_last_token: 1.75,
      time_per_output_token: 0.05,
      num_tokens_input: 120,
      num_tokens_input_cached: 100,
      num_tokens_output: 31,
      num_tokens_output_reasoning: 7,
      error: 'Bedrock throttlingException: slow down',
      retries: 2,
      request_time: '2025-06-30T23:59:58.123Z',
    });
  });

  it('writes request_time as ISO-8601 UTC ending in Z and bytes as __llmeter_bytes__', () => {
    const line = JSON.stringify(fullRecord());
    expect(line).toContain('"request_time":"2025-06-30T23:59:58.123Z"');
    expect(line).toContain(`{"__llmeter_bytes__":"${Buffer.from(IMAGE).toString('base64')}"}`);
    expect(line).not.toContain('error_type');
  });

  it('writes absent values as null, and a derived TPOT when none was recorded', () => {
    const json = new InvocationResponse().toJSON() as unknown as Record<string, unknown>;
    for (const key of LLMETER_RESPONSE_KEYS) expect(json[key], key).toBeNull();
    const r = new InvocationResponse({ timeToFirstToken: 1, timeToLastToken: 3, numTokensOutput: 5 });
    expect(r.toJSON().time_per_output_token).toBeCloseTo(0.5, 12);
  });
});

describe('InvocationResponse.toExtensionJSON / toFullJSON', () => {
  it('writes only our fields that are set, keyed by id', () => {
    expect(new InvocationResponse({ id: 'a' }).toExtensionJSON()).toEqual({ id: 'a' });
    const ext = fullRecord().toExtensionJSON() as unknown as Record<string, unknown>;
    expect(Object.keys(ext).sort()).toEqual(
      ['id', ...FIELDS.filter(([, , where]) => where === 'extension').map(([, key]) => key)].sort(),
    );
    expect(ext).toMatchObject({
      id: 'req-0001',
      error_type: 'throttled',
      stop_reason: 'end_turn',
      server_latency_ms: 1650,
      chunk_times: [0.25, 0.5, 1.75],
      time_to_request_sent: 0.001,
      time_to_response_headers: 0.2,
      time_to_error: 1.5,
      schedule_lag: 0.003,
      extra: { region: 'us-east-1', blob: { __llmeter_bytes__: 'AQID' } },
    });
  });

  it('toFullJSON merges both forms with one id', () => {
    const full = fullRecord().toFullJSON() as unknown as Record<string, unknown>;
    expect(Object.keys(full).sort()).toEqual(FIELDS.map(([, key]) => key).sort());
    expect(full['id']).toBe('req-0001');
    expect(full['error_type']).toBe('throttled');
  });
});

describe('InvocationResponse.fromJSON', () => {
  it('round-trips every field through a responses.jsonl line plus its sidecar line (bytes included)', () => {
    const original = fullRecord();
    const line = JSON.stringify(original.toJSON());
    const sidecar = JSON.stringify(original.toExtensionJSON());
    const back = InvocationResponse.fromJSON(line, sidecar);
    expect(back).toEqual(original);
    const payload = back.inputPayload as { messages: { content: { image?: { source: { bytes: Uint8Array } } }[] }[] };
    const bytes = payload.messages[0]!.content[1]!.image!.source.bytes;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(IMAGE))).toBe(0);
    expect(back.requestTime?.toISOString()).toBe('2025-06-30T23:59:58.123Z');
  });

  it('round-trips through toFullJSON, parsed objects, and parseJSON output', () => {
    const original = fullRecord();
    expect(InvocationResponse.fromJSON(JSON.stringify(original.toFullJSON()))).toEqual(original);
    expect(InvocationResponse.fromJSON(JSON.parse(JSON.stringify(original.toFullJSON())))).toEqual(original);
    // parseJSON has already decoded the bytes: fromJSON must not decode them again.
    expect(InvocationResponse.fromJSON(parseJSON(JSON.stringify(original)), original.toExtensionJSON())).toEqual(
      original,
    );
  });

  it('round-trips an empty record to all nulls', () => {
    const back = InvocationResponse.fromJSON(JSON.stringify(new InvocationResponse()));
    for (const [key, value] of Object.entries(back)) expect(value, key).toBeNull();
  });

  it('reads a line written by Python LLMeter (no zone in request_time, no extension)', () => {
    const python = {
      response_text: 'Hi',
      input_payload: { messages: [{ role: 'user', content: [{ text: 'hello' }] }] },
      id: '3f2a9c',
      input_prompt: 'hello',
      time_to_first_token: 0.4,
      time_to_last_token: 0.9,
      num_tokens_input: 10,
      num_tokens_output: 2,
      num_tokens_input_cached: null,
      num_tokens_output_reasoning: null,
      time_per_output_token: 0.5,
      error: null,
      retries: 0,
      request_time: '2025-03-04T05:06:07.123456',
    };
    const r = InvocationResponse.fromJSON(JSON.stringify(python));
    expect(r.requestTime?.toISOString()).toBe('2025-03-04T05:06:07.123Z');
    expect(r.responseText).toBe('Hi');
    expect(r.retries).toBe(0);
    expect(r.numTokensInputCached).toBeNull();
    expect(r.errorType).toBeNull();
    expect(r.chunkTimes).toBeNull();
    expect(InvocationResponse.fromJSON({ request_time: '2025-03-04T05:06:07' }).requestTime?.toISOString()).toBe(
      '2025-03-04T05:06:07.000Z',
    );
    expect(InvocationResponse.fromJSON({ request_time: '2025-03-04T07:06:07+02:00' }).requestTime?.toISOString()).toBe(
      '2025-03-04T05:06:07.000Z',
    );
  });

  it('reads missing keys as null', () => {
    const r = InvocationResponse.fromJSON({ id: 'only-id' });
    expect(r.id).toBe('only-id');
    for (const [key, value] of Object.entries(r)) if (key !== 'id') expect(value, key).toBeNull();
  });

  it('takes the id from the sidecar when the line has none', () => {
    expect(InvocationResponse.fromJSON({ id: null }, { id: 'from-sidecar', error_type: 'server' }).id).toBe(
      'from-sidecar',
    );
  });

  it('rejects an unknown key, naming it', () => {
    expect(() => InvocationResponse.fromJSON({ id: 'a', latency: 1 })).toThrow(LLMeterValidationError);
    expect(() => InvocationResponse.fromJSON({ id: 'a', latency: 1 })).toThrow(
      /unknown InvocationResponse key: latency/,
    );
    expect(() => InvocationResponse.fromJSON({ id: 'a' }, { id: 'a', colour: 'red' })).toThrow(/key: colour/);
  });

  it.each([
    [{ time_to_first_token: '0.5' }, /time_to_first_token must be a number or null, got "0.5"/],
    [{ num_tokens_output: true }, /num_tokens_output must be a number or null, got true/],
    [{ retries: [] }, /retries must be a number or null/],
    [{ response_text: 5 }, /response_text must be a string or null, got 5/],
    [{ id: 7 }, /id must be a string or null, got 7/],
    [{ error: {} }, /error must be a string or null/],
    [{ request_time: 'yesterday' }, /request_time is not an ISO-8601 instant: yesterday/],
    [{ request_time: 1700000000 }, /request_time must be a string or null/],
    [{ error_type: 'explosion' }, /error_type must be one of throttled, timeout, .*unknown, got "explosion"/],
    [{ chunk_times: [0.1, 'x'] }, /chunk_times must be an array of numbers/],
    [{ chunk_times: 0.1 }, /chunk_times must be an array of numbers/],
    [{ server_latency_ms: '12' }, /server_latency_ms must be a number or null/],
    [{ extra: 3 }, /extra must be an object or null, got 3/],
  ])('rejects a wrong type, naming the field: %j', (json, message) => {
    expect(() => InvocationResponse.fromJSON(json)).toThrow(LLMeterValidationError);
    expect(() => InvocationResponse.fromJSON(json)).toThrow(message);
  });

  it('rejects what is not a JSON object, and invalid JSON, as validation errors', () => {
    for (const bad of [null, 3, [], '[1]', 'null']) {
      expect(() => InvocationResponse.fromJSON(bad)).toThrow(/an InvocationResponse must be a JSON object/);
    }
    expect(() => InvocationResponse.fromJSON('{"id": ')).toThrow(LLMeterValidationError);
    expect(() => InvocationResponse.fromJSON('{"id": ')).toThrow(/InvocationResponse: invalid JSON/);
    expect(() => InvocationResponse.fromJSON({ id: 'a' }, '[]')).toThrow(/extension must be a JSON object/);
  });

  it('rejects a sidecar line that belongs to another record', () => {
    expect(() => InvocationResponse.fromJSON({ id: 'a' }, { id: 'b', stop_reason: 'end_turn' })).toThrow(
      /extension id "b" does not match the record id "a"/,
    );
  });
});
