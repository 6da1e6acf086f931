import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSPECT_CHARTS, launchChromium, type RenderedChart } from '../test-support/browser.js';
import { writeFixtureHeatmap, writeFixtureRun, writeFixtureSweep } from '../test-support/fixture-runs.js';
import { runLlmeter } from '../test-support/llmeter-binary.js';
import { writeReport } from './write-report.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'llmeter-browser-'));
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Opens a report offline, collects console errors and inspects every chart; keeps a full-page screenshot. */
async function openReport(file: string, screenshot: string): Promise<{ errors: string[]; charts: RenderedChart[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const charts = (await page.evaluate(INSPECT_CHARTS)) as RenderedChart[];
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    return { errors, charts };
  } finally {
    await context.close();
  }
}

function expectEveryChartDrawn(charts: RenderedChart[], ids: string[]): void {
  expect(charts.map((c) => c.id)).toEqual(ids);
  for (const c of charts) {
    expect(c.type, c.id).not.toBe('none');
    expect(c.points, `${c.id} data points`).toBeGreaterThan(0);
    expect(c.sum, `${c.id} sum of its values (not all zero)`).toBeGreaterThan(0);
    expect(c.elements, `${c.id} drawn elements`).toBeGreaterThan(0);
    expect(c.width, `${c.id} width`).toBeGreaterThan(100);
    expect(c.inkPixels, `${c.id} pixels drawn`).toBeGreaterThan(500);
  }
}

describe('HTML report in headless Chromium', () => {
  it('renders a closed-loop run report with every chart', async () => {
    const dir = writeFixtureRun(join(root, 'closed'), {
      requests: 60,
      clients: 4,
      chunks: true,
      failures: [{ every: 9, type: 'timeout' }],
    });
    const { file } = await writeReport(dir);
    const { errors, charts } = await openReport(file, 'report-run.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, ['run-ttft', 'run-ttlt', 'run-tpot', 'run-icl', 'run-outcomes', 'run-time']);
  });

  it('renders an open-loop run report with schedule lag', async () => {
    const dir = writeFixtureRun(join(root, 'open'), {
      requests: 80,
      rate: 20,
      failures: [{ every: 11, type: 'throttled' }],
    });
    const { file } = await writeReport(dir);
    const { errors, charts } = await openReport(file, 'report-open-loop.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, [
      'run-ttft',
      'run-ttlt',
      'run-tpot',
      'run-outcomes',
      'run-time',
      'run-lag-hist',
      'run-lag-time',
    ]);
  });

  it('renders a sweep report over clients', async () => {
    const { file } = await writeReport(writeFixtureSweep(join(root, 'sweep-clients'), 'clients', [1, 2, 4, 8]));
    const { errors, charts } = await openReport(file, 'report-sweep-clients.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, ['sweep-ttft', 'sweep-ttlt', 'sweep-tpot', 'sweep-throughput', 'sweep-errors']);
  });

  it('renders a sweep report over rates with schedule lag', async () => {
    const { file } = await writeReport(writeFixtureSweep(join(root, 'sweep-rates'), 'rate', [5, 10, 20]));
    const { errors, charts } = await openReport(file, 'report-sweep-rates.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, [
      'sweep-ttft',
      'sweep-ttlt',
      'sweep-tpot',
      'sweep-throughput',
      'sweep-errors',
      'sweep-lag',
    ]);
  });

  it('renders a low-memory open-loop run (records read back from disk) with errors of several types', async () => {
    const dir = writeFixtureRun(join(root, 'low-memory'), {
      requests: 120,
      rate: 40,
      chunks: true,
      failures: [
        { every: 13, type: 'throttled' },
        { every: 17, type: 'server' },
        { every: 29, type: 'timeout' },
      ],
      config: { low_memory: true },
    });
    const { file } = await writeReport(dir);
    const { errors, charts } = await openReport(file, 'report-low-memory-run.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, [
      'run-ttft',
      'run-ttlt',
      'run-tpot',
      'run-icl',
      'run-outcomes',
      'run-time',
      'run-lag-hist',
      'run-lag-time',
    ]);
    expect(charts.find((c) => c.id === 'run-outcomes')?.elements).toBe(4);
  });

  it('renders a low-memory sweep over clients with errors by type', async () => {
    const { file } = await writeReport(
      writeFixtureSweep(join(root, 'sweep-low-memory'), 'clients', [1, 4, 16], 30, { low_memory: true }),
    );
    const { errors, charts } = await openReport(file, 'report-low-memory-sweep.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, ['sweep-ttft', 'sweep-ttlt', 'sweep-tpot', 'sweep-throughput', 'sweep-errors']);
  });

  it('renders a latency heatmap report', async () => {
    const { file } = await writeReport(writeFixtureHeatmap(join(root, 'heatmap'), [10, 50, 200], [64, 128]));
    const { errors, charts } = await openReport(file, 'report-heatmap.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, ['heatmap-ttft', 'heatmap-ttlt']);
    expect(charts.every((c) => c.elements === 6)).toBe(true);
  });

  it('renders the report the llmeter binary wrote for an open-loop run against the emulator', async () => {
    const profile = JSON.stringify({
      ttftMs: { distribution: 'lognormal', mean: 120, stddev: 40 },
      interTokenDelayMs: 4,
      outputTokens: { min: 16, max: 64 },
    });
    const faults = JSON.stringify([{ fault: { kind: 'http', status: 429 }, rate: 0.08 }]);
    const r = await runLlmeter([
      'run',
      '--rate',
      '30',
      '--arrival',
      'poisson',
      '--requests',
      '90',
      '--max-attempts',
      '1',
      '--quiet',
      '--report',
      '--emulator-profile',
      profile,
      '--emulator-faults',
      faults,
      '--out',
      root,
      '--run-name',
      'emulator-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { errors, charts } = await openReport(join(root, 'emulator-run', 'report.html'), 'report-emulator-run.png');
    expect(errors).toEqual([]);
    expectEveryChartDrawn(charts, [
      'run-ttft',
      'run-ttlt',
      'run-tpot',
      'run-icl',
      'run-outcomes',
      'run-time',
      'run-lag-hist',
      'run-lag-time',
    ]);
  });
});
