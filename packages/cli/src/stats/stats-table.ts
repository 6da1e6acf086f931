import { ERROR_TYPES } from '@llmeter/core';
import { formatChange, formatStat, relativeChange, type StatUnit } from './format-value.js';

/** A distribution metric of `stats.json` (keys `{key}-average`, `{key}-p50`, …). */
export interface DistributionMetric {
  key: string;
  label: string;
  unit: StatUnit;
}

/** A single-value statistic of `stats.json`. */
export interface ScalarMetric {
  key: string;
  label: string;
  unit: StatUnit;
}

/** The distributions LLMeter writes to `stats.json`, in display order. */
export const DISTRIBUTION_METRICS: readonly DistributionMetric[] = [
  { key: 'time_to_first_token', label: 'TTFT', unit: 'seconds' },
  { key: 'time_to_last_token', label: 'TTLT', unit: 'seconds' },
  { key: 'time_per_output_token', label: 'TPOT', unit: 'seconds' },
  { key: 'inter_chunk_latency', label: 'inter-chunk latency', unit: 'seconds' },
  { key: 'schedule_lag', label: 'schedule lag', unit: 'seconds' },
  { key: 'time_to_first_token_from_intended', label: 'TTFT from intended send', unit: 'seconds' },
  { key: 'time_to_last_token_from_intended', label: 'TTLT from intended send', unit: 'seconds' },
  { key: 'num_tokens_input', label: 'input tokens', unit: 'tokens' },
  { key: 'num_tokens_output', label: 'output tokens', unit: 'tokens' },
];

/** The distribution columns shown, in order (`average` then percentiles). */
export const DISTRIBUTION_COLUMNS: readonly string[] = ['average', 'p50', 'p90', 'p99'];

/** The single-value statistics shown, in display order; absent ones are skipped. */
export const SCALAR_METRICS: readonly ScalarMetric[] = [
  { key: 'total_requests', label: 'requests', unit: 'count' },
  { key: 'failed_requests', label: 'failed requests', unit: 'count' },
  ...ERROR_TYPES.map((t): ScalarMetric => ({ key: `failed_requests-${t}`, label: `  failed: ${t}`, unit: 'count' })),
  { key: 'failed_requests_rate', label: 'failure rate', unit: 'ratio' },
  { key: 'requests_per_minute', label: 'requests per minute', unit: 'per-minute' },
  { key: 'achieved_request_rate', label: 'achieved request rate', unit: 'per-second' },
  { key: 'output_tps', label: 'output tokens per second', unit: 'per-second' },
  { key: 'average_input_tokens_per_minute', label: 'input tokens per minute', unit: 'per-minute' },
  { key: 'average_output_tokens_per_minute', label: 'output tokens per minute', unit: 'per-minute' },
  { key: 'total_input_tokens', label: 'input tokens (total)', unit: 'count' },
  { key: 'total_output_tokens', label: 'output tokens (total)', unit: 'count' },
  { key: 'goodput_requests', label: 'requests meeting the SLO', unit: 'count' },
  { key: 'goodput_fraction', label: 'SLO attainment', unit: 'ratio' },
  { key: 'goodput_rate', label: 'goodput', unit: 'per-second' },
  { key: 'cost_total', label: 'cost (total)', unit: 'number' },
];

/** Reads a key of a stats object as a number, or null. */
export function statValue(stats: Record<string, unknown>, key: string): number | null {
  const v = stats[key];
  return typeof v === 'number' && !Number.isNaN(v) ? v : null;
}

/** One line of a statistics comparison: the key, its label and unit, both values and the change in percent. */
export interface ComparisonRow {
  key: string;
  label: string;
  unit: StatUnit;
  a: number | null;
  b: number | null;
  /** (b − a) / |a| × 100; null when undefined. */
  changePercent: number | null;
}

/** Every statistic present in either stats object, side by side with the relative change. */
export function compareStats(a: Record<string, unknown>, b: Record<string, unknown>): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const push = (key: string, label: string, unit: StatUnit) => {
    const va = statValue(a, key);
    const vb = statValue(b, key);
    if (va === null && vb === null) return;
    rows.push({ key, label, unit, a: va, b: vb, changePercent: relativeChange(va, vb) });
  };
  for (const m of DISTRIBUTION_METRICS) {
    for (const c of DISTRIBUTION_COLUMNS) push(`${m.key}-${c}`, `${m.label} ${c}`, m.unit);
  }
  for (const s of SCALAR_METRICS) push(s.key, s.label, s.unit);
  return rows;
}

/** Lays out rows of cells as an aligned text table; the first row is the header, underlined. */
export function textTable(rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[] = []): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        return (align[i] ?? (i === 0 ? 'left' : 'right')) === 'left' ? cell.padEnd(w) : cell.padStart(w);
      })
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** The rows of a run's statistics: distributions (metric, average, p50, p90, p99) and single values (label, value). */
export function statsTableRows(stats: Record<string, unknown>): { distributions: string[][]; scalars: string[][] } {
  const distributions: string[][] = [];
  for (const m of DISTRIBUTION_METRICS) {
    const values = DISTRIBUTION_COLUMNS.map((c) => statValue(stats, `${m.key}-${c}`));
    if (values.every((v) => v === null)) continue;
    distributions.push([m.label, ...values.map((v) => formatStat(v, m.unit))]);
  }
  const scalars: string[][] = [];
  for (const s of SCALAR_METRICS) {
    const v = statValue(stats, s.key);
    if (v === null || (v === 0 && s.key.startsWith('failed_requests-'))) continue;
    scalars.push([s.label, formatStat(v, s.unit)]);
  }
  return { distributions, scalars };
}

/** The statistics of one run as text: a distribution table, then the single values present. */
export function formatStatsTable(stats: Record<string, unknown>): string {
  const { distributions, scalars } = statsTableRows(stats);
  const parts: string[] = [];
  if (distributions.length) parts.push(textTable([['metric', ...DISTRIBUTION_COLUMNS], ...distributions]));
  if (scalars.length) parts.push(textTable([['statistic', 'value'], ...scalars]));
  return parts.join('\n\n');
}

/** Two runs' statistics side by side with the change in percent. */
export function formatComparisonTable(rows: readonly ComparisonRow[], labelA: string, labelB: string): string {
  const table: string[][] = [['statistic', labelA, labelB, 'change']];
  for (const r of rows) table.push([r.label, formatStat(r.a, r.unit), formatStat(r.b, r.unit), formatChange(r.a, r.b)]);
  return textTable(table);
}
