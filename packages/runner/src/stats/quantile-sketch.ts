import { LLMeterValidationError } from '@llmeter/core';

/**
 * A relative-error quantile sketch (the DDSketch bucketing: logarithmic buckets of ratio γ = (1+α)/(1−α)),
 * used by low-memory runs. Memory is bounded by the value range, not the count: with α = 0.001 values
 * from 1 µs to 1000 s need at most ~10,400 buckets. A value is represented by its bucket's midpoint
 * 2γ^i/(γ+1), which is within α (relative) of it; percentiles then interpolate between ranks as type 7 does
 * (`percentileOfSorted` in core), so a sketch percentile is within α of the exact one. Zero and negative
 * values are kept (negatives in buckets of their absolute value). The result depends only on the multiset
 * of values added, never on their order.
 */
export class QuantileSketch {
  /** Relative accuracy α. */
  readonly relativeAccuracy: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  private readonly positive = new Map<number, number>();
  private readonly negative = new Map<number, number>();
  private zeros = 0;
  private n = 0;

  constructor(relativeAccuracy = 0.001) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new LLMeterValidationError(`relativeAccuracy must be within (0, 1), got ${relativeAccuracy}`);
    }
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  /** Values added. */
  get count(): number {
    return this.n;
  }

  /** Buckets in use (the sketch's memory, roughly 50 bytes each). */
  get bucketCount(): number {
    return this.positive.size + this.negative.size + (this.zeros ? 1 : 0);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.n++;
    if (value === 0 || Math.abs(value) < 1e-12) {
      this.zeros++;
      return;
    }
    const map = value > 0 ? this.positive : this.negative;
    const i = Math.ceil(Math.log(Math.abs(value)) / this.logGamma);
    map.set(i, (map.get(i) ?? 0) + 1);
  }

  private representative(i: number): number {
    return (2 * this.gamma ** i) / (this.gamma + 1);
  }

  /** Sorted (value, count) runs, ascending. */
  private runs(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const neg = [...this.negative.keys()].sort((a, b) => b - a);
    for (const i of neg) out.push([-this.representative(i), this.negative.get(i) as number]);
    if (this.zeros) out.push([0, this.zeros]);
    const pos = [...this.positive.keys()].sort((a, b) => a - b);
    for (const i of pos) out.push([this.representative(i), this.positive.get(i) as number]);
    return out;
  }

  /** Percentiles (type-7 interpolation between the estimated order statistics); null when empty. */
  percentiles(ps: readonly number[]): Array<number | null> {
    if (this.n === 0) return ps.map(() => null);
    const runs = this.runs();
    const at = (rank: number): number => {
      let seen = 0;
      for (const [v, c] of runs) {
        seen += c;
        if (rank < seen) return v;
      }
      return (runs[runs.length - 1] as [number, number])[0];
    };
    return ps.map((p) => {
      if (!(p >= 0 && p <= 100)) throw new LLMeterValidationError(`percentile must be within [0, 100], got ${p}`);
      const h = ((this.n - 1) * p) / 100;
      const lo = Math.floor(h);
      const a = at(lo);
      const b = at(Math.min(lo + 1, this.n - 1));
      return a + (h - lo) * (b - a);
    });
  }
}
