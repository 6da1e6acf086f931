import { describe, expect, it } from 'vitest';
import { LLMeterValidationError } from './errors.js';
import { BYTES_KEY, fromJSONValue, parseJSON, stringifyJSON, toJSONValue } from './json-codec.js';

const bytes = (...xs: number[]) => new Uint8Array(xs);

describe('toJSONValue', () => {
  it("encodes bytes as LLMeter's {__llmeter_bytes__: base64}", () => {
    expect(BYTES_KEY).toBe('__llmeter_bytes__');
    expect(toJSONValue(bytes(0, 1, 2, 255))).toEqual({ __llmeter_bytes__: 'AAEC/w==' });
    expect(toJSONValue(Buffer.from('hello'))).toEqual({ __llmeter_bytes__: 'aGVsbG8=' });
    expect(toJSONValue(bytes(104, 105).buffer)).toEqual({ __llmeter_bytes__: 'aGk=' });
    expect(toJSONValue(new Uint8Array(0))).toEqual({ __llmeter_bytes__: '' });
  });

  it('encodes other typed arrays and DataViews by their bytes, not as objects of indices', () => {
    const pcm = new Int16Array([1, -1]);
    expect(toJSONValue(pcm)).toEqual({ __llmeter_bytes__: Buffer.from([0x01, 0x00, 0xff, 0xff]).toString('base64') });
    const view = new DataView(bytes(9, 8, 7, 6).buffer, 1, 2);
    expect(toJSONValue(view)).toEqual({ __llmeter_bytes__: Buffer.from([8, 7]).toString('base64') });
    expect(fromJSONValue(toJSONValue(pcm))).toEqual(new Uint8Array([0x01, 0x00, 0xff, 0xff]));
  });

  it('encodes only the bytes a view covers, not its whole buffer', () => {
    const whole = bytes(1, 2, 3, 4, 5, 6);
    expect(toJSONValue(whole.subarray(2, 4))).toEqual({ __llmeter_bytes__: Buffer.from([3, 4]).toString('base64') });
  });

  it('writes dates as ISO-8601 UTC and recurses into arrays and objects', () => {
    const when = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    expect(toJSONValue({ at: when, list: [bytes(7), { deep: bytes(8) }] })).toEqual({
      at: '2025-01-02T03:04:05.678Z',
      list: [{ __llmeter_bytes__: 'Bw==' }, { deep: { __llmeter_bytes__: 'CA==' } }],
    });
  });

  it('drops undefined object fields, writes undefined array items, NaN and ±Infinity as null', () => {
    expect(toJSONValue({ a: undefined, b: 1 })).toEqual({ b: 1 });
    expect(toJSONValue([undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0])).toEqual([
      null,
      null,
      null,
      null,
      0,
    ]);
    expect(toJSONValue(undefined)).toBeNull();
    expect(toJSONValue(null)).toBeNull();
    expect(toJSONValue('s')).toBe('s');
    expect(toJSONValue(false)).toBe(false);
  });

  it('asks objects with toJSON first, then encodes what they return', () => {
    const custom = { toJSON: () => ({ kind: 'custom', raw: bytes(9) }) };
    expect(toJSONValue({ item: custom })).toEqual({ item: { kind: 'custom', raw: { __llmeter_bytes__: 'CQ==' } } });
  });

  it('does not modify its input', () => {
    const input = { payload: { image: bytes(1, 2, 3) }, when: new Date(0) };
    toJSONValue(input);
    expect(input.payload.image).toBeInstanceOf(Uint8Array);
    expect(input.when).toBeInstanceOf(Date);
  });
});

describe('fromJSONValue', () => {
  it('decodes every bytes object, at any depth', () => {
    const decoded = fromJSONValue({ a: [{ __llmeter_bytes__: 'AAEC/w==' }], b: { c: { __llmeter_bytes__: '' } } }) as {
      a: Uint8Array[];
      b: { c: Uint8Array };
    };
    expect(decoded.a[0]).toBeInstanceOf(Uint8Array);
    expect([...(decoded.a[0] as Uint8Array)]).toEqual([0, 1, 2, 255]);
    expect(decoded.b.c).toEqual(new Uint8Array(0));
  });

  it('leaves an object that merely contains the key among others alone', () => {
    const obj = { __llmeter_bytes__: 'AA==', other: 1 };
    expect(fromJSONValue(obj)).toEqual(obj);
  });

  it('rejects a bytes object whose value is not a string, naming the key', () => {
    expect(() => fromJSONValue({ __llmeter_bytes__: 12 })).toThrow(LLMeterValidationError);
    expect(() => fromJSONValue({ __llmeter_bytes__: 12 })).toThrow(/__llmeter_bytes__ must hold a base64 string/);
  });

  it('passes values that are already decoded through (decoding twice is harmless)', () => {
    const raw = bytes(1, 2, 3);
    const once = fromJSONValue({ p: { __llmeter_bytes__: 'AQID' }, when: new Date(5) }) as { p: Uint8Array };
    const twice = fromJSONValue(once) as { p: Uint8Array; when: Date };
    expect(twice.p).toBeInstanceOf(Uint8Array);
    expect(twice.p).toEqual(raw);
    expect(twice.when).toEqual(new Date(5));
    expect(fromJSONValue(raw)).toBe(raw);
  });

  it('keeps scalars and null as they are', () => {
    expect(fromJSONValue(null)).toBeNull();
    expect(fromJSONValue(3)).toBe(3);
    expect(fromJSONValue('x')).toBe('x');
  });
});

describe('stringifyJSON / parseJSON', () => {
  it('round-trips a payload with bytes byte-identically', () => {
    const all256 = new Uint8Array(256).map((_, i) => i);
    const payload = { messages: [{ role: 'user', content: [{ text: 'hi' }, { blob: all256 }] }], n: 2 };
    const text = stringifyJSON(payload);
    expect(text).toContain('"__llmeter_bytes__"');
    const back = parseJSON(text) as typeof payload;
    expect(back).toEqual(payload);
    const blob = (back.messages[0]!.content[1] as { blob: Uint8Array }).blob;
    expect(Buffer.compare(Buffer.from(blob), Buffer.from(all256))).toBe(0);
  });

  it('indents when asked', () => {
    expect(stringifyJSON({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
    expect(stringifyJSON({ a: 1 })).toBe('{"a":1}');
  });

  it('names where invalid JSON came from, with the parser error as cause', () => {
    let caught: unknown;
    try {
      parseJSON('{"a": ', 'responses.jsonl:3');
    } catch (e) {
      caught = e;
    }
    expect(LLMeterValidationError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/^responses\.jsonl:3: invalid JSON: /);
    expect((caught as Error).cause).toBeInstanceOf(SyntaxError);
    expect(() => parseJSON('nope')).toThrow(/^invalid JSON: /);
  });
});
