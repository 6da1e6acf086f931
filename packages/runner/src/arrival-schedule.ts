import { LLMeterValidationError } from '@llmeter/core';
import { positiveNumber } from './option-checks.js';
import type { Rng } from './random.js';
import { createRng, exponential, gamma } from './random.js';

/**
 * An arrival schedule: the intended send instants of a run, in seconds from the run's start, ascending.
 * Any (async) iterable of numbers is one; the functions below build the usual ones. A schedule is consumed
 * lazily, so it may be unbounded (the consumer stops it).
 */
export type ArrivalSchedule = AsyncIterable<number>;

/** How the gaps between arrivals are drawn. */
export type ArrivalProcess = 'constant' | 'poisson' | 'gamma';

/** Bounds shared by every schedule: whichever is reached first ends it. */
export interface ScheduleBounds {
  /** Number of arrivals; default unbounded. */
  count?: number;
  /** Only instants strictly before this many seconds; default unbounded. */
  duration?: number;
}

/** Options of schedules with random gaps. */
export interface RandomScheduleOptions {
  /** Seed of the gaps; default 1. Same seed, same instants. */
  seed?: number;
}

function checkBounds(b: ScheduleBounds): void {
  if (b.count !== undefined && !(Number.isInteger(b.count) && b.count >= 0)) {
    throw new LLMeterValidationError(`count must be a non-negative integer, got ${JSON.stringify(b.count)}`);
  }
  if (b.duration !== undefined) positiveNumber('duration', b.duration);
}

/** Draws unit-mean "work" between arrivals: 1 (constant), Exp(1) (Poisson), Gamma(k, 1/k) (bursty). */
function unitGaps(process: ArrivalProcess, seed: number, burstiness: number): () => number {
  if (process === 'constant') return () => 1;
  const rng: Rng = createRng(seed);
  if (process === 'poisson') return () => exponential(rng);
  if (process === 'gamma') {
    const shape = 1 / positiveNumber('burstiness', burstiness);
    return () => gamma(rng, shape) / shape;
  }
  throw new LLMeterValidationError(`arrivals must be 'constant', 'poisson' or 'gamma', got ${JSON.stringify(process)}`);
}

/** The unit gaps of an `arrivals`/`burstiness`/`seed` option set (defaults: constant, 1, 1). */
function gapsOf(options: { arrivals?: ArrivalProcess; burstiness?: number } & RandomScheduleOptions): () => number {
  return unitGaps(options.arrivals ?? 'constant', options.seed ?? 1, options.burstiness ?? 1);
}

/**
 * Instants t_i with Λ(t_i) = w_1 + … + w_i (t_0 = 0), where Λ is the cumulative rate (expected arrivals by t)
 * and w are unit-mean gaps: the one construction behind every rate-driven schedule (time-change of a renewal process).
 */
async function* fromCumulativeRate(
  inverse: (work: number) => number,
  gaps: () => number,
  bounds: ScheduleBounds,
): AsyncGenerator<number> {
  let work = 0;
  for (let i = 0; bounds.count === undefined || i < bounds.count; i++) {
    if (i > 0) work += gaps();
    const t = inverse(work);
    if (!Number.isFinite(t) || (bounds.duration !== undefined && t >= bounds.duration)) return;
    yield t;
  }
}

/** A schedule whose rate varies over `duration` seconds (`inverse` of its cumulative rate), cut at `options.count`. */
function varyingRateSchedule(
  inverse: (work: number) => number,
  duration: number,
  options: { arrivals?: ArrivalProcess; burstiness?: number; count?: number } & RandomScheduleOptions,
): ArrivalSchedule {
  const bounds: ScheduleBounds = { duration };
  if (options.count !== undefined) bounds.count = options.count;
  checkBounds(bounds);
  return fromCumulativeRate(inverse, gapsOf(options), bounds);
}

/** Evenly spaced arrivals at `rate` per second, the first at 0. */
export function constantSchedule(options: { rate: number } & ScheduleBounds): ArrivalSchedule {
  const rate = positiveNumber('rate', options.rate);
  checkBounds(options);
  return fromCumulativeRate((w) => w / rate, unitGaps('constant', 0, 1), options);
}

/** Poisson arrivals (exponential gaps, mean 1/rate), the first at 0, seeded. */
export function poissonSchedule(options: { rate: number } & ScheduleBounds & RandomScheduleOptions): ArrivalSchedule {
  const rate = positiveNumber('rate', options.rate);
  checkBounds(options);
  return fromCumulativeRate((w) => w / rate, unitGaps('poisson', options.seed ?? 1, 1), options);
}

/**
 * Gamma-renewal arrivals with mean rate `rate` and `burstiness` = squared coefficient of variation of the gaps
 * (1: Poisson; > 1: bursty; < 1: more regular). Seeded; first at 0.
 */
export function gammaSchedule(
  options: { rate: number; burstiness?: number } & ScheduleBounds & RandomScheduleOptions,
): ArrivalSchedule {
  const rate = positiveNumber('rate', options.rate);
  checkBounds(options);
  return fromCumulativeRate((w) => w / rate, unitGaps('gamma', options.seed ?? 1, options.burstiness ?? 1), options);
}

/** A schedule at a fixed rate with the given arrival process (what the Runner's `rate`/`arrivals` build). */
export function rateSchedule(
  options: { rate: number; arrivals?: ArrivalProcess; burstiness?: number } & ScheduleBounds & RandomScheduleOptions,
): ArrivalSchedule {
  const rate = positiveNumber('rate', options.rate);
  checkBounds(options);
  return fromCumulativeRate((w) => w / rate, gapsOf(options), options);
}

/**
 * A rate that grows (or falls) linearly from `from` to `to` requests/second over `duration` seconds; the
 * schedule ends at `duration`. `arrivals` picks the gaps (default constant).
 */
export function rampSchedule(
  options: {
    from: number;
    to: number;
    duration: number;
    arrivals?: ArrivalProcess;
    burstiness?: number;
    count?: number;
  } & RandomScheduleOptions,
): ArrivalSchedule {
  const from = positiveNumber('from', options.from);
  const to = positiveNumber('to', options.to);
  const duration = positiveNumber('duration', options.duration);
  const slope = (to - from) / duration;
  // Λ(t) = from·t + slope·t²/2  →  t = (−from + √(from² + 2·slope·w)) / slope
  const inverse = (w: number) => {
    if (Math.abs(slope) < 1e-12) return w / from;
    const disc = from * from + 2 * slope * w;
    return disc < 0 ? Number.POSITIVE_INFINITY : (-from + Math.sqrt(disc)) / slope;
  };
  return varyingRateSchedule(inverse, duration, options);
}

/** One level of a step schedule. */
export interface ScheduleStep {
  /** Requests per second during this step. */
  rate: number;
  /** Seconds this step lasts. */
  duration: number;
}

/** Piecewise-constant rates, one step after another; ends after the last step. */
export function stepSchedule(
  options: {
    steps: readonly ScheduleStep[];
    arrivals?: ArrivalProcess;
    burstiness?: number;
    count?: number;
  } & RandomScheduleOptions,
): ArrivalSchedule {
  if (!Array.isArray(options.steps) || options.steps.length === 0) {
    throw new LLMeterValidationError('steps must be a non-empty array of { rate, duration }');
  }
  const steps = options.steps.map((s, i) => ({
    rate: positiveNumber(`steps[${i}].rate`, s.rate),
    duration: positiveNumber(`steps[${i}].duration`, s.duration),
  }));
  const total = steps.reduce((a, s) => a + s.duration, 0);
  const inverse = (w: number) => {
    let t = 0;
    let left = w;
    for (const s of steps) {
      const cap = s.rate * s.duration;
      if (left < cap) return t + left / s.rate;
      left -= cap;
      t += s.duration;
    }
    return Number.POSITIVE_INFINITY;
  };
  return varyingRateSchedule(inverse, total, options);
}

/**
 * Replays a recorded trace of send instants (seconds, any origin; or `Date`s): shifted so the first is at 0,
 * sorted, divided by `speedup` (default 1; 2 replays twice as fast).
 */
export function replaySchedule(
  instants: Iterable<number | Date>,
  options: { speedup?: number } & ScheduleBounds = {},
): ArrivalSchedule {
  const speedup = positiveNumber('speedup', options.speedup ?? 1);
  checkBounds(options);
  const seconds = [...instants].map((x, i) => {
    const v = x instanceof Date ? x.getTime() / 1000 : x;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new LLMeterValidationError(
        `replay instant ${i} must be a finite number of seconds or a Date, got ${JSON.stringify(x)}`,
      );
    }
    return v;
  });
  seconds.sort((a, b) => a - b);
  const origin = seconds[0] ?? 0;
  const shifted = seconds.map((s) => (s - origin) / speedup);
  return fromCumulativeRate(
    (w) => shifted[w] ?? Number.POSITIVE_INFINITY,
    () => 1,
    options,
  );
}

/** Collects a bounded schedule into an array (tests, previews). Throws past `limit` instants (default 10⁷). */
export async function scheduleToArray(
  schedule: AsyncIterable<number> | Iterable<number>,
  limit = 10_000_000,
): Promise<number[]> {
  const out: number[] = [];
  for await (const t of schedule) {
    if (out.length >= limit) throw new LLMeterValidationError(`schedule has more than ${limit} instants`);
    out.push(t);
  }
  return out;
}

/**
 * Resolves once `performance.now()` reaches `targetMs` (a `performance.now()` value): a timer for most of the
 * wait, then `setImmediate` turns for the last millisecond, so sends land within tens of microseconds of their
 * instant without blocking I/O. Resolves early (false) when `signal` aborts.
 */
export function sleepUntil(targetMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    };
    const step = () => {
      if (signal?.aborted) return;
      const left = targetMs - performance.now();
      if (left <= 0) return done();
      if (left > 1.5) timer = setTimeout(step, left - 1);
      else setImmediate(step);
    };
    step();
  });
}
