import type { ErrorType, InvocationResponse, RecordSink, SLO } from '@llmeter/core';
import { ERROR_TYPES, interChunkLatencies, meetsSLO } from '@llmeter/core';
import { ValueSeries } from './value-series.js';

/** A run's statistics: a flat object, written as `stats.json`. Absent measurements are null. */
export type Stats = Record<string, number | null | boolean | string>;

/** Options of `StatsAccumulator` and `computeStats`. */
export interface StatsOptions {
  /**
   * `false` (default): percentiles are exact (type 7, every value kept in Float64Arrays).
   * `true`: percentiles from a `QuantileSketch` (relative error `relativeAccuracy`), memory flat in the
   * number of requests. Counts, sums, averages, min, max and rates are exact either way.
   */
  lowMemory?: boolean;
  /** Relative accuracy of the sketch in low-memory mode; default 0.001. */
  relativeAccuracy?: number;
  /** Service-level objectives (seconds) for goodput; goodput keys are present only when given. */
  slo?: SLO;
  /** Percentiles reported for every metric; default [50, 90, 99] (LLMeter's). */
  percentiles?: readonly number[];
}

/** The intended send instant (seconds from the run start) a runner stores in `record.extra`. */
export const INTENDED_SEND_KEY = 'intended_send_time';

const METRICS = [
  'time_to_last_token',
  'time_to_first_token',
  'time_per_output_token',
  'num_tokens_output',
  'num_tokens_input',
  'inter_chunk_latency',
  'schedule_lag',
  'time_to_first_token_from_intended',
  'time_to_last_token_from_intended',
  'client_queue_time',
  'server_time_to_first_byte',
] as const;
type Metric = (typeof METRICS)[number];

/**
 * Streaming statistics over records: the ONE definition of every `stats.json` key, used by live runs
 * (fed as records finish) and by `Result.load` (fed the records read back, in file order).
 *
 * Definitions (see the package README): per-metric `-average|-p50|-p90|-p99` over the non-null values of
 * every record, failed ones included (as LLMeter); `inter_chunk_latency` over every gap of every record's
 * `chunkTimes`; `schedule_lag` = actual − intended send instant; `*_from_intended` = lag + TTFT/TTLT;
 * `client_queue_time` = `timeToRequestSent` (invoke start → request handed to the socket: time spent in the
 * client); `server_time_to_first_byte` = `timeToResponseHeaders − timeToRequestSent` (request sent → response
 * headers: network plus the server's time to first byte). Together with TTFT they separate client queueing,
 * server latency and streaming.
 * Rates use the window W = last − first `requestTime` (seconds): `requests_per_minute` = n·60/W (LLMeter),
 * `achieved_request_rate` = (n − 1)/W (sends per second), tokens per minute = total·60/W, `output_tps` =
 * total output tokens/W, `goodput_rate` = requests meeting every SLO / W. A rate is null when W = 0.
 */
export class StatsAccumulator implements RecordSink {
  readonly name = 'statistics';
  private readonly series: Record<Metric, ValueSeries>;
  private readonly slo: SLO | undefined;
  private readonly percentiles: readonly number[];
  private total = 0;
  private failed = 0;
  private readonly byType = new Map<ErrorType, number>();
  private inputTokens = 0;
  private outputTokens = 0;
  private good = 0;
  private firstMs = Number.POSITIVE_INFINITY;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(options: StatsOptions = {}) {
    const mode = options.lowMemory ? 'sketch' : 'exact';
    this.series = Object.fromEntries(
      METRICS.map((m) => [m, new ValueSeries(mode, options.relativeAccuracy)]),
    ) as Record<Metric, ValueSeries>;
    this.slo = options.slo;
    this.percentiles = options.percentiles ?? [50, 90, 99];
  }

  /** Records added so far. */
  get count(): number {
    return this.total;
  }

  /** Failed records added so far. */
  get failures(): number {
    return this.failed;
  }

  /** First and last `requestTime` seen (null when none). */
  get requestTimeRange(): { first: Date; last: Date } | null {
    return this.total && Number.isFinite(this.firstMs)
      ? { first: new Date(this.firstMs), last: new Date(this.lastMs) }
      : null;
  }

  /** Adds one record. */
  add(r: InvocationResponse): void {
    this.total++;
    if (r.error !== null) {
      this.failed++;
      const t: ErrorType = r.errorType ?? 'unknown';
      this.byType.set(t, (this.byType.get(t) ?? 0) + 1);
    }
    const s = this.series;
    s.time_to_last_token.add(r.timeToLastToken);
    s.time_to_first_token.add(r.timeToFirstToken);
    s.time_per_output_token.add(r.effectiveTimePerOutputToken);
    s.num_tokens_output.add(r.numTokensOutput);
    s.num_tokens_input.add(r.numTokensInput);
    for (const gap of interChunkLatencies(r.chunkTimes)) s.inter_chunk_latency.add(gap);
    if (r.scheduleLag !== null) {
      s.schedule_lag.add(r.scheduleLag);
      if (r.timeToFirstToken !== null) s.time_to_first_token_from_intended.add(r.scheduleLag + r.timeToFirstToken);
      if (r.timeToLastToken !== null) s.time_to_last_token_from_intended.add(r.scheduleLag + r.timeToLastToken);
    }
    s.client_queue_time.add(r.timeToRequestSent);
    if (r.timeToRequestSent !== null && r.timeToResponseHeaders !== null) {
      s.server_time_to_first_byte.add(r.timeToResponseHeaders - r.timeToRequestSent);
    }
    this.inputTokens += r.numTokensInput ?? 0;
    this.outputTokens += r.numTokensOutput ?? 0;
    if (this.slo && meetsSLO(r, this.slo)) this.good++;
    if (r.requestTime) {
      const ms = r.requestTime.getTime();
      if (ms < this.firstMs) this.firstMs = ms;
      if (ms > this.lastMs) this.lastMs = ms;
    }
  }

  /** `RecordSink` form of `add`. */
  onRecord(record: InvocationResponse): void {
    this.add(record);
  }

  /** The statistics of the records added so far. */
  result(): Stats {
    const out: Stats = {};
    for (const m of METRICS) {
      const series = this.series[m];
      // Our extra metrics appear only when measured; LLMeter's five always.
      if (series.count === 0 && METRICS.indexOf(m) >= 5) continue;
      out[`${m}-average`] = series.average;
      const ps = series.percentiles(this.percentiles);
      this.percentiles.forEach((p, i) => {
        out[`${m}-p${p}`] = ps[i] ?? null;
      });
    }
    const n = this.total;
    const window = n > 0 && Number.isFinite(this.firstMs) ? (this.lastMs - this.firstMs) / 1000 : 0;
    const per = (x: number) => (window > 0 ? x / window : null);
    out['failed_requests'] = this.failed;
    out['failed_requests_rate'] = n ? this.failed / n : null;
    for (const t of ERROR_TYPES) {
      const c = this.byType.get(t);
      if (c) out[`failed_requests-${t}`] = c;
    }
    out['total_requests'] = n;
    out['total_input_tokens'] = this.inputTokens;
    out['total_output_tokens'] = this.outputTokens;
    const rpm = per(n * 60);
    out['requests_per_minute'] = rpm;
    out['average_input_tokens_per_minute'] = per(this.inputTokens * 60);
    out['average_output_tokens_per_minute'] = per(this.outputTokens * 60);
    out['output_tps'] = per(this.outputTokens);
    out['achieved_request_rate'] = n > 1 ? per(n - 1) : null;
    if (this.slo) {
      out['goodput_requests'] = this.good;
      out['goodput_fraction'] = n ? this.good / n : null;
      out['goodput_rate'] = per(this.good);
    }
    return out;
  }
}

/** The statistics of a set of records: `StatsAccumulator` fed in order. */
export function computeStats(records: Iterable<InvocationResponse>, options: StatsOptions = {}): Stats {
  const acc = new StatsAccumulator(options);
  for (const r of records) acc.add(r);
  return acc.result();
}
