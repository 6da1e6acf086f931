import { describe, expect, it } from 'vitest';
import { type MonitorStats, startMonitor } from './monitor.js';
import { MonitorConfigError, resolveMonitorConfig } from './monitor-config.js';

const FAST_PROFILE = {
  ttftMs: { distribution: 'uniform', min: 10, max: 60 },
  interTokenDelayMs: 2,
  outputTokens: { min: 4, max: 12 },
};

describe('startMonitor', () => {
  it('probes the embedded emulator out of the box and serves /metrics, /stats and /healthz', async () => {
    const config = resolveMonitorConfig({ port: 0, intervalMs: 100, emulator: { profile: FAST_PROFILE } });
    expect(config.target).toBe('emulator');
    const lines: string[] = [];
    const monitor = await startMonitor(config, { log: (l) => lines.push(l) });
    try {
      const deadline = Date.now() + 20_000;
      while (monitor.rounds < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(monitor.rounds).toBeGreaterThanOrEqual(3);
      const text = await (await fetch(monitor.metricsUrl)).text();
      expect(text).toContain('gen_ai_client_operation_time_to_first_chunk_bucket{');
      expect(text).toMatch(/gen_ai_request_model="amazon.nova-lite-v1:0"/);
      expect(text).toMatch(/gen_ai_provider_name="aws.bedrock"/);
      const stats = (await (await fetch(new URL('/stats', monitor.metricsUrl))).json()) as MonitorStats;
      expect(stats.target).toBe('emulator');
      expect(stats.series).toHaveLength(4);
      for (const s of stats.series) {
        expect(s.requests).toBeGreaterThanOrEqual(3);
        expect(s.errors).toEqual({});
        expect(s.timeToLastToken.count).toBeGreaterThanOrEqual(3);
      }
      const stream = stats.series.find((s) => s.operation === 'converse-stream')!;
      expect(stream.timeToFirstToken.p50).toBeGreaterThan(0.005);
      expect(stream.timeToFirstToken.p50).toBeLessThan(5);
      expect((await fetch(new URL('/healthz', monitor.metricsUrl))).status).toBe(200);
      expect(lines.join('\n')).toContain('embedded emulator');
    } finally {
      await monitor.close();
    }
    await expect(fetch(monitor.metricsUrl)).rejects.toThrow();
  });

  it('rejects a bad emulator profile or fault rule as a configuration error naming the field', async () => {
    const profile = resolveMonitorConfig({ port: 0, emulator: { profile: { ttftMs: 'fast' } } });
    const a = await startMonitor(profile, { log: () => {} }).catch((e: unknown) => e);
    expect(MonitorConfigError.isInstance(a), String(a)).toBe(true);
    expect((a as Error).message).toMatch(/^emulator\.profile\.ttftMs/);
    const faults = resolveMonitorConfig({ port: 0, emulator: { faults: [{ fault: { kind: 'boom' }, rate: 0.5 }] } });
    const b = await startMonitor(faults, { log: () => {} }).catch((e: unknown) => e);
    expect(MonitorConfigError.isInstance(b), String(b)).toBe(true);
    expect((b as Error).message).toMatch(/^emulator\.faults\[0\]: fault\.kind must be one of/);
  });

  it('close() aborts probes still in flight after the grace period and frees the port', async () => {
    const config = resolveMonitorConfig({
      port: 0,
      intervalMs: 100,
      models: [{ modelId: 'slow-model', operations: ['converse-stream'] }],
      target: 'emulator',
      emulator: { profile: { ttftMs: 20_000 } },
    });
    const monitor = await startMonitor(config, { log: () => {}, shutdownGraceMs: 200 });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await monitor.close();
    expect(performance.now() - t0).toBeLessThan(10_000);
    const [series] = monitor.stats().series;
    expect(series?.requests).toBe(1);
    expect(series?.errors).toEqual({ aborted: 1 });
    await expect(fetch(monitor.metricsUrl)).rejects.toThrow();
  });
});
