import { LLMeterValidationError } from '@llmeter/core';
import type { Result } from '../result.js';
import type { RunnerOptions } from '../runner.js';
import { Runner } from '../runner.js';
import { experimentFolder, statsRow, writeTable } from './levels.js';

/** Options of `LoadTest`: the Runner's, plus the levels (exactly one of `clients` or `rates`). */
export interface LoadTestOptions extends Omit<RunnerOptions, 'clients' | 'rate' | 'runName' | 'outputPath'> {
  /** Closed-loop levels: client counts, one run each (folder `{clients:05}-clients`, as LLMeter). */
  clients?: number[];
  /** Open-loop levels: request rates (requests/second), one run each (folder `{rate:05}-rps`, e.g. `00010-rps`). */
  rates?: number[];
  /** Parent folder; the test writes `{outputPath}/{testName}/{level}/` and a combined table. */
  outputPath?: string;
  /** Default a UTC timestamp. */
  testName?: string;
}

/**
 * A level's folder: `{clients:05}-clients` as LLMeter, and the same for rates, `{rate:05}-rps` (a fraction kept:
 * `00002.5-rps`), so that folders sort in level order.
 */
export function levelFolderName(kind: 'clients' | 'rate', level: number): string {
  const [whole, fraction] = String(level).split('.') as [string, string | undefined];
  const padded = `${whole.padStart(5, '0')}${fraction === undefined ? '' : `.${fraction}`}`;
  return kind === 'clients' ? `${padded}-clients` : `${padded}-rps`;
}

/** The statistics shown per level in the combined table. */
const TABLE_KEYS = [
  'total_requests',
  'failed_requests',
  'failed_requests_rate',
  'requests_per_minute',
  'achieved_request_rate',
  'time_to_first_token-p50',
  'time_to_first_token-p90',
  'time_to_first_token-p99',
  'time_to_last_token-p50',
  'time_to_last_token-p90',
  'time_to_last_token-p99',
  'time_per_output_token-p50',
  'output_tps',
  'average_input_tokens_per_minute',
  'average_output_tokens_per_minute',
  'schedule_lag-p50',
  'schedule_lag-p99',
  'goodput_rate',
] as const;

/** A finished load test: one `Result` per level, in order. */
export class LoadTestResult {
  constructor(
    /** `clients` or `rate`. */
    readonly levelKind: 'clients' | 'rate',
    readonly levels: number[],
    readonly results: Result[],
    /** The test's folder (null when nothing was written). */
    readonly outputPath: string | null,
  ) {}

  /** One row per level: the level and the main statistics (`TABLE_KEYS`, null when absent). */
  table(): Array<Record<string, number | null>> {
    return this.results.map((r, i) => ({
      [this.levelKind]: this.levels[i] as number,
      ...statsRow(r.stats, TABLE_KEYS),
    }));
  }
}

/**
 * A sequence of runs at increasing load: client counts (closed loop) or rates (open loop). Each level is a full
 * run with its own subfolder (levels never overwrite each other); `load_test.json`/`.csv` hold the combined table.
 */
export class LoadTest {
  readonly options: LoadTestOptions;

  constructor(options: LoadTestOptions) {
    const hasClients = Array.isArray(options.clients) && options.clients.length > 0;
    const hasRates = Array.isArray(options.rates) && options.rates.length > 0;
    if (hasClients === hasRates)
      throw new LLMeterValidationError('LoadTest needs exactly one of clients (non-empty array) or rates');
    this.options = options;
  }

  async run(): Promise<LoadTestResult> {
    const { clients, rates, testName, outputPath, ...rest } = this.options;
    const kind = clients ? 'clients' : 'rate';
    const levels = (clients ?? rates) as number[];
    const folder = experimentFolder(outputPath, testName);
    const results: Result[] = [];
    for (const level of levels) {
      const runName = levelFolderName(kind, level);
      const options: RunnerOptions = { ...rest, runName, ...(folder ? { outputPath: folder } : {}) };
      if (kind === 'clients') options.clients = level;
      else options.rate = level;
      const result = await new Runner(options).run();
      results.push(result);
      if (result.interrupted) break;
    }
    const out = new LoadTestResult(kind, levels.slice(0, results.length), results, folder);
    if (folder) await writeTable(folder, 'load_test', out.table());
    return out;
  }
}
