import type { Endpoint, Payload } from '@llmeter/core';
import { LLMeterValidationError } from '@llmeter/core';
import type { Result } from '../result.js';
import type { RunnerOptions } from '../runner.js';
import { Runner } from '../runner.js';
import { experimentFolder, statsRow, writeTable } from './levels.js';
import type { Tokenizer } from './tokenizer.js';
import { defaultTokenizer, truncateToTokens } from './tokenizer.js';

/** The grid `LatencyHeatmap` measures when none is given (LLMeter's): lengths in tokens, requests per cell. */
export const HEATMAP_DEFAULTS: {
  readonly inputLengths: readonly number[];
  readonly outputLengths: readonly number[];
  readonly requestsPerCell: number;
} = Object.freeze({
  inputLengths: Object.freeze([10, 50, 200, 500]),
  outputLengths: Object.freeze([128, 256, 512, 1024]),
  requestsPerCell: 3,
});

/** Options of `LatencyHeatmap`. */
export interface LatencyHeatmapOptions
  extends Omit<RunnerOptions, 'payload' | 'endpoint' | 'runName' | 'outputPath' | 'nRequests' | 'runDuration'> {
  endpoint: Endpoint;
  /** Text the prompts are cut from; must hold at least the longest input length. Default: built-in filler text. */
  sourceText?: string;
  /** Target input lengths in tokens; default `HEATMAP_DEFAULTS.inputLengths` ([10, 50, 200, 500], LLMeter's). */
  inputLengths?: number[];
  /** Max output lengths in tokens; default `HEATMAP_DEFAULTS.outputLengths` ([128, 256, 512, 1024]). */
  outputLengths?: number[];
  /** Requests per cell; default `HEATMAP_DEFAULTS.requestsPerCell` (3). */
  requestsPerCell?: number;
  /** Builds the payload of a cell; default a Converse request `{ messages, inferenceConfig: { maxTokens } }`. */
  createPayload?: (prompt: string, maxTokens: number) => Payload;
  /** Default: `js-tiktoken` `cl100k_base`, shipped with the package. */
  tokenizer?: Tokenizer;
  outputPath?: string;
  testName?: string;
}

/** One cell: its target lengths and its TTFT/TTLT statistics (seconds) and measured token counts. */
export interface HeatmapCell {
  input_tokens_target: number;
  output_tokens_max: number;
  [key: string]: number | null;
}

const CELL_KEYS = [
  'time_to_first_token-average',
  'time_to_first_token-p50',
  'time_to_first_token-p90',
  'time_to_last_token-average',
  'time_to_last_token-p50',
  'time_to_last_token-p90',
  'num_tokens_input-average',
  'num_tokens_output-average',
  'failed_requests',
] as const;

function defaultPayload(prompt: string, maxTokens: number): Payload {
  return { messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens } };
}

const FILLER =
  'Measure what the service does under load, not what it promises. Latency has a shape: a head, a body and a tail. ' +
  'Every request tells a small story of queues, tokens and time, and the sum of those stories is the benchmark. ';

/** Result of a heatmap: one cell per (input length × output length), row-major by input length. */
export class LatencyHeatmapResult {
  constructor(
    readonly inputLengths: number[],
    readonly outputLengths: number[],
    readonly cells: HeatmapCell[],
    readonly results: Result[],
    readonly outputPath: string | null,
  ) {}

  /** A matrix of one statistic: rows = input lengths, columns = output lengths. */
  matrix(key: string = 'time_to_first_token-average'): Array<Array<number | null>> {
    return this.inputLengths.map((_, i) =>
      this.outputLengths.map(
        (__, j) => (this.cells[i * this.outputLengths.length + j]?.[key] as number | null) ?? null,
      ),
    );
  }
}

/**
 * Latency over a grid of prompt lengths × max output lengths: prompts are cut from `sourceText` to each target
 * input length with a real tokenizer (shipped, no download), and each cell is a closed-loop run of
 * `requestsPerCell` requests with its own subfolder `in{N}-out{M}`; `heatmap.json`/`.csv` hold every cell.
 */
export class LatencyHeatmap {
  readonly options: LatencyHeatmapOptions;

  constructor(options: LatencyHeatmapOptions) {
    for (const [name, list] of [
      ['inputLengths', options.inputLengths],
      ['outputLengths', options.outputLengths],
    ] as const) {
      if (
        list !== undefined &&
        !(Array.isArray(list) && list.length > 0 && list.every((n) => Number.isInteger(n) && n > 0))
      ) {
        throw new LLMeterValidationError(
          `${name} must be a non-empty array of positive integers, got ${JSON.stringify(list)}`,
        );
      }
    }
    this.options = options;
  }

  async run(): Promise<LatencyHeatmapResult> {
    const {
      sourceText,
      inputLengths,
      outputLengths,
      requestsPerCell,
      createPayload,
      tokenizer,
      outputPath,
      testName,
      ...rest
    } = this.options;
    const inputs = inputLengths ?? [...HEATMAP_DEFAULTS.inputLengths];
    const outputs = outputLengths ?? [...HEATMAP_DEFAULTS.outputLengths];
    const tok = tokenizer ?? (await defaultTokenizer());
    const longest = Math.max(...inputs);
    let text = sourceText ?? FILLER;
    if (sourceText === undefined) while (tok.encode(text).length < longest) text += FILLER;
    const available = tok.encode(text).length;
    if (available < longest) {
      throw new LLMeterValidationError(
        `sourceText has ${available} tokens, fewer than the longest input length ${longest}`,
      );
    }
    const folder = experimentFolder(outputPath, testName);
    const make = createPayload ?? defaultPayload;
    const cells: HeatmapCell[] = [];
    const results: Result[] = [];
    grid: for (const n of inputs) {
      const prompt = truncateToTokens(tok, text, n);
      for (const m of outputs) {
        const options: RunnerOptions = {
          ...rest,
          payload: make(prompt, m),
          nRequests: requestsPerCell ?? HEATMAP_DEFAULTS.requestsPerCell,
          runName: `in${n}-out${m}`,
          ...(folder ? { outputPath: folder } : {}),
        };
        const result = await new Runner(options).run();
        results.push(result);
        cells.push({ input_tokens_target: n, output_tokens_max: m, ...statsRow(result.stats, CELL_KEYS) });
        if (result.interrupted) break grid;
      }
    }
    const out = new LatencyHeatmapResult(inputs, outputs, cells, results, folder);
    if (folder) await writeTable(folder, 'heatmap', cells);
    return out;
  }
}
