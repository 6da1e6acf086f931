// End to end: the real Prometheus server (Debian package; `pnpm test` installs it when missing) scrapes the
// monitor probing its embedded emulator. PromQL over Prometheus' HTTP API must agree with the monitor's own
// exact percentiles within one bucket, and every query of the shipped Grafana dashboard must return data.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENAI_DURATION_BUCKETS } from '@llmeter/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Monitor, startMonitor } from './monitor.js';
import { resolveMonitorConfig } from './monitor-config.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The index of the histogram bucket a value falls in (`le` semantics; the last index is +Inf). */
function bucketIndex(value: number, bounds: readonly number[]): number {
  const i = bounds.findIndex((b) => value <= b);
  return i < 0 ? bounds.length : i;
}

/** Every `expr` of a Grafana dashboard's panels (nested rows included). */
function dashboardExprs(dashboard: { panels?: unknown[] }): string[] {
  const out: string[] = [];
  const visit = (panel: { targets?: { expr?: string }[]; panels?: unknown[] }) => {
    for (const t of panel.targets ?? []) if (t.expr) out.push(t.expr);
    for (const p of panel.panels ?? []) visit(p as never);
  };
  for (const p of dashboard.panels ?? []) visit(p as never);
  return out;
}

describe('monitor scraped by a real Prometheus', () => {
  let dir: string;
  let monitor: Monitor | undefined;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;

  const query = async (q: string): Promise<PromSample[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: PromSample[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${q}: ${body.error}`);
    return body.data?.result ?? [];
  };

  /** Polls until `check` returns a value (not undefined), within a bounded deadline. */
  const waitFor = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (error) {
        last = error;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const log = await readFile(join(dir, 'prometheus.log'), 'utf8').catch(() => '');
    throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}\n${log.slice(-2000)}`);
  };

  beforeAll(async () => {
    if (!has('prometheus') || !has('promtool')) {
      throw new Error(
        'prometheus/promtool not installed: run `pnpm test` (scripts/ensure-system-deps.mjs installs them)',
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'llmeter-monitor-e2e-'));
    const config = resolveMonitorConfig({
      port: 0,
      intervalMs: 200,
      timeoutMs: 10_000,
      emulator: {
        seed: 7,
        profile: {
          ttftMs: { distribution: 'uniform', min: 15, max: 300 },
          interTokenDelayMs: 2,
          outputTokens: { min: 4, max: 16 },
        },
        faults: [{ fault: { kind: 'http', status: 429 }, rate: 0.15 }],
      },
    });
    monitor = await startMonitor(config, { log: () => {} });
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: llmeter-monitor',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${monitor.port}']`,
        '',
      ].join('\n'),
    );
    const { openSync } = await import('node:fs');
    const logFd = openSync(join(dir, 'prometheus.log'), 'w');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
  }, 60_000);

  afterAll(async () => {
    const child = prometheus;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    }
    await monitor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('promtool accepts the shipped and the test Prometheus configurations', () => {
    for (const file of [join(DEPLOY, 'prometheus.yml'), join(dir, 'prometheus.yml')]) {
      const out = execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    }
  });

  it('histogram_quantile over the scraped TTFT agrees with the exact percentiles within one bucket', async () => {
    const m = monitor as Monitor;
    // enough streaming samples per model in Prometheus
    await waitFor(
      '40 scraped TTFT samples per model',
      async () => {
        const res = await query('sum by (gen_ai_request_model) (gen_ai_client_operation_time_to_first_chunk_count)');
        return res.length === 2 && res.every((s) => Number(s.value[1]) >= 40) ? res : undefined;
      },
      90_000,
    );
    await m.stopProbing();
    const stats = m.stats();
    const streams = stats.series.filter((s) => s.operation === 'converse-stream');
    expect(streams).toHaveLength(2);
    // Prometheus has scraped everything the monitor measured (no rate window: the same sample set).
    await waitFor('the final scrape', async () => {
      const res = await query('sum by (gen_ai_request_model) (gen_ai_client_operation_time_to_first_chunk_count)');
      const ok = streams.every((s) => {
        const got = res.find((r) => r.metric['gen_ai_request_model'] === s.modelId);
        return got && Number(got.value[1]) === s.timeToFirstToken.count;
      });
      return ok ? true : undefined;
    });
    for (const s of streams) {
      for (const p of [50, 90, 99]) {
        const exact = s.timeToFirstToken[`p${p}`] as number;
        const [sample] = await query(
          `histogram_quantile(${p / 100}, sum by (le) (gen_ai_client_operation_time_to_first_chunk_bucket{gen_ai_request_model="${s.modelId}"}))`,
        );
        const estimate = Number(sample?.value[1]);
        expect(Number.isFinite(estimate), `p${p} ${s.modelId}`).toBe(true);
        const diff = Math.abs(
          bucketIndex(estimate, GENAI_DURATION_BUCKETS) - bucketIndex(exact, GENAI_DURATION_BUCKETS),
        );
        expect(diff, `p${p} ${s.modelId}: PromQL ${estimate} vs exact ${exact}`).toBeLessThanOrEqual(1);
      }
    }
    // the errors the emulator injected are labelled and counted
    const errors = await query('sum by (error_type) (llmeter_client_requests_total{error_type!=""})');
    const throttled = errors.find((e) => e.metric['error_type'] === 'throttled');
    const exactThrottled = stats.series.reduce((n, s) => n + (s.errors['throttled'] ?? 0), 0);
    expect(exactThrottled).toBeGreaterThan(0);
    expect(Number(throttled?.value[1])).toBe(exactThrottled);
    // and each failure's duration (its time to error) is in the duration histogram, labelled
    const [failedDurations] = await query('sum(gen_ai_client_operation_duration_count{error_type="throttled"})');
    expect(Number(failedDurations?.value[1])).toBe(exactThrottled);
  }, 150_000);

  it('every query of the Grafana dashboard returns data from that Prometheus', async () => {
    const dashboard = JSON.parse(await readFile(join(DEPLOY, 'grafana/dashboards/llmeter-latency.json'), 'utf8'));
    const exprs = dashboardExprs(dashboard);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    // the panels the dashboard promises: TTFT, duration and time per output token p50/p90/p99 by model,
    // output tokens/s, requests/s, and errors by error type
    const has = (what: string, test: (e: string) => boolean) => expect(exprs.some(test), what).toBe(true);
    for (const metric of [
      'gen_ai_client_operation_time_to_first_chunk_bucket',
      'gen_ai_client_operation_duration_bucket',
      'llmeter_client_time_per_output_token_bucket',
    ]) {
      for (const q of ['0.5', '0.9', '0.99']) {
        has(`p${q} of ${metric} by model`, (e) =>
          e.startsWith(`histogram_quantile(${q}, sum by (le, gen_ai_request_model) (rate(${metric}`),
        );
      }
    }
    has('output tokens/s', (e) => e.includes('rate(gen_ai_client_token_usage_sum{') && e.includes('"output"'));
    has('requests/s', (e) => e.startsWith('sum by (gen_ai_request_model) (rate(llmeter_client_requests_total{'));
    has('errors/s by error type', (e) =>
      e.startsWith('sum by (gen_ai_request_model, error_type) (rate(llmeter_client_requests_total{'),
    );
    for (const expr of exprs) {
      const q = expr.replaceAll('$__rate_interval', '1m').replaceAll('$model', '.*');
      expect(q).not.toContain('$');
      const result = await waitFor(
        `data for ${q}`,
        async () => {
          const res = await query(q);
          return res.some((r) => Number.isFinite(Number(r.value[1]))) ? res : undefined;
        },
        20_000,
      );
      expect(result.length, q).toBeGreaterThan(0);
    }
    // the dashboard's model variable has values
    const variable = dashboard.templating.list.find((v: { name: string }) => v.name === 'model');
    const [, metric, label] = /label_values\((\w+), (\w+)\)/.exec(variable.query.query) ?? [];
    const res = await fetch(`${promUrl}/api/v1/label/${label}/values?match[]=${metric}`);
    const values = ((await res.json()) as { data: string[] }).data;
    expect(values.sort()).toEqual(['amazon.nova-lite-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0']);
  }, 120_000);
});
