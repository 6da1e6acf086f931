import { percentileOfSorted } from '@llmeter/core';
import { QuantileSketch } from './quantile-sketch.js';

/**
 * One metric's values: count, sum, min and max exactly; percentiles either exact (every value kept in a
 * growable `Float64Array`, 8 bytes a value) or from a `QuantileSketch` (bounded memory, relative error α).
 */
export class ValueSeries {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private values: Float64Array | null;
  private readonly sketch: QuantileSketch | null;

  constructor(mode: 'exact' | 'sketch', relativeAccuracy?: number) {
    this.values = mode === 'exact' ? new Float64Array(64) : null;
    this.sketch = mode === 'sketch' ? new QuantileSketch(relativeAccuracy) : null;
  }

  /** Adds a value; null, undefined, NaN and infinities are dropped. */
  add(value: number | null | undefined): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    if (this.values) {
      if (this.count === this.values.length) {
        const grown = new Float64Array(this.values.length * 2);
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.count] = value;
    } else this.sketch?.add(value);
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The mean, or null when empty. */
  get average(): number | null {
    return this.count ? this.sum / this.count : null;
  }

  /** Percentiles by type-7 interpolation (exact mode) or from the sketch; null when empty. */
  percentiles(ps: readonly number[]): Array<number | null> {
    if (this.sketch) return this.sketch.percentiles(ps);
    const sorted = (this.values as Float64Array).slice(0, this.count).sort();
    return ps.map((p) => percentileOfSorted(sorted, p));
  }
}
