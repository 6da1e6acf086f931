import type { InvocationResponse } from '@llmeter/core';
import type { RunDigest } from './run-digest.js';

/** One run folder as the report reads it. */
export interface ReportRun {
  /** The folder it was read from. */
  path: string;
  /** The run's name (`run_name`, else the folder name). */
  name: string;
  /** `run_config.json` (empty when absent). */
  config: Record<string, unknown>;
  /** `stats.json`, or statistics rebuilt from the records. */
  stats: Record<string, unknown>;
  /**
   * Every record of `responses.jsonl`, with our extension fields when the folder has them. Empty for a
   * low-memory run (its records stay on disk; `digest` holds what the charts need).
   */
  records: InvocationResponse[];
  /** The chart data of every record (read from disk for low-memory runs). Default: computed from `records`. */
  digest?: RunDigest;
}

/** The parameter a sweep varies. */
export type SweepParameter = 'clients' | 'rate';

/** One level of a sweep. */
export interface SweepLevel {
  /** The number of clients or the arrival rate (requests per second). */
  value: number;
  run: ReportRun;
}

/** One cell of a latency heatmap. */
export interface HeatmapCell {
  /** Input length the prompts were cut to (tokens). */
  inputTokens: number;
  /** Maximum output length requested (tokens). */
  outputTokens: number;
  run: ReportRun;
}

/** What a report is made of: one run, a sweep of runs, or a heatmap of runs. */
export type ReportSource =
  | { kind: 'run'; path: string; name: string; run: ReportRun }
  | { kind: 'sweep'; path: string; name: string; parameter: SweepParameter; levels: SweepLevel[] }
  | { kind: 'heatmap'; path: string; name: string; cells: HeatmapCell[] };
