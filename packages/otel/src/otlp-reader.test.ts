import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationResponse } from '@llmeter/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { GenAIMetrics, METRIC_NAMES } from './genai-metrics.js';
import { createOtlpMetricReader } from './otlp-reader.js';

describe('createOtlpMetricReader', () => {
  it('exports the GenAI metrics over OTLP/HTTP JSON', async () => {
    const bodies: { url: string; type: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        bodies.push({ url: req.url ?? '', type: String(req.headers['content-type']), body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
    const provider = new MeterProvider({
      readers: [await createOtlpMetricReader({ url, exponentialHistograms: true, exportIntervalMillis: 3_600_000 })],
    });
    try {
      new GenAIMetrics({ meterProvider: provider }).record(
        new InvocationResponse({ timeToFirstToken: 0.1, timeToLastToken: 0.4, chunkTimes: [0.1, 0.4] }),
        { modelId: 'm', provider: 'bedrock' },
      );
      await provider.forceFlush();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.url).toBe('/v1/metrics');
      expect(bodies[0]!.type).toContain('json');
      const payload = JSON.parse(bodies[0]!.body);
      const metrics = payload.resourceMetrics[0].scopeMetrics[0].metrics as {
        name: string;
        exponentialHistogram?: unknown;
      }[];
      const ttfc = metrics.find((m) => m.name === METRIC_NAMES.timeToFirstChunk);
      expect(ttfc?.exponentialHistogram).toBeDefined();
    } finally {
      await provider.shutdown();
      await new Promise((r) => server.close(r));
    }
  });
});
