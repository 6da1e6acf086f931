import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Payload } from '@llmeter/core';
import { fromJSONValue, LLMeterValidationError, parseJSON } from '@llmeter/core';
import { jsonErrorOffset, lineColumnOf } from './json-error-location.js';

/**
 * Where a run's payloads come from: one object, an array, the path of a `.json` file (an object or an array),
 * a `.jsonl` file (one object a line), a folder of such files (sorted by name), or an async iterable.
 */
export type PayloadSource = Payload | readonly Payload[] | string | URL | AsyncIterable<Payload>;

function isAsyncIterable(x: unknown): x is AsyncIterable<Payload> {
  return (
    typeof x === 'object' && x !== null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

function checkObject(value: unknown, where: string): Payload {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LLMeterValidationError(
      `${where}: a payload must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    );
  }
  return value as Payload;
}

function nonEmpty(payloads: Payload[], where: string): Payload[] {
  if (payloads.length === 0) throw new LLMeterValidationError(`${where}: holds no payload`);
  return payloads;
}

/** `file:line:column` of the first JSON syntax error in `text` (the file alone when none is found). */
function jsonErrorWhere(text: string, file: string): string {
  const at = jsonErrorOffset(text);
  if (at === null) return file;
  const { line, column } = lineColumnOf(text, at);
  return `${file}:${line}:${column}`;
}

/** Parses a whole `.json` file; a syntax error names `file:line:column`. */
function parseJSONFile(text: string, path: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new LLMeterValidationError(`${jsonErrorWhere(text, path)}: invalid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return fromJSONValue(parsed);
}

async function loadFile(path: string): Promise<Payload[]> {
  // A byte-order mark (editors on Windows write one) is not JSON: drop it rather than fail at 1:1.
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl') {
    const out: Payload[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      out.push(checkObject(parseJSON(line, `${path}:${i + 1}`), `${path}:${i + 1}`));
    });
    return out;
  }
  if (ext === '.json') {
    const value = parseJSONFile(text, path);
    if (Array.isArray(value)) return value.map((v, i) => checkObject(v, `${path}[${i}]`));
    return [checkObject(value, path)];
  }
  throw new LLMeterValidationError(`${path}: payload files must end in .json or .jsonl`);
}

/**
 * Reads every payload of a source that is not an async iterable (files are read and validated whole, so a
 * malformed file fails before any request, naming the file and line). Async iterables are returned as they are.
 */
export async function loadPayloads(source: PayloadSource): Promise<Payload[] | AsyncIterable<Payload>> {
  if (isAsyncIterable(source)) return source;
  if (typeof source === 'string' || source instanceof URL) {
    const path = source instanceof URL ? fileURLToPath(source) : source;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (cause) {
      throw new LLMeterValidationError(`payload path not found: ${path}`, { cause });
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => /\.jsonl?$/i.test(n)).sort();
      if (names.length === 0) throw new LLMeterValidationError(`${path}: folder holds no .json or .jsonl payload file`);
      const out: Payload[] = [];
      for (const n of names) out.push(...(await loadFile(join(path, n))));
      return nonEmpty(out, path);
    }
    return nonEmpty(await loadFile(path), path);
  }
  if (Array.isArray(source)) {
    if (source.length === 0) throw new LLMeterValidationError('payload array is empty');
    return source.map((p, i) => checkObject(p, `payload[${i}]`));
  }
  return [checkObject(source, 'payload')];
}
