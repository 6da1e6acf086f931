import type { Command } from 'commander';
import { CliExit, type CliIO } from '../cli-io.js';
import { isRunFolder, loadReportRun } from '../report/load-report-source.js';
import { compareStats, formatComparisonTable } from '../stats/stats-table.js';

const EXAMPLES = `
Examples:
  $ llmeter compare .llmeter-runs/baseline .llmeter-runs/candidate
  $ llmeter compare runs/a runs/b --json

Statistics are recomputed from each folder's records (as Result.load does). The change is (B − A) / |A|.`;

/** Registers `llmeter compare`. */
export function registerCompareCommand(program: Command, io: CliIO): void {
  program
    .command('compare')
    .summary('compare the statistics of two runs side by side')
    .description('Show the statistics of two run folders side by side with the change from A to B in percent.')
    .argument('<dirA>', 'the baseline run folder')
    .argument('<dirB>', 'the run folder compared with it')
    .option('--json', 'print the comparison as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (dirA: string, dirB: string, flags: { json?: boolean }) => {
      for (const dir of [dirA, dirB]) {
        if (!(await isRunFolder(dir))) throw new CliExit(`${dir}: not a run folder (no run_config.json)`, 1);
      }
      const [a, b] = [await loadReportRun(dirA), await loadReportRun(dirB)];
      const rows = compareStats(a.stats, b.stats);
      if (flags.json) {
        io.stdout.write(
          `${JSON.stringify({ a: { path: dirA, name: a.name }, b: { path: dirB, name: b.name }, rows }, null, 2)}\n`,
        );
        return;
      }
      io.stdout.write(`A = ${dirA} (${a.name})\nB = ${dirB} (${b.name})\n\n`);
      io.stdout.write(`${formatComparisonTable(rows, 'A', 'B')}\n`);
    });
}
