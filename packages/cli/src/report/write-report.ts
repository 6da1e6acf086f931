import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadReportSource } from './load-report-source.js';
import { type RenderReportOptions, renderReport } from './render-report.js';
import type { ReportSource } from './report-source.js';

/** The default report file name, written inside the folder it describes. */
export const REPORT_FILE = 'report.html';

/** Options for `writeReport`. */
export interface WriteReportOptions extends RenderReportOptions {
  /** Where to write the HTML file. Default: `<dir>/report.html`. */
  output?: string;
}

/** Reads a run, sweep or heatmap folder and writes its self-contained HTML report; resolves with the file path. */
export async function writeReport(
  dir: string,
  options: WriteReportOptions = {},
): Promise<{ file: string; source: ReportSource }> {
  const source = await loadReportSource(dir);
  const file = options.output ?? join(dir, REPORT_FILE);
  await writeFile(file, renderReport(source, options));
  return { file, source };
}

/**
 * `--report` after a measurement: writes the report, or says on `stderr` why it could not and resolves with
 * null, so the results already measured are still printed (the command then exits 1).
 */
export async function writeReportAfterRun(
  dir: string,
  stderr: NodeJS.WritableStream,
): Promise<{ file: string | null; failed: boolean }> {
  try {
    return { file: (await writeReport(dir)).file, failed: false };
  } catch (error) {
    stderr.write(
      `llmeter: could not write the report of ${dir}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return { file: null, failed: true };
  }
}
