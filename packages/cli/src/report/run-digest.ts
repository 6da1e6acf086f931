import type { InvocationResponse } from '@llmeter/core';
import { ERROR_TYPES, interChunkLatencies } from '@llmeter/core';
import { type Histogram, HistogramBuilder, type Outcome } from './chart-data.js';

/** Most points a timeline (scatter) series shows; a longer run shows every k-th request (`stride` k). */
export const MAX_TIMELINE_POINTS = 5000;

/** One request on a timeline: `x` seconds from the first request's send, `y` a duration in seconds. */
export interface TimelinePoint {
  x: number;
  y: number;
}

/**
 * What a run report draws, computed from a run's records in two passes that read one record at a time (bounded
 * memory), so a low-memory run whose records stay on disk gets the same charts as any other. Histograms are in
 * seconds and count every value; timelines show every `stride`-th request.
 */
export interface RunDigest {
  /** Records read. */
  count: number;
  ttft: Histogram;
  ttlt: Histogram;
  /** Effective time per output token (the `time_per_output_token` of `stats.json`). */
  tpot: Histogram;
  /** Every gap between consecutive chunks of every record that kept its chunk times. */
  interChunk: Histogram;
  /** Actual minus intended send instant (open-loop runs). */
  scheduleLag: Histogram;
  /** Requests per outcome: `ok` first, then every error type in `ERROR_TYPES` order, zeros included. */
  outcomes: [Outcome, number][];
  timeline: {
    /** Every `stride`-th request is shown (1: all). */
    stride: number;
    ttft: TimelinePoint[];
    ttlt: TimelinePoint[];
    scheduleLag: TimelinePoint[];
  };
}

type Metric = 'ttft' | 'ttlt' | 'tpot' | 'scheduleLag';
const PICK: Record<Metric, (r: InvocationResponse) => number | null> = {
  ttft: (r) => r.timeToFirstToken,
  ttlt: (r) => r.timeToLastToken,
  tpot: (r) => r.effectiveTimePerOutputToken,
  scheduleLag: (r) => r.scheduleLag,
};
const METRICS = Object.keys(PICK) as Metric[];

/** Builds a `RunDigest`: feed every record to `observe`, then every record again (same order) to `add`. */
export class RunDigestBuilder {
  private n = 0;
  private firstMs = Number.POSITIVE_INFINITY;
  private readonly histograms = {
    ttft: new HistogramBuilder(),
    ttlt: new HistogramBuilder(),
    tpot: new HistogramBuilder(),
    scheduleLag: new HistogramBuilder(),
    interChunk: new HistogramBuilder(),
  };
  private readonly outcomes = new Map<Outcome, number>([
    ['ok', 0],
    ...ERROR_TYPES.map((t) => [t, 0] as [Outcome, number]),
  ]);
  private readonly timeline: RunDigest['timeline'] = { stride: 1, ttft: [], ttlt: [], scheduleLag: [] };
  private index = 0;

  /** First pass. */
  observe(r: InvocationResponse): void {
    this.n++;
    for (const m of METRICS) this.histograms[m].observe(PICK[m](r));
    for (const gap of interChunkLatencies(r.chunkTimes)) this.histograms.interChunk.observe(gap);
    if (r.requestTime) this.firstMs = Math.min(this.firstMs, r.requestTime.getTime());
  }

  /** Second pass. */
  add(r: InvocationResponse): void {
    if (this.index === 0) this.timeline.stride = Math.max(1, Math.ceil(this.n / MAX_TIMELINE_POINTS));
    for (const m of METRICS) this.histograms[m].add(PICK[m](r));
    for (const gap of interChunkLatencies(r.chunkTimes)) this.histograms.interChunk.add(gap);
    const outcome: Outcome = r.error === null ? 'ok' : (r.errorType ?? 'unknown');
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (this.index % this.timeline.stride === 0 && r.requestTime) {
      const x = (r.requestTime.getTime() - this.firstMs) / 1000;
      for (const m of ['ttft', 'ttlt', 'scheduleLag'] as const) {
        const y = PICK[m](r);
        if (typeof y === 'number' && Number.isFinite(y)) this.timeline[m].push({ x, y });
      }
    }
    this.index++;
  }

  result(): RunDigest {
    const h = this.histograms;
    return {
      count: this.n,
      ttft: h.ttft.result(),
      ttlt: h.ttlt.result(),
      tpot: h.tpot.result(),
      interChunk: h.interChunk.result(),
      scheduleLag: h.scheduleLag.result(),
      outcomes: [...this.outcomes],
      timeline: this.timeline,
    };
  }
}

/** The digest of records in memory. */
export function digestRecords(records: Iterable<InvocationResponse>): RunDigest {
  const builder = new RunDigestBuilder();
  for (const r of records) builder.observe(r);
  for (const r of records) builder.add(r);
  return builder.result();
}

/** The digest of records read twice from a stream (e.g. `streamRunRecords(dir)`), one record in memory at a time. */
export async function digestRecordStream(open: () => AsyncIterable<InvocationResponse>): Promise<RunDigest> {
  const builder = new RunDigestBuilder();
  for await (const r of open()) builder.observe(r);
  for await (const r of open()) builder.add(r);
  return builder.result();
}

/** Sum of a histogram's counts. */
export function histogramTotal(h: Histogram): number {
  return h.counts.reduce((a, b) => a + b, 0);
}
