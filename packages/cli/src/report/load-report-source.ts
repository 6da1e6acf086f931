import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InvocationResponse, LLMeterValidationError } from '@llmeter/core';
import type { HeatmapCell, ReportRun, ReportSource, SweepLevel } from './report-source.js';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a folder looks like one run (it has `run_config.json` or `responses.jsonl`). */
export async function isRunFolder(dir: string): Promise<boolean> {
  return (await exists(join(dir, 'run_config.json'))) || (await exists(join(dir, 'responses.jsonl')));
}

async function readJSON(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LLMeterValidationError(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function readLines(path: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  const out: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch (cause) {
      // A last line cut short by a killed run is skipped; anything else is an error.
      if (i === lines.length - 1) return;
      throw new LLMeterValidationError(`${path}:${i + 1}: invalid JSON line`, { cause });
    }
  });
  return out;
}

/** Reads one run folder for the report. */
export async function loadReportRun(dir: string): Promise<ReportRun> {
  const config = (await readJSON(join(dir, 'run_config.json'))) ?? {};
  const stats = (await readJSON(join(dir, 'stats.json'))) ?? {};
  const lines = await readLines(join(dir, 'responses.jsonl'));
  const ext = await readLines(join(dir, 'responses_ext.jsonl'));
  const byId = new Map(ext.filter((e) => typeof e['id'] === 'string').map((e) => [e['id'] as string, e]));
  const records = lines.map((line, i) => {
    const positional = ext[i];
    const extension = positional && positional['id'] === line['id'] ? positional : byId.get(line['id'] as string);
    return InvocationResponse.fromJSON(line, extension);
  });
  const name = typeof config['run_name'] === 'string' ? config['run_name'] : basename(resolve(dir));
  return { path: dir, name, config, stats, records };
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
    throw new LLMeterValidationError(
      `${dir}: not a run folder (no run_config.json or responses.jsonl) and no run folders inside it`,
    );
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
