import type { ErrorType, InvocationResponse } from '@llmeter/core';
import { ERROR_TYPES } from '@llmeter/core';

/** Counts of values in equal-width bins. `edges` has one more entry than `counts`. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/**
 * Bins finite values into at most `maxBins` equal-width bins between their min and max
 * (about √n bins, at least one). All-equal values give one bin of zero width.
 */
export function histogram(values: readonly number[], maxBins = 30): Histogram {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return { edges: [], counts: [] };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min === max) return { edges: [min, max], counts: [xs.length] };
  const bins = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(xs.length))));
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) {
    const i = Math.min(bins - 1, Math.floor((x - min) / width));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  return { edges, counts };
}

/** Outcome of a request for charts: `ok` or its error type. */
export type Outcome = 'ok' | ErrorType;

/** Requests per outcome (`ok` first, then every error type in `ERROR_TYPES` order), zeros included. */
export function outcomeCounts(records: readonly InvocationResponse[]): Map<Outcome, number> {
  const counts = new Map<Outcome, number>([['ok', 0], ...ERROR_TYPES.map((t) => [t, 0] as [Outcome, number])]);
  for (const r of records) {
    const outcome: Outcome = r.error === null ? 'ok' : (r.errorType ?? 'unknown');
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return counts;
}

/** Seconds from the earliest `requestTime` of the records to each record's `requestTime` (null when unknown). */
export function sendOffsets(records: readonly InvocationResponse[]): (number | null)[] {
  let first = Number.POSITIVE_INFINITY;
  for (const r of records) if (r.requestTime) first = Math.min(first, r.requestTime.getTime());
  return records.map((r) => (r.requestTime ? (r.requestTime.getTime() - first) / 1000 : null));
}

/** Every inter-chunk gap (seconds) of every record that kept its chunk times. */
export function allInterChunkGaps(records: readonly InvocationResponse[]): number[] {
  const out: number[] = [];
  for (const r of records) {
    const t = r.chunkTimes;
    if (!t) continue;
    for (let i = 1; i < t.length; i++) out.push((t[i] as number) - (t[i - 1] as number));
  }
  return out;
}
