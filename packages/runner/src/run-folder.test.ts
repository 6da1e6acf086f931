import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationResponse } from '@llmeter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunFolderWriter, readRunFolder, readRunFolderFiles, streamJSONLines } from './run-folder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-folder-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('streamJSONLines', () => {
  it('reads lines across read-chunk boundaries (> 1 MB file)', async () => {
    const file = join(dir, 'big.jsonl');
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(500) }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const values = (await collect(streamJSONLines(file))) as Array<{ i: number }>;
    expect(values.map((v) => v.i)).toEqual([...Array(3000).keys()]);
  });

  it('skips an unterminated bad last line, reports it; fails on a bad line elsewhere with file:line', async () => {
    const file = join(dir, 'cut.jsonl');
    writeFileSync(file, '{"a":1}\n\n{"a":2}\n{"a":');
    let truncated = 0;
    expect(await collect(streamJSONLines(file, () => truncated++))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(truncated).toBe(1);
    writeFileSync(file, '{"a":1}\n{"a":\n{"a":2}\n');
    await expect(collect(streamJSONLines(file))).rejects.toThrow(`${file}:2`);
    expect(await collect(streamJSONLines(join(dir, 'missing.jsonl')))).toEqual([]);
  });
});

describe('RunFolderWriter + readRunFolder', () => {
  it('joins the sidecar by id; a record without a sidecar line keeps null extensions; an orphan sidecar line is ignored', async () => {
    const writer = new RunFolderWriter({ path: dir });
    await writer.onRunStart({ startTime: new Date(), config: { run_name: 'x' }, payloads: [{ p: 1 }] });
    const a = new InvocationResponse({
      id: 'a',
      timeToFirstToken: 0.1,
      errorType: null,
      chunkTimes: [0.1, 0.2],
      scheduleLag: 0.01,
    });
    const b = new InvocationResponse({ id: 'b', error: 'boom', errorType: 'server' });
    writer.onRecord(a);
    writer.onRecord(b);
    writer.close();
    // a line without a sidecar line (as LLMeter writes), then a kill between the two writes of a fourth record
    writeFileSync(join(dir, 'responses.jsonl'), `${JSON.stringify(new InvocationResponse({ id: 'c' }).toJSON())}\n`, {
      flag: 'a',
    });
    writeFileSync(join(dir, 'responses_ext.jsonl'), `${JSON.stringify({ id: 'd', error_type: 'server' })}\n`, {
      flag: 'a',
    });
    const folder = await readRunFolder(dir);
    expect(folder.config).toEqual({ run_name: 'x' });
    expect(folder.summary).toBeNull();
    expect(folder.responses.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(folder.responses[0]?.chunkTimes).toEqual([0.1, 0.2]);
    expect(folder.responses[0]?.scheduleLag).toBe(0.01);
    expect(folder.responses[1]?.errorType).toBe('server');
    expect(folder.responses[2]?.errorType).toBeNull();
  });

  it('writes the JSON files whole (no temporary left); a corrupt one is an error naming file, line and column', async () => {
    const writer = new RunFolderWriter({ path: dir });
    await writer.onRunStart({ startTime: new Date(), config: { run_name: 'x' } });
    await writer.onRunEnd({ endTime: new Date(), stats: { total_requests: 0 }, summary: { total_requests: 0 } });
    expect(readdirSync(dir).sort()).toEqual([
      'payload.jsonl',
      'responses.jsonl',
      'responses_ext.jsonl',
      'run_config.json',
      'stats.json',
      'summary.json',
    ]);
    expect((await readRunFolderFiles(dir)).stats).toEqual({ total_requests: 0 });
    writeFileSync(join(dir, 'stats.json'), '{\n  "total_requests": 0,\n  "x": \n');
    await expect(readRunFolderFiles(dir)).rejects.toThrow(`${join(dir, 'stats.json')}:4:1: invalid JSON`);
    writeFileSync(join(dir, 'stats.json'), '[]');
    await expect(readRunFolderFiles(dir)).rejects.toThrow(`${join(dir, 'stats.json')}: must hold a JSON object`);
    writeFileSync(join(dir, 'run_config.json'), '{"run_name": "x",}');
    await expect(readRunFolderFiles(dir)).rejects.toThrow(`${join(dir, 'run_config.json')}:1:18: invalid JSON`);
  });
});
