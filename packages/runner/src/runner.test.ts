import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InvocationResponse, LLMETER_RESPONSE_KEYS } from '@llmeter/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rampSchedule, rateSchedule, scheduleToArray } from './arrival-schedule.js';
import type { ProgressEvent } from './progress.js';
import { Result } from './result.js';
import { Runner } from './runner.js';
import { INTENDED_SEND_KEY } from './stats/stats-accumulator.js';
import { FakeEndpoint } from './test-support/fake-endpoint.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-runner-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const payloads = Array.from({ length: 5 }, (_, i) => ({ prompt: `p${i}` }));
const quiet = { handleSignals: false } as const;

function lines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('Runner, closed loop', () => {
  it('sends clients × nRequests, each client walking its own seeded shuffle', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 1, gapMs: 1 });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      clients: 3,
      nRequests: 5,
      seed: 42,
      ...quiet,
    }).run();
    expect(endpoint.invocations).toBe(15);
    expect(result.totalRequests).toBe(15);
    expect(result.responses).toHaveLength(15);
    expect(endpoint.maxInFlight).toBeLessThanOrEqual(3);
    expect(result.stats['total_requests']).toBe(15);
    expect(result.responses.every((r) => r.scheduleLag === null)).toBe(true);
    // every client sends each payload once per cycle; orders differ between clients
    const counts = new Map<string, number>();
    for (const r of result.responses)
      counts.set(r.inputPrompt as string, (counts.get(r.inputPrompt as string) ?? 0) + 1);
    expect([...counts.values()]).toEqual([3, 3, 3, 3, 3]);
  });

  it('each client of one run walks its own order', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const orders: string[][] = [[], [], [], []];
    await new Runner({
      endpoint,
      payload: payloads,
      clients: 4,
      nRequests: 5,
      callbacks: { beforeInvoke: (p, info) => void orders[info.client as number]?.push(p['prompt'] as string) },
      ...quiet,
    }).run();
    for (const o of orders) expect([...o].sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(1);
  });

  it('gives each client its own order, reproducible by seed', async () => {
    const orderOf = async (seed: number) => {
      // one client: its order is the order of its records
      const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
      const r = await new Runner({ endpoint, payload: payloads, clients: 1, nRequests: 5, seed, ...quiet }).run();
      return r.responses.map((x) => x.inputPrompt as string);
    };
    expect(await orderOf(1)).toEqual(await orderOf(1));
    const many = await Promise.all([1, 2, 3, 4, 5].map(orderOf));
    expect(new Set(many.map((o) => o.join())).size).toBeGreaterThan(1);
    for (const o of many) expect([...o].sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('runDuration bounds a client loop in time', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 5, chunks: 0 });
    const t0 = performance.now();
    const result = await new Runner({ endpoint, payload: payloads, clients: 2, runDuration: 0.3, ...quiet }).run();
    const elapsed = (performance.now() - t0) / 1000;
    expect(elapsed).toBeGreaterThanOrEqual(0.3);
    expect(elapsed).toBeLessThan(3);
    expect(result.totalRequests).toBeGreaterThan(4);
    expect(result.nRequests).toBeNull();
  });
});

describe('Runner, open loop', () => {
  it('sends on the seeded schedule and records intended instant and lag on each record', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 2, chunks: 1 });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      rate: 100,
      arrivals: 'poisson',
      nRequests: 40,
      seed: 9,
      ...quiet,
    }).run();
    expect(result.totalRequests).toBe(40);
    const expected = await scheduleToArray(rateSchedule({ rate: 100, arrivals: 'poisson', seed: 9, count: 40 }));
    const intended = result.responses.map((r) => r.extra?.[INTENDED_SEND_KEY] as number).sort((a, b) => a - b);
    expect(intended).toEqual(expected);
    for (const r of result.responses) {
      expect(r.scheduleLag).not.toBeNull();
      expect(r.scheduleLag as number).toBeGreaterThanOrEqual(0);
      expect(r.scheduleLag as number).toBeLessThan(1);
    }
    expect(result.stats['schedule_lag-p50']).not.toBeNull();
    expect(result.stats['time_to_first_token_from_intended-average'] as number).toBeGreaterThanOrEqual(
      result.stats['time_to_first_token-average'] as number,
    );
  });

  it('holds the requested rate over a bounded run (generous tolerance)', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 20, chunks: 2, gapMs: 10 });
    const result = await new Runner({ endpoint, payload: payloads, rate: 50, nRequests: 60, ...quiet }).run();
    expect(result.totalRequests).toBe(60);
    // constant 50/s: 59 gaps of 20 ms = 1.18 s of sends; requests overlap (open loop)
    expect(endpoint.maxInFlight).toBeGreaterThan(1);
    expect(result.stats['achieved_request_rate'] as number).toBeGreaterThan(35);
    expect(result.stats['achieved_request_rate'] as number).toBeLessThan(70);
  });

  it('a schedule of your own is followed to its end, or cut by nRequests / runDuration when given', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const ramp = () => rampSchedule({ from: 20, to: 60, duration: 0.5 });
    const all = await scheduleToArray(ramp());
    // Λ(0.5) = 20·0.5 + 80·0.25/2 = 20 arrivals
    expect(all).toHaveLength(20);
    const intendedOf = (r: Result) =>
      r.responses.map((x) => x.extra?.[INTENDED_SEND_KEY] as number).sort((a, b) => a - b);
    const runner = new Runner({ endpoint, payload: payloads, schedule: ramp, ...quiet });
    const full = await runner.run();
    expect(full.totalRequests).toBe(20);
    expect(full.nRequests).toBeNull();
    expect(intendedOf(full)).toEqual(all);
    const counted = await runner.run({ nRequests: 7 });
    expect(intendedOf(counted)).toEqual(all.slice(0, 7));
    expect(counted.nRequests).toBe(7);
    const timed = await runner.run({ runDuration: 0.2 });
    expect(intendedOf(timed)).toEqual(all.filter((t) => t < 0.2));
  });

  it('maxConcurrency caps requests in flight; the wait shows as schedule lag', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 50, chunks: 0 });
    const result = await new Runner({
      endpoint,
      payload: payloads,
      rate: 200,
      nRequests: 20,
      maxConcurrency: 2,
      ...quiet,
    }).run();
    expect(result.totalRequests).toBe(20);
    expect(endpoint.maxInFlight).toBeLessThanOrEqual(2);
    // 20 requests, 2 at a time, 50 ms each: the last waits ~0.45 s beyond its instant
    expect(result.stats['schedule_lag-p99'] as number).toBeGreaterThan(0.2);
  });
});

describe('Runner, warm-up, timeouts, callbacks, stop', () => {
  it('warm-up requests are sent but kept out of records, files and statistics', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const warmups: boolean[] = [];
    const result = await new Runner({
      endpoint,
      payload: payloads,
      clients: 2,
      nRequests: 3,
      warmup: 4,
      outputPath: dir,
      runName: 'w',
      callbacks: { afterInvoke: (_r, info) => void warmups.push(info.warmup) },
      ...quiet,
    }).run();
    expect(endpoint.invocations).toBe(10);
    expect(result.totalRequests).toBe(6);
    expect(result.stats['warmup_requests']).toBe(4);
    expect(warmups.filter(Boolean)).toHaveLength(4);
    expect(lines(join(dir, 'w', 'responses.jsonl'))).toHaveLength(6);
  });

  it('a warm-up in seconds runs for that long before the measured requests', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 5, chunks: 0 });
    const t0 = performance.now();
    const result = await new Runner({
      endpoint,
      payload: payloads,
      clients: 2,
      nRequests: 3,
      warmup: { seconds: 0.1 },
      ...quiet,
    }).run();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(result.totalRequests).toBe(6);
    expect(result.stats['warmup_requests'] as number).toBeGreaterThan(2);
    expect(endpoint.invocations).toBe(6 + (result.stats['warmup_requests'] as number));
  });

  it('a request past its timeout is a timeout record; the run goes on', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const result = await new Runner({
      endpoint,
      payload: [{ prompt: 'ok' }, { prompt: 'slow', fake: { stall: true } }],
      nRequests: 2,
      timeout: 0.1,
      ...quiet,
    }).run();
    const slow = result.responses.find((r) => r.inputPrompt === 'slow') as InvocationResponse;
    expect(slow.errorType).toBe('timeout');
    expect(result.stats['failed_requests-timeout']).toBe(1);
    expect(result.stats['failed_requests']).toBe(1);
  });

  it('throwing callbacks are reported, the run and every record survive', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const reported: string[] = [];
    const result = await new Runner({
      endpoint,
      payload: payloads,
      nRequests: 5,
      outputPath: dir,
      runName: 'cb',
      callbacks: [
        {
          beforeRun: () => {
            throw new Error('b');
          },
          beforeInvoke: async () => {
            throw new Error('bi');
          },
          afterInvoke: () => {
            throw new Error('ai');
          },
          afterRun: () => {
            throw new Error('ar');
          },
        },
        {
          afterRun: (r) => {
            r.stats['custom_key'] = 7;
          },
        },
      ],
      onCallbackError: (hook) => void reported.push(hook),
      ...quiet,
    }).run();
    expect(result.totalRequests).toBe(5);
    expect(reported.filter((h) => h === 'beforeInvoke')).toHaveLength(5);
    expect(reported.filter((h) => h === 'afterInvoke')).toHaveLength(5);
    expect(reported).toContain('beforeRun');
    expect(reported).toContain('afterRun');
    expect(result.stats['callback_errors']).toBe(12);
    expect(lines(join(dir, 'cb', 'responses.jsonl'))).toHaveLength(5);
    const stats = JSON.parse(readFileSync(join(dir, 'cb', 'stats.json'), 'utf8'));
    expect(stats['custom_key']).toBe(7);
    expect((await Result.load(join(dir, 'cb'))).stats['custom_key']).toBe(7);
  });

  it('a failing sink is reported and detached; the run folder still gets every record', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const reported: string[] = [];
    const result = await new Runner({
      endpoint,
      payload: payloads,
      nRequests: 5,
      outputPath: dir,
      runName: 's',
      sinks: [
        {
          name: 'bad',
          onRecord() {
            throw new Error('sink down');
          },
        },
      ],
      onCallbackError: (hook) => void reported.push(hook),
      ...quiet,
    }).run();
    expect(reported).toEqual(['sink bad']);
    expect(result.totalRequests).toBe(5);
    expect(lines(join(dir, 's', 'responses.jsonl'))).toHaveLength(5);
  });

  it('an AbortSignal stops sending, waits for requests in flight, and saves with interrupted: true', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 30, chunks: 0 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const result = await new Runner({
      endpoint,
      payload: payloads,
      rate: 50,
      nRequests: 1000,
      signal: ac.signal,
      outputPath: dir,
      runName: 'stop',
      ...quiet,
    }).run();
    expect(result.interrupted).toBe(true);
    expect(result.totalRequests).toBeGreaterThan(2);
    expect(result.totalRequests).toBeLessThan(100);
    expect(endpoint.invocations).toBe(result.totalRequests);
    expect(result.responses.every((r) => r.error === null)).toBe(true);
    const loaded = await Result.load(join(dir, 'stop'));
    expect(loaded.interrupted).toBe(true);
    expect(loaded.totalRequests).toBe(result.totalRequests);
  });

  it('after the drain timeout, requests still in flight are aborted and recorded', async () => {
    const endpoint = new FakeEndpoint({ stall: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const result = await new Runner({
      endpoint,
      payload: payloads,
      clients: 3,
      nRequests: 5,
      signal: ac.signal,
      drainTimeout: 0.05,
      ...quiet,
    }).run();
    expect(result.totalRequests).toBe(3);
    expect(result.stats['failed_requests-aborted']).toBe(3);
  });

  it('emits progress events with live TTFT percentiles, ending with `done`', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 5, chunks: 0 });
    const events: ProgressEvent[] = [];
    await new Runner({
      endpoint,
      payload: payloads,
      rate: 50,
      nRequests: 10,
      warmup: 2,
      onProgress: (e) => void events.push(e),
      progressInterval: 20,
      ...quiet,
    }).run();
    const last = events[events.length - 1] as ProgressEvent;
    expect(last.phase).toBe('done');
    expect(last.done).toBe(10);
    expect(last.total).toBe(10);
    expect(last.ttftP50 as number).toBeGreaterThan(0.004);
    expect(events.some((e) => e.phase === 'warmup')).toBe(true);
  });
});

describe('run folder and Result.load', () => {
  it('writes the LLMeter files; responses.jsonl lines have exactly the 14 keys; load gives the same statistics', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 2, chunks: 3, gapMs: 1 });
    const live = await new Runner({
      endpoint,
      payload: [...payloads, { prompt: 'bad', fake: { fail: 'ThrottlingException' } }],
      rate: 100,
      nRequests: 12,
      outputPath: dir,
      runName: 'run',
      slo: { ttft: 0.5 },
      ...quiet,
    }).run();
    const folder = join(dir, 'run');
    const resp = lines(join(folder, 'responses.jsonl'));
    expect(resp).toHaveLength(12);
    for (const l of resp) expect(Object.keys(l).sort()).toEqual([...LLMETER_RESPONSE_KEYS].sort());
    expect(lines(join(folder, 'responses_ext.jsonl')).map((l) => l['id'])).toEqual(resp.map((l) => l['id']));
    expect(lines(join(folder, 'payload.jsonl'))).toHaveLength(6);
    const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
    expect(Object.keys(summary).sort()).toEqual(
      [
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
      ].sort(),
    );
    const config = JSON.parse(readFileSync(join(folder, 'run_config.json'), 'utf8'));
    expect(config.endpoint.endpoint_type).toBe('FakeEndpoint');
    expect(config.rate).toBe(100);
    const loaded = await Result.load(folder);
    expect(loaded.stats).toEqual(live.stats);
    expect(loaded.responses.map((r) => r.toFullJSON())).toEqual(live.responses.map((r) => r.toFullJSON()));
    expect(loaded.interrupted).toBe(false);
    expect(loaded.stats['failed_requests-throttled'] as number).toBeGreaterThan(0);
    expect(loaded.stats['goodput_requests']).toBe(live.stats['goodput_requests']);
  });

  it('recovers a folder with a truncated last line and no summary (a killed run)', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 1 });
    await new Runner({ endpoint, payload: payloads, nRequests: 5, outputPath: dir, runName: 'k', ...quiet }).run();
    const folder = join(dir, 'k');
    rmSync(join(folder, 'summary.json'));
    const text = readFileSync(join(folder, 'responses.jsonl'), 'utf8');
    writeFileSync(join(folder, 'responses.jsonl'), `${text}{"response_text": "cut`);
    const loaded = await Result.load(folder);
    expect(loaded.totalRequests).toBe(5);
    expect(loaded.interrupted).toBe(true);
    writeFileSync(join(folder, 'responses.jsonl'), `{"broken\n${text}`);
    await expect(Result.load(folder)).rejects.toThrow(/responses\.jsonl:1/);
  });

  it('a rerun with the same name replaces the folder; an LLMeter folder (no sidecar) loads', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const runner = new Runner({
      endpoint,
      payload: payloads,
      nRequests: 3,
      outputPath: dir,
      runName: 'again',
      ...quiet,
    });
    await runner.run();
    await runner.run({ nRequests: 2 });
    const folder = join(dir, 'again');
    expect(lines(join(folder, 'responses.jsonl'))).toHaveLength(2);
    rmSync(join(folder, 'responses_ext.jsonl'));
    rmSync(join(folder, 'stats.json'));
    const loaded = await Result.load(folder);
    expect(loaded.totalRequests).toBe(2);
    expect(loaded.responses[0]?.chunkTimes).toBeNull();
    expect(loaded.stats['time_to_first_token-p50']).not.toBeNull();
  });

  it('lowMemory keeps no records; its statistics equal those of its reloaded folder', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 2, gapMs: 1 });
    const live = await new Runner({
      endpoint,
      payload: payloads,
      clients: 2,
      nRequests: 10,
      lowMemory: true,
      outputPath: dir,
      runName: 'lm',
      ...quiet,
    }).run();
    expect(live.responses).toHaveLength(0);
    expect(live.totalRequests).toBe(20);
    const loaded = await Result.load(join(dir, 'lm'));
    expect(loaded.responses).toHaveLength(0);
    expect(loaded.stats).toEqual(live.stats);
  });

  it('fails before any request on a malformed payload file, naming file and line', async () => {
    const file = join(dir, 'p.jsonl');
    writeFileSync(file, '{"prompt": "a"}\n{"prompt": \n');
    const endpoint = new FakeEndpoint();
    await expect(new Runner({ endpoint, payload: file, ...quiet }).run()).rejects.toThrow(`${file}:2`);
    expect(endpoint.invocations).toBe(0);
  });

  it('rejects bad options at construction and per run, before any request', async () => {
    const endpoint = new FakeEndpoint();
    expect(() => new Runner({ endpoint, payload: payloads, clients: 0 })).toThrow(
      /clients must be a positive integer, got 0/,
    );
    expect(() => new Runner({ endpoint, payload: payloads, rate: -1 })).toThrow(/rate must be a positive number/);
    const runner = new Runner({ endpoint, payload: payloads, outputPath: dir, runName: 'bad', ...quiet });
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    await expect(runner.run({ rate: 5, arrivals: 'bursty' as any })).rejects.toThrow(/arrivals must be/);
    await expect(runner.run({ warmup: -1 })).rejects.toThrow(/warmup/);
    expect(endpoint.invocations).toBe(0);
  });

  it('reads payloads from .json, .jsonl, a folder and an async iterable', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ prompt: 'a' }, { prompt: 'b' }]));
    writeFileSync(join(dir, 'b.jsonl'), '{"prompt": "c"}\n\n{"prompt": "d"}\n');
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    const fromFolder = await new Runner({ endpoint, payload: dir, ...quiet }).run();
    expect(fromFolder.responses.map((r) => r.inputPrompt).sort()).toEqual(['a', 'b', 'c', 'd']);
    async function* gen() {
      yield { prompt: 'x' };
      yield { prompt: 'y' };
    }
    const fromIterable = await new Runner({ endpoint, payload: gen(), outputPath: dir, runName: 'it', ...quiet }).run();
    expect(fromIterable.totalRequests).toBe(2);
    expect(lines(join(dir, 'it', 'payload.jsonl'))).toEqual([{ prompt: 'x' }, { prompt: 'y' }]);
  });

  it('an async-iterable payload source that throws ends the run like a stop: reported, everything saved', async () => {
    const endpoint = new FakeEndpoint({ ttftMs: 1, chunks: 0 });
    async function* broken() {
      yield { prompt: 'x' };
      yield { prompt: 'y' };
      throw new Error('source broke');
    }
    const reported: Array<[string, string]> = [];
    const result = await new Runner({
      endpoint,
      payload: broken(),
      clients: 2,
      outputPath: dir,
      runName: 'broken',
      onCallbackError: (hook, error) => void reported.push([hook, (error as Error).message]),
      ...quiet,
    }).run();
    expect(reported).toEqual([['payload', 'source broke']]);
    expect(result.interrupted).toBe(true);
    expect(result.totalRequests).toBe(2);
    expect(endpoint.invocations).toBe(2);
    const loaded = await Result.load(join(dir, 'broken'));
    expect(loaded.interrupted).toBe(true);
    expect(loaded.stats).toEqual(result.stats);
  });
});
