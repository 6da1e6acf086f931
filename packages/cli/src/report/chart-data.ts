import type { ErrorType } from '@llmeter/core';
import { QuantileSketch } from '@llmeter/runner';

/**
 * Counts of values in equal-width bins. `edges` has one more entry than `counts`. When `tail` is true the last
 * bin is an overflow bin: it holds every value above `edges[counts.length - 1]` (its upper edge is the max).
 */
export interface Histogram {
  edges: number[];
  counts: number[];
  tail: boolean;
}

/**
 * Equal-width bins chosen from a first pass over the values (count, min, max and an approximate p99), then filled
 * exactly by a second pass: the two passes read the values one at a time, so a histogram of any number of values
 * takes bounded memory. At most `maxBins` bins between min and max (about √n, at least one). A long tail (max beyond
 * p99 by more than half the p99 range) gets one overflow bin of its own, so a few outliers do not squash the body
 * of the distribution into one bar. Equal values give one bin. Every observed value lands in exactly one bin.
 */
export class HistogramBuilder {
  private n = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  // p99 only places the overflow edge; the counts are exact whatever its error (α = 0.1 %).
  private readonly sketch = new QuantileSketch(0.001);
  private plan: { min: number; top: number; width: number; bins: number; tail: boolean; max: number } | null = null;
  private counts: number[] = [];

  /** Values observed in the first pass (finite ones). */
  get count(): number {
    return this.n;
  }

  /** First pass: one value (null, NaN and infinities are ignored). */
  observe(value: number | null | undefined): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    this.n++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.add(value);
  }

  /** Fixes the bins after the first pass. */
  private planBins(maxBins: number): NonNullable<HistogramBuilder['plan']> {
    const { n, min, max } = this;
    if (n === 0 || min === max) return { min, top: max, width: 0, bins: 1, tail: false, max };
    // The order statistic LLMeter-style p99 indexes (floor of 0.99·(n−1)), not an interpolation towards the max.
    const rank = Math.floor(0.99 * (n - 1));
    const estimate = this.sketch.percentiles([(100 * rank) / (n - 1)])[0] ?? max;
    // Widened by twice the sketch's error so the p99 value itself stays in the body, as with exact ranks.
    const p99 = Math.min(max, estimate + Math.abs(estimate) * 0.002);
    const tail = n >= 20 && p99 > min && max - p99 > 0.5 * (p99 - min);
    const top = tail ? p99 : max;
    const bins = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(n))));
    return { min, top, width: (top - min) / bins, bins, tail, max };
  }

  /** Second pass: counts one value (call `observe` for every value first). */
  add(value: number | null | undefined, maxBins = 30): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    if (!this.plan) {
      this.plan = this.planBins(maxBins);
      this.counts = new Array<number>(this.plan.bins + (this.plan.tail ? 1 : 0)).fill(0);
    }
    const { min, top, width, bins, tail } = this.plan;
    const i =
      width === 0 ? 0 : tail && value > top ? bins : Math.max(0, Math.min(bins - 1, Math.floor((value - min) / width)));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  /** The histogram of the values counted by `add`. */
  result(): Histogram {
    const plan = this.plan;
    if (!plan || this.n === 0) return { edges: [], counts: [], tail: false };
    if (plan.width === 0) return { edges: [plan.min, plan.max], counts: [...this.counts], tail: false };
    const edges = Array.from({ length: plan.bins + 1 }, (_, i) => plan.min + i * plan.width);
    if (plan.tail) edges.push(plan.max);
    return { edges, counts: [...this.counts], tail: plan.tail };
  }
}

/** The histogram of values in memory (`HistogramBuilder`, both passes over the array). */
export function histogram(values: readonly number[], maxBins = 30): Histogram {
  const builder = new HistogramBuilder();
  for (const v of values) builder.observe(v);
  for (const v of values) builder.add(v, maxBins);
  return builder.result();
}

/** Outcome of a request for charts: `ok` or its error type. */
export type Outcome = 'ok' | ErrorType;
