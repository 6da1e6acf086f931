import type { Command } from 'commander';
import { CliExit, type CliIO } from '../cli-io.js';
import { nonEmpty } from '../options/option-parsers.js';
import { writeReport } from '../report/write-report.js';

const EXAMPLES = `
Examples:
  $ llmeter report .llmeter-runs/my-run                 # writes .llmeter-runs/my-run/report.html
  $ llmeter report .llmeter-runs/sweep-1 .llmeter-runs/heatmap-1
  $ llmeter report .llmeter-runs/my-run --output /tmp/my-run.html

Each DIR is a run folder, a sweep folder (one run folder per level) or a heatmap folder. The report is one
self-contained HTML file (charts and data embedded) that opens without a network.`;

/** Registers `llmeter report`. */
export function registerReportCommand(program: Command, io: CliIO): void {
  program
    .command('report')
    .summary('write the HTML report of run, sweep or heatmap folders')
    .description('Write a self-contained HTML report for each folder: a run, a sweep or a latency heatmap.')
    .argument('<dir...>', 'run, sweep or heatmap folders')
    .option(
      '-o, --output <file>',
      'where to write the report (only with one folder; default DIR/report.html)',
      nonEmpty,
    )
    .option('--json', 'print the written files as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (dirs: string[], flags: { output?: string; json?: boolean }) => {
      if (flags.output && dirs.length > 1)
        throw new CliExit(`option '-o, --output <file>' takes one folder, got ${dirs.length}`, 2);
      const written: { dir: string; file: string; kind: string }[] = [];
      for (const dir of dirs) {
        const { file, source } = await writeReport(dir, flags.output ? { output: flags.output } : {});
        written.push({ dir, file, kind: source.kind });
        if (!flags.json) io.stdout.write(`Report (${source.kind}): ${file}\n`);
      }
      if (flags.json) io.stdout.write(`${JSON.stringify(written, null, 2)}\n`);
    });
}
