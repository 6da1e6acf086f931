import type { InvocationResponse } from '@llmeter/core';
import { summarize } from '@llmeter/core';
import type { ChartConfiguration } from 'chart.js';
import type { Histogram } from './chart-data.js';
import type { ReportRun, ReportSource, SweepLevel } from './report-source.js';
import { digestRecords, histogramTotal, type RunDigest, type TimelinePoint } from './run-digest.js';

/** A chart drawn by Chart.js from a JSON configuration. */
export interface ChartJsSpec {
  type: 'chartjs';
  id: string;
  title: string;
  note?: string;
  config: ChartConfiguration;
}

/** A matrix of values drawn as a colored grid (a Chart.js scatter of squares, built in the page). */
export interface HeatmapSpec {
  type: 'heatmap';
  id: string;
  title: string;
  note?: string;
  xTitle: string;
  yTitle: string;
  xValues: number[];
  yValues: number[];
  /** `values[y][x]`, null where there is no measurement. */
  values: (number | null)[][];
  unit: string;
}

/** One chart of a report. */
export type ChartSpec = ChartJsSpec | HeatmapSpec;

/** A titled group of charts. */
export interface ReportSection {
  title: string;
  charts: ChartSpec[];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563'];
const OUTCOME_COLORS: Record<string, string> = {
  ok: '#16a34a',
  throttled: '#ea580c',
  timeout: '#ca8a04',
  client: '#9333ea',
  server: '#dc2626',
  stream: '#db2777',
  network: '#0891b2',
  aborted: '#4b5563',
  unknown: '#111827',
};

const ms = (s: number) => s * 1000;
const round = (v: number, digits = 3) => Number(v.toFixed(digits));

/** The chart data of a run: its `digest`, else computed once from its records. */
const digests = new WeakMap<ReportRun, RunDigest>();
export function digestOf(run: ReportRun): RunDigest {
  if (run.digest) return run.digest;
  let d = digests.get(run);
  if (!d) {
    d = digestRecords(run.records);
    digests.set(run, d);
  }
  return d;
}

/** A bar chart of a histogram in seconds, shown in ms; the note gives the run's percentiles from `stats.json`. */
function histogramChart(
  id: string,
  title: string,
  h: Histogram,
  stats: Record<string, unknown>,
  statKey: string,
  axis: string,
  color: string,
): ChartJsSpec {
  const labels = h.counts.map((_, i) => {
    const lo = ms(h.edges[i] as number);
    const hi = ms(h.edges[i + 1] as number);
    if (h.tail && i === h.counts.length - 1) return `> ${round(lo, 1)}`;
    return lo === hi ? `${round(lo, 1)}` : `${round(lo, 1)}–${round(hi, 1)}`;
  });
  const p = (q: string) =>
    fmtMs(typeof stats[`${statKey}-${q}`] === 'number' ? (stats[`${statKey}-${q}`] as number) : null);
  return {
    type: 'chartjs',
    id,
    title,
    note: `${histogramTotal(h)} values · p50 ${p('p50')} · p90 ${p('p90')} · p99 ${p('p99')}`,
    config: {
      type: 'bar',
      data: { labels, datasets: [{ label: 'requests', data: h.counts, backgroundColor: color }] },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: axis } },
          y: { title: { display: true, text: 'requests' }, beginAtZero: true },
        },
      },
    },
  };
}

function fmtMs(seconds: number | null | undefined): string {
  return typeof seconds === 'number' ? `${round(ms(seconds), 1)} ms` : '–';
}

function values(records: readonly InvocationResponse[], pick: (r: InvocationResponse) => number | null): number[] {
  const out: number[] = [];
  for (const r of records) {
    const v = pick(r);
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
}

const ttft = (r: InvocationResponse) => r.timeToFirstToken;
const ttlt = (r: InvocationResponse) => r.timeToLastToken;
const tpot = (r: InvocationResponse) => r.effectiveTimePerOutputToken;

function outcomeChart(id: string, digest: RunDigest): ChartJsSpec {
  const counts = digest.outcomes.filter(([k, n]) => k === 'ok' || n > 0);
  const total = digest.count;
  const failed = total - (digest.outcomes.find(([k]) => k === 'ok')?.[1] ?? 0);
  return {
    type: 'chartjs',
    id,
    title: 'Requests by outcome',
    note: `${failed} of ${total} failed (${total ? round((100 * failed) / total, 2) : 0} %)`,
    config: {
      type: 'bar',
      data: {
        labels: counts.map(([k]) => k),
        datasets: [
          {
            label: 'requests',
            data: counts.map(([, n]) => n),
            backgroundColor: counts.map(([k]) => OUTCOME_COLORS[k] ?? '#4b5563'),
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'requests' } } },
      },
    },
  };
}

const msPoints = (points: readonly TimelinePoint[], digits: number) =>
  points.map((p) => ({ x: round(p.x), y: round(ms(p.y), digits) }));

function strideNote(digest: RunDigest): string {
  const { stride } = digest.timeline;
  return stride > 1 ? ` (one request in ${stride} of ${digest.count} shown)` : '';
}

function overTimeChart(id: string, digest: RunDigest): ChartJsSpec | null {
  const first = msPoints(digest.timeline.ttft, 2);
  const last = msPoints(digest.timeline.ttlt, 2);
  if (first.length + last.length === 0) return null;
  return {
    type: 'chartjs',
    id,
    title: 'Latency over the run',
    note: `each point is one request, placed at its send time${strideNote(digest)}`,
    config: {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'TTFT (ms)', data: first, backgroundColor: COLORS[0], pointRadius: 2 },
          { label: 'TTLT (ms)', data: last, backgroundColor: COLORS[1], pointRadius: 2 },
        ],
      },
      options: {
        scales: {
          x: { title: { display: true, text: 'send time (s from the first request)' } },
          y: { title: { display: true, text: 'ms' }, beginAtZero: true },
        },
      },
    },
  };
}

function scheduleLagCharts(prefix: string, run: ReportRun, digest: RunDigest): ChartSpec[] {
  if (histogramTotal(digest.scheduleLag) === 0) return [];
  const points = msPoints(digest.timeline.scheduleLag, 3);
  return [
    histogramChart(
      `${prefix}-lag-hist`,
      'Schedule lag distribution',
      digest.scheduleLag,
      run.stats,
      'schedule_lag',
      'schedule lag (ms)',
      COLORS[3] as string,
    ),
    {
      type: 'chartjs',
      id: `${prefix}-lag-time`,
      title: 'Schedule lag over the run',
      note: `actual minus intended send instant; a growing lag means the client could not keep the schedule${strideNote(digest)}`,
      config: {
        type: 'scatter',
        data: { datasets: [{ label: 'schedule lag (ms)', data: points, backgroundColor: COLORS[3], pointRadius: 2 }] },
        options: {
          plugins: { legend: { display: false } },
          scales: {
            x: { title: { display: true, text: 'send time (s from the first request)' } },
            y: { title: { display: true, text: 'ms' }, beginAtZero: true },
          },
        },
      },
    },
  ];
}

/** The sections of a single-run report. */
export function runSections(run: ReportRun): ReportSection[] {
  const digest = digestOf(run);
  const sections: ReportSection[] = [];
  const dist: ChartSpec[] = [];
  const pairs: [string, string, Histogram, string, string][] = [
    ['ttft', 'Time to first token (TTFT)', digest.ttft, 'time_to_first_token', 'TTFT (ms)'],
    ['ttlt', 'Time to last token (TTLT)', digest.ttlt, 'time_to_last_token', 'TTLT (ms)'],
    ['tpot', 'Time per output token (TPOT)', digest.tpot, 'time_per_output_token', 'TPOT (ms)'],
  ];
  pairs.forEach(([key, title, h, statKey, axis], i) => {
    if (histogramTotal(h))
      dist.push(histogramChart(`run-${key}`, title, h, run.stats, statKey, axis, COLORS[i] as string));
  });
  if (histogramTotal(digest.interChunk))
    dist.push(
      histogramChart(
        'run-icl',
        'Inter-chunk latency',
        digest.interChunk,
        run.stats,
        'inter_chunk_latency',
        'gap between chunks (ms)',
        COLORS[5] as string,
      ),
    );
  if (dist.length) sections.push({ title: 'Latency distributions', charts: dist });
  const over = overTimeChart('run-time', digest);
  sections.push({
    title: 'Outcomes and timeline',
    charts: [outcomeChart('run-outcomes', digest), ...(over ? [over] : [])],
  });
  const lag = scheduleLagCharts('run', run, digest);
  if (lag.length) sections.push({ title: 'Schedule lag (open loop)', charts: lag });
  return sections;
}

function statOf(
  run: ReportRun,
  key: string,
  pick: (r: InvocationResponse) => number | null,
  p: 'p50' | 'p90' | 'p99',
): number | null {
  const v = run.stats[key];
  if (typeof v === 'number') return v;
  return summarize(values(run.records, pick))[p] ?? null;
}

/** The x-axis label of a sweep level. */
export function levelLabel(parameter: 'clients' | 'rate', value: number): string {
  return parameter === 'clients' ? `${value} ${value === 1 ? 'client' : 'clients'}` : `${value} req/s`;
}

function percentileLines(
  id: string,
  title: string,
  levels: SweepLevel[],
  labels: string[],
  metric: string,
  pick: (r: InvocationResponse) => number | null,
  xTitle: string,
): ChartJsSpec {
  const ps = ['p50', 'p90', 'p99'] as const;
  return {
    type: 'chartjs',
    id,
    title,
    config: {
      type: 'line',
      data: {
        labels,
        datasets: ps.map((p, i) => ({
          label: p,
          data: levels.map((l) => {
            const v = statOf(l.run, `${metric}-${p}`, pick, p);
            return v === null ? null : round(ms(v), 3);
          }),
          borderColor: COLORS[i],
          backgroundColor: COLORS[i],
        })),
      },
      options: {
        scales: {
          x: { title: { display: true, text: xTitle } },
          y: { beginAtZero: true, title: { display: true, text: 'ms' } },
        },
      },
    },
  };
}

/** The sections of a sweep report (a `LoadTest` over clients or rates). */
export function sweepSections(source: Extract<ReportSource, { kind: 'sweep' }>): ReportSection[] {
  const { levels, parameter } = source;
  const labels = levels.map((l) => levelLabel(parameter, l.value));
  const xTitle = parameter === 'clients' ? 'concurrent clients' : 'arrival rate (requests per second)';
  const latency: ChartSpec[] = [
    percentileLines('sweep-ttft', 'TTFT percentiles', levels, labels, 'time_to_first_token', ttft, xTitle),
    percentileLines('sweep-ttlt', 'TTLT percentiles', levels, labels, 'time_to_last_token', ttlt, xTitle),
    percentileLines('sweep-tpot', 'TPOT percentiles', levels, labels, 'time_per_output_token', tpot, xTitle),
  ];
  const num = (run: ReportRun, key: string) => {
    const v = run.stats[key];
    return typeof v === 'number' ? round(v, 3) : null;
  };
  const throughput: ChartJsSpec = {
    type: 'chartjs',
    id: 'sweep-throughput',
    title: 'Throughput',
    config: {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'requests per minute',
            data: levels.map((l) => num(l.run, 'requests_per_minute')),
            borderColor: COLORS[0],
            backgroundColor: COLORS[0],
            yAxisID: 'y',
          },
          {
            label: 'output tokens per second',
            data: levels.map((l) => num(l.run, 'output_tps')),
            borderColor: COLORS[2],
            backgroundColor: COLORS[2],
            yAxisID: 'y1',
          },
        ],
      },
      options: {
        scales: {
          x: { title: { display: true, text: xTitle } },
          y: { beginAtZero: true, position: 'left', title: { display: true, text: 'requests per minute' } },
          y1: {
            beginAtZero: true,
            position: 'right',
            grid: { drawOnChartArea: false },
            title: { display: true, text: 'output tokens per second' },
          },
        },
      },
    },
  };
  const perLevel = levels.map((l) => new Map<string, number>(digestOf(l.run).outcomes));
  const types = [...(perLevel[0]?.keys() ?? [])].filter((k) => k !== 'ok' && perLevel.some((m) => (m.get(k) ?? 0) > 0));
  const rate = (m: Map<string, number>, k: string) => {
    let total = 0;
    for (const n of m.values()) total += n;
    return total ? round((100 * (m.get(k) ?? 0)) / total, 3) : 0;
  };
  const errors: ChartJsSpec = {
    type: 'chartjs',
    id: 'sweep-errors',
    title: 'Error rate by type',
    note: types.length ? undefined : 'no request failed',
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: (types.length ? types : ['failed']).map((k) => ({
          label: k,
          data: perLevel.map((m) => rate(m, k)),
          backgroundColor: OUTCOME_COLORS[k] ?? '#dc2626',
        })),
      },
      options: {
        scales: {
          x: { stacked: true, title: { display: true, text: xTitle } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: '% of requests' } },
        },
      },
    },
  };
  const sections: ReportSection[] = [
    { title: 'Latency percentiles', charts: latency },
    { title: 'Throughput and errors', charts: [throughput, errors] },
  ];
  if (levels.some((l) => histogramTotal(digestOf(l.run).scheduleLag) > 0)) {
    sections.push({
      title: 'Schedule lag (open loop)',
      charts: [
        {
          type: 'chartjs',
          id: 'sweep-lag',
          title: 'Schedule lag percentiles',
          note: 'actual minus intended send instant',
          config: {
            type: 'line',
            data: {
              labels,
              datasets: (['p50', 'p99'] as const).map((p, i) => ({
                label: p,
                data: levels.map((l) => {
                  const v = statOf(l.run, `schedule_lag-${p}`, (r) => r.scheduleLag, p);
                  return v === null ? null : round(ms(v), 3);
                }),
                borderColor: COLORS[3 + i],
                backgroundColor: COLORS[3 + i],
              })),
            },
            options: {
              scales: {
                x: { title: { display: true, text: xTitle } },
                y: { beginAtZero: true, title: { display: true, text: 'ms' } },
              },
            },
          },
        },
      ],
    });
  }
  return sections;
}

/** The sections of a latency-heatmap report: average TTFT and TTLT over input × output lengths. */
export function heatmapSections(source: Extract<ReportSource, { kind: 'heatmap' }>): ReportSection[] {
  const xValues = [...new Set(source.cells.map((c) => c.inputTokens))].sort((a, b) => a - b);
  const yValues = [...new Set(source.cells.map((c) => c.outputTokens))].sort((a, b) => a - b);
  // Averages from the runner's statistics (exact for low-memory runs too), else from the records.
  const grid = (metric: string, pick: (r: InvocationResponse) => number | null) =>
    yValues.map((y) =>
      xValues.map((x) => {
        const cell = source.cells.find((c) => c.inputTokens === x && c.outputTokens === y);
        if (!cell) return null;
        const stat = cell.run.stats[`${metric}-average`];
        const avg = typeof stat === 'number' ? stat : summarize(values(cell.run.records, pick)).average;
        return avg === null ? null : round(ms(avg), 1);
      }),
    );
  const spec = (
    id: string,
    title: string,
    metric: string,
    pick: (r: InvocationResponse) => number | null,
  ): HeatmapSpec => ({
    type: 'heatmap',
    id,
    title,
    xTitle: 'input tokens',
    yTitle: 'max output tokens',
    xValues,
    yValues,
    values: grid(metric, pick),
    unit: 'ms',
  });
  return [
    {
      title: 'Latency by input and output length',
      charts: [
        spec('heatmap-ttft', 'Average TTFT (ms)', 'time_to_first_token', ttft),
        spec('heatmap-ttlt', 'Average TTLT (ms)', 'time_to_last_token', ttlt),
      ],
    },
  ];
}

/** The sections of any report. */
export function reportSections(source: ReportSource): ReportSection[] {
  switch (source.kind) {
    case 'run':
      return runSections(source.run);
    case 'sweep':
      return sweepSections(source);
    case 'heatmap':
      return heatmapSections(source);
  }
}
