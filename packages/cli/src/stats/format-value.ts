/** How a statistic is displayed. */
export type StatUnit = 'seconds' | 'tokens' | 'count' | 'ratio' | 'per-minute' | 'per-second' | 'number';

/** A duration in seconds as text: milliseconds below one second (`512.3 ms`), seconds above (`1.204 s`). */
export function formatSeconds(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 1) return `${(seconds * 1000).toFixed(abs < 0.01 ? 2 : 1)} ms`;
  return `${seconds.toFixed(3)} s`;
}

/** A number with at most `digits` decimals and no trailing zeros (`12.5`, `3`, `0.125`). */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A statistic as text in its unit; `–` for a missing value. */
export function formatStat(value: unknown, unit: StatUnit): string {
  if (typeof value !== 'number' || Number.isNaN(value)) return '–';
  switch (unit) {
    case 'seconds':
      return formatSeconds(value);
    case 'ratio':
      return `${formatNumber(value * 100, 2)} %`;
    case 'tokens':
    case 'count':
      return formatNumber(value, 1);
    case 'per-minute':
      return `${formatNumber(value, 1)} /min`;
    case 'per-second':
      return `${formatNumber(value, 1)} /s`;
    default:
      return formatNumber(value, 3);
  }
}

/** Relative change from `a` to `b` in percent (`+12.5 %`); `–` when it is undefined (missing values or a = 0). */
export function formatChange(a: unknown, b: unknown): string {
  const change = relativeChange(a, b);
  if (change === null) return '–';
  const sign = change > 0 ? '+' : '';
  return `${sign}${change.toFixed(1)} %`;
}

/** (b − a) / |a| × 100, or null when either value is missing or a is zero (unless both are zero: 0). */
export function relativeChange(a: unknown, b: unknown): number | null {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (a === 0) return b === 0 ? 0 : null;
  return ((b - a) / Math.abs(a)) * 100;
}
