import { LLMeterValidationError } from './errors.js';

/** The key LLMeter uses to serialize bytes inside JSON: `{"__llmeter_bytes__": "<base64>"}`. */
export const BYTES_KEY = '__llmeter_bytes__';

/**
 * Converts a value to plain JSON data: `Uint8Array`/`Buffer`/`ArrayBuffer` (and any other typed array or `DataView`,
 * by its bytes) become `{"__llmeter_bytes__": base64}`, `Date` becomes an ISO-8601 string, objects with `toJSON` are asked first. Pure: the input is not modified.
 */
export function toJSONValue(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof ArrayBuffer) return { [BYTES_KEY]: Buffer.from(value).toString('base64') };
  // Uint8Array, Buffer, other typed arrays and DataViews (e.g. Int16Array PCM audio): the bytes the view covers,
  // as LLMeter has a single bytes type.
  if (ArrayBuffer.isView(value)) {
    return { [BYTES_KEY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJSONValue);
  if (typeof value === 'object') {
    const withToJSON = value as { toJSON?: () => unknown };
    if (typeof withToJSON.toJSON === 'function') return toJSONValue(withToJSON.toJSON());
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJSONValue(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/**
 * Reverses `toJSONValue` for bytes: every `{"__llmeter_bytes__": base64}` object becomes a `Uint8Array`.
 * Values already decoded (bytes, dates) pass through, so decoding twice is harmless.
 */
export function fromJSONValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJSONValue);
  if (value instanceof Uint8Array || value instanceof ArrayBuffer || value instanceof Date) return value;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === BYTES_KEY) {
      const b64 = obj[BYTES_KEY];
      if (typeof b64 !== 'string') throw new LLMeterValidationError(`${BYTES_KEY} must hold a base64 string`);
      return new Uint8Array(Buffer.from(b64, 'base64'));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = fromJSONValue(v);
    return out;
  }
  return value;
}

/** `JSON.stringify` with LLMeter's byte encoding. */
export function stringifyJSON(value: unknown, space?: number): string {
  return JSON.stringify(toJSONValue(value), null, space);
}

/**
 * `JSON.parse` with LLMeter's byte decoding. `where` (a file name, `file:line`) is named in the error
 * when the text is not JSON.
 */
export function parseJSON(text: string, where?: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new LLMeterValidationError(`${where ? `${where}: ` : ''}invalid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return fromJSONValue(parsed);
}
