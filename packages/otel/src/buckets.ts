/**
 * Histogram bucket boundaries. The `GENAI_*` lists are the OpenTelemetry GenAI semantic conventions' recommended
 * boundaries; the `FINE_*` lists are ours, for benchmarks where the doubling buckets make `histogram_quantile`
 * too coarse.
 */

/** Recommended boundaries for `gen_ai.client.operation.duration`, `…time_to_first_chunk`, `…time_per_output_chunk` (seconds). */
export const GENAI_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/** Recommended boundaries for `gen_ai.client.token.usage` (tokens). */
export const GENAI_TOKEN_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** Our boundaries for `llmeter.client.time_per_output_token` (seconds): the server TPOT list, extended below 10 ms. */
export const TPOT_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
  1, 2.5,
]);

/** Our boundaries for `llmeter.client.schedule_lag` (seconds). */
export const SCHEDULE_LAG_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per decade: neighbouring boundaries differ by at most a third. */
const FINE_MANTISSAS = [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8] as const;

/** Boundaries from `from` (a power of ten) up to `to`, ten per decade (see `FINE_MANTISSAS`). */
function fineSeries(fromExponent: number, toExponent: number): readonly number[] {
  const out: number[] = [];
  for (let e = fromExponent; e < toExponent; e++) {
    for (const m of FINE_MANTISSAS) out.push(Number((m * 10 ** e).toPrecision(3)));
  }
  out.push(10 ** toExponent);
  return Object.freeze(out);
}

/** Finer boundaries for the seconds histograms: 1 ms to 100 s, ten per decade (51 boundaries). */
export const FINE_SECONDS_BUCKETS: readonly number[] = fineSeries(-3, 2);

/** Finer boundaries for token counts: 1 to 1,000,000 tokens, ten per decade (61 boundaries). */
export const FINE_TOKEN_BUCKETS: readonly number[] = fineSeries(0, 6);
