import type { InvocationResponse, SLO } from '@llmeter/core';
import { readRunFolderFiles, streamRunRecords } from './run-folder.js';
import type { Stats } from './stats/stats-accumulator.js';
import { StatsAccumulator } from './stats/stats-accumulator.js';

/** LLMeter's `summary.json` (its `Result` dataclass fields, exactly: its loader rejects any other key). */
export interface RunSummaryJSON {
  total_requests: number;
  clients: number;
  n_requests: number | null;
  total_test_time: number | null;
  model_id: string | null;
  output_path: string | null;
  endpoint_name: string | null;
  provider: string | null;
  run_name: string | null;
  run_description: string | null;
  start_time: string | null;
  first_request_time: string | null;
  last_request_time: string | null;
  end_time: string | null;
}

/** What a `Result` is built from: its fields (the class declares and documents them once). */
export type ResultInit = Omit<Result, 'toSummaryJSON'>;

/** Stats keys computed from records (everything else in a `stats.json` was contributed, e.g. by `CostModel`). */
const COMPUTED_ONLY =
  /^(?:time_|num_tokens_|inter_chunk_latency|schedule_lag|failed_requests|total_|requests_per_minute|average_|output_tps|achieved_request_rate|goodput_)/;

/** Statistics options a run stored in its `run_config.json`. */
function statsOptionsOf(config: Record<string, unknown>): { lowMemory: boolean; slo?: SLO } {
  const out: { lowMemory: boolean; slo?: SLO } = { lowMemory: config['low_memory'] === true };
  const slo = config['slo'];
  if (slo && typeof slo === 'object') out.slo = slo as SLO;
  return out;
}

function date(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const d = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * A finished (or interrupted) run: its records (`responses`, empty for low-memory runs), its statistics and
 * LLMeter's summary fields. `Result.load(dir)` rebuilds one from a run folder, recomputing the statistics with
 * the same `StatsAccumulator` as the live run, so they are identical.
 */
export class Result {
  responses: InvocationResponse[];
  stats: Stats;
  totalRequests: number;
  clients: number;
  nRequests: number | null;
  /** Seconds from the start to the end of the run. */
  totalTestTime: number | null;
  modelId: string | null;
  /** The run folder (null when nothing was written). */
  outputPath: string | null;
  endpointName: string | null;
  provider: string | null;
  runName: string | null;
  runDescription: string | null;
  startTime: Date | null;
  firstRequestTime: Date | null;
  lastRequestTime: Date | null;
  endTime: Date | null;
  /** True when the run was stopped (signal, abort) or its folder was left without `summary.json`. */
  interrupted: boolean;
  /** The run's `run_config.json` content. */
  config: Record<string, unknown>;

  constructor(init: ResultInit) {
    this.responses = init.responses;
    this.stats = init.stats;
    this.totalRequests = init.totalRequests;
    this.clients = init.clients;
    this.nRequests = init.nRequests;
    this.totalTestTime = init.totalTestTime;
    this.modelId = init.modelId;
    this.outputPath = init.outputPath;
    this.endpointName = init.endpointName;
    this.provider = init.provider;
    this.runName = init.runName;
    this.runDescription = init.runDescription;
    this.startTime = init.startTime;
    this.firstRequestTime = init.firstRequestTime;
    this.lastRequestTime = init.lastRequestTime;
    this.endTime = init.endTime;
    this.interrupted = init.interrupted;
    this.config = init.config;
  }

  /** LLMeter's `summary.json` object. */
  toSummaryJSON(): RunSummaryJSON {
    return {
      total_requests: this.totalRequests,
      clients: this.clients,
      n_requests: this.nRequests,
      total_test_time: this.totalTestTime,
      model_id: this.modelId,
      output_path: this.outputPath,
      endpoint_name: this.endpointName,
      provider: this.provider,
      run_name: this.runName,
      run_description: this.runDescription,
      start_time: this.startTime?.toISOString() ?? null,
      first_request_time: this.firstRequestTime?.toISOString() ?? null,
      last_request_time: this.lastRequestTime?.toISOString() ?? null,
      end_time: this.endTime?.toISOString() ?? null,
    };
  }

  /**
   * Loads a run folder: a finished run, an interrupted one, or one whose process was killed (no `summary.json`,
   * possibly a truncated last line). Statistics are recomputed from the records with the options the run stored
   * (`low_memory`, `slo`); keys the records cannot give (contributed by callbacks, such as `cost_*`) are kept
   * from `stats.json`. `lowMemory: true` drops the records after computing (default: as the run did).
   */
  static async load(path: string, options: { lowMemory?: boolean } = {}): Promise<Result> {
    const folder = await readRunFolderFiles(path);
    const { config, summary } = folder;
    const acc = new StatsAccumulator(statsOptionsOf(config));
    const keep = !(options.lowMemory ?? config['low_memory'] === true);
    const responses: InvocationResponse[] = [];
    // Streamed: a low-memory run is loaded in bounded memory too.
    for await (const r of streamRunRecords(path)) {
      acc.add(r);
      if (keep) responses.push(r);
    }
    const stats: Stats = {};
    for (const [k, v] of Object.entries(folder.stats ?? {})) {
      if (!COMPUTED_ONLY.test(k) && (v === null || ['number', 'boolean', 'string'].includes(typeof v)))
        stats[k] = v as number;
    }
    Object.assign(stats, acc.result());
    const interrupted = summary === null || folder.stats?.['interrupted'] === true;
    stats['interrupted'] = interrupted;
    const endpoint = (config['endpoint'] ?? {}) as Record<string, unknown>;
    const range = acc.requestTimeRange;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const numOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
    return new Result({
      responses,
      stats,
      totalRequests: acc.count,
      clients: numOrNull(summary?.['clients']) ?? numOrNull(config['clients']) ?? 1,
      nRequests: numOrNull(summary?.['n_requests']) ?? numOrNull(config['n_requests']),
      totalTestTime: numOrNull(summary?.['total_test_time']),
      modelId: str(summary?.['model_id']) ?? str(endpoint['model_id']),
      outputPath: path,
      endpointName: str(summary?.['endpoint_name']) ?? str(endpoint['endpoint_name']),
      provider: str(summary?.['provider']) ?? str(endpoint['provider']),
      runName: str(summary?.['run_name']) ?? str(config['run_name']),
      runDescription: str(summary?.['run_description']) ?? str(config['run_description']),
      startTime: date(summary?.['start_time']) ?? date(config['start_time']),
      firstRequestTime: range?.first ?? null,
      lastRequestTime: range?.last ?? null,
      endTime: date(summary?.['end_time']),
      interrupted,
      config,
    });
  }
}
