import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The system Chromium (Debian package); tests never download browsers. */
export const CHROMIUM_PATH = process.env['LLMETER_CHROMIUM'] ?? '/usr/bin/chromium';

/** Launches headless system Chromium with networking extras off. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install the Debian package chromium (root pnpm test does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What the page says about each chart after it rendered. */
export interface RenderedChart {
  id: string;
  type: string;
  /** Data points with a finite value, over all datasets. */
  points: number;
  /** Sum of the numeric values (heatmap cells: their value), over all datasets: 0 for a chart of only zeros. */
  sum: number;
  /** Drawn elements (bars, points) Chart.js laid out. */
  elements: number;
  /** Canvas pixels that are neither transparent nor white. */
  inkPixels: number;
  width: number;
  height: number;
}

/** Runs in the page: inspects every canvas's Chart.js instance and its pixels. */
export const INSPECT_CHARTS = `(() => Array.from(document.querySelectorAll('canvas')).map((canvas) => {
  const chart = Chart.getChart(canvas);
  const ctx = canvas.getContext('2d');
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < img.length; i += 4) {
    if (img[i + 3] > 0 && !(img[i] > 245 && img[i + 1] > 245 && img[i + 2] > 245)) ink++;
  }
  let points = 0, elements = 0, sum = 0;
  if (chart) chart.data.datasets.forEach((ds, i) => {
    ds.data.forEach((d) => {
      const v = d !== null && typeof d === 'object' ? (typeof d.v === 'number' ? d.v : d.y) : d;
      if (v !== null && v !== undefined && (typeof v !== 'number' || Number.isFinite(v))) points++;
      if (typeof v === 'number' && Number.isFinite(v)) sum += Math.abs(v);
    });
    elements += chart.getDatasetMeta(i).data.length;
  });
  return { id: canvas.id, type: chart ? chart.config.type : 'none', points, sum, elements, inkPixels: ink, width: canvas.width, height: canvas.height };
}))()`;
