import { describe, expect, it } from 'vitest';
import { interChunkLatencies, meetsSLO, timePerOutputToken } from './derived-metrics.js';

describe('timePerOutputToken', () => {
  it('is (TTLT − TTFT) / (N − 1)', () => {
    expect(timePerOutputToken(1, 3, 5)).toBeCloseTo(0.5, 12);
    expect(timePerOutputToken(0.2, 0.7, 2)).toBeCloseTo(0.5, 12);
    expect(timePerOutputToken(0.25, 1.75, 31)).toBeCloseTo(0.05, 12);
    // Equal TTFT and TTLT: a real zero, not an absence.
    expect(timePerOutputToken(1, 1, 3)).toBe(0);
  });

  it('is null, never NaN or Infinity, for one or no output token', () => {
    expect(timePerOutputToken(1, 2, 1)).toBeNull();
    expect(timePerOutputToken(1, 2, 0)).toBeNull();
    expect(timePerOutputToken(1, 2, -3)).toBeNull();
    expect(timePerOutputToken(1, 2, 1.5)).toBeCloseTo(2, 12);
  });

  it('is null when TTFT, TTLT or N is missing', () => {
    expect(timePerOutputToken(null, 2, 5)).toBeNull();
    expect(timePerOutputToken(1, null, 5)).toBeNull();
    expect(timePerOutputToken(1, 2, null)).toBeNull();
    expect(timePerOutputToken(undefined, 2, 5)).toBeNull();
    expect(timePerOutputToken(1, undefined, 5)).toBeNull();
    expect(timePerOutputToken(1, 2, undefined)).toBeNull();
  });

  it('is null when the result would not be finite', () => {
    expect(timePerOutputToken(1, Number.POSITIVE_INFINITY, 5)).toBeNull();
    expect(timePerOutputToken(Number.NaN, 2, 5)).toBeNull();
  });
});

describe('interChunkLatencies', () => {
  it('gives every gap between consecutive chunk times', () => {
    const gaps = interChunkLatencies([0.1, 0.3, 0.6, 0.6]);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeCloseTo(0.2, 12);
    expect(gaps[1]).toBeCloseTo(0.3, 12);
    expect(gaps[2]).toBe(0);
  });

  it('is empty with fewer than two chunks', () => {
    expect(interChunkLatencies(null)).toEqual([]);
    expect(interChunkLatencies(undefined)).toEqual([]);
    expect(interChunkLatencies([])).toEqual([]);
    expect(interChunkLatencies([0.4])).toEqual([]);
  });

  it('does not modify its input', () => {
    const times = [0.1, 0.2];
    interChunkLatencies(times);
    expect(times).toEqual([0.1, 0.2]);
  });
});

describe('meetsSLO', () => {
  const ok = { error: null, timeToFirstToken: 0.4, timeToLastToken: 2.4, numTokensOutput: 41 }; // TPOT 0.05

  it('meets an empty SLO when the request did not fail', () => {
    expect(meetsSLO(ok, {})).toBe(true);
  });

  it('never counts a failed request, whatever its timings', () => {
    expect(meetsSLO({ ...ok, error: 'boom' }, {})).toBe(false);
    expect(meetsSLO({ ...ok, error: '' }, { ttft: 10 })).toBe(false);
  });

  it('checks TTFT and TTLT inclusively', () => {
    expect(meetsSLO(ok, { ttft: 0.4 })).toBe(true);
    expect(meetsSLO(ok, { ttft: 0.39 })).toBe(false);
    expect(meetsSLO(ok, { ttlt: 2.4 })).toBe(true);
    expect(meetsSLO(ok, { ttlt: 2.0 })).toBe(false);
    expect(meetsSLO(ok, { ttft: 0.5, ttlt: 2.0 })).toBe(false);
  });

  it('fails a TTFT or TTLT SLO whose measurement is missing', () => {
    expect(meetsSLO({ ...ok, timeToFirstToken: null }, { ttft: 1 })).toBe(false);
    expect(meetsSLO({ ...ok, timeToLastToken: null }, { ttlt: 5 })).toBe(false);
    expect(meetsSLO({ ...ok, timeToFirstToken: null }, { ttlt: 5 })).toBe(true);
  });

  it('checks TPOT derived from the record, or the recorded TPOT first', () => {
    expect(meetsSLO(ok, { tpot: 0.05 + 1e-9 })).toBe(true);
    expect(meetsSLO(ok, { tpot: 0.04 })).toBe(false);
    expect(meetsSLO({ ...ok, timePerOutputToken: 0.01 }, { tpot: 0.04 })).toBe(true);
    expect(meetsSLO({ ...ok, timePerOutputToken: 0.09 }, { tpot: 0.06 })).toBe(false);
  });

  it('lets a single-token answer pass a TPOT SLO (it has no TPOT)', () => {
    expect(meetsSLO({ ...ok, numTokensOutput: 1 }, { tpot: 0.001 })).toBe(true);
  });

  it('requires every SLO given', () => {
    expect(meetsSLO(ok, { ttft: 0.5, tpot: 0.06, ttlt: 3 })).toBe(true);
    expect(meetsSLO(ok, { ttft: 0.5, tpot: 0.01, ttlt: 3 })).toBe(false);
  });
});
