import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { IMetricReader, MeterProvider, ViewOptions } from '@opentelemetry/sdk-metrics';

/** Options for `startPrometheusExporter`. */
export interface PrometheusExporterOptions {
  /** Interface to bind. Default `127.0.0.1` (not every interface: opt in with `0.0.0.0`). */
  host?: string;
  /** Port. Default 9464 (Prometheus' registered exporter port); 0 picks a free one. */
  port?: number;
  /** Path that serves the metrics. Default `/metrics`. */
  endpoint?: string;
  /** Leave out `otel_scope_name`/`otel_scope_version` labels. Default `false`. */
  withoutScopeInfo?: boolean;
  /** Leave out the `target_info` series. Default `false`. */
  withoutTargetInfo?: boolean;
  /** Views for the meter provider (e.g. other bucket boundaries). Default none. */
  views?: ViewOptions[];
  /** More readers for the same meter provider (e.g. `await createOtlpMetricReader()`). */
  readers?: IMetricReader[];
  /** More GET routes on the same server (path → handler), e.g. `/healthz`. */
  routes?: Record<string, RequestListener>;
}

/** A running Prometheus endpoint and the meter provider that feeds it. */
export interface PrometheusExporterHandle {
  /** The meter provider to give `GenAIMetrics`/`instrumentEndpoint`/`OtelRecordSink` (not registered globally). */
  meterProvider: MeterProvider;
  exporter: PrometheusExporter;
  server: Server;
  host: string;
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** The metrics URL, e.g. `http://127.0.0.1:9464/metrics`. */
  url: string;
  /** Shuts the meter provider down and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server serving Prometheus text exposition of a new meter provider's metrics
 * (`@opentelemetry/sdk-metrics` and `@opentelemetry/exporter-prometheus`, loaded on first call).
 */
export async function startPrometheusExporter(
  options: PrometheusExporterOptions = {},
): Promise<PrometheusExporterHandle> {
  const [sdk, prom] = await Promise.all([
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-prometheus'),
  ]);
  const host = options.host ?? '127.0.0.1';
  const path = options.endpoint ?? '/metrics';
  const exporter = new prom.PrometheusExporter({
    preventServerStart: true,
    endpoint: path,
    withoutScopeInfo: options.withoutScopeInfo ?? false,
    withoutTargetInfo: options.withoutTargetInfo ?? false,
  });
  const meterProvider = new sdk.MeterProvider({
    readers: [exporter, ...(options.readers ?? [])],
    views: options.views ?? [],
  });
  const routes = options.routes ?? {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (pathname === path) return exporter.getMetricsRequestHandler(req, res);
    const route = routes[pathname];
    if (route) return route(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; metrics are at ${path}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    meterProvider,
    exporter,
    server,
    host,
    port,
    url: `http://${urlHost}:${port}${path}`,
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await meterProvider.shutdown().catch(() => {});
      })();
      return closed;
    },
  };
}
