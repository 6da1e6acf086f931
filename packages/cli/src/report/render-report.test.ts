import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFixtureHeatmap, writeFixtureRun, writeFixtureSweep } from '../test-support/fixture-runs.js';
import { histogram } from './chart-data.js';
import { loadReportSource } from './load-report-source.js';
import { renderReport } from './render-report.js';
import { writeReport } from './write-report.js';

const root = mkdtempSync(join(tmpdir(), 'llmeter-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function embeddedCharts(
  html: string,
): Array<{ id: string; type: string; config?: { data: { datasets: { data: unknown[] }[] } } }> {
  const m = html.match(/<script type="application\/json" id="llmeter-charts">([\s\S]*?)<\/script>/);
  expect(m).not.toBeNull();
  return JSON.parse(m?.[1] as string);
}

describe('histogram', () => {
  it('bins every finite value once, edges spanning min..max', () => {
    const h = histogram([1, 2, 2, 3, 4, Number.NaN, 10]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(h.edges[0]).toBe(1);
    expect(h.edges.at(-1)).toBeCloseTo(10);
    expect(h.edges).toHaveLength(h.counts.length + 1);
  });
  it('puts equal values in one bin and gives nothing for no values', () => {
    expect(histogram([3, 3, 3])).toEqual({ edges: [3, 3], counts: [3], tail: false });
    expect(histogram([])).toEqual({ edges: [], counts: [], tail: false });
  });
  it('gives a long tail its own overflow bin', () => {
    const values = [...Array.from({ length: 99 }, (_, i) => 1 + i / 100), 500];
    const h = histogram(values);
    expect(h.tail).toBe(true);
    expect(h.counts.at(-1)).toBe(1);
    expect(h.edges.at(-1)).toBe(500);
    expect(h.edges.at(-2)).toBeLessThan(2);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(histogram([1, 2, 3, 4]).tail).toBe(false);
  });
});

describe('loadReportSource', () => {
  it('reads a run folder with its extension sidecar', async () => {
    const dir = writeFixtureRun(join(root, 'run-open'), {
      requests: 20,
      rate: 10,
      failures: [{ every: 7, type: 'throttled' }],
    });
    const source = await loadReportSource(dir);
    expect(source.kind).toBe('run');
    if (source.kind !== 'run') return;
    expect(source.run.records).toHaveLength(20);
    expect(source.run.records.filter((r) => r.errorType === 'throttled')).toHaveLength(2);
    expect(source.run.records.every((r) => typeof r.scheduleLag === 'number')).toBe(true);
  });

  it('reads a folder written by Python LLMeter (no sidecar, no stats.json, zone-less times)', async () => {
    const dir = join(root, 'python-run');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'run_config.json'),
      JSON.stringify({ clients: 2, n_requests: 1, endpoint: { model_id: 'm' } }),
    );
    const line = {
      response_text: 'hi',
      input_payload: {},
      id: 'a',
      input_prompt: null,
      time_to_first_token: 0.3,
      time_to_last_token: 0.9,
      num_tokens_input: 5,
      num_tokens_output: 7,
      num_tokens_input_cached: null,
      num_tokens_output_reasoning: null,
      time_per_output_token: 0.1,
      error: null,
      retries: 0,
      request_time: '2025-01-01T00:00:00.123456',
    };
    writeFileSync(join(dir, 'responses.jsonl'), `${JSON.stringify(line)}\n${JSON.stringify({ ...line, id: 'b' })}\n`);
    const source = await loadReportSource(dir);
    expect(source.kind === 'run' && source.run.records.length).toBe(2);
    const html = renderReport(source);
    expect(embeddedCharts(html).map((c) => c.id)).toContain('run-ttft');
  });

  it('recognises sweeps over clients and over rates, ordered by level', async () => {
    const clients = await loadReportSource(writeFixtureSweep(join(root, 'sweep-c'), 'clients', [4, 1, 2]));
    expect(clients.kind === 'sweep' && clients.parameter).toBe('clients');
    expect(clients.kind === 'sweep' && clients.levels.map((l) => l.value)).toEqual([1, 2, 4]);
    const rates = await loadReportSource(writeFixtureSweep(join(root, 'sweep-r'), 'rate', [5, 20, 10]));
    expect(rates.kind === 'sweep' && rates.parameter).toBe('rate');
    expect(rates.kind === 'sweep' && rates.levels.map((l) => l.value)).toEqual([5, 10, 20]);
  });

  it('recognises a latency heatmap folder', async () => {
    const source = await loadReportSource(writeFixtureHeatmap(join(root, 'heat'), [10, 50], [64, 128]));
    expect(source.kind).toBe('heatmap');
    expect(source.kind === 'heatmap' && source.cells).toHaveLength(4);
  });

  it('refuses a folder of unrelated runs that repeat a level (not one sweep), naming the folders', async () => {
    const dir = join(root, 'many-runs');
    writeFixtureRun(join(dir, 'run-1'), { requests: 3, clients: 2 });
    writeFixtureRun(join(dir, 'run-2'), { requests: 3, clients: 2 });
    await expect(loadReportSource(dir)).rejects.toThrow(
      `${dir}: holds run folders that are not one sweep (run-1 and run-2 both have clients 2)`,
    );
  });

  it('names the folder when it is neither a run nor holds runs', async () => {
    mkdirSync(join(root, 'empty'));
    await expect(loadReportSource(join(root, 'empty'))).rejects.toThrow(/empty: not a run folder/);
    await expect(loadReportSource(join(root, 'missing'))).rejects.toThrow(/missing: no such folder/);
  });
});

describe('renderReport', () => {
  it('is one self-contained file: Chart.js inlined, no external resources', async () => {
    const dir = writeFixtureRun(join(root, 'run-self'), { requests: 30, chunks: true });
    const { file } = await writeReport(dir);
    expect(file).toBe(join(dir, 'report.html'));
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    const ids = embeddedCharts(html).map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining(['run-ttft', 'run-ttlt', 'run-tpot', 'run-icl', 'run-outcomes', 'run-time']),
    );
    expect(ids).not.toContain('run-lag-hist');
    for (const id of ids) expect(html).toContain(`<canvas id="${id}"`);
  });

  it('shows schedule lag for open-loop runs and errors by type', async () => {
    const dir = writeFixtureRun(join(root, 'run-lag'), {
      requests: 30,
      rate: 20,
      failures: [{ every: 4, type: 'server' }],
    });
    const html = renderReport(await loadReportSource(dir));
    const charts = embeddedCharts(html);
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['run-lag-hist', 'run-lag-time']));
    const outcomes = charts.find((c) => c.id === 'run-outcomes');
    expect(outcomes?.config?.data.datasets[0]?.data).toEqual([23, 7]);
  });

  it('draws a low-memory run (no records kept) from its responses.jsonl, the same charts as any run', async () => {
    const options = { requests: 40, rate: 20, chunks: true, failures: [{ every: 6, type: 'timeout' as const }] };
    const normal = writeFixtureRun(join(root, 'run-normal'), options);
    const low = writeFixtureRun(join(root, 'run-low-memory'), { ...options, config: { low_memory: true } });
    const lowSource = await loadReportSource(low);
    expect(lowSource.kind === 'run' && lowSource.run.records).toEqual([]);
    const data = async (dir: string) =>
      Object.fromEntries(embeddedCharts(renderReport(await loadReportSource(dir))).map((c) => [c.id, c.config?.data]));
    const lowCharts = await data(low);
    expect(Object.keys(lowCharts)).toEqual([
      'run-ttft',
      'run-ttlt',
      'run-tpot',
      'run-icl',
      'run-outcomes',
      'run-time',
      'run-lag-hist',
      'run-lag-time',
    ]);
    expect(lowCharts).toEqual(await data(normal));
    expect(lowCharts['run-outcomes']?.datasets[0]?.data).toEqual([34, 6]);
  });

  it('draws the error rate and schedule lag of a low-memory sweep', async () => {
    const dir = writeFixtureSweep(join(root, 'sweep-low'), 'rate', [5, 10], 20, { low_memory: true });
    const charts = embeddedCharts(renderReport(await loadReportSource(dir)));
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['sweep-errors', 'sweep-lag']));
    expect(charts.find((c) => c.id === 'sweep-errors')?.config?.data.datasets[0]?.data).toEqual([0, 20]);
  });

  it('escapes text taken from the run folder', async () => {
    const dir = writeFixtureRun(join(root, 'run-xss'), { requests: 3, config: { run_name: '</script><b>x' } });
    const html = renderReport(await loadReportSource(dir));
    expect(html).not.toContain('</script><b>x');
    expect(html).toContain('&#60;/script&#62;&#60;b&#62;x');
  });

  it('draws percentiles, throughput and error rate against the sweep parameter', async () => {
    const html = renderReport(await loadReportSource(join(root, 'sweep-r')));
    const charts = embeddedCharts(html);
    expect(charts.map((c) => c.id)).toEqual([
      'sweep-ttft',
      'sweep-ttlt',
      'sweep-tpot',
      'sweep-throughput',
      'sweep-errors',
      'sweep-lag',
    ]);
    const errors = charts.find((c) => c.id === 'sweep-errors');
    expect(errors?.config?.data.datasets[0]?.data).toEqual([0, 20, 0]);
  });

  it('draws TTFT and TTLT heatmaps over input × output lengths', async () => {
    const html = renderReport(await loadReportSource(join(root, 'heat')));
    const charts = embeddedCharts(html) as unknown as Array<{
      type: string;
      xValues: number[];
      yValues: number[];
      values: number[][];
    }>;
    expect(charts.map((c) => c.type)).toEqual(['heatmap', 'heatmap']);
    expect(charts[0]?.xValues).toEqual([10, 50]);
    expect(charts[0]?.yValues).toEqual([64, 128]);
    expect(charts[0]?.values.flat().every((v) => typeof v === 'number' && v > 0)).toBe(true);
  });
});
