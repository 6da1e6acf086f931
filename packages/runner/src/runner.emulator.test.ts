import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockConverse, BedrockConverseStream, createBedrockRuntimeClient } from '@llmeter/bedrock';
import type { BedrockEmulator, FaultRule } from '@llmeter/bedrock-emulator';
import { startBedrockEmulator } from '@llmeter/bedrock-emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rateSchedule, scheduleToArray } from './arrival-schedule.js';
import { Result } from './result.js';
import { Runner } from './runner.js';
import { INTENDED_SEND_KEY } from './stats/stats-accumulator.js';

// Every test here goes through the Bedrock endpoints, the real AWS SDK client and the emulator.

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const payloads = ['Hello there', 'Count to ten', 'Write a haiku about load tests'].map((p) =>
  BedrockConverseStream.createPayload(p, { maxTokens: 16 }),
);
const quiet = { handleSignals: false } as const;

function clientFor(emulator: BedrockEmulator) {
  return createBedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
}
function lineCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-runner-emu-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Runner against the emulator', () => {
  let emulator: BedrockEmulator;
  beforeAll(async () => {
    emulator = await startBedrockEmulator({ seed: 5, profile: { ttftMs: 20, interTokenDelayMs: 2, outputTokens: 8 } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('closed loop, streaming: clients × nRequests requests, exact counts, TTFT below TTLT, folder reloads identically', async () => {
    const before = emulator.requestCount;
    const endpoint = new BedrockConverseStream({ modelId: MODEL, client: clientFor(emulator) });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      clients: 3,
      nRequests: 4,
      outputPath: dir,
      runName: 'closed',
      ...quiet,
    }).run();
    expect(emulator.requestCount - before).toBe(12);
    expect(result.totalRequests).toBe(12);
    expect(result.stats['failed_requests']).toBe(0);
    expect(result.stats['total_output_tokens']).toBe(12 * 8);
    expect(result.stats['num_tokens_output-p50']).toBe(8);
    expect(result.stats['time_to_first_token-p50'] as number).toBeGreaterThan(0.015);
    expect(result.stats['time_to_first_token-p50'] as number).toBeLessThan(
      result.stats['time_to_last_token-p50'] as number,
    );
    expect(result.stats['inter_chunk_latency-p50']).not.toBeNull();
    // attribution: client queueing, then the server's time to first byte, then TTFT, as separate numbers
    const queue = result.stats['client_queue_time-p50'] as number;
    const server = result.stats['server_time_to_first_byte-p50'] as number;
    expect(queue).toBeGreaterThanOrEqual(0);
    expect(server).toBeGreaterThan(0);
    expect(queue + server).toBeLessThanOrEqual(result.stats['time_to_first_token-p99'] as number);
    for (const r of result.responses) expect(emulator.groundTruth(r.id as string)).toBeDefined();
    expect(lineCount(join(dir, 'closed', 'responses.jsonl'))).toBe(12);
    const loaded = await Result.load(join(dir, 'closed'));
    expect(loaded.stats).toEqual(result.stats);
  });

  it('open loop, Converse: the seeded schedule is followed, rate within tolerance, lag recorded', async () => {
    const before = emulator.requestCount;
    const endpoint = new BedrockConverse({ modelId: MODEL, client: clientFor(emulator) });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      rate: 40,
      arrivals: 'poisson',
      nRequests: 40,
      seed: 11,
      ...quiet,
    }).run();
    expect(emulator.requestCount - before).toBe(40);
    expect(result.totalRequests).toBe(40);
    const expected = await scheduleToArray(rateSchedule({ rate: 40, arrivals: 'poisson', seed: 11, count: 40 }));
    expect(
      result.responses.map((r) => r.extra?.[INTENDED_SEND_KEY]).sort((a, b) => (a as number) - (b as number)),
    ).toEqual(expected);
    const span = expected[expected.length - 1] as number;
    expect(result.stats['achieved_request_rate'] as number).toBeGreaterThan((39 / span) * 0.5);
    expect(result.stats['achieved_request_rate'] as number).toBeLessThan((39 / span) * 1.5);
    expect(result.stats['schedule_lag-p50'] as number).toBeGreaterThanOrEqual(0);
    expect(result.stats['schedule_lag-p50'] as number).toBeLessThan(0.1);
  });

  it('warm-up requests reach the emulator but not the statistics', async () => {
    const before = emulator.requestCount;
    const endpoint = new BedrockConverseStream({ modelId: MODEL, client: clientFor(emulator) });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      rate: 50,
      nRequests: 10,
      warmup: 5,
      ...quiet,
    }).run();
    expect(emulator.requestCount - before).toBe(15);
    expect(result.totalRequests).toBe(10);
    expect(result.stats['warmup_requests']).toBe(5);
  });
});

describe('Runner against an emulator injecting faults', () => {
  let emulator: BedrockEmulator;
  const faults: FaultRule[] = [
    { fault: { kind: 'http', status: 429 }, rate: 0.12 },
    { fault: { kind: 'http', status: 500 }, rate: 0.1 },
    { fault: { kind: 'http', status: 400 }, rate: 0.06 },
    { fault: { kind: 'stream-exception', type: 'modelStreamErrorException', afterDeltas: 2 }, rate: 0.1 },
    { fault: { kind: 'reset', afterDeltas: 2 }, rate: 0.1 },
    { fault: { kind: 'stall' }, rate: 0.05 },
  ];
  beforeAll(async () => {
    emulator = await startBedrockEmulator({
      seed: 21,
      faults,
      profile: { ttftMs: 5, interTokenDelayMs: 1, outputTokens: 6 },
    });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('counts each error type; no record lost: responses.jsonl lines == requests sent', async () => {
    const before = emulator.requestCount;
    const endpoint = new BedrockConverseStream({ modelId: MODEL, client: clientFor(emulator) });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      rate: 100,
      nRequests: 120,
      timeout: 0.5,
      outputPath: dir,
      runName: 'faults',
      ...quiet,
    }).run();
    const sent = emulator.requestCount - before;
    expect(sent).toBe(120);
    expect(result.totalRequests).toBe(120);
    expect(lineCount(join(dir, 'faults', 'responses.jsonl'))).toBe(120);
    expect(lineCount(join(dir, 'faults', 'responses_ext.jsonl'))).toBe(120);
    const s = result.stats;
    for (const t of ['throttled', 'server', 'client', 'stream', 'network', 'timeout'])
      expect(s[`failed_requests-${t}`], t).toBeGreaterThan(0);
    const byType = Object.entries(s)
      .filter(([k]) => k.startsWith('failed_requests-'))
      .reduce((a, [, v]) => a + (v as number), 0);
    expect(byType).toBe(s['failed_requests']);
    // the emulator's own fault log agrees with the records
    const faultsSeen = result.responses.filter((r) => emulator.groundTruth(r.id as string)?.fault !== undefined);
    expect(result.responses.filter((r) => r.error !== null).length).toBeGreaterThanOrEqual(faultsSeen.length);
    const loaded = await Result.load(join(dir, 'faults'));
    expect(loaded.stats).toEqual(result.stats);
  });
});
