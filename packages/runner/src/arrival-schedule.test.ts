import { describe, expect, it } from 'vitest';
import {
  constantSchedule,
  gammaSchedule,
  poissonSchedule,
  rampSchedule,
  replaySchedule,
  scheduleToArray,
  sleepUntil,
  stepSchedule,
} from './arrival-schedule.js';

function gaps(xs: number[]): number[] {
  return xs.slice(1).map((x, i) => x - (xs[i] as number));
}
function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function cv2(xs: number[]): number {
  const m = mean(xs);
  return mean(xs.map((x) => (x - m) ** 2)) / (m * m);
}

describe('arrival schedules', () => {
  it('constant: evenly spaced from 0, bounded by count or duration', async () => {
    expect(await scheduleToArray(constantSchedule({ rate: 4, count: 5 }))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(await scheduleToArray(constantSchedule({ rate: 2, duration: 2 }))).toEqual([0, 0.5, 1, 1.5]);
    expect(await scheduleToArray(constantSchedule({ rate: 2, count: 0 }))).toEqual([]);
  });

  it('poisson: same seed, same instants; other seed, others; mean gap 1/rate and CV² ≈ 1', async () => {
    const a = await scheduleToArray(poissonSchedule({ rate: 100, count: 20_000, seed: 7 }));
    const b = await scheduleToArray(poissonSchedule({ rate: 100, count: 20_000, seed: 7 }));
    const c = await scheduleToArray(poissonSchedule({ rate: 100, count: 20_000, seed: 8 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[0]).toBe(0);
    const g = gaps(a);
    expect(mean(g)).toBeCloseTo(0.01, 3);
    expect(cv2(g)).toBeGreaterThan(0.9);
    expect(cv2(g)).toBeLessThan(1.1);
  });

  it('gamma: mean rate kept, burstiness is the gaps’ CV²', async () => {
    for (const burstiness of [0.25, 4]) {
      const g = gaps(await scheduleToArray(gammaSchedule({ rate: 50, burstiness, count: 40_000, seed: 3 })));
      expect(mean(g)).toBeGreaterThan(0.02 * 0.95);
      expect(mean(g)).toBeLessThan(0.02 * 1.05);
      expect(cv2(g)).toBeGreaterThan(burstiness * 0.85);
      expect(cv2(g)).toBeLessThan(burstiness * 1.15);
    }
  });

  it('ramp: a linear rate from `from` to `to`; (from+to)/2 · duration arrivals', async () => {
    const xs = await scheduleToArray(rampSchedule({ from: 1, to: 50, duration: 10 }));
    // Λ(10) = 1·10 + 4.9·100/2 = 255 → instants for work 0..254
    expect(xs.length).toBe(255);
    expect(xs[0]).toBe(0);
    expect(xs[1]).toBeCloseTo((-1 + Math.sqrt(1 + 2 * 4.9)) / 4.9, 12);
    const g = gaps(xs);
    expect(g[0] as number).toBeGreaterThan(g[g.length - 1] as number);
    expect(xs.every((x) => x < 10)).toBe(true);
  });

  it('step: piecewise-constant rates', async () => {
    const xs = await scheduleToArray(
      stepSchedule({
        steps: [
          { rate: 2, duration: 1 },
          { rate: 4, duration: 1 },
        ],
      }),
    );
    expect(xs).toEqual([0, 0.5, 1, 1.25, 1.5, 1.75]);
  });

  it('replay: shifted to 0, sorted, sped up', async () => {
    expect(await scheduleToArray(replaySchedule([12, 10, 11, 10.5], { speedup: 2 }))).toEqual([0, 0.25, 0.5, 1]);
    const d0 = new Date('2026-01-01T00:00:00Z');
    expect(await scheduleToArray(replaySchedule([d0, new Date(d0.getTime() + 1500)]))).toEqual([0, 1.5]);
  });

  it('rejects bad options with the field name', () => {
    expect(() => constantSchedule({ rate: 0 })).toThrow(/rate must be a positive number, got 0/);
    expect(() => gammaSchedule({ rate: 1, burstiness: -1 })).toThrow(/burstiness/);
    expect(() => stepSchedule({ steps: [] })).toThrow(/steps/);
    expect(() => constantSchedule({ rate: 1, count: 1.5 })).toThrow(/count/);
  });

  it('sleepUntil resolves at (not before) its instant, and early with false on abort', async () => {
    const target = performance.now() + 20;
    expect(await sleepUntil(target)).toBe(true);
    expect(performance.now()).toBeGreaterThanOrEqual(target);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 10);
    const t0 = performance.now();
    expect(await sleepUntil(t0 + 10_000, ac.signal)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
