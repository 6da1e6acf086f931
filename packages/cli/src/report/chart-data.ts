import type { ErrorType, InvocationResponse } from '@llmeter/core';
import { ERROR_TYPES } from '@llmeter/core';

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
 * Bins finite values into at most `maxBins` equal-width bins between their min and max (about √n bins, at
 * least one). A long tail (max beyond p99 by more than half the p99 range) gets one overflow bin of its own,
 * so a few outliers do not squash the body of the distribution into one bar. Equal values give one bin.
 */
export function histogram(values: readonly number[], maxBins = 30): Histogram {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { edges: [], counts: [], tail: false };
  const min = xs[0] as number;
  const max = xs[n - 1] as number;
  if (min === max) return { edges: [min, max], counts: [n], tail: false };
  const p99 = xs[Math.floor(0.99 * (n - 1))] as number;
  const tail = n >= 20 && p99 > min && max - p99 > 0.5 * (p99 - min);
  const top = tail ? p99 : max;
  const bins = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(n))));
  const width = (top - min) / bins;
  const counts = new Array<number>(bins + (tail ? 1 : 0)).fill(0);
  for (const x of xs) {
    const i = tail && x > top ? bins : Math.min(bins - 1, Math.floor((x - min) / width));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  if (tail) edges.push(max);
  return { edges, counts, tail };
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
