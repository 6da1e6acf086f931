import { describe, expect, it } from 'vitest';
import { LLMeterValidationError } from './errors.js';
import { DEFAULT_PERCENTILES, finiteValues, percentileKey, percentileOfSorted, summarize } from './statistics.js';

// Every expected value below is computed by hand with type 7: h = (n − 1)·p/100, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).

describe('percentileOfSorted (type 7, linear between closest ranks)', () => {
  const five = [15, 20, 35, 40, 50];

  it.each([
    [0, 15], // h = 0
    [25, 20], // h = 1
    [40, 29], // h = 1.6 → 20 + 0.6·15
    [50, 35], // h = 2
    [75, 40], // h = 3
    [90, 46], // h = 3.6 → 40 + 0.6·10
    [99, 49.6], // h = 3.96 → 40 + 0.96·10
    [100, 50], // h = 4
  ])('p%d of [15, 20, 35, 40, 50] = %d', (p, expected) => {
    expect(percentileOfSorted(five, p)).toBeCloseTo(expected, 10);
  });

  it('interpolates between the two middle values for an even count', () => {
    // [1..10]: p50 h = 4.5 → 5.5; p90 h = 8.1 → 9.1; p99 h = 8.91 → 9.91
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileOfSorted(ten, 50)).toBeCloseTo(5.5, 10);
    expect(percentileOfSorted(ten, 90)).toBeCloseTo(9.1, 10);
    expect(percentileOfSorted(ten, 99)).toBeCloseTo(9.91, 10);
    expect(percentileOfSorted(ten, 99.9)).toBeCloseTo(9.991, 10);
  });

  it('never leaves the range of the data', () => {
    const xs = [0.1, 0.2, 0.3];
    for (let p = 0; p <= 100; p += 0.5) {
      const v = percentileOfSorted(xs, p) as number;
      expect(v).toBeGreaterThanOrEqual(0.1);
      expect(v).toBeLessThanOrEqual(0.3);
    }
  });

  it('is the value itself for one value and null for none', () => {
    for (const p of [0, 1, 50, 99, 100]) expect(percentileOfSorted([7], p)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNull();
  });

  it('accepts typed arrays', () => {
    expect(percentileOfSorted(new Float64Array([1, 2, 3, 4]), 50)).toBeCloseTo(2.5, 10);
  });

  it.each([-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the percentile %d, naming the range', (p) => {
    expect(() => percentileOfSorted([1, 2], p)).toThrow(LLMeterValidationError);
    expect(() => percentileOfSorted([1, 2], p)).toThrow(/percentile must be within \[0, 100\]/);
  });
});

describe('finiteValues', () => {
  it('drops null, undefined, NaN and ±Infinity, keeps zero and negatives, in order', () => {
    expect(
      finiteValues([3, null, 0, undefined, Number.NaN, -2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5]),
    ).toEqual([3, 0, -2, 1.5]);
  });

  it('reads any iterable and returns a new array', () => {
    const input = [2, 1];
    const out = finiteValues(input);
    expect(out).not.toBe(input);
    expect(finiteValues(new Set([1, 2]))).toEqual([1, 2]);
  });
});

describe('percentileKey', () => {
  it('names percentiles as p<number>', () => {
    expect(percentileKey(50)).toBe('p50');
    expect(percentileKey(99.9)).toBe('p99.9');
    expect(percentileKey(0)).toBe('p0');
  });
});

describe('summarize', () => {
  it('computes count, average, min, max and the default p50, p90, p99 (hand-computed)', () => {
    expect(DEFAULT_PERCENTILES).toEqual([50, 90, 99]);
    const s = summarize([40, 15, 50, 35, 20]);
    expect(Object.keys(s).sort()).toEqual(['average', 'count', 'max', 'min', 'p50', 'p90', 'p99']);
    expect(s.count).toBe(5);
    expect(s.average).toBeCloseTo(32, 10); // 160 / 5
    expect(s.min).toBe(15);
    expect(s.max).toBe(50);
    expect(s.p50).toBe(35);
    expect(s.p90).toBeCloseTo(46, 10);
    expect(s.p99).toBeCloseTo(49.6, 10);
  });

  it('drops null, undefined and NaN before computing (latencies of failed requests)', () => {
    const s = summarize([0.5, null, 1.5, Number.NaN, undefined, 1.0]);
    expect(s.count).toBe(3);
    expect(s.average).toBeCloseTo(1.0, 10);
    expect(s.min).toBe(0.5);
    expect(s.max).toBe(1.5);
    expect(s.p50).toBe(1.0);
    // h = 2·0.9 = 1.8 → 1.0 + 0.8·0.5 = 1.4
    expect(s.p90).toBeCloseTo(1.4, 10);
  });

  it('computes any percentiles asked for, and only those', () => {
    const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { percentiles: [25, 95, 99.9] });
    expect(Object.keys(s).sort()).toEqual(['average', 'count', 'max', 'min', 'p25', 'p95', 'p99.9']);
    expect(s['p25']).toBeCloseTo(3.25, 10); // h = 2.25
    expect(s['p95']).toBeCloseTo(9.55, 10); // h = 8.55
    expect(s['p99.9']).toBeCloseTo(9.991, 10); // h = 8.991
    expect(Object.keys(summarize([1], { percentiles: [] })).sort()).toEqual(['average', 'count', 'max', 'min']);
  });

  it('gives count 0 and nulls for no values, or only absent ones', () => {
    for (const input of [[], [null, Number.NaN, undefined]]) {
      expect(summarize(input)).toEqual({
        count: 0,
        average: null,
        min: null,
        max: null,
        p50: null,
        p90: null,
        p99: null,
      });
    }
  });

  it('summarizes a single value as itself', () => {
    expect(summarize([0.42])).toEqual({
      count: 1,
      average: 0.42,
      min: 0.42,
      max: 0.42,
      p50: 0.42,
      p90: 0.42,
      p99: 0.42,
    });
  });

  it('reads generators and does not reorder its input', () => {
    const input = [3, 1, 2];
    expect(summarize(input).p50).toBe(2);
    expect(input).toEqual([3, 1, 2]);
    function* gen() {
      yield 4;
      yield null;
      yield 2;
    }
    expect(summarize(gen()).average).toBe(3);
  });

  it('rejects an out-of-range percentile even without values', () => {
    expect(() => summarize([], { percentiles: [101] })).toThrow(/percentile must be within \[0, 100\], got 101/);
  });
});
