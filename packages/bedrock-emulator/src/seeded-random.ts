import type { LatencyDistribution } from './types.js';

/** A small, fast, seeded PRNG (mulberry32): `next()` returns a float in [0, 1). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator for item `index` of a stream seeded with `seed`: independent of every other index. */
  static forIndex(seed: number, index: number): SeededRandom {
    // splitmix32-style mixing so that neighbouring (seed, index) pairs give unrelated streams.
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    return new SeededRandom((h ^ (h >>> 16)) >>> 0);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A draw from a latency distribution, in ms, never negative. */
  latency(d: LatencyDistribution): number {
    if (typeof d === 'number') return Math.max(0, d);
    const mean = d.mean ?? (d.min !== undefined && d.max !== undefined ? (d.min + d.max) / 2 : 0);
    const stddev = d.stddev ?? 0;
    let x: number;
    switch (d.distribution) {
      case 'constant':
        x = mean;
        break;
      case 'uniform': {
        const lo = d.min ?? mean;
        const hi = d.max ?? mean;
        x = lo + this.next() * (hi - lo);
        break;
      }
      case 'normal':
        x = mean + stddev * this.normal();
        break;
      case 'lognormal': {
        // mean and stddev are those of the resulting distribution, not of its logarithm.
        if (mean <= 0) {
          x = 0;
          break;
        }
        const sigma2 = Math.log(1 + (stddev * stddev) / (mean * mean));
        const mu = Math.log(mean) - sigma2 / 2;
        x = Math.exp(mu + Math.sqrt(sigma2) * this.normal());
        break;
      }
    }
    if (d.min !== undefined) x = Math.max(d.min, x);
    if (d.max !== undefined) x = Math.min(d.max, x);
    return Math.max(0, x);
  }
}
