import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LLMeterValidationError } from '@llmeter/core';
import { Result } from '@llmeter/runner';
import type { HeatmapCell, ReportRun, ReportSource, SweepLevel } from './report-source.js';

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
 * records by the same code as the live run; interrupted and killed runs recovered).
 */
export async function loadReportRun(dir: string): Promise<ReportRun> {
  const result = await Result.load(dir);
  const name = result.runName ?? basename(resolve(dir));
  return { path: dir, name, config: result.config, stats: result.stats, records: result.responses };
}

function numberOf(config: Record<string, unknown>, ...keys: string[]): number | null {
  for (const key of keys) {
    const v = config[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * Reads what a report shows from a folder: a run folder, a sweep folder (run folders inside that differ by
 * `clients` or `rate`), or a latency-heatmap folder (run folders inside with input and output lengths).
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
  const runs: ReportRun[] = [];
  for (const entry of entries) {
    const sub = join(dir, entry);
    if (await isRunFolder(sub)) runs.push(await loadReportRun(sub));
  }
  if (runs.length === 0) {
    throw new LLMeterValidationError(`${dir}: not a run folder (no run_config.json) and no run folders inside it`);
  }
  const cells: HeatmapCell[] = [];
  for (const run of runs) {
    const input = numberOf(run.config, 'input_tokens', 'input_length');
    const output = numberOf(run.config, 'output_tokens', 'output_length', 'max_tokens');
    if (input !== null && output !== null) cells.push({ inputTokens: input, outputTokens: output, run });
  }
  if (cells.length === runs.length && runs.length > 0) return { kind: 'heatmap', path: dir, name, cells };
  const rates = runs.map((r) => numberOf(r.config, 'rate'));
  if (rates.every((r) => r !== null) && new Set(rates).size > 1) {
    const levels: SweepLevel[] = runs.map((run, i) => ({ value: rates[i] as number, run }));
    return { kind: 'sweep', path: dir, name, parameter: 'rate', levels: levels.sort((a, b) => a.value - b.value) };
  }
  const levels: SweepLevel[] = runs.map((run) => ({ value: numberOf(run.config, 'clients') ?? 1, run }));
  return { kind: 'sweep', path: dir, name, parameter: 'clients', levels: levels.sort((a, b) => a.value - b.value) };
}
