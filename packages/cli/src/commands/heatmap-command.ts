import { readFileSync } from 'node:fs';
import { createConversePayload } from '@llmeter/bedrock';
import type { LatencyHeatmapOptions, LatencyHeatmapResult } from '@llmeter/runner';
import { HEATMAP_DEFAULTS, LatencyHeatmap } from '@llmeter/runner';
import { type Command, Option } from 'commander';
import { CliExit, type CliIO } from '../cli-io.js';
import {
  addEndpointOptions,
  type EndpointFlags,
  endpointFlagProblem,
  openEndpoint,
} from '../options/endpoint-options.js';
import { DEFAULT_OUT, type LoadFlags, prepareOutFolder, requestOptionsFrom } from '../options/load-options.js';
import {
  existingPath,
  nonEmpty,
  positiveInteger,
  positiveIntegerList,
  positiveNumber,
  slo,
  warmup,
} from '../options/option-parsers.js';
import { formatStat } from '../stats/format-value.js';
import { textTable } from '../stats/stats-table.js';
import { finishRuns, givenOn, progressDisplayFor, steppedProgress } from './measure-plumbing.js';

type HeatmapFlags = EndpointFlags &
  Pick<LoadFlags, 'timeout' | 'warmup' | 'slo' | 'seed' | 'out' | 'runName' | 'report' | 'json' | 'quiet'> & {
    inputLengths?: number[];
    outputLengths?: number[];
    requestsPerCell?: number;
    sourceText?: string;
    clients?: number;
  };

const EXAMPLES = `
Examples:
  # LLMeter's grid: inputs of 10, 50, 200, 500 tokens × max outputs of 128, 256, 512, 1024 tokens, 3 requests each
  $ llmeter heatmap --report

  # a small grid from your own text, 5 requests per cell against Bedrock
  $ llmeter heatmap --endpoint bedrock-converse-stream --model-id us.amazon.nova-lite-v1:0 --region us-east-1 \\
      --input-lengths 100,1000 --output-lengths 64,512 --requests-per-cell 5 --source-text book.txt

Prompts are cut from the source text to each input length with a real tokenizer (cl100k); each cell is a run
in its own folder (in{N}-out{M}); heatmap.json and heatmap.csv hold every cell.`;

/** A matrix of one statistic (rows: input lengths; columns: max output lengths) as a text table. */
export function formatHeatmapTable(result: LatencyHeatmapResult, key: string): string {
  const matrix = result.matrix(key);
  return textTable([
    ['input \\ max output', ...result.outputLengths.map(String)],
    ...result.inputLengths.map((n, i) => [String(n), ...(matrix[i] ?? []).map((v) => formatStat(v, 'seconds'))]),
  ]);
}

/** Registers `llmeter heatmap`. */
export function registerHeatmapCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('heatmap')
    .summary('run a LatencyHeatmap over input × output lengths')
    .description('Measure average TTFT and TTLT over a grid of prompt lengths × maximum output lengths.');
  addEndpointOptions(cmd);
  cmd
    .optionsGroup('Grid, load and output:')
    .option(
      '--input-lengths <list>',
      `prompt lengths in tokens (default ${HEATMAP_DEFAULTS.inputLengths.join(',')})`,
      positiveIntegerList,
    )
    .option(
      '--output-lengths <list>',
      `maxTokens values (default ${HEATMAP_DEFAULTS.outputLengths.join(',')})`,
      positiveIntegerList,
    )
    .option(
      '--requests-per-cell <n>',
      `requests per client in each cell (default ${HEATMAP_DEFAULTS.requestsPerCell})`,
      positiveInteger,
    )
    .option('--source-text <file>', 'text the prompts are cut from (default: built-in filler text)', existingPath)
    .option('--clients <n>', 'concurrent clients in each cell (default 1)', positiveInteger)
    .option('--timeout <seconds>', 'per-request timeout in seconds (default 60)', positiveNumber)
    .option(
      '--warmup <n|Ns>',
      'warm-up requests per cell kept out of the results: a count (5) or seconds (10s)',
      warmup,
    )
    .option('--slo <objectives>', 'goodput objectives in seconds, e.g. ttft=0.5,tpot=0.05', slo)
    .option('--seed <n>', 'seed (default 1)', positiveInteger)
    .option('--out <dir>', 'parent folder of the heatmap folder', nonEmpty, DEFAULT_OUT)
    .option('--run-name <name>', 'name of the heatmap folder (default: a UTC timestamp)', nonEmpty)
    .option('--report', 'also write report.html into the heatmap folder')
    .option('--json', 'print the cells as JSON on stdout (progress stays on stderr)')
    .addOption(new Option('-q, --quiet', 'plain progress lines every few seconds instead of a live bar'))
    .addHelpText('after', EXAMPLES)
    .action(async (flags: HeatmapFlags, command: Command) => {
      const problem = endpointFlagProblem(flags, givenOn(command));
      if (problem) throw new CliExit(problem, 2);
      prepareOutFolder(flags.out);
      const sourceText = flags.sourceText ? readFileSync(flags.sourceText, 'utf8') : undefined;
      const opened = await openEndpoint(flags);
      try {
        const inputs = flags.inputLengths ?? [...HEATMAP_DEFAULTS.inputLengths];
        const outputs = flags.outputLengths ?? [...HEATMAP_DEFAULTS.outputLengths];
        const display = progressDisplayFor(io, flags);
        const cells = inputs.length * outputs.length;
        const options: LatencyHeatmapOptions = {
          ...requestOptionsFrom(flags),
          endpoint: opened.endpoint,
          inputLengths: inputs,
          outputLengths: outputs,
          outputPath: flags.out,
          createPayload: (prompt, maxTokens) => createConversePayload(prompt, { maxTokens }),
          onProgress: steppedProgress(
            display,
            cells,
            (cell) =>
              `[${cell + 1}/${cells}] in ${inputs[Math.floor(cell / outputs.length)]} × out ${outputs[cell % outputs.length]}`,
          ),
        };
        if (sourceText !== undefined) options.sourceText = sourceText;
        if (flags.requestsPerCell !== undefined) options.requestsPerCell = flags.requestsPerCell;
        if (flags.clients !== undefined) options.clients = flags.clients;
        if (flags.runName) options.testName = flags.runName;
        if (!flags.json) io.stderr.write(`llmeter: heatmap of ${cells} cells against ${opened.description}\n`);
        const result = await new LatencyHeatmap(options).run();
        display.stop();
        await finishRuns(result, flags, io, setExit, (report) => {
          if (flags.json) {
            io.stdout.write(`${JSON.stringify({ folder: result.outputPath, report, cells: result.cells }, null, 2)}\n`);
          } else {
            io.stdout.write(`\nAverage TTFT\n${formatHeatmapTable(result, 'time_to_first_token-average')}\n\n`);
            io.stdout.write(`Average TTLT\n${formatHeatmapTable(result, 'time_to_last_token-average')}\n\n`);
            if (result.outputPath) io.stdout.write(`Heatmap folder: ${result.outputPath}\n`);
            if (report) io.stdout.write(`Report: ${report}\n`);
          }
        });
      } finally {
        await opened.close();
      }
    });
}
