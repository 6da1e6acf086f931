import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockConverseStream, createBedrockRuntimeClient } from '@llmeter/bedrock';
import { startBedrockEmulator } from '@llmeter/bedrock-emulator';
import { InvocationResponse } from '@llmeter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Result } from '../result.js';
import { Runner } from '../runner.js';
import { FakeEndpoint } from '../test-support/fake-endpoint.js';
import { CostModel, EndpointTime, InputTokens, OutputTokens } from './cost-model.js';
import { LatencyHeatmap } from './latency-heatmap.js';
import { LoadTest } from './load-test.js';
import { defaultTokenizer, truncateToTokens } from './tokenizer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-exp-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const quiet = { handleSignals: false } as const;

describe('CostModel', () => {
  it('hand-computed per-request and per-run costs', () => {
    const model = new CostModel({
      requestDimensions: [new InputTokens(3), new OutputTokens(15, { granularity: 10 })],
      runDimensions: [new EndpointTime(36, { granularitySecs: 60 })],
    });
    const r = new InvocationResponse({ numTokensInput: 1000, numTokensOutput: 11 });
    // 1000·3/1e6 = 0.003; ⌈11/10⌉·10 = 20 tokens · 15/1e6 = 0.0003
    const c = model.requestCosts(r);
    expect(c['InputTokens']).toBeCloseTo(0.003, 15);
    expect(c['OutputTokens']).toBeCloseTo(0.0003, 15);
    expect(c['request']).toBeCloseTo(0.0033, 15);
    // 61 s billed as 120 s at 36/h = 1.2
    expect(new EndpointTime(36, { granularitySecs: 60 }).runCost(61)).toBeCloseTo(1.2, 12);
    expect(() => new InputTokens(-1)).toThrow(/pricePerMillion/);
  });

  it('as a callback: costs on records and cost_* in stats, kept by Result.load; warm-up not charged', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 3, inputTokens: 100, outputTokens: 4 });
    const model = new CostModel({
      requestDimensions: [new InputTokens(10), new OutputTokens(20)],
      runDimensions: [new EndpointTime(3600)],
    });
    const result = await new Runner({
      endpoint,
      payload: { prompt: 'x' },
      nRequests: 5,
      warmup: 2,
      callbacks: model,
      outputPath: dir,
      runName: 'cost',
      ...quiet,
    }).run();
    // per request 100·10/1e6 + 4·20/1e6 = 0.00108; 5 requests
    expect(result.stats['cost_InputTokens']).toBeCloseTo(0.005, 12);
    expect(result.stats['cost_OutputTokens']).toBeCloseTo(0.0004, 12);
    expect(result.stats['cost_per_request-p50']).toBeCloseTo(0.00108, 12);
    // endpoint time: ⌈t⌉ s at 1/s
    expect(result.stats['cost_EndpointTime']).toBe(Math.ceil(result.totalTestTime as number));
    expect(result.stats['cost_total']).toBeCloseTo(0.0054 + (result.stats['cost_EndpointTime'] as number), 12);
    expect(result.responses[0]?.extra?.['cost_request']).toBeCloseTo(0.00108, 12);
    const loaded = await Result.load(join(dir, 'cost'));
    expect(loaded.stats['cost_total']).toBe(result.stats['cost_total']);
    expect(loaded.responses[0]?.extra?.['cost_InputTokens']).toBeCloseTo(0.001, 12);
    expect(model.calculate(loaded)['cost_InputTokens']).toBeCloseTo(0.005, 12);
  });
});

describe('LoadTest', () => {
  it('one subfolder per client level, a combined table; levels never overwrite each other', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 2, chunks: 1 });
    const lt = await new LoadTest({
      endpoint,
      payload: [{ prompt: 'a' }, { prompt: 'b' }],
      clients: [1, 3],
      nRequests: 2,
      outputPath: dir,
      testName: 't',
      ...quiet,
    }).run();
    expect(lt.results.map((r) => r.totalRequests)).toEqual([2, 6]);
    expect(existsSync(join(dir, 't', '00001-clients', 'responses.jsonl'))).toBe(true);
    expect(existsSync(join(dir, 't', '00003-clients', 'stats.json'))).toBe(true);
    const table = JSON.parse(readFileSync(join(dir, 't', 'load_test.json'), 'utf8'));
    expect(table.map((r: Record<string, number>) => [r['clients'], r['total_requests']])).toEqual([
      [1, 2],
      [3, 6],
    ]);
    expect(readFileSync(join(dir, 't', 'load_test.csv'), 'utf8').split('\n')[0]).toMatch(/^clients,total_requests,/);
  });

  it('rate levels run open loop, one `{rate:05}-rps` folder each, in level order', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 2, chunks: 0 });
    const lt = await new LoadTest({
      endpoint,
      payload: { prompt: 'a' },
      rates: [50, 100, 12.5],
      nRequests: 10,
      outputPath: dir,
      testName: 'r',
      ...quiet,
    }).run();
    expect(lt.table().map((r) => r['rate'])).toEqual([50, 100, 12.5]);
    expect(readdirSync(join(dir, 'r')).sort()).toEqual([
      '00012.5-rps',
      '00050-rps',
      '00100-rps',
      'load_test.csv',
      'load_test.json',
    ]);
    expect((await Result.load(join(dir, 'r', '00100-rps'))).totalRequests).toBe(10);
    expect(lt.results.every((r) => r.stats['schedule_lag-p50'] !== undefined)).toBe(true);
    expect(() => new LoadTest({ endpoint, payload: {}, clients: [1], rates: [1] })).toThrow(/exactly one/);
  });
});

describe('LatencyHeatmap', () => {
  it('the shipped tokenizer cuts text to exact token lengths', async () => {
    const tok = await defaultTokenizer();
    expect(tok.encode('hello world')).toEqual([15339, 1917]);
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    for (const n of [1, 10, 50]) expect(tok.encode(truncateToTokens(tok, text, n))).toHaveLength(n);
  });

  it('a cell per (input length × max output) against the emulator; prompts of the target length', async () => {
    const emulator = await startBedrockEmulator({
      seed: 2,
      profile: { ttftMs: 5, interTokenDelayMs: 1, outputTokens: 400 },
    });
    try {
      const client = createBedrockRuntimeClient({
        region: 'us-east-1',
        endpoint: emulator.url,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' },
        maxAttempts: 1,
      });
      const endpoint = new BedrockConverseStream({ modelId: 'm', client });
      const hm = await new LatencyHeatmap({
        endpoint,
        inputLengths: [10, 50],
        outputLengths: [8, 16],
        requestsPerCell: 2,
        outputPath: dir,
        testName: 'hm',
        ...quiet,
      }).run();
      expect(hm.cells).toHaveLength(4);
      expect(hm.cells.map((c) => [c.input_tokens_target, c.output_tokens_max, c['num_tokens_output-average']])).toEqual(
        [
          [10, 8, 8],
          [10, 16, 16],
          [50, 8, 8],
          [50, 16, 16],
        ],
      );
      // the emulator counts ~4 characters a token: longer prompts, more input tokens
      const m = hm.matrix('num_tokens_input-average');
      expect((m[1]?.[0] as number) > (m[0]?.[0] as number)).toBe(true);
      expect(hm.matrix()[0]?.[0]).toBeGreaterThan(0);
      expect(existsSync(join(dir, 'hm', 'in50-out16', 'responses.jsonl'))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, 'hm', 'heatmap.json'), 'utf8'))).toHaveLength(4);
    } finally {
      await emulator.close();
    }
  });
});
