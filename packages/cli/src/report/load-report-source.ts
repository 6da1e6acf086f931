import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LLMeterValidationError } from '@llmeter/core';
import { Result, streamRunRecords } from '@llmeter/runner';
import type { HeatmapCell, ReportRun, ReportSource, SweepLevel } from './report-source.js';
import { digestRecordStream, digestRecords } from './run-digest.js';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a folder is one run (it has `run_config.json`). */
export async function isRunFolder(dir: string): Promise<boolean> {
  return exists(join(dir, 'run_config.json'));
}

/**
 * Reads one run folder for the report through the runner's `Result.load` (statistics recomputed from the
 * records by the same code as the live run; interrupted and killed runs recovered). A low-memory run keeps no
 * records in memory: its chart data is read from `responses.jsonl` one record at a time.
 */
export async function loadReportRun(dir: string): Promise<ReportRun> {
  let result: Result;
  try {
    result = await Result.load(dir);
  } catch (error) {
    // Name the folder when the runner's message does not (a run_config.json, summary.json or stats.json that is not JSON).
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes(dir)) throw error;
    throw new LLMeterValidationError(`${dir}: cannot read the run folder: ${message}`, { cause: error });
  }
  const name = result.runName ?? basename(resolve(dir));
  const onDiskOnly = result.responses.length === 0 && result.totalRequests > 0;
  const digest = onDiskOnly ? await digestRecordStream(() => streamRunRecords(dir)) : digestRecords(result.responses);
  return { path: dir, name, config: result.config, stats: result.stats, records: result.responses, digest };
}

function numberOf(config: Record<string, unknown>, ...keys: string[]): number | null {
  for (const key of keys) {
    const v = config[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** The subfolder name of a `LatencyHeatmap` cell: `in{inputTokens}-out{maxOutputTokens}`. */
const HEATMAP_CELL = /^in(\d+)-out(\d+)$/;

/**
 * Reads what a report shows from a folder: a run folder, a `LoadTest` folder (run folders that differ by
 * `clients` or `rate`; `load_test.json` beside them), or a `LatencyHeatmap` folder (run folders `in{N}-out{M}`).
 */
export async function loadReportSource(dir: string): Promise<ReportSource> {
  if (!(await exists(dir))) throw new LLMeterValidationError(`${dir}: no such folder`);
  const name = basename(resolve(dir));
  if (await isRunFolder(dir)) {
    const run = await loadReportRun(dir);
    return { kind: 'run', path: dir, name: run.name, run };
  }
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const runs: { folder: string; run: ReportRun }[] = [];
  for (const entry of entries) {
    const sub = join(dir, entry);
    if (await isRunFolder(sub)) runs.push({ folder: entry, run: await loadReportRun(sub) });
  }
  if (runs.length === 0) {
    throw new LLMeterValidationError(`${dir}: not a run folder (no run_config.json) and no run folders inside it`);
  }
  if (runs.every((r) => HEATMAP_CELL.test(r.folder))) {
    const cells: HeatmapCell[] = runs.map(({ folder, run }) => {
      const m = HEATMAP_CELL.exec(folder) as RegExpExecArray;
      return { inputTokens: Number(m[1]), outputTokens: Number(m[2]), run };
    });
    return { kind: 'heatmap', path: dir, name, cells };
  }
  const rates = runs.map((r) => numberOf(r.run.config, 'rate'));
  const parameter = rates.every((r) => r !== null) ? 'rate' : 'clients';
  const levels: SweepLevel[] = runs.map(({ run }, i) => ({
    value: parameter === 'rate' ? (rates[i] as number) : (numberOf(run.config, 'clients') ?? 1),
    run,
  }));
  // Run folders that repeat a level are several runs side by side (e.g. `.llmeter-runs`), not one sweep.
  const seen = new Map<number, string>();
  for (const [i, level] of levels.entries()) {
    const other = seen.get(level.value);
    const folder = runs[i]?.folder as string;
    if (other !== undefined) {
      throw new LLMeterValidationError(
        `${dir}: holds run folders that are not one sweep (${other} and ${folder} both have ${parameter} ${level.value}); ` +
          'give a run folder, a LoadTest folder or a LatencyHeatmap folder',
      );
    }
    seen.set(level.value, folder);
  }
  return { kind: 'sweep', path: dir, name, parameter, levels: levels.sort((a, b) => a.value - b.value) };
}
