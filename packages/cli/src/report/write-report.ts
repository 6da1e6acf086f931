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
