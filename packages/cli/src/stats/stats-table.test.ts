import { describe, expect, it } from 'vitest';
import { formatChange, formatSeconds, formatStat } from './format-value.js';
import { compareStats, formatComparisonTable, formatStatsTable, textTable } from './stats-table.js';

const stats = {
  'time_to_first_token-average': 0.25,
  'time_to_first_token-p50': 0.2,
  'time_to_first_token-p90': 0.4,
  'time_to_first_token-p99': 1.5,
  'num_tokens_output-average': 80.25,
  total_requests: 100,
  failed_requests: 3,
  'failed_requests-throttled': 3,
  'failed_requests-server': 0,
  failed_requests_rate: 0.03,
  requests_per_minute: 1200,
};

describe('statistics tables', () => {
  it('formats values in their units', () => {
    expect(formatSeconds(0.2105)).toBe('210.5 ms');
    expect(formatSeconds(0.00123)).toBe('1.23 ms');
    expect(formatSeconds(2.5)).toBe('2.500 s');
    expect(formatStat(0.0312, 'ratio')).toBe('3.12 %');
    expect(formatStat(1234.56, 'per-minute')).toBe('1,234.6 /min');
    expect(formatStat(null, 'seconds')).toBe('–');
    expect(formatChange(0.2, 0.25)).toBe('+25.0 %');
    expect(formatChange(0, 0)).toBe('0.0 %');
    expect(formatChange(0, 1)).toBe('–');
  });

  it('lays out the run table: distributions present, then the single values (zero failure types left out)', () => {
    const text = formatStatsTable(stats);
    expect(text).toMatch(/^metric\s+average\s+p50\s+p90\s+p99$/m);
    expect(text).toMatch(/^TTFT\s+250\.0 ms\s+200\.0 ms\s+400\.0 ms\s+1\.500 s$/m);
    expect(text).toMatch(/^output tokens\s+80\.3\s+–\s+–\s+–$/m);
    expect(text).not.toContain('TTLT');
    expect(text).toMatch(/^ {2}failed: throttled\s+3$/m);
    expect(text).not.toContain('failed: server');
    expect(text).toMatch(/^failure rate\s+3 %$/m);
  });

  it('compares two runs with the change in percent', () => {
    const rows = compareStats(stats, { ...stats, 'time_to_first_token-p50': 0.3, total_requests: 50 });
    const p50 = rows.find((r) => r.key === 'time_to_first_token-p50');
    expect(p50).toMatchObject({ a: 0.2, b: 0.3 });
    expect(p50?.changePercent).toBeCloseTo(50);
    expect(rows.find((r) => r.key === 'total_requests')?.changePercent).toBeCloseTo(-50);
    expect(rows.some((r) => r.key.startsWith('time_to_last_token'))).toBe(false);
    expect(formatComparisonTable(rows, 'A', 'B')).toMatch(/^TTFT p50\s+200\.0 ms\s+300\.0 ms\s+\+50\.0 %$/m);
  });

  it('aligns text tables', () => {
    expect(
      textTable([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('a    bb\n───  ──\nccc   d');
  });
});
