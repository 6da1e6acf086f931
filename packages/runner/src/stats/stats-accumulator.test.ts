import { InvocationResponse } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import { QuantileSketch } from './quantile-sketch.js';
import { computeStats, StatsAccumulator } from './stats-accumulator.js';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');
function rec(i: number, init: ConstructorParameters<typeof InvocationResponse>[0]): InvocationResponse {
  return new InvocationResponse({ id: `r${i}`, requestTime: new Date(t0 + i * 1000), ...init });
}

// Four requests over a 3 s window (request_time 0, 1, 2, 3 s), one failed (throttled).
const records = [
  rec(0, {
    timeToFirstToken: 0.1,
    timeToLastToken: 1.1,
    numTokensOutput: 11,
    numTokensInput: 100,
    chunkTimes: [0.1, 0.3, 0.4],
    scheduleLag: 0.001,
  }),
  rec(1, {
    timeToFirstToken: 0.2,
    timeToLastToken: 2.2,
    numTokensOutput: 21,
    numTokensInput: 200,
    chunkTimes: [0.2, 0.5],
    scheduleLag: 0.003,
  }),
  rec(2, { timeToFirstToken: 0.4, timeToLastToken: 0.4, numTokensOutput: 1, numTokensInput: 300, scheduleLag: 0.002 }),
  rec(3, { error: 'throttled', errorType: 'throttled', numTokensInput: null, scheduleLag: 0.01 }),
];

describe('StatsAccumulator (exact)', () => {
  const s = computeStats(records, { slo: { ttft: 0.3, tpot: 0.05 } });

  it("LLMeter's keys, hand-computed", () => {
    // TTFT values 0.1, 0.2, 0.4: mean 0.7/3; type-7 p50 = 0.2, p90: h = 1.8 → 0.2 + 0.8·0.2 = 0.36
    expect(s['time_to_first_token-average']).toBeCloseTo(0.7 / 3, 12);
    expect(s['time_to_first_token-p50']).toBeCloseTo(0.2, 12);
    expect(s['time_to_first_token-p90']).toBeCloseTo(0.36, 12);
    expect(s['time_to_first_token-p99']).toBeCloseTo(0.396, 12); // h = 1.98 → 0.2 + 0.98·0.2;
    // TTLT 1.1, 2.2, 0.4 → sorted 0.4, 1.1, 2.2: p50 1.1, p90 = 1.1 + 0.8·1.1 = 1.98
    expect(s['time_to_last_token-average']).toBeCloseTo(3.7 / 3, 12);
    expect(s['time_to_last_token-p90']).toBeCloseTo(1.98, 12);
    // TPOT: (1.1−0.1)/10 = 0.1, (2.2−0.2)/20 = 0.1; one-token answer has none
    expect(s['time_per_output_token-average']).toBeCloseTo(0.1, 12);
    expect(s['num_tokens_output-average']).toBeCloseTo(11, 12);
    expect(s['num_tokens_input-p50']).toBe(200);
    expect(s['failed_requests']).toBe(1);
    expect(s['failed_requests_rate']).toBe(0.25);
    expect(s['total_requests']).toBe(4);
    expect(s['total_input_tokens']).toBe(600);
    expect(s['total_output_tokens']).toBe(33);
    // window W = 3 s
    expect(s['requests_per_minute']).toBeCloseTo(80, 12);
    expect(s['average_input_tokens_per_minute']).toBeCloseTo(12_000, 9);
    expect(s['average_output_tokens_per_minute']).toBeCloseTo(660, 9);
    expect(s['output_tps']).toBeCloseTo(11, 12);
  });

  it('our additions, hand-computed', () => {
    // gaps 0.2, 0.1, 0.3 → sorted 0.1, 0.2, 0.3
    expect(s['inter_chunk_latency-average']).toBeCloseTo(0.2, 12);
    expect(s['inter_chunk_latency-p50']).toBeCloseTo(0.2, 12);
    expect(s['inter_chunk_latency-p90']).toBeCloseTo(0.28, 12);
    // lags 0.001, 0.003, 0.002, 0.01 → sorted; p50 = 0.0025
    expect(s['schedule_lag-p50']).toBeCloseTo(0.0025, 12);
    expect(s['schedule_lag-average']).toBeCloseTo(0.004, 12);
    expect(s['time_to_first_token_from_intended-average']).toBeCloseTo((0.101 + 0.203 + 0.402) / 3, 12);
    expect(s['time_to_last_token_from_intended-p50']).toBeCloseTo(1.101, 12);
    expect(s['failed_requests-throttled']).toBe(1);
    expect(s['failed_requests-server']).toBeUndefined();
    expect(s['achieved_request_rate']).toBeCloseTo(1, 12);
    // SLO ttft ≤ 0.3 and tpot ≤ 0.05: TPOT 0.1 fails r0, r1; r2 TTFT 0.4 fails; r3 failed → 0
    expect(s['goodput_requests']).toBe(0);
    const loose = computeStats(records, { slo: { ttft: 0.3 } });
    expect(loose['goodput_requests']).toBe(2);
    expect(loose['goodput_fraction']).toBe(0.5);
    expect(loose['goodput_rate']).toBeCloseTo(2 / 3, 12);
  });

  it('goodput: a failed request never counts, even one whose timings meet every SLO', () => {
    // r0 meets ttft ≤ 0.5, ttlt ≤ 2, tpot ≤ 0.2; the stream error after a fast first token has the same timings
    const ok = rec(0, { timeToFirstToken: 0.1, timeToLastToken: 1.1, numTokensOutput: 11 });
    const cut = rec(1, {
      timeToFirstToken: 0.1,
      timeToLastToken: 1.1,
      numTokensOutput: 11,
      error: 'Bedrock modelStreamErrorException: boom',
      errorType: 'stream',
    });
    const slow = rec(2, { timeToFirstToken: 0.1, timeToLastToken: 2.5, numTokensOutput: 11 });
    const g = computeStats([ok, cut, slow], { slo: { ttft: 0.5, ttlt: 2, tpot: 0.2 } });
    // only r0: r1 failed, r2 misses ttlt; window 2 s (request_time 0 s → 2 s)
    expect(g['goodput_requests']).toBe(1);
    expect(g['goodput_fraction']).toBeCloseTo(1 / 3, 12);
    expect(g['goodput_rate']).toBeCloseTo(0.5, 12);
    expect(g['failed_requests-stream']).toBe(1);
    // no SLO, no goodput keys
    expect('goodput_rate' in computeStats([ok])).toBe(false);
  });

  it('attribution: client queue time and server time to first byte, hand-computed', () => {
    const a = rec(0, { timeToRequestSent: 0.002, timeToResponseHeaders: 0.052, timeToFirstToken: 0.06 });
    const b = rec(1, { timeToRequestSent: 0.004, timeToResponseHeaders: 0.104, timeToFirstToken: 0.11 });
    // only the socket hand-off known: a queue time, no server time
    const c = rec(2, { timeToRequestSent: 0.009, timeToFirstToken: 0.2 });
    const t = computeStats([a, b, c]);
    // queue 0.002, 0.004, 0.009 → average 0.005, p50 0.004, p90 = 0.004 + 0.8·0.005 = 0.008
    expect(t['client_queue_time-average']).toBeCloseTo(0.005, 12);
    expect(t['client_queue_time-p50']).toBeCloseTo(0.004, 12);
    expect(t['client_queue_time-p90']).toBeCloseTo(0.008, 12);
    // server 0.05, 0.1 → average 0.075, p50 0.075, p99 = 0.05 + 0.99·0.05
    expect(t['server_time_to_first_byte-average']).toBeCloseTo(0.075, 12);
    expect(t['server_time_to_first_byte-p50']).toBeCloseTo(0.075, 12);
    expect(t['server_time_to_first_byte-p99']).toBeCloseTo(0.0995, 12);
    // not measured: keys absent
    expect('client_queue_time-p50' in computeStats([rec(0, { timeToFirstToken: 0.1 })])).toBe(false);
  });

  it('empty and single-record runs give nulls, not NaN', () => {
    const empty = computeStats([]);
    expect(empty['time_to_first_token-p50']).toBeNull();
    expect(empty['requests_per_minute']).toBeNull();
    expect(empty['failed_requests_rate']).toBeNull();
    expect('schedule_lag-p50' in empty).toBe(false);
    const one = computeStats([records[0] as InvocationResponse]);
    expect(one['requests_per_minute']).toBeNull();
    expect(one['time_to_first_token-p99']).toBeCloseTo(0.1, 12);
  });
});

describe('low-memory statistics (quantile sketch)', () => {
  it('percentiles within the relative accuracy of the exact ones; counts, sums and averages exact', () => {
    const rs: InvocationResponse[] = [];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const ttft = 0.05 + (x / 2 ** 31) * 0.5;
      rs.push(
        rec(i, {
          timeToFirstToken: ttft,
          timeToLastToken: ttft * 3,
          numTokensOutput: 1 + (i % 50),
          numTokensInput: 10,
        }),
      );
    }
    const exact = computeStats(rs);
    const sketched = computeStats(rs, { lowMemory: true });
    for (const k of Object.keys(exact)) {
      const e = exact[k] as number;
      const a = sketched[k] as number;
      if (/-p\d+$/.test(k)) expect(Math.abs(a - e)).toBeLessThanOrEqual(Math.abs(e) * 0.0011 + 1e-12);
      else expect(a).toBe(e);
    }
  });

  it('the sketch result depends on the values, not their order, and its memory on their range', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const vals = Array.from({ length: 20_000 }, (_, i) => 0.001 + ((i * 7919) % 10_000) / 1000);
    for (const v of vals) a.add(v);
    for (const v of [...vals].reverse()) b.add(v);
    expect(a.percentiles([1, 50, 99])).toEqual(b.percentiles([1, 50, 99]));
    expect(a.bucketCount).toBeLessThan(5000);
    const c = new QuantileSketch();
    c.add(-2);
    c.add(0);
    c.add(2);
    const [lo, mid, hi] = c.percentiles([0, 50, 100]);
    expect(lo).toBeCloseTo(-2, 2);
    expect(mid).toBe(0);
    expect(hi).toBeCloseTo(2, 2);
  });

  it('a StatsAccumulator is a record sink', () => {
    const acc = new StatsAccumulator();
    for (const r of records) acc.onRecord(r);
    expect(acc.count).toBe(4);
    expect(acc.failures).toBe(1);
    expect(acc.result()).toEqual(computeStats(records));
  });
});
