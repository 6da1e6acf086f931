import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes rows as `{name}.json` (an array of objects) and `{name}.csv` (header from the first row's keys). */
export async function writeTable(folder: string, name: string, rows: Array<Record<string, unknown>>): Promise<void> {
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
