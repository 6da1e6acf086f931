import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMETER_RESPONSE_KEYS } from '@llmeter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Result } from './result.js';
import { Runner } from './runner.js';
import { FakeEndpoint } from './test-support/fake-endpoint.js';

// The run folder against ../shared/reference/llmeter-behaviour.md: the keys LLMeter's loaders read or require.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-compat-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const jsonLines = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** LLMeter's `_RunConfig` fields (its `Runner` saves each of them). */
const RUN_CONFIG_KEYS = [
  'endpoint',
  'output_path',
  'tokenizer',
  'n_requests',
  'clients',
  'payload',
  'run_name',
  'run_description',
  'timeout',
];
/** LLMeter's `Result` dataclass fields: `summary.json` must hold exactly these. */
const SUMMARY_KEYS = [
  'total_requests',
  'clients',
  'n_requests',
  'total_test_time',
  'model_id',
  'output_path',
  'endpoint_name',
  'provider',
  'run_name',
  'run_description',
  'start_time',
  'first_request_time',
  'last_request_time',
  'end_time',
];
const STATS_KEYS = [
  ...[
    'time_to_last_token',
    'time_to_first_token',
    'time_per_output_token',
    'num_tokens_output',
    'num_tokens_input',
  ].flatMap((m) => ['average', 'p50', 'p90', 'p99'].map((a) => `${m}-${a}`)),
  'failed_requests',
  'failed_requests_rate',
  'total_requests',
  'total_input_tokens',
  'total_output_tokens',
  'requests_per_minute',
  'average_input_tokens_per_minute',
  'average_output_tokens_per_minute',
  'output_tps',
];

describe('the run folder, key by key against LLMeter', () => {
  it('run_config.json, payload.jsonl, responses.jsonl, summary.json and stats.json carry LLMeter’s keys', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 3, gapMs: 1 });
    const payloads = [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'boom', fake: { fail: 'ThrottlingException' } }];
    const live = await new Runner({
      endpoint,
      payload: payloads,
      clients: 2,
      nRequests: 3,
      outputPath: dir,
      runName: 'compat',
      runDescription: 'keys',
      handleSignals: false,
    }).run();
    const folder = join(dir, 'compat');

    const config = json(join(folder, 'run_config.json'));
    for (const k of RUN_CONFIG_KEYS) expect(config, k).toHaveProperty(k);
    for (const k of ['endpoint_type', 'model_id', 'endpoint_name', 'provider'])
      expect(config.endpoint, k).toHaveProperty(k);
    expect(config.clients).toBe(2);
    expect(config.n_requests).toBe(3);
    expect(config.run_name).toBe('compat');
    expect(config.run_description).toBe('keys');
    expect(config.timeout).toBe(60);
    // `payload` points at the folder's payload.jsonl, one payload a line
    expect(config.payload).toBe(join(folder, 'payload.jsonl'));
    expect(jsonLines(config.payload)).toEqual(payloads);

    const responses = jsonLines(join(folder, 'responses.jsonl'));
    expect(responses).toHaveLength(6);
    for (const r of responses) expect(Object.keys(r).sort()).toEqual([...LLMETER_RESPONSE_KEYS].sort());
    for (const r of responses) expect(r['request_time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    expect(Object.keys(json(join(folder, 'summary.json'))).sort()).toEqual([...SUMMARY_KEYS].sort());

    const stats = json(join(folder, 'stats.json'));
    for (const k of STATS_KEYS) expect(stats, k).toHaveProperty(k);
    expect(stats['failed_requests']).toBe(2);
    expect(stats['total_requests']).toBe(6);

    // requests_per_minute: LLMeter's n·60/(last − first request_time), computed here from the file itself;
    // the live run, its stats.json and a reload give that one number.
    const times = responses.map((r) => Date.parse(r['request_time'] as string));
    const window = (Math.max(...times) - Math.min(...times)) / 1000;
    expect(window).toBeGreaterThan(0);
    expect(live.stats['requests_per_minute']).toBeCloseTo((6 * 60) / window, 9);
    expect(stats['requests_per_minute']).toBe(live.stats['requests_per_minute']);
    expect((await Result.load(folder)).stats['requests_per_minute']).toBe(live.stats['requests_per_minute']);
  });

  it('an outputPath that cannot hold the run folder fails before any request, naming the folder', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, 'x');
    const runner = new Runner({
      endpoint,
      payload: { prompt: 'a' },
      outputPath: notAFolder,
      runName: 'r',
      handleSignals: false,
    });
    await expect(runner.run()).rejects.toThrow(`outputPath: cannot write the run folder ${join(notAFolder, 'r')}`);
    expect(endpoint.invocations).toBe(0);
    expect(existsSync(join(notAFolder, 'r'))).toBe(false);
  });
});
