import type { AddressInfo } from 'node:net';
import { InvocationResponse } from '@llmeter/core';
import { describe, expect, it } from 'vitest';
import { GenAIMetrics } from './genai-metrics.js';
import { startPrometheusExporter } from './prometheus-exporter.js';

describe('startPrometheusExporter', () => {
  it('serves the metrics with Prometheus names on 127.0.0.1', async () => {
    const prom = await startPrometheusExporter({
      port: 0,
      routes: { '/healthz': (_req, res) => res.end('ok') },
    });
    try {
      expect(prom.host).toBe('127.0.0.1');
      expect((prom.server.address() as AddressInfo).address).toBe('127.0.0.1');
      expect(prom.url).toBe(`http://127.0.0.1:${prom.port}/metrics`);
      new GenAIMetrics({ meterProvider: prom.meterProvider }).record(
        new InvocationResponse({
          timeToFirstToken: 0.1,
          timeToLastToken: 0.5,
          chunkTimes: [0.1, 0.3],
          numTokensOutput: 3,
        }),
        { modelId: 'm', provider: 'bedrock' },
      );
      const text = await (await fetch(prom.url)).text();
      expect(text).toContain('gen_ai_client_operation_time_to_first_chunk_bucket{');
      expect(text).toContain('gen_ai_client_operation_duration_count{');
      expect(text).toContain('llmeter_client_requests_total{');
      expect(text).toMatch(/gen_ai_request_model="m"/);
      expect(text).toMatch(/gen_ai_provider_name="aws.bedrock"/);
      expect(text).not.toContain('_seconds');
      expect(await (await fetch(new URL('/healthz', prom.url))).text()).toBe('ok');
      expect((await fetch(new URL('/nope', prom.url))).status).toBe(404);
    } finally {
      await prom.close();
    }
  });
});
