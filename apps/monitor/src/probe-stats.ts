import { type InvocationResponse, type Summary, summarize } from '@llmeter/core';
import type { ProbeOperation } from './monitor-config.js';

/** A fixed-capacity buffer keeping the most recent values. */
export class RingBuffer {
  private readonly items: number[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(value: number): void {
    if (this.items.length < this.capacity) this.items.push(value);
    else this.items[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The values kept (in no particular order). */
  values(): readonly number[] {
    return this.items;
  }
}

/** Exact statistics of one probed model and operation. */
export interface SeriesStats {
  modelId: string;
  operation: ProbeOperation;
  /** Requests since the start. */
  requests: number;
  /** Failed requests since the start, by error type. */
  errors: Record<string, number>;
  /** Over the last `statsWindow` successful requests: seconds. */
  timeToFirstToken: Summary;
  timeToLastToken: Summary;
  timePerOutputToken: Summary;
}

/**
 * Per model and operation: request and error counts and the most recent measurements, for exact percentiles
 * (core `summarize`) to set beside the histogram estimates.
 */
export class ProbeStats {
  private readonly series = new Map<
    string,
    {
      modelId: string;
      operation: ProbeOperation;
      requests: number;
      errors: Record<string, number>;
      ttft: RingBuffer;
      ttlt: RingBuffer;
      tpot: RingBuffer;
    }
  >();

  constructor(private readonly window: number) {}

  /** Adds one record. */
  add(modelId: string, operation: ProbeOperation, record: InvocationResponse): void {
    const key = `${operation} ${modelId}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        modelId,
        operation,
        requests: 0,
        errors: {},
        ttft: new RingBuffer(this.window),
        ttlt: new RingBuffer(this.window),
        tpot: new RingBuffer(this.window),
      };
      this.series.set(key, s);
    }
    s.requests++;
    if (record.error !== null || record.errorType !== null) {
      const type = record.errorType ?? 'unknown';
      s.errors[type] = (s.errors[type] ?? 0) + 1;
      return;
    }
    if (record.timeToFirstToken !== null) s.ttft.push(record.timeToFirstToken);
    if (record.timeToLastToken !== null) s.ttlt.push(record.timeToLastToken);
    const tpot = record.effectiveTimePerOutputToken;
    if (tpot !== null) s.tpot.push(tpot);
  }

  /** The statistics of every series, percentiles p50, p90, p99 (and p95). */
  snapshot(): SeriesStats[] {
    const percentiles = [50, 90, 95, 99];
    return [...this.series.values()].map((s) => ({
      modelId: s.modelId,
      operation: s.operation,
      requests: s.requests,
      errors: { ...s.errors },
      timeToFirstToken: summarize(s.ttft.values(), { percentiles }),
      timeToLastToken: summarize(s.ttlt.values(), { percentiles }),
      timePerOutputToken: summarize(s.tpot.values(), { percentiles }),
    }));
  }
}
