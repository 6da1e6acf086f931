import type { ProgressEvent, Result } from '@llmeter/runner';
import type { Command } from 'commander';
import type { CliIO } from '../cli-io.js';
import { ProgressDisplay } from '../progress/progress-display.js';
import { writeReportAfterRun } from '../report/write-report.js';

/** Whether the user gave an option on the command line (not its default). */
export function givenOn(cmd: Command): (name: string) => boolean {
  return (name) => cmd.getOptionValueSource(name) === 'cli';
}

/**
 * The progress display of a measuring command (`run`, `sweep`, `heatmap`) on stderr: plain lines with `--quiet`,
 * filled by elapsed time when `--duration` bounds the run.
 */
export function progressDisplayFor(io: CliIO, flags: { quiet?: boolean; duration?: number }): ProgressDisplay {
  return new ProgressDisplay({
    stream: io.stderr,
    ...(flags.quiet ? { mode: 'lines' as const } : {}),
    ...(flags.duration !== undefined ? { durationSeconds: flags.duration } : {}),
  });
}

/**
 * An `onProgress` for `steps` runs made one after another (sweep levels, heatmap cells): the display is labelled
 * `label(0)` now and moves to the next step's label each time a run is `done`.
 */
export function steppedProgress(
  display: ProgressDisplay,
  steps: number,
  label: (step: number) => string,
): (event: ProgressEvent) => void {
  let step = 0;
  display.setLabel(label(step));
  return (event) => {
    display.update(event);
    if (event.phase === 'done' && step < steps - 1) {
      step++;
      display.setLabel(label(step));
    }
  };
}

/** Why requests counted this way make a command fail (exit 1): none finished, or all failed; null when some succeeded. */
export function outcomeProblem(total: number, failed: number, topError: string | null = null): string | null {
  if (total === 0) return 'no request finished';
  if (failed >= total) {
    return `every request failed (${failed} of ${total})${topError ? `; most common error: ${topError}` : ''}`;
  }
  return null;
}

/**
 * Ends a command that made several runs (`sweep`, `heatmap`): writes `report.html` when `--report` asks,
 * prints through `print(reportFile)`, and sets exit status 1 when the report could not be written or when no
 * request of any run succeeded.
 */
export async function finishRuns(
  result: { outputPath: string | null; results: readonly Result[] },
  flags: { report?: boolean },
  io: CliIO,
  setExit: (code: number) => void,
  print: (reportFile: string | null) => void,
): Promise<void> {
  const written = flags.report && result.outputPath ? await writeReportAfterRun(result.outputPath, io.stderr) : null;
  if (written?.failed) setExit(1);
  print(written?.file ?? null);
  const total = result.results.reduce((a, r) => a + r.totalRequests, 0);
  const failed = result.results.reduce((a, r) => a + (Number(r.stats['failed_requests']) || 0), 0);
  const problem = outcomeProblem(total, failed);
  if (problem) {
    io.stderr.write(`llmeter: ${problem}\n`);
    setExit(1);
  }
}
