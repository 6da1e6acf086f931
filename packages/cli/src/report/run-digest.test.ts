import { InvocationResponse } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import { fixtureRecords } from '../test-support/fixture-runs.js';
import { HistogramBuilder } from './chart-data.js';
import { renderReport } from './render-report.js';
import { digestRecordStream, digestRecords, histogramTotal, MAX_TIMELINE_POINTS } from './run-digest.js';

describe('HistogramBuilder', () => {
  it('counts every value of the second pass exactly once, whatever the order', () => {
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 100 + (i % 97 === 0 ? 50 : 0));
    const h = new HistogramBuilder();
    for (const v of values) h.observe(v);
    for (const v of [...values].reverse()) h.add(v);
    const r = h.result();
    expect(histogramTotal(r)).toBe(1000);
    expect(r.edges[0]).toBe(Math.min(...values));
    expect(r.edges.at(-1)).toBeCloseTo(Math.max(...values));
    // Each value lies within its bin's edges.
    for (const v of values) {
      const i = r.edges.findIndex((e, k) => k < r.counts.length && v >= e && v <= (r.edges[k + 1] as number));
      expect(i, String(v)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('run digest', () => {
  it('counts outcomes by type and every TTFT, and thins only the timeline of a long run', () => {
    const n = 2 * MAX_TIMELINE_POINTS + 500;
    const records = fixtureRecords({ requests: n, rate: 100, failures: [{ every: 10, type: 'throttled' }] });
    const d = digestRecords(records);
    expect(d.count).toBe(n);
    const failed = Math.floor(n / 10);
    expect(new Map(d.outcomes).get('ok')).toBe(n - failed);
    expect(new Map(d.outcomes).get('throttled')).toBe(failed);
    expect(histogramTotal(d.ttft)).toBe(n - failed);
    expect(histogramTotal(d.scheduleLag)).toBe(n);
    expect(d.timeline.stride).toBe(3);
    expect(d.timeline.scheduleLag.length).toBe(Math.ceil(n / 3));
    expect(d.timeline.scheduleLag.length).toBeLessThanOrEqual(MAX_TIMELINE_POINTS);
    expect(d.timeline.scheduleLag[1]?.x).toBeCloseTo(3 / 100);
    const html = renderReport({
      kind: 'run',
      path: 'x',
      name: 'x',
      run: { path: 'x', name: 'x', config: {}, stats: {}, records, digest: d },
    });
    expect(html).toContain(`(one request in 3 of ${n} shown)`);
  });

  it('is the same from a stream read twice as from records in memory', async () => {
    const records = fixtureRecords({ requests: 300, chunks: true, failures: [{ every: 7, type: 'server' }] });
    async function* stream() {
      for (const r of records) yield InvocationResponse.fromJSON(r.toJSON(), r.toExtensionJSON());
    }
    expect(await digestRecordStream(stream)).toEqual(digestRecords(records));
  });
});
