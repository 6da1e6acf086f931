import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonErrorOffset } from './json-error-location.js';
import { loadPayloads } from './payload-source.js';
import { Runner } from './runner.js';
import { FakeEndpoint } from './test-support/fake-endpoint.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-payload-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadPayloads: a malformed file names the file and line', () => {
  it('.json: a syntax error gives file:line:column, not a character position', async () => {
    const file = join(dir, 'p.json');
    // the trailing comma makes the `]` on line 4 unexpected
    writeFileSync(file, '[\n  {"prompt": "a"},\n  {"prompt": "b"},\n]\n');
    await expect(loadPayloads(file)).rejects.toThrow(`${file}:4:1: invalid JSON`);
    writeFileSync(file, '{\n  "prompt": "a",\n  "max": 3 4\n}');
    await expect(loadPayloads(file)).rejects.toThrow(`${file}:3:12: invalid JSON`);
  });

  it('.json: a truncated file points at its end', async () => {
    const file = join(dir, 'cut.json');
    writeFileSync(file, '[\n  {"prompt": "a"},\n  {"prompt": ');
    await expect(loadPayloads(file)).rejects.toThrow(`${file}:3:`);
  });

  it('.json: an element that is not an object is named by index', async () => {
    const file = join(dir, 'arr.json');
    writeFileSync(file, '[{"prompt": "a"}, 7]');
    await expect(loadPayloads(file)).rejects.toThrow(`${file}[1]: a payload must be a JSON object, got 7`);
  });

  it('.jsonl: a bad line and a non-object line are named by line', async () => {
    const file = join(dir, 'p.jsonl');
    writeFileSync(file, '{"prompt": "a"}\n\n[1, 2]\n');
    await expect(loadPayloads(file)).rejects.toThrow(`${file}:3: a payload must be a JSON object, got an array`);
  });

  it('a folder: the bad file inside it is named, with its line', async () => {
    const folder = join(dir, 'many');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.jsonl'), '{"prompt": "a"}\n');
    writeFileSync(join(folder, 'b.json'), '{"prompt": "b",\n "x": }');
    await expect(loadPayloads(folder)).rejects.toThrow(`${join(folder, 'b.json')}:2:7: invalid JSON`);
  });

  it('the Runner fails on a malformed .json file or folder before any request', async () => {
    const endpoint = new FakeEndpoint();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"prompt": "a"\n"more": 1}');
    await expect(new Runner({ endpoint, payload: file, handleSignals: false }).run()).rejects.toThrow(`${file}:2:1`);
    await expect(new Runner({ endpoint, payload: dir, handleSignals: false }).run()).rejects.toThrow(`${file}:2:1`);
    expect(endpoint.invocations).toBe(0);
  });
});

describe('loadPayloads: sources', () => {
  it('a file: URL (with a space in its path) and a byte-order mark', async () => {
    const folder = join(dir, 'with space');
    mkdirSync(folder);
    const file = join(folder, 'p.json');
    writeFileSync(file, '\uFEFF[{"prompt": "a"}]');
    expect(await loadPayloads(pathToFileURL(file))).toEqual([{ prompt: 'a' }]);
  });

  it('empty sources and unknown extensions are refused, naming the path', async () => {
    const empty = join(dir, 'e.jsonl');
    writeFileSync(empty, '\n\n');
    await expect(loadPayloads(empty)).rejects.toThrow(`${empty}: holds no payload`);
    const txt = join(dir, 'p.txt');
    writeFileSync(txt, '{}');
    await expect(loadPayloads(txt)).rejects.toThrow(/must end in \.json or \.jsonl/);
    await expect(loadPayloads(join(dir, 'missing.json'))).rejects.toThrow(/payload path not found/);
    await expect(loadPayloads([])).rejects.toThrow(/payload array is empty/);
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid, and points at the first bad character', () => {
    const valid = ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0', '[{"a": {}}, []]'];
    const invalid: Array<[string, number]> = [
      ['', 0],
      ['{"a": 1,}', 8],
      ['[1 2]', 3],
      ["{'a': 1}", 1],
      ['{"a": 01}', 7],
      ['[1] x', 4],
      ['{"a": tru}', 9],
      ['"a\tb"', 2],
      ['["\\x"]', 3],
      ['{"a" 1}', 5],
    ];
    for (const t of valid) {
      expect(() => JSON.parse(t), t).not.toThrow();
      expect(jsonErrorOffset(t), t).toBeNull();
    }
    for (const [t, at] of invalid) {
      expect(() => JSON.parse(t), t).toThrow();
      expect(jsonErrorOffset(t), t).toBe(at);
    }
  });
});
