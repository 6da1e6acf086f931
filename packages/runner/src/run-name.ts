/** A UTC timestamp usable as a run or test folder name: `YYYYMMDD-HHMMSS-mmm`. */
export function timestampName(d: Date = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
}
