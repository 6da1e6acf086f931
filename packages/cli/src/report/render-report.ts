import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatStat } from '../stats/format-value.js';
import { DISTRIBUTION_COLUMNS, statsTableRows, statValue } from '../stats/stats-table.js';
import { digestOf, levelLabel, type ReportSection, reportSections } from './report-charts.js';
import type { ReportRun, ReportSource } from './report-source.js';

let chartJsSource: string | undefined;

/** The Chart.js UMD bundle, read once from the installed `chart.js` package (embedded in every report). */
export function chartJsBundle(): string {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    // `chart.js` resolves to dist/chart.cjs; the UMD build sits beside it.
    const dist = dirname(require.resolve('chart.js'));
    chartJsSource = readFileSync(join(dist, 'chart.umd.min.js'), 'utf8');
  }
  return chartJsSource;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe to embed inside a `<script>` element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function table(header: string[], rows: string[][], className = ''): string {
  const th = header.map((h, i) => `<th${i ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const tr = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="${className}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function runStatsTables(stats: Record<string, unknown>): string {
  const { distributions, scalars } = statsTableRows(stats);
  return (
    (distributions.length ? table(['metric', ...DISTRIBUTION_COLUMNS], distributions, 'stats') : '') +
    (scalars.length ? table(['statistic', 'value'], scalars, 'stats') : '')
  );
}

const CONFIG_KEYS = [
  'mode',
  'clients',
  'n_requests',
  'run_duration',
  'rate',
  'arrivals',
  'burstiness',
  'max_concurrency',
  'warmup',
  'timeout',
  'slo',
  'start_time',
];

function describeRun(run: ReportRun): string[][] {
  const rows: string[][] = [];
  const endpoint = run.config['endpoint'] as Record<string, unknown> | undefined;
  if (endpoint && typeof endpoint === 'object') {
    for (const key of ['endpoint_type', 'model_id', 'region', 'endpoint_url', 'transport']) {
      if (endpoint[key] !== undefined && endpoint[key] !== null) rows.push([key, String(endpoint[key])]);
    }
  }
  for (const key of CONFIG_KEYS) {
    const v = run.config[key];
    if (v === undefined || v === null) continue;
    rows.push([key, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return rows;
}

function summaryHtml(source: ReportSource): string {
  switch (source.kind) {
    case 'run': {
      const params = describeRun(source.run);
      return (params.length ? table(['parameter', 'value'], params, 'params') : '') + runStatsTables(source.run.stats);
    }
    case 'sweep': {
      const rows = source.levels.map((l) => {
        const s = l.run.stats;
        return [
          levelLabel(source.parameter, l.value),
          formatStat(statValue(s, 'total_requests') ?? digestOf(l.run).count, 'count'),
          formatStat(statValue(s, 'failed_requests_rate'), 'ratio'),
          formatStat(statValue(s, 'time_to_first_token-p50'), 'seconds'),
          formatStat(statValue(s, 'time_to_first_token-p90'), 'seconds'),
          formatStat(statValue(s, 'time_to_last_token-p50'), 'seconds'),
          formatStat(statValue(s, 'time_to_last_token-p90'), 'seconds'),
          formatStat(statValue(s, 'time_per_output_token-p50'), 'seconds'),
          formatStat(statValue(s, 'requests_per_minute'), 'per-minute'),
          formatStat(statValue(s, 'output_tps'), 'per-second'),
        ];
      });
      const first = source.levels[0]?.run;
      const params = first
        ? describeRun(first).filter(([k]) => !['rate', 'clients', 'start_time'].includes(k as string))
        : [];
      return (
        (params.length ? table(['parameter', 'value'], params, 'params') : '') +
        table(
          [
            source.parameter === 'clients' ? 'clients' : 'rate',
            'requests',
            'failure rate',
            'TTFT p50',
            'TTFT p90',
            'TTLT p50',
            'TTLT p90',
            'TPOT p50',
            'requests/min',
            'output tok/s',
          ],
          rows,
          'stats',
        )
      );
    }
    case 'heatmap': {
      const rows = [...source.cells]
        .sort((a, b) => a.inputTokens - b.inputTokens || a.outputTokens - b.outputTokens)
        .map((c) => {
          const s = c.run.stats;
          return [
            String(c.inputTokens),
            String(c.outputTokens),
            formatStat(statValue(s, 'total_requests') ?? digestOf(c.run).count, 'count'),
            formatStat(statValue(s, 'failed_requests_rate'), 'ratio'),
            formatStat(statValue(s, 'time_to_first_token-average'), 'seconds'),
            formatStat(statValue(s, 'time_to_last_token-average'), 'seconds'),
            formatStat(statValue(s, 'num_tokens_output-average'), 'tokens'),
          ];
        });
      return table(
        ['input tokens', 'max output tokens', 'requests', 'failure rate', 'TTFT avg', 'TTLT avg', 'output tokens avg'],
        rows,
        'stats',
      );
    }
  }
}

function sectionsHtml(sections: ReportSection[]): string {
  return sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)}</h2><div class="grid">${s.charts
          .map(
            (c) =>
              `<figure class="chart" data-chart-id="${escapeHtml(c.id)}"><figcaption>${escapeHtml(c.title)}</figcaption>` +
              `<div class="canvas-box"><canvas id="${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></div>` +
              (c.note ? `<p class="note">${escapeHtml(c.note)}</p>` : '') +
              '</figure>',
          )
          .join('\n')}</div></section>`,
    )
    .join('\n');
}

// Runs in the browser: draws every chart of the embedded JSON; heatmaps become scatter plots of squares.
const PAGE_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('llmeter-charts').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  function heatColor(v, min, max) {
    var t = max > min ? (v - min) / (max - min) : 0.5;
    var hue = 220 - 220 * t;
    return 'hsl(' + hue + ', 75%, 50%)';
  }
  function heatmapConfig(spec) {
    var flat = [];
    spec.values.forEach(function (row, yi) {
      row.forEach(function (v, xi) { if (v !== null) flat.push({ x: String(spec.xValues[xi]), y: String(spec.yValues[yi]), v: v }); });
    });
    var vs = flat.map(function (p) { return p.v; });
    var min = Math.min.apply(null, vs), max = Math.max.apply(null, vs);
    return {
      type: 'scatter',
      data: { datasets: [{ label: spec.title, data: flat, pointStyle: 'rect',
        backgroundColor: flat.map(function (p) { return heatColor(p.v, min, max); }),
        pointRadius: function (ctx) {
          var a = ctx.chart.chartArea;
          if (!a) return 10;
          return Math.max(4, Math.min(a.width / spec.xValues.length, a.height / spec.yValues.length) / 2 - 3);
        },
        pointHoverRadius: function (ctx) {
          var a = ctx.chart.chartArea;
          if (!a) return 10;
          return Math.max(4, Math.min(a.width / spec.xValues.length, a.height / spec.yValues.length) / 2 - 1);
        } }] },
      options: {
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) {
          var p = ctx.raw; return spec.xTitle + ' ' + p.x + ', ' + spec.yTitle + ' ' + p.y + ': ' + p.v + ' ' + spec.unit; } } } },
        scales: {
          x: { type: 'category', labels: spec.xValues.map(String), offset: true, grid: { display: false }, title: { display: true, text: spec.xTitle } },
          y: { type: 'category', labels: spec.yValues.map(String).reverse(), offset: true, grid: { display: false }, title: { display: true, text: spec.yTitle } }
        }
      },
      plugins: [{ id: 'cellLabels', afterDatasetsDraw: function (chart) {
        var ctx = chart.ctx, meta = chart.getDatasetMeta(0);
        ctx.save(); ctx.fillStyle = '#fff'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
        ctx.font = 'bold 12px ' + Chart.defaults.font.family;
        meta.data.forEach(function (el, i) { ctx.fillText(String(flat[i].v), el.x, el.y); });
        ctx.restore();
      } }]
    };
  }
  window.llmeterCharts = specs.map(function (spec) {
    var canvas = document.getElementById(spec.id);
    return new Chart(canvas, spec.type === 'heatmap' ? heatmapConfig(spec) : spec.config);
  });
})();
`;

const STYLE = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 17px; margin: 28px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.summary { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 16px; }
figure.chart { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.canvas-box { position: relative; height: 260px; }
.note { margin: 6px 0 0; color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

/** Options for `renderReport`. */
export interface RenderReportOptions {
  /** The page title. Default: `LLMeter report – <name>`. */
  title?: string;
  /** The instant shown as generation time. Default: now. */
  generatedAt?: Date;
}

/** Renders a report as one self-contained HTML document (Chart.js and the data embedded; no network needed). */
export function renderReport(source: ReportSource, options: RenderReportOptions = {}): string {
  const sections = reportSections(source);
  const charts = sections.flatMap((s) => s.charts);
  const kind =
    source.kind === 'run' ? 'run' : source.kind === 'sweep' ? `sweep over ${source.parameter}` : 'latency heatmap';
  const title = options.title ?? `LLMeter report – ${source.name}`;
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@llmeter/cli">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-report-kind="${source.kind}">
<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(kind)} · ${escapeHtml(source.path)} · generated ${escapeHtml(generatedAt)}</p></header>
<section><h2>Summary</h2><div class="summary">${summaryHtml(source)}</div></section>
${sectionsHtml(sections)}
<footer>Made by the llmeter command (@llmeter/cli). Charts: Chart.js (MIT), embedded.</footer>
<script>${chartJsBundle().replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="llmeter-charts">${scriptJson(charts)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
