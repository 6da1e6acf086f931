import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { timestampName } from '../run-name.js';
import type { Stats } from '../stats/stats-accumulator.js';

/** An experiment's folder `{outputPath}/{testName}` (default name: a UTC timestamp); null when nothing is written. */
export function experimentFolder(outputPath: string | undefined, testName: string | undefined): string | null {
  return outputPath ? join(outputPath, testName ?? timestampName()) : null;
}

/** The statistics `keys` of a run as a table row: the number, or null where absent or not a number. */
export function statsRow(stats: Stats, keys: readonly string[]): Record<string, number | null> {
  const row: Record<string, number | null> = {};
  for (const k of keys) {
    const v = stats[k];
    row[k] = typeof v === 'number' ? v : null;
  }
  return row;
}

/**
 * Writes rows as `{name}.json` (an array of objects) and `{name}.csv` (header from the first row's keys) into
 * `folder`, created when missing.
 */
export async function writeTable(folder: string, name: string, rows: Array<Record<string, unknown>>): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${name}.json`), `${JSON.stringify(rows, null, 2)}\n`);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const csv = [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n');
  await writeFile(join(folder, `${name}.csv`), `${csv}\n`);
}
