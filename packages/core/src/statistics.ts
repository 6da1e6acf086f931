import { LLMeterValidationError } from './errors.js';

/** Summary statistics of a set of values; fields are null when no value remained. */
export interface Summary {
  count: number;
  average: number | null;
  min: number | null;
  max: number | null;
  /** `p50`, `p90`, `p99`, … one key per requested percentile. */
  [percentile: `p${string}`]: number | null;
}

/** Options for `summarize`. */
export interface SummarizeOptions {
  /** Percentiles to compute, each in [0, 100]. Default `[50, 90, 99]`. */
  percentiles?: readonly number[];
}

/** The default percentiles: p50, p90, p99. */
export const DEFAULT_PERCENTILES: readonly number[] = [50, 90, 99];

/** The key of a percentile in a summary: `50 → 'p50'`, `99.9 → 'p99.9'`. */
export function percentileKey(p: number): `p${string}` {
  return `p${p}`;
}

/**
 * The p-th percentile of values already sorted ascending, by linear interpolation between closest ranks
 * (Hyndman & Fan type 7, numpy's default `linear`): rank h = (n − 1)·p/100, result
 * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Null for an empty list.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new LLMeterValidationError(`percentile must be within [0, 100], got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/** Keeps the finite numbers of a list (null, undefined, NaN and ±Infinity dropped). */
export function finiteValues(values: Iterable<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out;
}

/**
 * Count, average, min, max and percentiles over the values, with null, undefined, NaN and ±Infinity dropped.
 *
 * Percentiles use linear interpolation between closest ranks (Hyndman & Fan type 7, numpy's default
 * `percentile`, Excel's `PERCENTILE.INC`): sorted ascending, rank h = (n − 1)·p/100, value
 * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Example: over [15, 20, 35, 40, 50], p40 = 29 and p90 = 46.
 * p0 is the minimum and p100 the maximum. Note: Python LLMeter uses `statistics.quantiles` (its default
 * `exclusive` method, type 6) for every percentile but p50, so on small samples its p90/p99 are higher than
 * these (over 1…10: type 7 p90 = 9.1, type 6 p90 = 9.9); medians agree.
 * Every field but `count` is null when no value remains.
 */
export function summarize(values: Iterable<number | null | undefined>, options: SummarizeOptions = {}): Summary {
  const percentiles = options.percentiles ?? DEFAULT_PERCENTILES;
  const xs = finiteValues(values);
  xs.sort((a, b) => a - b);
  const n = xs.length;
  let sum = 0;
  for (const x of xs) sum += x;
  const summary: Summary = {
    count: n,
    average: n ? sum / n : null,
    min: n ? (xs[0] as number) : null,
    max: n ? (xs[n - 1] as number) : null,
  };
  for (const p of percentiles) summary[percentileKey(p)] = percentileOfSorted(xs, p);
  return summary;
}
